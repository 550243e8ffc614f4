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
. "$HERE/serve.sh"
HEARTH_URL="$HEARTH_URL" OUT="$ROOT/docs/screenshots" timeout 120 node "$HERE/screenshots.mjs"
