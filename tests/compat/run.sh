#!/usr/bin/env bash
# Compatibility checks: the real discord.py and discord.js libraries against a running hearth,
# first over REST only, then as gateway bots (WebSocket) reacting to a person acting over REST.
# Covered (each script's header says what it checks): login and identity, guilds, channels,
# messages and history, invites, members; roles (create, edit, reorder, delete), member changes
# (roles, nick, timeouts) with audit log reasons, permission refusals and the audit log; channel
# permission overwrites (create, read back, set/edit/delete, replace, category sync and
# lock_permissions, their audit entries) and private channels invisible to the plain bot over
# REST (403 50001) until an overwrite lets it; on the gateway, READY/GUILD_CREATE and the message,
# channel, role and member events with the caches they update, and, with the plain bot as a second
# gateway client, a private channel absent from its GUILD_CREATE and events, CHANNEL_CREATE/DELETE
# as an overwrite gives and takes its view, CHANNEL_UPDATE with the overwrites and
# GUILD_AUDIT_LOG_ENTRY_CREATE for the administrator. Moderation: over REST, kick, ban (the
# deletion window in the query for discord.py, in the JSON body for discord.js), the ban list and
# its paging, unban, a banned person refused by the invite (40007), a moderator deleting others'
# messages, bulk delete and purge (and 50034 for an id older than 14 days), the plain bot refused
# (50013), their audit entries; on the gateway, a throwaway bot (a third gateway client) that the
# person bulk-deletes, kicks, adds again, bans and unbans: MESSAGE_DELETE_BULK,
# GUILD_MEMBER_REMOVE, GUILD_BAN_ADD/REMOVE and their audit entries for the administrator,
# GUILD_DELETE and GUILD_CREATE for the throwaway bot, no ban event for the plain bot. Direct
# messages with the seeded person: over REST, the bot opens the DM (user.create_dm / createDM;
# the person opening it from their side gets the same channel), sends, reads the history with the
# person's reply, edits and deletes its message, types, and is refused the edit (50005) and the
# deletion (50003) of the person's message and a DM to a bot (50007); on the gateway, the DM the
# person opened before the bot connected in READY's private_channels and its first message
# through discord.js's partial path (Partials.Channel, channel_type), typing, messages both ways,
# edits and deletions as DM events (no guild), and another gateway client, a bot in no guild
# without the message content intent, opening a new DM (CHANNEL_CREATE) and receiving the
# person's typing and reply with its content.
#
# Usage (from the repository root):   tests/compat/run.sh
#
# Environment:
#   HEARTH_BIN                  hearth binary (default target/debug/hearth; relative paths are
#                               taken from the repository root). Not built by this script.
#   HEARTH_COMPAT_DATABASE_URL  optional database URL (e.g. postgres://...) handed to the server
#                               as HEARTH_DATABASE__URL; the caller creates that database.
#   HEARTH_COMPAT_CLUSTER       1: cluster mode (below); unset, empty or 0: one node (the default).
#   HEARTH_COMPAT_NATS_URL      NATS URL (e.g. nats://127.0.0.1:4222) for cluster mode.
#   COMPAT_CACHE_DIR            where the Python venv and npm packages are kept between runs
#                               (default tests/compat/.env-cache, gitignored).
#   PYTHON                      Python 3 interpreter for the venv (default python3).
#
# Cluster mode (HEARTH_COMPAT_CLUSTER=1; needs a PostgreSQL HEARTH_COMPAT_DATABASE_URL and
# HEARTH_COMPAT_NATS_URL): two nodes, A and B, on free loopback ports, sharing that database
# and that NATS under a subject prefix unique to the run, and a fallback proxy
# (failover_proxy.py, on a free loopback port) that sends each connection to node B, or to node
# A when B refuses it: the "load balancer route that prefers the node and falls back to the
# others" of docs/cluster.md. The seed, the "person" and the bots' REST calls all go to node A,
# whose public_url is the proxy's URL: the gateway URL the libraries get from A (GET /gateway,
# /gateway/bot) leads to node B, so every event the bots receive was caused on A and crossed
# NATS to B. Node B's cluster.node_url is the proxy too (node A's is its own URL), so READY's
# resume_gateway_url also goes through the proxy; the gateway bots check both
# (COMPAT_EXPECT_GATEWAY_URL). Then each gateway bot runs a failover phase: once its checks
# passed, this script SIGKILLs node B (by PID); on its own library logic the bot must reconnect
# (through the proxy, now reaching node A), get INVALID_SESSION for its RESUME, identify again and
# receive READY within 30 s of the kill (the measured time is printed), and then see the person's
# next message. The discord.py bot runs first, node B is restarted on the same port, then the
# discord.js bot. This script checks in the nodes' request logs that each bot's WebSocket
# upgrades reached node B only until the kill, and node A after it.
#
# Exit status 0 only if every script (discord.py and discord.js, REST and gateway, failover in
# cluster mode) passes every check.
set -euo pipefail

started=$SECONDS
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

DPY_VERSION="2.7.1"
PYTHON="${PYTHON:-python3}"
BIN="${HEARTH_BIN:-target/debug/hearth}"
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
CACHE="${COMPAT_CACHE_DIR:-$HERE/.env-cache}"
BOT_TIMEOUT=180     # seconds per bot script (each also has its own internal limit: 120 s REST, 90 s gateway)
HEALTH_TIMEOUT=30   # seconds to wait for /healthz

log() { printf '== %s\n' "$*"; }
die() { printf 'FAIL compat: %s\n' "$*" >&2; exit 1; }

case "${HEARTH_COMPAT_CLUSTER:-}" in
  "" | 0) CLUSTER=0 ;;
  1) CLUSTER=1 ;;
  *) die "HEARTH_COMPAT_CLUSTER must be 1 (cluster mode), 0 or unset, not '$HEARTH_COMPAT_CLUSTER'" ;;
esac
if [ "$CLUSTER" -eq 1 ]; then
  case "${HEARTH_COMPAT_DATABASE_URL:-}" in
    postgres://* | postgresql://*) ;;
    *) die "cluster mode needs HEARTH_COMPAT_DATABASE_URL=postgres://... (a database shared by the nodes)" ;;
  esac
  [ -n "${HEARTH_COMPAT_NATS_URL:-}" ] || die "cluster mode needs HEARTH_COMPAT_NATS_URL (e.g. nats://127.0.0.1:4222)"
fi
[ -x "$BIN" ] || die "hearth binary not found or not executable: $BIN (build it: cargo build -p hearth)"
command -v "$PYTHON" >/dev/null || die "$PYTHON not found"
command -v node >/dev/null || die "node not found"
command -v npm >/dev/null || die "npm not found"

# ---------------------------------------------------------------------------------------------
# 1. Throwaway environments, reused when their inputs did not change.
# ---------------------------------------------------------------------------------------------
mkdir -p "$CACHE"

VENV="$CACHE/venv"
venv_stamp="discord.py==$DPY_VERSION $("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
if [ "$(cat "$VENV/.compat-stamp" 2>/dev/null || true)" != "$venv_stamp" ]; then
  log "creating Python venv with discord.py==$DPY_VERSION in $VENV"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --timeout 60 \
    "discord.py==$DPY_VERSION"
  printf '%s' "$venv_stamp" > "$VENV/.compat-stamp"
else
  log "reusing Python venv $VENV ($venv_stamp)"
fi

JSENV="$CACHE/js"
js_stamp="$(cat "$HERE/js/package.json" "$HERE/js/package-lock.json" | "$PYTHON" -c \
  'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
if [ "$(cat "$JSENV/.compat-stamp" 2>/dev/null || true)" != "$js_stamp" ] || [ ! -d "$JSENV/node_modules" ]; then
  log "installing discord.js (pinned by tests/compat/js/package-lock.json) in $JSENV"
  rm -rf "$JSENV"
  mkdir -p "$JSENV"
  cp "$HERE/js/package.json" "$HERE/js/package-lock.json" "$JSENV/"
  (cd "$JSENV" && npm ci --no-audit --no-fund --fetch-timeout=60000 --loglevel=error)
  printf '%s' "$js_stamp" > "$JSENV/.compat-stamp"
else
  log "reusing npm packages in $JSENV"
fi
# The script runs from inside the npm project so that `import 'discord.js'` resolves there.
cp "$HERE"/js/*.mjs "$JSENV/"

# ---------------------------------------------------------------------------------------------
# 2. Start hearth on a free loopback port (cluster mode: two nodes on two ports); always stop
#    every node started (by PID) on exit.
# ---------------------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hearth-compat.XXXXXX")"
NODE_PIDS=()    # the hearth processes started, in start order
NODE_LOGS=()    # their logs ...
NODE_LABELS=()  # ... and how failure output names them (a killed node's PID is blanked)
PROXY_PID=""    # cluster mode: the fallback proxy
PROXY_LOG=""
BOT_PID=""      # cluster mode: the gateway bot running in the background
overall_ok=0

cleanup() {
  local status=$? i pid
  if [ -n "$BOT_PID" ]; then            # `timeout` passes the signal on to the bot
    kill "$BOT_PID" 2>/dev/null || true
    wait "$BOT_PID" 2>/dev/null || true
  fi
  for pid in "${NODE_PIDS[@]}"; do
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${NODE_PIDS[@]}"; do
    [ -n "$pid" ] || continue
    for _ in $(seq 1 50); do            # up to 10 s for a graceful stop
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$PROXY_PID" ]; then
    kill "$PROXY_PID" 2>/dev/null || true
    wait "$PROXY_PID" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] || [ "$overall_ok" -ne 1 ]; then
    for i in "${!NODE_LOGS[@]}"; do
      if [ -s "${NODE_LOGS[$i]}" ]; then
        echo "-- last lines of the ${NODE_LABELS[$i]} (${NODE_LOGS[$i]}) --"
        tail -n 40 "${NODE_LOGS[$i]}" || true
      fi
    done
    if [ -n "$PROXY_LOG" ] && [ -s "$PROXY_LOG" ]; then
      echo "-- last lines of the proxy log ($PROXY_LOG) --"
      tail -n 40 "$PROXY_LOG" || true
    fi
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Free loopback ports, all bound at once so that they differ.
read -r PORT PORT_B < <("$PYTHON" -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
for s in socks:
    s.close()')
BASE="http://127.0.0.1:$PORT"

# The variables meant for this script are kept out of the server's environment.
server_env=(env -u HEARTH_BIN -u HEARTH_COMPAT_DATABASE_URL -u HEARTH_COMPAT_CLUSTER -u HEARTH_COMPAT_NATS_URL)
# The seed and the scripts register and log in more people from one address than the default
# throttles of [auth] allow in a minute.
server_env+=("HEARTH_AUTH__REGISTER_PER_ADDRESS__PER_MINUTE=0" "HEARTH_AUTH__LOGIN_PER_ADDRESS__PER_MINUTE=0")
if [ -n "${HEARTH_COMPAT_DATABASE_URL:-}" ]; then
  server_env+=("HEARTH_DATABASE__URL=$HEARTH_COMPAT_DATABASE_URL")
  db_kind="${HEARTH_COMPAT_DATABASE_URL%%:*}"
else
  db_kind="sqlite (in $WORK/data)"
fi

start_node() {  # start_node LABEL PORT DATA_DIR LOG [NAME=value...]: starts hearth in the background
  local label="$1" port="$2" data="$3" logf="$4"
  shift 4
  # Run from the temp dir so a developer's ./hearth.toml is not picked up.
  (cd "$WORK" && exec "${server_env[@]}" "$@" "$BIN" serve --listen "127.0.0.1:$port" --data-dir "$data") \
    > "$logf" 2>&1 &
  NODE_PIDS+=("$!")
  NODE_LOGS+=("$logf")
  NODE_LABELS+=("$label")
}

wait_healthy() {  # wait_healthy BASE_URL PID: until GET /healthz answers 200; prints its body
  "$PYTHON" - "$1/healthz" "$HEALTH_TIMEOUT" "$2" <<'PY'
import os, sys, time, urllib.request
url, limit, pid = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
deadline = time.monotonic() + limit
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("hearth exited during startup")
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            if resp.status == 200:
                print(resp.read().decode(errors="replace"))
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit(f"GET {url} did not return 200 within {limit:.0f} s")
PY
}

if [ "$CLUSTER" -eq 0 ]; then
  log "starting $BIN on $BASE, database: $db_kind"
  start_node "hearth log" "$PORT" "$WORK/data" "$WORK/server.log"
  SERVER_PID="${NODE_PIDS[0]}"
  wait_healthy "$BASE" "$SERVER_PID" >/dev/null || die "hearth did not become healthy"
  log "hearth is healthy (pid $SERVER_PID)"
else
  BASE_B="http://127.0.0.1:$PORT_B"
  GATEWAY_A="ws://127.0.0.1:$PORT/gateway"
  # The fallback proxy in front of node B: node B first, node A when B refuses. It writes its
  # port once listening; it exits by itself if this script dies without running its trap.
  PROXY_LOG="$WORK/proxy.log"
  "$PYTHON" "$HERE/failover_proxy.py" --port-file "$WORK/proxy.port" --max-seconds 1500 \
    --backend "B=127.0.0.1:$PORT_B" --backend "A=127.0.0.1:$PORT" > "$PROXY_LOG" 2>&1 &
  PROXY_PID=$!
  for _ in $(seq 1 100); do             # up to 10 s
    [ -s "$WORK/proxy.port" ] && break
    kill -0 "$PROXY_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -s "$WORK/proxy.port" ] || die "the failover proxy did not start"
  PROXY_PORT="$(cat "$WORK/proxy.port")"
  PROXY_URL="http://127.0.0.1:$PROXY_PORT"
  GATEWAY_B="ws://127.0.0.1:$PROXY_PORT/gateway"   # node B's gateway, through the proxy
  # Unique per run, so that runs sharing one NATS do not see each other's events.
  SUBJECT_PREFIX="hearth-compat-${WORK##*.}-$$"
  cluster_env=("HEARTH_BUS__URL=$HEARTH_COMPAT_NATS_URL" "HEARTH_BUS__SUBJECT_PREFIX=$SUBJECT_PREFIX")
  log "starting a 2-node cluster of $BIN: node A on $BASE (REST), node B on $BASE_B (gateway)" \
    "behind the fallback proxy $PROXY_URL (pid $PROXY_PID; B, else A), database: $db_kind," \
    "bus: $HEARTH_COMPAT_NATS_URL, subject prefix $SUBJECT_PREFIX"
  # Both nodes publish the proxy as the gateway. Node A is its own node_url; node B's is the
  # proxy, which reaches node A when node B is down.
  start_node "node A log" "$PORT" "$WORK/data-a" "$WORK/node-a.log" "${cluster_env[@]}" \
    "HEARTH_PUBLIC_URL=$PROXY_URL" "HEARTH_CLUSTER__NODE_URL=$BASE"
  start_node_b() {  # start_node_b LABEL LOG: node B on PORT_B (again after a kill)
    start_node "$1" "$PORT_B" "$WORK/data-b" "$2" "${cluster_env[@]}" \
      "HEARTH_PUBLIC_URL=$PROXY_URL" "HEARTH_CLUSTER__NODE_URL=$PROXY_URL"
  }
  start_node_b "node B log" "$WORK/node-b.log"
  health_a="$(wait_healthy "$BASE" "${NODE_PIDS[0]}")" || die "node A did not become healthy"
  health_b="$(wait_healthy "$BASE_B" "${NODE_PIDS[1]}")" || die "node B did not become healthy"
  # Both on the shared database and on NATS, under two different node ids.
  node_ids="$("$PYTHON" - "$health_a" "$health_b" <<'PY'
import json, sys
nodes = [json.loads(body) for body in sys.argv[1:]]
for name, h in zip("AB", nodes):
    if h.get("status") != "ok" or h.get("database") != "postgres" or h.get("bus") != "nats" \
            or not isinstance(h.get("node_id"), int):
        sys.exit(f"node {name}: GET /healthz -> {h!r}, expected status ok, database postgres, "
                 "bus nats and a node_id")
if nodes[0]["node_id"] == nodes[1]["node_id"]:
    sys.exit(f"nodes A and B have the same node_id {nodes[0]['node_id']}")
print(nodes[0]["node_id"], nodes[1]["node_id"])
PY
)" || die "the nodes' /healthz does not show a 2-node cluster"
  read -r node_id_a node_id_b <<< "$node_ids"
  log "node A is healthy (pid ${NODE_PIDS[0]}, node_id $node_id_a), node B is healthy" \
    "(pid ${NODE_PIDS[1]}, node_id $node_id_b)"
fi

# ---------------------------------------------------------------------------------------------
# 3. Seed: user, application (bot), guild, bot in guild (ADMINISTRATOR), a second bot without
#    permissions in the guild, one message. Exports COMPAT_* values.
# ---------------------------------------------------------------------------------------------
seed_out="$("$PYTHON" "$HERE/seed.py" "$BASE")" || die "seeding failed"
eval "$seed_out"
log "seeded guild $COMPAT_GUILD_ID (general $COMPAT_GENERAL_ID), bot $COMPAT_APP_ID"

if [ "$CLUSTER" -eq 1 ]; then
  # The gateway URL the libraries are given by node A (discord.py: GET /gateway, discord.js:
  # GET /gateway/bot) must be the proxy's (node B); the gateway bots check READY's
  # resume_gateway_url.
  "$PYTHON" - "$BASE" "$COMPAT_BOT_TOKEN" "$GATEWAY_B" <<'PY' || die "node A does not publish the proxy (node B) as the gateway"
import json, sys, urllib.request
base, token, expected = sys.argv[1:]
for path in ("/api/v10/gateway", "/api/v10/gateway/bot"):
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bot {token}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        url = json.load(resp).get("url")
    if url != expected:
        sys.exit(f"GET {path} on node A: url {url!r}, expected {expected!r}")
PY
  export COMPAT_EXPECT_GATEWAY_URL="$GATEWAY_B"
  log "node A publishes node B's gateway through the proxy, $GATEWAY_B"
fi

# ---------------------------------------------------------------------------------------------
# 4. The bots.
# ---------------------------------------------------------------------------------------------
# Each script runs under `timeout` (and has its own internal limit); a PASS/FAIL line per script.
names=()
codes=()
run_bot() {  # run_bot LABEL DIR COMMAND...
  local label="$1" dir="$2" rc=0 t0=$SECONDS
  shift 2
  log "$label"
  (cd "$dir" && timeout --kill-after=5 "$BOT_TIMEOUT" "$@") || rc=$?
  names+=("$label ($((SECONDS - t0)) s)")
  codes+=("$rc")
}
upgrades() {  # upgrades LOG: how many WebSocket upgrades (requests for /gateway) a node logged
  grep -c 'uri=/gateway[? ]' "$1" || true
}

# Cluster mode: runs a gateway bot in the background with its failover phase on; when the bot
# asks (COMPAT_FAILOVER_DIR/ready), SIGKILLs node B (NODE_PIDS[B_INDEX]) and tells the bot when
# (COMPAT_FAILOVER_DIR/killed, Unix time). Adds the bot's result and this script's own check.
run_bot_failover() {  # run_bot_failover LABEL NAME B_INDEX DIR COMMAND...
  local label="$1" name="$2" b="$3" dir="$4" rc=0 t0=$SECONDS killed=0 ok=1
  shift 4
  local fdir="$WORK/failover-$name" b_pid="${NODE_PIDS[$b]}" b_log="${NODE_LOGS[$b]}"
  mkdir -p "$fdir"
  local a_start b_start a_kill=-1 b_kill=-1 a_end proxy_mark took="?" deadline
  a_start="$(upgrades "${NODE_LOGS[0]}")"
  b_start="$(upgrades "$b_log")"
  log "$label"
  (cd "$dir" && exec env COMPAT_FAILOVER_DIR="$fdir" COMPAT_FAILOVER_RESUME_URL="$GATEWAY_A" \
    timeout --kill-after=5 "$BOT_TIMEOUT" "$@") &
  BOT_PID=$!
  deadline=$((SECONDS + BOT_TIMEOUT))
  while [ ! -e "$fdir/ready" ] && kill -0 "$BOT_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.05
  done
  if [ -e "$fdir/ready" ]; then
    a_kill="$(upgrades "${NODE_LOGS[0]}")"
    b_kill="$(upgrades "$b_log")"
    proxy_mark="$(wc -l < "$PROXY_LOG")"
    local kill_time
    kill_time="$(date +%s.%N)"
    if kill -KILL "$b_pid"; then
      printf '%s\n' "$kill_time" > "$fdir/killed.tmp"
      mv "$fdir/killed.tmp" "$fdir/killed"
      killed=1
      log "SIGKILLed node B (pid $b_pid) holding the bot's gateway session"
    fi
    wait "$b_pid" 2>/dev/null || true
    NODE_PIDS[$b]=""                    # gone: never signal that PID again
  fi
  wait "$BOT_PID" || rc=$?
  BOT_PID=""
  names+=("$label ($((SECONDS - t0)) s)")
  codes+=("$rc")
  a_end="$(upgrades "${NODE_LOGS[0]}")"
  if [ "$killed" -eq 1 ]; then
    log "proxy connections since the kill:"
    tail -n +"$((proxy_mark + 1))" "$PROXY_LOG" | grep -e ' -> ' -e 'no backend' | sed 's/^/   /' || true
    took="$(cat "$fdir/report" 2>/dev/null || echo '?')"
  fi
  # Until the kill, the bot's WebSocket upgrades reached node B only; after it, node A.
  [ "$killed" -eq 1 ] && [ $((b_kill - b_start)) -ge 1 ] && [ "$a_kill" -eq "$a_start" ] \
    && [ "$a_end" -gt "$a_kill" ] || ok=0
  names+=("$name failover: node B SIGKILLed with the session on it (killed: $killed), new READY $took s after; WebSocket upgrades until the kill: node B $((b_kill - b_start)), node A $((a_kill - a_start)); after it: node A $((a_end - a_kill))")
  codes+=("$((1 - ok))")
}

run_bot "discord.py $DPY_VERSION REST checks" "$ROOT" "$VENV/bin/python" "$HERE/dpy_rest.py"
run_bot "discord.js REST checks" "$JSENV" node rest.mjs
if [ "$CLUSTER" -eq 0 ]; then
  run_bot "discord.py $DPY_VERSION gateway bot" "$ROOT" "$VENV/bin/python" "$HERE/dpy_gateway.py"
  run_bot "discord.js gateway bot" "$JSENV" node gateway.mjs
else
  run_bot_failover "discord.py $DPY_VERSION gateway bot, then failover" discord.py 1 \
    "$ROOT" "$VENV/bin/python" "$HERE/dpy_gateway.py"
  b2=1
  if [ -z "${NODE_PIDS[1]}" ]; then
    # Node B again (killed above), on the same port, for the discord.js bot's session.
    log "restarting node B on $BASE_B"
    start_node_b "node B log (restarted)" "$WORK/node-b2.log"
    b2="$((${#NODE_PIDS[@]} - 1))"
    health_b2="$(wait_healthy "$BASE_B" "${NODE_PIDS[$b2]}")" || die "node B did not restart"
    log "node B is healthy again (pid ${NODE_PIDS[$b2]}): $health_b2"
  fi
  run_bot_failover "discord.js gateway bot, then failover" discord.js "$b2" \
    "$JSENV" node gateway.mjs
fi

echo
any_failed=0
for i in "${!names[@]}"; do
  if [ "${codes[$i]}" -eq 0 ]; then
    echo "PASS compat: ${names[$i]}"
  else
    echo "FAIL compat: ${names[$i]} (exit ${codes[$i]})"
    any_failed=1
  fi
done
log "finished in $((SECONDS - started)) s"
if [ "$any_failed" -ne 0 ]; then
  exit 1
fi
overall_ok=1
