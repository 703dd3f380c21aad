#!/bin/sh
# Runs every fuzz target one after another (one core: the machine is shared) and keeps each log.
# Usage: fuzz/run_all.sh [seconds-per-target] [log-dir]   (from anywhere; default 600 s, logs in /tmp)
# Flags as recorded in docs/reliability.md: release build (-O) without a sanitizer (-s none: the code is safe
# Rust, panics and hangs are what we hunt), 10 s per input counts as a hang, inputs up to 32 KiB.
set -u
secs=${1:-600}
logs=${2:-/tmp}
cd "$(dirname "$0")/.." || exit 1
for t in ${TARGETS:-read_txt_gz extract_text normalise read_txt read_html read_jsonl read_warc read_tar}; do
    mkdir -p "fuzz/corpus/$t"
    RUSTC_BOOTSTRAP=1 cargo fuzz run -O -s none "$t" "fuzz/corpus/$t" "fuzz/seeds" -- \
        -max_total_time="$secs" -timeout=10 -max_len=32768 -print_final_stats=1 >"$logs/fuzz-$t.log" 2>&1
    echo "$t exit $?" >>"$logs/fuzz-summary.log"
done
