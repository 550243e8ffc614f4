#!/usr/bin/env bash
# Browser tests of the web client: playwright-core drives Debian's chromium (never a browser
# download) against a hearth started here on a free loopback port with a fresh SQLite data
# directory. The tests themselves are in client.test.mjs, settings.test.mjs and the others listed below (node's test
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

. "$HERE/serve.sh"

HEARTH_URL="$HEARTH_URL" CHROMIUM="$CHROMIUM" \
  timeout 600 node --test --test-concurrency=1 "$HERE/client.test.mjs" "$HERE/chat.test.mjs" "$HERE/settings.test.mjs" "$HERE/people.test.mjs" "$HERE/directed.test.mjs" "$HERE/guests.test.mjs" "$HERE/prefs.test.mjs" "$HERE/threads.test.mjs" "$HERE/layout.test.mjs"
