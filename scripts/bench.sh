#!/usr/bin/env bash
# Throughput / memory / scaling benchmark of `rferl-corpus build` on synthetic archives (issue 5).
#
#   scripts/bench.sh [--full] [--bin PATH] [--no-doc] [--report-only]
#
# Builds the release binary (unless --bin), copies it beside the archives so a rebuild by someone else
# cannot change it mid-run, generates (or reuses) archives with scripts/make-archive, runs
#   rferl-corpus build <archive> --out <tmp> --quiet
# under /usr/bin/time -v, and writes docs/performance.md: articles/s, CPU seconds, per-stage seconds
# (manifest.json `seconds_per_stage`), peak RSS, time per article relative to the smallest size, plus
# an incremental row (--state, when the binary has it) and a sharding row (--shard + merge, when it has
# them).  Figures are ratios and absolute numbers: the median of REPEAT runs per size below 1M, one run
# otherwise; see the noise note in the doc.
#
# Environment:
#   BENCH_DIR   cache folder for binary, archives and outputs (default /tmp/rferl-bench)
#   SIZES       space-separated archive sizes (default "10000 100000"; --full adds 1000000)
#   SEED        make-archive seed (default 1)
#   INCR_SIZE   archive size(s) for the incremental rows, space-separated; the first is also used for the
#               sharding row (default: 10000)
#   THREADS     passed as --threads when set
#   REPEAT      timed builds per size below 1M (default 3); the report shows the median run by wall time
#               and lists every run's wall time
#   WARM        1 (default): read each archive once before its timed build (page cache warm for every size)
#   DOC         output markdown (default docs/performance.md in the repository)
set -euo pipefail
ENVS="" # the settings given in the environment, for the command line shown in the doc
for v in SIZES INCR_SIZE THREADS SEED BENCH_DIR REPEAT; do [ -n "${!v:-}" ] && ENVS="$ENVS$v=\"${!v}\" "; done

REPO=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/rferl-bench}
SIZES=${SIZES:-"10000 100000"}
SEED=${SEED:-1}
INCR_SIZE=${INCR_SIZE:-10000}
REPEAT=${REPEAT:-3}
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: REPEAT must be a whole number >= 1" >&2; exit 2; }
DOC=${DOC:-$REPO/docs/performance.md}
BIN=""
WRITE_DOC=1
CMDLINE="${ENVS}scripts/bench.sh $*"
REPORT_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --full) SIZES="$SIZES 1000000" ;;
    --bin) BIN=$2; shift ;;
    --no-doc) WRITE_DOC=0 ;;
    --report-only) REPORT_ONLY=1 ;; # rewrite the doc from the last run's $BENCH_DIR/results.tsv
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
SIZES=$(echo "$SIZES" | tr ' ' '\n' | awk 'NF' | sort -n | uniq | tr '\n' ' ')
mkdir -p "$BENCH_DIR"
RES="$BENCH_DIR/results.tsv"
log() { echo "bench: $*" >&2; }
if [ $REPORT_ONLY = 0 ]; then
: > "$RES"

if [ ! -x /usr/bin/time ]; then
  log "installing GNU time"
  apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi

# ---- binary -----------------------------------------------------------------------------------------
VERSION=$(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo unknown)
if [ -z "$BIN" ]; then
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target}
  (cd "$REPO" && cargo build --release --quiet)
  BIN="$CARGO_TARGET_DIR/release/rferl-corpus"
  BUILT="release build of \`$VERSION\` (this checkout)"
else
  BUILT="binary \`$BIN\` given with --bin (checkout: \`$VERSION\`)"
fi
cp "$BIN" "$BENCH_DIR/rferl-corpus"
BIN="$BENCH_DIR/rferl-corpus"
python3 -c 'import json,sys; print(json.dumps({"label": "meta", "cmd": sys.argv[1], "binary": sys.argv[2], "when": sys.argv[3]}))' \
  "$CMDLINE" "$BUILT" "$(date -u '+%Y-%m-%d %H:%M UTC')" >> "$RES"
HELP=$("$BIN" build --help)
TARGS=()
[ -n "${THREADS:-}" ] && TARGS=(--threads "$THREADS")

# ---- archives ---------------------------------------------------------------------------------------
# One folder per size, generator version and seed.  Old folders are never deleted here: removing a
# million small files takes tens of minutes of disk time on this machine and would skew the timings
# (`rm -rf $BENCH_DIR/arch-*` by hand when they are no longer needed).
GEN_ID=$(sha1sum "$REPO/scripts/make-archive" | cut -c1-8)-s$SEED
archive() { # archive N -> path (generated once per generator version and seed)
  local n=$1 dir="$BENCH_DIR/arch-$1-$GEN_ID"
  if [ ! -e "$dir.done" ]; then
    [ -d "$dir" ] && mv "$dir" "$dir.partial.$$" # an interrupted run; left for manual removal
    stale=$(ls -d "$BENCH_DIR"/arch-"$n"-* 2>/dev/null | grep -v -- "-$GEN_ID" | head -3 | tr '\n' ' ')
    [ -n "$stale" ] && log "stale archives (remove by hand when done): $stale"
    log "generating $n files in $dir"
    local t0=$SECONDS
    "$REPO/scripts/make-archive" --n "$n" --seed "$SEED" --out "$dir" >&2
    log "generated in $((SECONDS - t0)) s"
    touch "$dir.done"
  fi
  echo "$dir"
}

# ---- one timed build --------------------------------------------------------------------------------
# run_build LABEL OUT ARGS... : appends a result line (label, wall, cpu, rss, inputs, stages json, load)
run_build() {
  local label=$1 out=$2; shift 2
  local tf="$BENCH_DIR/time-$label.txt"
  rm -rf "$out"
  # Warm the page cache with the input first (one sequential read): every size is then measured on a
  # warm cache, as 10k always is, and the ratios between sizes measure the build, not the disk.
  if [ "${WARM:-1}" = 1 ] && [ -d "$1" ]; then tar cf - -C "$1" . 2>/dev/null | cat > /dev/null || true; fi
  local load0; load0=$(cut -d' ' -f1 /proc/loadavg)
  log "run $label: $BIN build $* --out $out --quiet ${TARGS[*]:-}"
  /usr/bin/time -v -o "$tf" "$BIN" build "$@" --out "$out" --quiet "${TARGS[@]}" \
    || { log "build $label failed (see $tf)"; return 1; }
  local load1; load1=$(cut -d' ' -f1 /proc/loadavg)
  python3 - "$tf" "$out/manifest.json" "$label" "$load0" "$load1" >> "$RES" <<'EOF'
import json, sys
tf, man, label, l0, l1 = sys.argv[1:]
t = {}
for line in open(tf):
    k, _, v = line.strip().rpartition(": ")
    t[k] = v
def secs(s):
    parts = [float(p) for p in s.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
m = json.load(open(man))
row = {
    "label": label,
    "wall": secs(t["Elapsed (wall clock) time (h:mm:ss or m:ss)"]),
    "cpu": float(t["User time (seconds)"]) + float(t["System time (seconds)"]),
    "rss_mb": int(t["Maximum resident set size (kbytes)"]) / 1024,
    "cpu_pct": t["Percent of CPU this job got"],
    "inputs": m.get("counts", {}).get("inputs") or m.get("counts", {}).get("files"),
    "articles": m.get("counts", {}).get("articles"),
    "duplicates": m.get("counts", {}).get("duplicates"),
    "rejects": m.get("counts", {}).get("rejects"),
    "stages": m.get("seconds_per_stage", {}),
    "cpu_stages": m.get("cpu_seconds_per_stage", {}),
    "load": "%s→%s" % (l0, l1),
}
print(json.dumps(row, ensure_ascii=False))
EOF
}

note() { python3 -c 'import json,sys; print(json.dumps({"label": sys.argv[1], "note": sys.argv[2]}))' "$1" "$2" >> "$RES"; }

# ---- scaling runs -----------------------------------------------------------------------------------
for n in $SIZES; do
  dir=$(archive "$n")
  # REPEAT runs per size below 1M (the report keeps the median by wall time): single runs on this shared
  # VM varied by +-25% for one binary and archive.
  reps=$REPEAT; [ "$n" -ge 1000000 ] && reps=1
  for ((r = 0; r < reps; r++)); do
    run_build "full-$n" "$BENCH_DIR/out-$n" "$dir" || note "full-$n" "build failed"
  done
  # outputs of big runs are large; keep only the manifest
  [ "$n" -ge 1000000 ] && find "$BENCH_DIR/out-$n" -type f ! -name manifest.json -delete
done

# ---- incremental: full build with --state, add 1% new files, rerun with the same state ---------------
if echo "$HELP" | grep -q -- '--state'; then
 for n in $INCR_SIZE; do
  add=$((n / 100)); src=$(archive "$n")
  inc="$BENCH_DIR/incr-$n"; state="$BENCH_DIR/state-$n"
  rm -rf "$inc" "$state"
  cp -al "$src" "$inc" # hard links: make-archive only creates new files, never rewrites old ones
  if run_build "incr-full-$n" "$BENCH_DIR/out-incr-full" "$inc" --state "$state"; then
    "$REPO/scripts/make-archive" --n $((n + add)) --from "$n" --seed "$SEED" --out "$inc" >&2
    if run_build "incr-rerun-$n" "$BENCH_DIR/out-incr-rerun" "$inc" --state "$state"; then
      # the incremental output must equal a from-scratch build of the grown archive
      run_build "incr-scratch-$n" "$BENCH_DIR/out-incr-scratch" "$inc" || true
      same=no
      if diff -rq -x manifest.json "$BENCH_DIR/out-incr-rerun" "$BENCH_DIR/out-incr-scratch" >/dev/null 2>&1; then same=yes; fi
      note "incr-same-$n" "$same"
    fi
  fi
 done
else
  note "incremental" "skipped: this binary's build has no --state option (arrives with the streaming/incremental work)"
fi

# ---- sharding: --shard i/n builds + merge, compared with the unsharded build ---------------------------
if echo "$HELP" | grep -q -- '--shard'; then
  n=${INCR_SIZE%% *}; src=$(archive "$n"); shards=2; ok=1
  base=0
  # i/n may be 0- or 1-based; the help text decides, 0-based unless it says otherwise
  echo "$HELP" | grep -qiE 'shard.*(1-based|1\.\.n|1 to n)' && base=1
  t0=$(date +%s.%N)
  outs=()
  for ((i = 0; i < shards; i++)); do
    k=$((i + base))
    run_build "shard-$k-of-$shards-$n" "$BENCH_DIR/out-shard-$k" "$src" --shard "$k/$shards" || ok=0
    outs+=("$BENCH_DIR/out-shard-$k")
  done
  if [ $ok = 1 ]; then
    rm -rf "$BENCH_DIR/out-merged"
    /usr/bin/time -v -o "$BENCH_DIR/time-merge.txt" "$BIN" merge "${outs[@]}" --out "$BENCH_DIR/out-merged" --quiet || ok=0
  fi
  t1=$(date +%s.%N)
  if [ $ok = 1 ]; then
    [ -d "$BENCH_DIR/out-$n" ] || run_build "ref-$n" "$BENCH_DIR/out-$n" "$src"
    same=no
    diff -rq -x manifest.json -x '*.parquet' "$BENCH_DIR/out-merged" "$BENCH_DIR/out-$n" >/dev/null 2>&1 && same=yes
    note "shard-$n" "$(python3 -c "print('%d shards + merge, sequential: %.1f s wall; merged output identical to unsharded build (CSV): $same' % ($shards, $t1 - $t0))")"
  else
    note "shard-$n" "shard or merge run failed (see $BENCH_DIR/time-*.txt)"
  fi
else
  note "sharding" "skipped: this binary's build has no --shard option (arrives with the sharding work)"
fi

fi # REPORT_ONLY

# ---- report -----------------------------------------------------------------------------------------
GEN_ID=${GEN_ID:-$(sha1sum "$REPO/scripts/make-archive" | cut -c1-8)-s$SEED}
[ $WRITE_DOC = 1 ] || { cat "$RES"; exit 0; }
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
RAM=$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)
python3 - "$RES" "$DOC" "$(nproc)" "$CPU" "$RAM" "$SEED" "$BENCH_DIR" "$GEN_ID" <<'EOF'
import json, sys
res, doc, nproc, cpu, ram, seed, bdir, gen = sys.argv[1:]
rows = [json.loads(l) for l in open(res) if l.strip()]
meta = next((r for r in rows if r["label"] == "meta"), {"cmd": "?", "binary": "?", "when": "?"})
rows = [r for r in rows if r["label"] != "meta"]
by = {r["label"]: r for r in rows}
runs = {}
for r in rows:
    if r["label"].startswith("full-") and "wall" in r:
        runs.setdefault(r["inputs"], []).append(r)
# the median run of each size by wall time (the lower middle one for an even count)
full = [sorted(rs, key=lambda r: r["wall"])[(len(rs) - 1) // 2] for _, rs in sorted(runs.items())]
for r in full:
    r["walls"] = ", ".join("%.1f" % x["wall"] for x in runs[r["inputs"]])
base = full[0] if full else None
L = []
L.append("# Performance\n")
L.append("Generated by `scripts/bench.sh` — do not edit by hand; rerun the script.\n")
L.append("- Command: `%s` (BENCH_DIR=%s, seed %s)" % (meta["cmd"].strip(), bdir, seed))
L.append("- Each run: `/usr/bin/time -v rferl-corpus build <archive> --out <tmp> --quiet`; %s" % meta["binary"])
L.append("- Machine: %s cores (nproc), %s, %s RAM; run %s" % (nproc, cpu, ram, meta["when"]))
L.append("- Archives: `scripts/make-archive --n N --seed %s` (generator %s) — ~4 KB text dumps in 27 languages, 1000 per folder, "
         "~5%% republications, ~4%% multi-language story versions, ~0.1%% bad files, ~1%% gzipped.\n" % (seed, gen))
L.append("Bars (issue 5): ≥ 4,000 articles/s end to end on 2 cores; peak RSS ≤ 1.5 GB at 1M; time per article at 1M "
         "within ±30% of 10k; incremental rerun with 1% new files ≤ 5% of the full build.\n")
L.append("## Scaling\n")
bn = "{:,}".format(base["inputs"]) if base else "-"
L.append("Each size's row is its median run by wall time; `runs` lists the wall seconds of every run.\n")
L.append("| files | wall s | articles/s | CPU s | articles per CPU-s × %s | µs/article wall | wall vs %s | µs/article CPU | CPU vs %s | peak RSS MB | CPU %% | load before→after | runs |" % (nproc, bn, bn))
L.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
for r in full:
    n = r["inputs"]
    us = r["wall"] / n * 1e6
    cus = r["cpu"] / n * 1e6
    ratio = us / (base["wall"] / base["inputs"] * 1e6)
    cratio = cus / (base["cpu"] / base["inputs"] * 1e6)
    L.append("| {:,} | {:.1f} | {:,.0f} | {:.1f} | {:,.0f} | {:.0f} | {:.2f} | {:.0f} | {:.2f} | {:,.0f} | {} | {} | {} |".format(
        n, r["wall"], n / r["wall"], r["cpu"], n / r["cpu"] * int(nproc), us, ratio, cus, cratio, r["rss_mb"], r["cpu_pct"], r["load"], r["walls"]))
L.append("")
L.append("`articles per CPU-s × %s` is what the run would reach with %s idle cores and perfect parallelism — an upper "
         "bound that is less sensitive to other load on the machine than the wall clock.\n" % (nproc, nproc))
if full:
    order = ["read", "learn_chrome", "extract", "identify", "normalise", "extract_identify_normalise", "dedup",
             "align", "align_sentences", "write"]
    stages = [k for k in order if any(k in r["stages"] for r in full)]
    for r in full:
        for k in r["stages"]:
            if k not in stages and k != "total":
                stages.append(k)
    stages.append("total")
    L.append("## Seconds per stage (manifest.json `seconds_per_stage`)\n")
    L.append("| files | " + " | ".join(stages) + " |")
    L.append("|---:|" + "---:|" * len(stages))
    for r in full:
        L.append("| {:,} | ".format(r["inputs"]) + " | ".join("%.2f" % r["stages"].get(k, 0) for k in stages) + " |")
    L.append("")
    if any(r.get("cpu_stages") for r in full):
        L.append("Cores busy per stage (manifest.json `cpu_seconds_per_stage` ÷ `seconds_per_stage`; %s is all of them):\n" % nproc)
        L.append("| files | " + " | ".join(stages) + " |")
        L.append("|---:|" + "---:|" * len(stages))
        for r in full:
            c, w = r.get("cpu_stages", {}), r["stages"]
            L.append("| {:,} | ".format(r["inputs"]) + " | ".join(
                "%.2f" % (c[k] / w[k]) if k in c and w.get(k, 0) > 0.005 else "" for k in stages) + " |")
        L.append("")
    L.append("| files | articles | duplicates | rejects |")
    L.append("|---:|---:|---:|---:|")
    for r in full:
        L.append("| {:,} | {} | {} | {} |".format(r["inputs"], r.get("articles"), r.get("duplicates"), r.get("rejects")))
    L.append("")
L.append("## Incremental and sharding\n")
for r in rows:
    if r["label"] in ("incremental", "sharding") or r["label"].startswith("shard-") and "note" in r:
        L.append("- %s: %s" % (r["label"], r["note"]))
fulls = [r for r in rows if r["label"].startswith("incr-full-") and "wall" in r]
for f in fulls:
    n = f["label"].rsplit("-", 1)[1]
    re_ = by.get("incr-rerun-" + n)
    same = by.get("incr-same-" + n, {}).get("note", "?")
    if re_:
        L.append("- incremental at %s files: full build with `--state` %.1f s (%.1f CPU s); rerun after adding 1%% new "
                 "files %.1f s (%.1f CPU s) = **%.1f%%** of the full build's wall time (bar ≤ 5%%), %.1f%% of its CPU time; "
                 "peak RSS %.0f MB; output identical to a from-scratch build (CSV and Parquet): %s"
                 % (n, f["wall"], f["cpu"], re_["wall"], re_["cpu"], 100 * re_["wall"] / f["wall"],
                    100 * re_["cpu"] / f["cpu"], re_["rss_mb"], same))
        st = [k for k in re_["stages"] if k != "total" and re_["stages"][k] >= 0.005]
        st.sort(key=lambda k: -re_["stages"][k])
        L.append("  - rerun seconds per stage (wall / CPU): " + ", ".join(
            "%s %.2f / %.2f" % (k, re_["stages"][k], re_.get("cpu_stages", {}).get(k, 0)) for k in st))
L.append("")
L.append("## Noise\n")
L.append("The machine is shared (other jobs compiling on the same %s cores while this ran; see the load column). "
         "Wall-clock figures can be off by a factor of 2 under load (hence the median of REPEAT runs); CPU seconds and ratios "
         "between sizes are steadier. Rerun `scripts/bench.sh` on an idle machine for release figures.\n" % nproc)
MARK = "<!-- notes below this line are kept by scripts/bench.sh -->"
try:
    old = open(doc).read()
    tail = old[old.index(MARK):] if MARK in old else MARK + "\n"
except FileNotFoundError:
    tail = MARK + "\n"
open(doc, "w").write("\n".join(L) + "\n" + tail)
print(open(doc).read())
EOF
