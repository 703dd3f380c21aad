#!/usr/bin/env python3
"""Real Pangea pages: does the HTML extractor get the story out, and does it refuse programme pages?

Runs `rferl-corpus build` on a folder of real pages (default ../shared/eval/pages next to the repository, or
/work/shared/eval/pages) and checks, for every page:
  * with a `<name>.gold.txt`: body token F1 of the extracted text against the gold text (bar 0.97);
  * whose `<name>.gold.json` says the page is not a text article (`page_type` mentions a programme page or
    "NOT a text article"): that it is in rejects.csv with reason not_article.
Tokens are compared the way tools/score.py does (NFKC, casefold, word tokens).

Usage: scripts/eval-pages.py [--bin target/release/rferl-corpus] [--pages DIR]
Exit status 1 when a bar is missed.
"""
import argparse, csv, json, os, re, subprocess, sys, tempfile, unicodedata
from collections import Counter

csv.field_size_limit(1 << 30)
TOKEN = re.compile(r"\w+", re.UNICODE)
BAR_F1 = 0.97


def tokens(s):
    return TOKEN.findall(unicodedata.normalize("NFKC", s or "").casefold())


def f1(gold, pred):
    g, p = Counter(tokens(gold)), Counter(tokens(pred))
    common = sum((g & p).values())
    if common == 0:
        return 0.0
    pr, rc = common / sum(p.values()), common / sum(g.values())
    return 2 * pr * rc / (pr + rc)


def default_pages():
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in [os.path.join(here, "..", "..", "shared", "eval", "pages"), "/work/shared/eval/pages"]:
        if os.path.isdir(cand):
            return os.path.normpath(cand)
    sys.exit("no eval/pages folder found (pass --pages)")


def main():
    ap = argparse.ArgumentParser()
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    ap.add_argument("--bin", default=os.path.join(target, "release", "rferl-corpus"))
    ap.add_argument("--pages", default=None)
    a = ap.parse_args()
    pages = a.pages or default_pages()
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "in")
        os.mkdir(inp)
        # Only the .html pages go in; the gold files stay out of the build.
        for name in sorted(os.listdir(pages)):
            if name.endswith(".html"):
                os.symlink(os.path.join(pages, name), os.path.join(inp, name))
        out = os.path.join(tmp, "out")
        # The build exits non-zero when no article at all comes out; the tables are still written.
        subprocess.run([a.bin, "build", inp, "--out", out], stdout=subprocess.DEVNULL)
        arts = {r["source_file"]: r for r in csv.DictReader(open(os.path.join(out, "articles.csv"), encoding="utf-8"))}
        rejs = {r["source_file"]: r for r in csv.DictReader(open(os.path.join(out, "rejects.csv"), encoding="utf-8"))}
    ok = True
    for name in sorted(os.listdir(pages)):
        if not name.endswith(".html"):
            continue
        stem = name[: -len(".html")]
        gold_txt = os.path.join(pages, stem + ".gold.txt")
        gold_json = os.path.join(pages, stem + ".gold.json")
        meta = json.load(open(gold_json, encoding="utf-8")) if os.path.exists(gold_json) else {}
        if os.path.exists(gold_txt):
            art = arts.get(name)
            score = f1(open(gold_txt, encoding="utf-8").read(), art["text"] if art else "")
            good = score >= BAR_F1
            ok &= good
            print("%-70s body F1 %.4f (bar %.2f) %s" % (name, score, BAR_F1, "ok" if good else "MISSED"))
        kind = (meta.get("page_type", "") + " " + meta.get("note", "")).lower()
        if "not a text article" in kind or "programme page" in kind:
            r = rejs.get(name)
            good = r is not None and r["reason"] == "not_article"
            ok &= good
            detail = (r["reason"] + ": " + r["detail"]) if r else ("an ARTICLE" if name in arts else "missing")
            print("%-70s programme page → %s %s" % (name, detail, "ok" if good else "MISSED"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
