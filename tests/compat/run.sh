#!/usr/bin/env bash
# Compatibility checks: the real discord.py and discord.js libraries against a running hearth,
# first over REST only, then as gateway bots (WebSocket) reacting to a person acting over REST.
#
# Usage (from the repository root):   tests/compat/run.sh
#
# Environment:
#   HEARTH_BIN                  hearth binary (default target/debug/hearth; relative paths are
#                               taken from the repository root). Not built by this script.
#   HEARTH_COMPAT_DATABASE_URL  optional database URL (e.g. postgres://...) handed to the server
#                               as HEARTH_DATABASE__URL; the caller creates that database.
#   COMPAT_CACHE_DIR            where the Python venv and npm packages are kept between runs
#                               (default tests/compat/.env-cache, gitignored).
#   PYTHON                      Python 3 interpreter for the venv (default python3).
#
# Exit status 0 only if every script (discord.py and discord.js, REST and gateway) passes every check.
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
cp "$HERE/js/rest.mjs" "$HERE/js/gateway.mjs" "$JSENV/"

# ---------------------------------------------------------------------------------------------
# 2. Start hearth on a free loopback port; always stop it (by PID) on exit.
# ---------------------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hearth-compat.XXXXXX")"
SERVER_LOG="$WORK/server.log"
SERVER_PID=""
overall_ok=0

cleanup() {
  local status=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do            # up to 10 s for a graceful stop
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] || [ "$overall_ok" -ne 1 ]; then
    if [ -s "$SERVER_LOG" ]; then
      echo "-- last lines of the hearth log ($SERVER_LOG) --"
      tail -n 40 "$SERVER_LOG" || true
    fi
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"

# The variables meant for this script are kept out of the server's environment.
server_env=(env -u HEARTH_BIN -u HEARTH_COMPAT_DATABASE_URL)
if [ -n "${HEARTH_COMPAT_DATABASE_URL:-}" ]; then
  server_env+=("HEARTH_DATABASE__URL=$HEARTH_COMPAT_DATABASE_URL")
  db_kind="${HEARTH_COMPAT_DATABASE_URL%%:*}"
else
  db_kind="sqlite (in $WORK/data)"
fi

log "starting $BIN on $BASE, database: $db_kind"
# Run from the temp dir so a developer's ./hearth.toml is not picked up.
(cd "$WORK" && exec "${server_env[@]}" "$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data") \
  > "$SERVER_LOG" 2>&1 &
SERVER_PID=$!

"$PYTHON" - "$BASE/healthz" "$HEALTH_TIMEOUT" "$SERVER_PID" <<'PY' || die "hearth did not become healthy"
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
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit(f"GET {url} did not return 200 within {limit:.0f} s")
PY
log "hearth is healthy (pid $SERVER_PID)"

# ---------------------------------------------------------------------------------------------
# 3. Seed: user, application (bot), guild, bot in guild, one message. Exports COMPAT_* values.
# ---------------------------------------------------------------------------------------------
seed_out="$("$PYTHON" "$HERE/seed.py" "$BASE")" || die "seeding failed"
eval "$seed_out"
log "seeded guild $COMPAT_GUILD_ID (general $COMPAT_GENERAL_ID), bot $COMPAT_APP_ID"

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
run_bot "discord.py $DPY_VERSION REST checks" "$ROOT" "$VENV/bin/python" "$HERE/dpy_rest.py"
run_bot "discord.js REST checks" "$JSENV" node rest.mjs
run_bot "discord.py $DPY_VERSION gateway bot" "$ROOT" "$VENV/bin/python" "$HERE/dpy_gateway.py"
run_bot "discord.js gateway bot" "$JSENV" node gateway.mjs

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
