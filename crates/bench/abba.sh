#!/usr/bin/env bash
# Interleaved before/after runs of the message-path workloads, as BENCHMARKS.md reports them.
#
#   crates/bench/abba.sh BEFORE_BIN AFTER_BIN BENCH_BIN [ROUNDS]
#
# BEFORE_BIN and AFTER_BIN are two release builds of `hearth`, BENCH_BIN one `hearth-bench`.
# Each round runs both builds (rounds in the first half before then after, in the second half
# after then before); each run is a fresh SQLite data directory and server on 127.0.0.1 with the
# registration and login throttles off, then W1 (200 listeners x 10 senders x 200 messages) and
# the POST cost (1 listener x 50 senders x 100 messages), each with --server-pid. The server is
# stopped by its own pid after the run. Output: one block per run, with its time and load.
set -euo pipefail
BEFORE=${1:?before build}
AFTER=${2:?after build}
BENCH=${3:?hearth-bench}
ROUNDS=${4:-6}
PORT=${PORT:-18471}
WORK=$(mktemp -d /tmp/hearth-abba.XXXXXX)

run() {
  local label=$1 bin=$2
  rm -rf "$WORK/data"
  mkdir -p "$WORK/data"
  HEARTH_AUTH__REGISTER_PER_ADDRESS__PER_MINUTE=0 HEARTH_AUTH__LOGIN_PER_ADDRESS__PER_MINUTE=0 \
    RUST_LOG=warn "$bin" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" \
    >"$WORK/server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/api/v10/gateway" >/dev/null 2>&1 && break
    sleep 0.1
  done
  local b="$BENCH --base http://127.0.0.1:$PORT --server-pid $pid"
  echo "=== $label w1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
  timeout 300 $b w1 --listeners 200 --senders 10 --messages 200 2>/dev/null || echo "w1 failed: $?"
  echo "=== $label post $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
  timeout 300 $b w1 --listeners 1 --senders 50 --messages 100 2>/dev/null || echo "post failed: $?"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

for r in $(seq 1 "$ROUNDS"); do
  if [ "$r" -le $((ROUNDS / 2)) ]; then
    run "before #$r" "$BEFORE"
    run "after #$r" "$AFTER"
  else
    run "after #$r" "$AFTER"
    run "before #$r" "$BEFORE"
  fi
done
rm -rf "$WORK"
