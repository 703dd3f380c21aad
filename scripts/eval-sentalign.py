#!/usr/bin/env python3
"""Sentence-alignment F1 on FLORES-200 devtest documents (measurement only; nothing is kept).

Lines of ../shared/eval/flores200_devtest/<lang>.txt.gz are parallel; metadata_devtest.tsv gives each line's
URL, which groups lines into documents. For every document and every language X, side A is English, side B is
X; with a fixed seed the script drops sentences (20%) and merges neighbouring sentences (20%) on one randomly
chosen side. The gold is the resulting line-to-line mapping (1-1, 1-0/0-1, 2-1/1-2 links); the score is the F1
of exact links. The aligner runs through `cargo run --release --example sentalign`.

Usage: scripts/eval-sentalign.py [--flores DIR] [--seed N] [--langs a,b,...] [--docs N] [--no-lexicon]
"""
import argparse, gzip, json, os, random, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--flores", default=os.path.join(here, "..", "..", "shared", "eval", "flores200_devtest"))
ap.add_argument("--seed", type=int, default=7)
ap.add_argument("--langs", default="")
ap.add_argument("--bin", default="")
ap.add_argument("--docs", type=int, default=0, help="use only the first N documents (how much corpus the lexicon needs)")
ap.add_argument("--no-lexicon", action="store_true", help="first pass only: length and evidence anchors")
args = ap.parse_args()

def lines(lang):
    with gzip.open(os.path.join(args.flores, lang + ".txt.gz"), "rt", encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f]

urls = [l.split("\t")[0] for l in open(os.path.join(args.flores, "metadata_devtest.tsv"), encoding="utf-8").read().split("\n")[1:] if l]
docs, order = {}, []
for i, u in enumerate(urls):
    if u not in docs:
        docs[u] = []
        order.append(u)
    docs[u].append(i)
if args.docs:
    order = order[:args.docs]
langs = sorted(f[:-7] for f in os.listdir(args.flores) if f.endswith(".txt.gz") and f != "eng_Latn.txt.gz")
if args.langs:
    langs = [l for l in langs if l in args.langs.split(",")]
eng = lines("eng_Latn")
rng = random.Random(args.seed)

def rng_str(ix):
    return "" if not ix else (str(ix[0]) if len(ix) == 1 else "%d-%d" % (ix[0], ix[-1]))

jobs, golds = [], []
for lang in langs:
    other = lines(lang)
    for u in order:
        ids = docs[u]
        # Units: (indices on side A, indices on side B) in the original 1-1 state.
        units = [([k], [k]) for k in range(len(ids))]
        side = rng.randrange(2)  # which side is adapted
        # Drop sentences on the adapted side.
        for u_ in units:
            if rng.random() < 0.2 and sum(1 for x in units if x[side]) > 1:
                u_[side].clear()
        # Merge neighbouring kept sentences on the adapted side (2-1 or 1-2 links).
        merged, i = [], 0
        while i < len(units):
            if i + 1 < len(units) and units[i][side] and units[i + 1][side] and units[i][1 - side] and units[i + 1][1 - side] and rng.random() < 0.2:
                a = units[i][1 - side] + units[i + 1][1 - side]
                b = units[i][side] + units[i + 1][side]
                merged.append((a, b) if side == 1 else (b, a))
                merged[-1] = (merged[-1][0], merged[-1][1])
                i += 2
            else:
                merged.append(units[i])
                i += 1
        # Build the two sentence lists; a merged unit on the adapted side becomes one sentence.
        A, B, gold = [], [], set()
        for ua, ub in merged:
            ra = []
            if side == 0 and len(ua) > 1:
                A.append(" ".join(eng[ids[k]] for k in ua)); ra = [len(A) - 1]
            else:
                for k in ua:
                    A.append(eng[ids[k]]); ra.append(len(A) - 1)
            rb = []
            if side == 1 and len(ub) > 1:
                B.append(" ".join(other[ids[k]] for k in ub)); rb = [len(B) - 1]
            else:
                for k in ub:
                    B.append(other[ids[k]]); rb.append(len(B) - 1)
            if not ra and not rb:
                continue
            # A unit with both sides, where one side is empty, is a 1-0 / 0-1 link.
            gold.add((rng_str(ra), rng_str(rb)))
        jobs.append(json.dumps({"a": A, "lang_a": "eng_Latn", "b": B, "lang_b": lang}, ensure_ascii=False))
        golds.append((lang, gold))

cmd = [args.bin] if args.bin else ["cargo", "run", "-q", "--release", "--example", "sentalign", "--"]
if args.no_lexicon:
    cmd.append("--no-lexicon")
res = subprocess.run(cmd, input="\n".join(jobs) + "\n", capture_output=True, text=True, cwd=os.path.join(here, ".."))
if res.returncode != 0:
    sys.exit(res.stderr)
preds = [set(map(tuple, json.loads(l))) for l in res.stdout.splitlines()]
tp = fp = fn = 0
per = {}
for (lang, g), p in zip(golds, preds):
    t = len(g & p)
    tp += t; fp += len(p - g); fn += len(g - p)
    s = per.setdefault(lang, [0, 0, 0]); s[0] += t; s[1] += len(p - g); s[2] += len(g - p)
f1 = lambda t, a, b: 2 * t / (2 * t + a + b) if t else 0.0
for lang in sorted(per):
    print("  %s F1 %.4f" % (lang, f1(*per[lang])))
print("sentence alignment: %d document pairs, %d languages; link P %.4f R %.4f F1 %.4f" %
      (len(golds), len(per), tp / max(1, tp + fp), tp / max(1, tp + fn), f1(tp, fp, fn)))
if os.environ.get("SHOW"):
    for (lang, g), p in list(zip(golds, preds))[:int(os.environ["SHOW"])]:
        print(lang, "gold", sorted(g), "pred", sorted(p))
