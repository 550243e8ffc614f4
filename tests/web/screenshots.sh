#!/usr/bin/env bash
# Remakes the web client's screenshots in docs/screenshots (light and dark, desktop and phone)
# against a hearth started here on a free loopback port with a fresh SQLite data directory.
#
# Usage (from the repository root):   tests/web/screenshots.sh
#
# Environment: HEARTH_BIN (default target/debug/hearth), CHROMIUM (default /usr/bin/chromium).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
BIN="${HEARTH_BIN:-target/debug/hearth}"
test -x "$BIN" || { echo "no hearth binary at $BIN (cargo build first)" >&2; exit 1; }
(cd "$HERE" && npm ci --no-audit --no-fund --silent)
WORK="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
HEARTH_AUTH__REGISTER_PER_ADDRESS__PER_MINUTE=0 \
  "$BIN" serve --listen "127.0.0.1:$port" --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done
HEARTH_URL="http://127.0.0.1:$port" OUT="$ROOT/docs/screenshots" timeout 120 node "$HERE/screenshots.mjs"
