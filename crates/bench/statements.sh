#!/usr/bin/env bash
# Statements per message POST, as BENCHMARKS.md counts them:
#
#   crates/bench/statements.sh HEARTH_BIN [POSTS]
#
# A fresh SQLite server on 127.0.0.1 logging every statement it runs (sqlx's statement log,
# RUST_LOG=sqlx::query=debug), one account, one guild, one warm-up POST, then POSTS (default
# 100) sequential POSTs with curl; prints how many statements those POSTs ran and which.
set -euo pipefail
BIN=${1:?hearth build}
N=${2:-100}
PORT=${PORT:-18472}
WORK=$(mktemp -d /tmp/hearth-statements.XXXXXX)
RUST_LOG=warn,sqlx::query=debug NO_COLOR=1 "$BIN" serve --listen "127.0.0.1:$PORT" \
  --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
API="http://127.0.0.1:$PORT/api/v10"
for _ in $(seq 1 100); do curl -sf "$API/gateway" >/dev/null 2>&1 && break; sleep 0.1; done
field() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
TOKEN=$(curl -sf -X POST "$API/auth/register" -H 'Content-Type: application/json' \
  -d '{"username":"counter","password":"counting-password-1"}' | field token)
CHANNEL=$(curl -sf -X POST "$API/guilds" -H "Authorization: $TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"counting"}' | field system_channel_id)
post() {
  curl -sf -o /dev/null -X POST "$API/channels/$CHANNEL/messages" -H "Authorization: $TOKEN" \
    -H 'Content-Type: application/json' -d "{\"content\":\"message $1\"}"
}
post warm-up
sleep 0.5
before=$(grep -c 'sqlx::query' "$WORK/server.log" || true)
mark=$(wc -l <"$WORK/server.log")
for i in $(seq 1 "$N"); do post "$i"; done
sleep 0.5
after=$(grep -c 'sqlx::query' "$WORK/server.log" || true)
echo "statements for $N POSTs: $((after - before)) ($(( (after - before) / N )) per POST)"
tail -n +"$((mark + 1))" "$WORK/server.log" | grep 'sqlx::query' |
  sed -E 's/.*summary="([^"]*)".*/\1/' | sort | uniq -c | sort -rn
