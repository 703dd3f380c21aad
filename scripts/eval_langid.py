#!/usr/bin/env python3
"""Evaluate the language identifier against ../shared (measurement only; nothing is copied).

Usage: scripts/eval_langid.py BIN WORKDIR [--engines ours,lingua,whatlang] [--sets articles,flores,short]
BIN is a program taking `[--per-file] [--engine E] FILE...` (examples/detect or rferl-corpus detect).
Prints markdown to stdout.
"""
import csv, gzip, os, subprocess, sys, time, collections, glob

BIN, WORK = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
def opt(name, default):
    return args[args.index(name) + 1] if name in args else default
ENGINES = opt('--engines', 'ours,lingua,whatlang').split(',')
SETS = opt('--sets', 'articles,flores,short').split(',')
SHARED = os.environ.get('SHARED', os.path.join(os.path.dirname(__file__), '..', '..', 'shared'))
if not os.path.isdir(SHARED):
    SHARED = '/work/shared'
BENCH = os.environ.get('BENCH', '/tmp/bench/dev')
SERVICE = set("eng_Latn rus_Cyrl ukr_Cyrl bel_Cyrl kaz_Cyrl kaz_Latn kir_Cyrl uzn_Latn uzn_Cyrl tgk_Cyrl tuk_Latn tat_Cyrl bak_Cyrl azj_Latn hye_Armn kat_Geor ron_Latn bos_Latn srp_Cyrl srp_Latn hrv_Latn cnr_Latn als_Latn mkd_Cyrl bul_Cyrl hun_Latn pes_Arab prs_Arab pbt_Arab crh_Latn che_Cyrl ava_Cyrl".split())
GROUP = {'bos_Latn': 'bcms_Latn', 'hrv_Latn': 'bcms_Latn', 'srp_Latn': 'bcms_Latn', 'cnr_Latn': 'bcms_Latn',
         'pes_Arab': 'fas_Arab', 'prs_Arab': 'fas_Arab'}
def grp(x): return GROUP.get(x, x)
os.makedirs(WORK, exist_ok=True)

def run(engine, files, per_file):
    cmd = [BIN, '--engine', engine] + (['--per-file'] if per_file else []) + files
    t = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return out.splitlines(), time.time() - t

def table(title, golds, preds_by_engine, note=''):
    print(f'\n### {title}\n')
    if note: print(note + '\n')
    langs = sorted(set(golds))
    hdr = '| lang | n | ' + ' | '.join(f'{e} strict | {e} grouped' for e in preds_by_engine) + ' |'
    print(hdr); print('|' + '---|' * (2 + 2 * len(preds_by_engine)))
    summary = {}
    for e, preds in preds_by_engine.items():
        summary[e] = (sum(g == p for g, p in zip(golds, preds)) / len(golds),
                      sum(grp(g) == grp(p) for g, p in zip(golds, preds)) / len(golds))
    per = {}
    for l in langs:
        idx = [i for i, g in enumerate(golds) if g == l]
        row = [l, str(len(idx))]
        for e, preds in preds_by_engine.items():
            s = sum(preds[i] == l for i in idx) / len(idx)
            gr = sum(grp(preds[i]) == grp(l) for i in idx) / len(idx)
            per.setdefault(e, {})[l] = (s, gr)
            row += [f'{s:.3f}', f'{gr:.3f}']
        print('| ' + ' | '.join(row) + ' |')
    row = ['**all**', str(len(golds))]
    for e in preds_by_engine:
        row += [f'**{summary[e][0]:.4f}**', f'**{summary[e][1]:.4f}**']
    print('| ' + ' | '.join(row) + ' |')
    # macro over languages, grouped
    row = ['macro', '']
    for e in preds_by_engine:
        row += [f'{sum(v[0] for v in per[e].values())/len(langs):.4f}', f'{sum(v[1] for v in per[e].values())/len(langs):.4f}']
    print('| ' + ' | '.join(row) + ' |')
    return summary, per

def confusions(golds, preds, k=15):
    c = collections.Counter((g, p) for g, p in zip(golds, preds) if g != p)
    print('\nTop confusions (ours): ' + ', '.join(f'{g}→{p} ×{n}' for (g, p), n in c.most_common(k)))

def reliability(golds, preds, confs):
    print('\nReliability (ours): of the answers given with confidence ≥ p, the share right\n')
    print('| p ≥ | answers | share right |'); print('|---|---|---|')
    for th in [0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99]:
        idx = [i for i, c in enumerate(confs) if c >= th]
        if idx:
            print(f'| {th} | {len(idx)} | {sum(golds[i]==preds[i] for i in idx)/len(idx):.4f} |')
    print('\n| confidence bin | answers | share right |'); print('|---|---|---|')
    bins = [(0, .5), (.5, .7), (.7, .8), (.8, .9), (.9, .95), (.95, .99), (.99, 1.01)]
    for lo, hi in bins:
        idx = [i for i, c in enumerate(confs) if lo <= c < hi]
        if idx:
            print(f'| [{lo}, {min(hi,1)}) | {len(idx)} | {sum(golds[i]==preds[i] for i in idx)/len(idx):.4f} |')

if 'articles' in SETS:
    rows = list(csv.DictReader(open(os.path.join(BENCH, 'gold', 'articles.csv'), encoding='utf-8')))
    adir = os.path.join(WORK, 'articles'); os.makedirs(adir, exist_ok=True)
    files, golds, tfiles = [], [], []
    tdir = os.path.join(WORK, 'titles.txt')
    with open(tdir, 'w', encoding='utf-8') as tf:
        for i, r in enumerate(rows):
            p = os.path.join(adir, f'{i:05d}.txt')
            with open(p, 'w', encoding='utf-8') as f:
                f.write(r['title'] + '\n\n' + r['body'] + '\n')
            files.append(p); golds.append(r['lang'])
            tf.write(r['title'].replace('\n', ' ') + '\n')
    nbytes = sum(os.path.getsize(f) for f in files)
    preds, confs, times = {}, None, {}
    for e in ENGINES:
        out, dt = run(e, files, True)
        preds[e] = [l.split('\t')[1] for l in out]
        times[e] = dt
        if e == 'ours': confs = [float(l.split('\t')[2]) for l in out]
    print('\n## Whole articles (title + body), bench/dev gold')
    summ, per = table('Articles', golds, preds)
    if 'ours' in preds:
        confusions(golds, preds['ours'])
        wrong_svc = sum(1 for g, p in zip(golds, preds['ours']) if g not in SERVICE and p in SERVICE)
        print(f'\nNon-service articles labelled as a service language (ours): {wrong_svc} of {sum(g not in SERVICE for g in golds)}')
        reliability(golds, preds['ours'], confs)
    print(f'\nWall time over {len(files)} articles ({nbytes/1e6:.2f} MB, including process start and model load): ' +
          ', '.join(f'{e} {t:.2f}s ({nbytes/1e6/t:.2f} MB/s)' for e, t in times.items()))
    out, _ = (None, None)
    tit = {}
    for e in ENGINES:
        o, _ = run(e, [tdir], False)
        tit[e] = [l.split('\t')[0] for l in o]
    table('Article titles alone', golds, tit)

if 'flores' in SETS:
    fdir = os.path.join(SHARED, 'eval', 'flores200_devtest')
    golds, files = [], []
    for gz in sorted(glob.glob(os.path.join(fdir, '*.txt.gz'))):
        lang = os.path.basename(gz)[:-7]
        p = os.path.join(WORK, f'flores_{lang}.txt')
        with gzip.open(gz, 'rt', encoding='utf-8') as f, open(p, 'w', encoding='utf-8') as o:
            lines = [l.rstrip('\n') for l in f]
            o.write('\n'.join(lines) + '\n')
        files.append(p); golds += [lang] * len(lines)
    preds = {}
    for e in ENGINES:
        out, _ = run(e, files, False)
        preds[e] = [l.split('\t')[0] for l in out]
    print('\n## FLORES-200 devtest sentences')
    tg = [i for i, g in enumerate(golds) if g in SERVICE]
    summ, per = table('FLORES-200 devtest, service languages', [golds[i] for i in tg], {e: [p[i] for i in tg] for e, p in preds.items()})
    if 'ours' in preds: confusions([golds[i] for i in tg], [preds['ours'][i] for i in tg])
    if 'ours' in per and 'lingua' in per:
        for k, name in ((0, 'strict'), (1, 'grouped')):
            below = [f"{l} {per['ours'][l][k]:.3f} < {per['lingua'][l][k]:.3f}" for l in sorted(per['ours'])
                     if per['lingua'][l][k] > 0 and per['ours'][l][k] < per['lingua'][l][k]]
            print(f"\nLanguages lingua supports where ours is below lingua ({name}): " + (', '.join(below) or 'none'))
    og = [i for i, g in enumerate(golds) if g not in SERVICE]
    print('\n### FLORES-200 devtest, other languages: share of sentences labelled as a service language\n')
    print('| lang | n | ' + ' | '.join(ENGINES) + ' |'); print('|' + '---|' * (2 + len(ENGINES)))
    for l in sorted(set(golds[i] for i in og)):
        idx = [i for i in og if golds[i] == l]
        print(f'| {l} | {len(idx)} | ' + ' | '.join(f'{sum(preds[e][i] in SERVICE for i in idx)/len(idx):.3f}' for e in ENGINES) + ' |')

if 'short' in SETS:
    ldir = os.path.join(SHARED, 'eval', 'lingua_testdata')
    for kind in ['word-pairs', 'sentences']:
        golds, files = [], []
        for p in sorted(glob.glob(os.path.join(ldir, f'*.{kind}.txt'))):
            lang = os.path.basename(p).split('.')[0]
            n = sum(1 for _ in open(p, encoding='utf-8'))
            files.append(p); golds += [lang] * n
        preds = {}
        for e in ENGINES:
            out, _ = run(e, files, False)
            preds[e] = [l.split('\t')[0] for l in out]
        print(f'\n## lingua test data: {kind}')
        table(f'lingua {kind}', golds, preds)
        if 'ours' in preds: confusions(golds, preds['ours'])
