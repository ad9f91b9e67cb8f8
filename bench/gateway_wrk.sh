#!/usr/bin/env bash
# Load benchmark of the gateway (on demand, not part of the test suite): wrk with kept-alive
# connections at about 1,000 requests/s for 30 s, once through the gateway and once straight
# to a trivial upstream, on loopback. Prints both latency distributions, the p99 the
# gateway adds (target <= 1 ms), errors and memory. Needs the Debian package `wrk`
# (scripts/install-deps) and a built triptyque (default build/src/cli/triptyque).
#   bench/gateway_wrk.sh [--rate 1000] [--duration 30] [--connections 10] [--json]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${TRIPTYQUE:-$root/build/src/cli/triptyque}"
command -v wrk >/dev/null || { echo "gateway_wrk.sh: wrk is not installed (scripts/install-deps)" >&2; exit 2; }
[ -x "$bin" ] || { echo "gateway_wrk.sh: build triptyque first ($bin)" >&2; exit 2; }
exec "$bin" bench-gateway "$@"
