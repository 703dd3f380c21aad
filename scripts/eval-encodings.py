#!/usr/bin/env python3
"""Legacy code pages: does a benchmark corpus score the same when its files are not UTF-8?

Copies a benchmark corpus (default ../shared/bench/dev.tar.gz) with every file re-encoded in a single-byte code
page drawn at random (seeded) among those that can write it: Cyrillic (windows-1251, KOI8-R/U, IBM866,
ISO-8859-5, Mac Cyrillic), Latin (windows-1250/1252/1254/1257, ISO-8859-2/-3/-4/-10/-13/-15/-16) and Arabic
(windows-1256, ISO-8859-6); a file no page can write (Armenian, Georgian, Kazakh, ...) stays UTF-8. HTML pages
lose their <meta charset> first, as legacy pages without one. Then it builds both corpora and prints the
scorer's figures side by side: with a decoder that reads every page right, the two columns are equal.

With --declare LABEL, HTML pages get a <meta charset="LABEL"> instead, whatever page wrote them: a CMS that
labels every page with one charset (`--declare iso-8859-1` is the classic); `--declare actual` labels each
page with the page that wrote it.

Usage: scripts/eval-encodings.py [--bin target/release/rferl-corpus] [--corpus dev|dev-html|DIR] [--seed N]
                                 [--declare LABEL]
Exit status 1 when a figure of the re-encoded corpus is lower than the UTF-8 one's.
"""
import argparse, os, random, re, shutil, subprocess, sys, tarfile, tempfile

PAGES = ["windows-1251", "koi8-r", "koi8-u", "cp866", "iso-8859-5", "mac-cyrillic",
         "windows-1250", "iso-8859-2", "windows-1252", "windows-1254", "windows-1257", "iso-8859-13",
         "iso-8859-16", "iso-8859-4", "iso-8859-15", "iso-8859-3", "iso-8859-10",
         "windows-1256", "iso-8859-6"]
FIGURE = re.compile(r"^(\w[\w ()\.]*?):\s+(.*)$")


def shared_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    for d in (os.path.join(here, "..", "..", "shared"), "/work/shared"):
        if os.path.isdir(d):
            return os.path.abspath(d)
    sys.exit("no ../shared folder: this evaluation needs the benchmark corpora")


def unpack(corpus, into):
    if os.path.isdir(corpus):
        return corpus
    tar = os.path.join(shared_dir(), "bench", corpus + ".tar.gz")
    with tarfile.open(tar) as t:
        t.extractall(into)
    return os.path.join(into, corpus)


def reencode(src, dst, seed, declare=None):
    os.makedirs(os.path.join(dst, "dumps"))
    shutil.copytree(os.path.join(src, "gold"), os.path.join(dst, "gold"))
    rng = random.Random(seed)
    used = {}
    for name in sorted(os.listdir(os.path.join(src, "dumps"))):
        with open(os.path.join(src, "dumps", name), encoding="utf-8") as f:
            text = f.read()
        if name.endswith(".html"):
            text = re.sub(r"<meta[^>]*charset[^>]*>", "", text, flags=re.I)
        pages = PAGES[:]
        rng.shuffle(pages)
        data, page = text.encode("utf-8"), "utf-8"
        for p in pages:
            try:
                data, page = text.encode(p), p
                break
            except UnicodeEncodeError:
                pass
        if declare and name.endswith(".html"):
            label = {"cp866": "ibm866", "mac-cyrillic": "x-mac-cyrillic"}.get(page, page) if declare == "actual" else declare
            text = re.sub(r"<head>", '<head><meta charset="%s">' % label, text, count=1, flags=re.I)
            data = text.encode(page)
        used[page] = used.get(page, 0) + 1
        with open(os.path.join(dst, "dumps", name), "wb") as f:
            f.write(data)
    return used


def score(binary, corpus):
    out = tempfile.mkdtemp()
    try:
        subprocess.run([binary, "build", os.path.join(corpus, "dumps"), "--out", out, "--quiet"], check=True)
        res = subprocess.run([sys.executable, os.path.join(shared_dir(), "tools", "score.py"), "all", out,
                              os.path.join(corpus, "gold")], check=True, capture_output=True, text=True)
    finally:
        shutil.rmtree(out)
    figures = {}
    for line in res.stdout.splitlines():
        m = FIGURE.match(line)
        if m and not line.startswith(("most common", "lowest")):
            figures[m.group(1)] = m.group(2)
    return figures


def numbers(s):
    return [float(x) for x in re.findall(r"\d+\.\d+", s)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/rferl-corpus")
    ap.add_argument("--corpus", default="dev")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--declare", help="label every HTML page with this charset")
    args = ap.parse_args()
    work = tempfile.mkdtemp()
    try:
        plain = unpack(args.corpus, work)
        legacy = os.path.join(work, "legacy")
        used = reencode(plain, legacy, args.seed, args.declare)
        print("files per encoding:", ", ".join(f"{k} {v}" for k, v in sorted(used.items(), key=lambda kv: -kv[1])))
        a, b = score(args.bin, plain), score(args.bin, legacy)
    finally:
        shutil.rmtree(work)
    worse = False
    for key in a:
        lower = any(y < x - 1e-9 for x, y in zip(numbers(a[key]), numbers(b.get(key, ""))))
        worse |= lower
        print(f"{key}\n  utf-8:  {a[key]}\n  legacy: {b.get(key, '(missing)')}{'   <-- lower' if lower else ''}")
    sys.exit(1 if worse else 0)


if __name__ == "__main__":
    main()
