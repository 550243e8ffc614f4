#!/usr/bin/env bash
# Measures the web client (tests/web/measure.mjs): what the first load transfers, the time to a
# channel's newest message, and scrolling back through 10,000 messages. Starts the hearth binary
# on a free loopback port with a fresh SQLite data directory (registration unthrottled, since the
# script registers its own accounts), prints the figures, and stops that hearth. It asserts
# nothing about time: see BENCHMARKS.md ("Web client: first load and scrollback").
#
# Usage (from the repository root):   tests/web/measure.sh
#
# Environment:
#   HEARTH_BIN  hearth binary (default target/release/hearth). Not built by this script; it
#               serves the web/dist it was built with.
#   CHROMIUM    the browser (default /usr/bin/chromium; `apt-get install chromium`).
#   MESSAGES, RUNS, CONCURRENCY, STEP, MEASURE_JSON: see measure.mjs.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
BIN="${HEARTH_BIN:-target/release/hearth}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
test -x "$BIN" || { echo "no hearth binary at $BIN (cargo build --release -p hearth first)" >&2; exit 1; }
test -x "$CHROMIUM" || { echo "no browser at $CHROMIUM (apt-get install chromium)" >&2; exit 1; }

(cd "$HERE" && npm ci --no-audit --no-fund --silent)

WORK="$(mktemp -d)"
cat >"$WORK/hearth.toml" <<'EOF'
[auth]
register_per_address = { burst = 100, per_minute = 0 }
EOF
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$BIN" serve --config "$WORK/hearth.toml" --listen "127.0.0.1:$port" --data-dir "$WORK/data" \
  >"$WORK/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "hearth did not start" >&2; exit 1; }

echo "hearth: $BIN (pid $pid) on 127.0.0.1:$port, SQLite in $WORK/data; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
HEARTH_URL="http://127.0.0.1:$port" CHROMIUM="$CHROMIUM" node "$HERE/measure.mjs"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
