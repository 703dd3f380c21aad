#!/usr/bin/env python3
"""Story-cluster precision and recall of a build of a synthetic archive, against make-archive's --truth file.

    scripts/make-archive --n 10000 --out /tmp/a10k --truth /tmp/a10k.truth
    rferl-corpus build /tmp/a10k --out /tmp/o10k
    scripts/eval-archive-align.py /tmp/a10k.truth /tmp/o10k

Gold: files of one story block (its versions and their republications) form one cluster. Predicted: the
articles table's story_id. Pairs of files in one cluster are compared, as score.py does for the dev corpus.
Caveat: the generator's story blocks draw 2-4 consecutive FLORES documents, and two blocks can draw the same
document; versions of such blocks really share sentences, so some "false" links here are true partial stories.
"""
import csv
import itertools
import sys
from collections import defaultdict

csv.field_size_limit(1 << 30)
truth = {r["path"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter="\t")}
pred, gold = defaultdict(list), defaultdict(list)
for a in csv.DictReader(open(sys.argv[2] + "/articles.csv", encoding="utf-8")):
    t = truth.get(a["source_file"])
    if t is None:
        continue
    if a["story_id"]:
        pred[a["story_id"]].append(a["source_file"])
    if t["story"]:
        gold[t["story"]].append(a["source_file"])


def pairs(groups):
    return {p for v in groups.values() for p in itertools.combinations(sorted(v), 2)}


p, g = pairs(pred), pairs(gold)
tp = len(p & g)
prec = tp / max(len(p), 1)
rec = tp / max(len(g), 1)
f1 = 2 * prec * rec / max(prec + rec, 1e-9)
print("archive story clusters: P %.3f R %.3f F1 %.3f (predicted pairs %d, gold pairs %d)" % (prec, rec, f1, len(p), len(g)))
