#!/usr/bin/env bash
# The project's test command: does its own set-up on a fresh machine, then lint and tests.
# Usage: scripts/test.sh            (from anywhere in the repository)
set -euo pipefail
cd "$(dirname "$0")/.."

# cargo's first probe of rustc (`rustc - --print=cfg ...`) reads this script's standard input as Rust
# source, so it must be empty. /dev/null will not do on every machine: where /dev had no null device, the
# first `>/dev/null` made it a plain file, which keeps what build scripts send to "null" (rustc's E0554
# errors of their feature probes) and gives it back to whoever reads it: cargo's probe then fails with
# "failed to run `rustc` to learn about target-specific information" (seen in CI and in fresh clones here).
if [ ! -c /dev/null ]; then
    if [ "$(id -u)" = 0 ] && rm -f /dev/null && mknod -m 666 /dev/null c 1 3; then
        echo "test.sh: /dev/null was a plain file; it is the null device again" >&2
    else
        echo "test.sh: warning: /dev/null is a plain file here, not the null device" >&2
    fi
fi
exec < <(:) # an empty pipe, whatever /dev/null is
# cargo also keeps rustc's answers to that probe in target/.rustc_info.json and replays them, failures
# included: without that cache every cargo command asks rustc itself (one call each), and a step failing on
# the probe is retried once (`step` below).
export CARGO_CACHE_RUSTC_INFO=0
rm -f target/.rustc_info.json

# The coverage report's test renders the page in a real headless browser (Debian's chromium).
if ! command -v chromium >/dev/null 2>&1; then
    echo "test.sh: installing chromium for the report's browser test" >&2
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
fi

# The benchmark script's test runs each build under GNU time (/usr/bin/time -v), Debian's package `time`.
if [ ! -x /usr/bin/time ]; then
    echo "test.sh: installing GNU time for the benchmark script's test" >&2
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
    fi
fi

# A step that fails on cargo's rustc probe (above) is retried once, without the cache; a failing lint or
# test is never retried.
step() {
    local log
    log=$(mktemp)
    if cargo "$@" 2>&1 | tee "$log"; then
        rm -f "$log"
        return 0
    fi
    if grep -q "to learn about target-specific information" "$log"; then
        rm -f "$log" target/.rustc_info.json
        echo "test.sh: cargo's rustc probe failed (see above); retrying \`cargo $*\` once" >&2
        cargo "$@"
    else
        rm -f "$log"
        return 1
    fi
}

step fmt --check
step clippy --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" step doc --no-deps --document-private-items --quiet
step test
