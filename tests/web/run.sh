#!/usr/bin/env bash
# Browser tests of the web client: playwright-core drives Debian's chromium (never a browser
# download) against a hearth started here on a free loopback port with a fresh SQLite data
# directory. The tests themselves are in client.test.mjs and settings.test.mjs (node's test
# runner, one file after the other).
#
# Usage (from the repository root):   tests/web/run.sh
#
# Environment:
#   HEARTH_BIN  hearth binary (default target/debug/hearth). Not built by this script.
#   CHROMIUM    the browser (default /usr/bin/chromium; `apt-get install chromium`).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
BIN="${HEARTH_BIN:-target/debug/hearth}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
test -x "$BIN" || { echo "no hearth binary at $BIN (cargo build first)" >&2; exit 1; }
test -x "$CHROMIUM" || { echo "no browser at $CHROMIUM (apt-get install chromium)" >&2; exit 1; }

(cd "$HERE" && npm ci --no-audit --no-fund --silent)

WORK="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# Every test registers its own people from this one address: no registration or login throttle.
HEARTH_AUTH__REGISTER_PER_ADDRESS__PER_MINUTE=0 HEARTH_AUTH__LOGIN_PER_ADDRESS__PER_MINUTE=0 \
  "$BIN" serve --listen "127.0.0.1:$port" --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "hearth did not start" >&2; exit 1; }

HEARTH_URL="http://127.0.0.1:$port" CHROMIUM="$CHROMIUM" \
  timeout 300 node --test --test-concurrency=1 "$HERE/client.test.mjs" "$HERE/chat.test.mjs" "$HERE/settings.test.mjs" "$HERE/layout.test.mjs"
