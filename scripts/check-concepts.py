#!/usr/bin/env python3
"""Checks the concept lists in src/align/concepts: every language file lists the ids of concepts.txt, in its
order, once each; forms are lower case, one word, and a prefix form ("stem*") keeps at least 4 letters.

Usage: scripts/check-concepts.py [FILE ...]   (default: every <lang>.txt beside concepts.txt)
Exit status 1 and one line per problem when a file is wrong.
"""
import glob, os, sys

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "align", "concepts")


def ids():
    out = []
    for line in open(os.path.join(HERE, "concepts.txt"), encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            out.append(line.split("\t")[0].strip())
    return out


def check(path, want):
    bad = []
    got = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        if "\t" not in line:
            bad.append(f"{path}:{n}: no tab")
            continue
        cid, forms = line.split("\t", 1)
        got.append(cid)
        for f in forms.split():
            w = f[:-1] if f.endswith("*") else f
            if w != w.lower():
                bad.append(f"{path}:{n}: {f!r} is not lower case")
            if f.endswith("*") and sum(c.isalpha() for c in w) < 4:
                bad.append(f"{path}:{n}: prefix {f!r} is shorter than 4 letters")
            # words are split at hyphens before lookup, so a hyphenated form could never match
            if any(not (c.isalpha() or c in "'\u200c") for c in w):
                bad.append(f"{path}:{n}: {f!r} has a character that is not a letter, ' or ZWNJ")
    if got != want:
        missing = [i for i in want if i not in got]
        extra = [i for i in got if i not in want]
        bad.append(f"{path}: ids differ from concepts.txt (missing {missing[:5]}, extra {extra[:5]}, or order)")
    return bad


def main():
    want = ids()
    files = sys.argv[1:] or sorted(p for p in glob.glob(os.path.join(HERE, "*.txt")) if not p.endswith("concepts.txt"))
    bad = [b for f in files for b in check(f, want)]
    for b in bad:
        print(b)
    print(f"{len(files)} files, {len(bad)} problems")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
