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

# Debian packages the tests need, installed when missing (as root, or with sudo).
need() { # need PATH PACKAGE WHY
    [ -x "$1" ] && return 0
    echo "test.sh: installing $2 for $3" >&2
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
# The coverage report's test renders the page in a real headless browser (Debian's chromium).
need "$(command -v chromium || echo /usr/bin/chromium)" chromium "the report's browser test"
# The benchmark script's test runs each build under GNU time (/usr/bin/time -v), Debian's package `time`.
need /usr/bin/time time "the benchmark script's test"

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
