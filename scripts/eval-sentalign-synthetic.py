#!/usr/bin/env python3
"""Sentence-alignment F1 on synthetic, length-only document pairs (no evaluation data involved).

Each pair: 2-8 sentences of 30-250 characters made of one repeated syllable (no numbers, names, cognates or
punctuation keys, so only lengths can place them); side B's lengths are side A's times a ratio drawn from
0.7-1.5 with 8% noise per sentence; then, as in scripts/eval-sentalign.py, 20% drops and 20% merges of
neighbours on one randomly chosen side. Score: F1 of exact links. A sanity check that the length model
does not depend on FLORES, not a target.

Usage: scripts/eval-sentalign-synthetic.py [--bin PATH] [--seed N] [--pairs N]
"""
import argparse, json, os, random, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--bin", default="")
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--pairs", type=int, default=2000)
args = ap.parse_args()
rng = random.Random(args.seed)

def plain(syl, n):
    out = ""
    while len(out) + len(syl) < n:
        out += (" " if out else "") + syl
    return out + "."

def rng_str(ix):
    return "" if not ix else (str(ix[0]) if len(ix) == 1 else "%d-%d" % (ix[0], ix[-1]))

jobs, golds = [], []
for _ in range(args.pairs):
    n = rng.randint(2, 8)
    ratio = rng.uniform(0.7, 1.5)
    la = [rng.randint(30, 250) for _ in range(n)]
    lb = [max(5, int(l * ratio * rng.gauss(1, 0.08))) for l in la]
    units = [([k], [k]) for k in range(n)]
    side = rng.randrange(2)
    for u in units:
        if rng.random() < 0.2 and sum(1 for x in units if x[side]) > 1:
            u[side].clear()
    merged, i = [], 0
    while i < len(units):
        if i + 1 < len(units) and all(units[i]) and all(units[i + 1]) and rng.random() < 0.2:
            merged.append((units[i][0] + units[i + 1][0], units[i][1] + units[i + 1][1], side))
            i += 2
        else:
            merged.append((units[i][0], units[i][1], None))
            i += 1
    A, B, gold = [], [], set()
    for ua, ub, ms in merged:
        ra, rb = [], []
        if ms == 0:
            A.append(plain("la", sum(la[k] for k in ua) + 1)); ra = [len(A) - 1]
        else:
            for k in ua:
                A.append(plain("la", la[k])); ra.append(len(A) - 1)
        if ms == 1:
            B.append(plain("mo", sum(lb[k] for k in ub) + 1)); rb = [len(B) - 1]
        else:
            for k in ub:
                B.append(plain("mo", lb[k])); rb.append(len(B) - 1)
        gold.add((rng_str(ra), rng_str(rb)))
    jobs.append(json.dumps({"a": A, "lang_a": "eng_Latn", "b": B, "lang_b": "rus_Cyrl"}))
    golds.append(gold)

cmd = [args.bin] if args.bin else ["cargo", "run", "-q", "--release", "--example", "sentalign"]
res = subprocess.run(cmd, input="\n".join(jobs) + "\n", capture_output=True, text=True, cwd=os.path.join(here, ".."))
if res.returncode != 0:
    sys.exit(res.stderr)
preds = [set(map(tuple, json.loads(l))) for l in res.stdout.splitlines()]
tp = sum(len(g & p) for g, p in zip(golds, preds))
fp = sum(len(p - g) for g, p in zip(golds, preds))
fn = sum(len(g - p) for g, p in zip(golds, preds))
print("synthetic length-only sentence alignment: %d pairs; link P %.4f R %.4f F1 %.4f" %
      (len(golds), tp / max(1, tp + fp), tp / max(1, tp + fn), 2 * tp / max(1, 2 * tp + fp + fn)))
