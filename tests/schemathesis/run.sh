#!/usr/bin/env bash
# Property-based API tests: schemathesis generates requests from hearth's own OpenAPI document
# (GET /api/v10/openapi.json) and checks every answer against that document.
#
# A fresh hearth (target/debug/hearth, on a free loopback port, with a fresh data directory or
# the given PostgreSQL database) is seeded over HTTP first (seed.py: a person, a guild with
# channels, a role, a message, an invite, a member and a bot, and spare ones for the deleting
# operations), and schemathesis gets those ids and tokens: path ids come from them nine times
# in ten (random ids the tenth), so that the requests reach the handlers instead of stopping at
# 404. It runs with a fixed seed for a bounded time, in its coverage, fuzzing and stateful phases
# (valid and invalid inputs), acting as the guild's owner; `POST /auth/logout` gets a token of
# its own, the bot-only operations the bot's token.
#
# The run fails on any 5xx answer, on a dropped connection, and on any answer the document does
# not describe: a status code it does not list for the operation, another content type, a body
# that does not match the response schema, a documented header missing, an operation that needs
# a token answering without one, a method the path does not have answered otherwise than 405.
#
# Usage (from the repository root):   tests/schemathesis/run.sh
#
# Environment:
#   HEARTH_BIN                        hearth binary (default target/debug/hearth; relative paths
#                                     are taken from the repository root). Not built by this
#                                     script.
#   HEARTH_SCHEMATHESIS_DATABASE_URL  optional database URL (e.g. postgres://...) handed to the
#                                     server as HEARTH_DATABASE__URL; the caller creates that
#                                     database. Default: SQLite in a fresh temporary directory.
#   SCHEMATHESIS_MAX_TIME             seconds schemathesis may run (default 140).
#   SCHEMATHESIS_SEED                 its random seed (default 1).
#   SCHEMATHESIS_CACHE_DIR            where the Python venv is kept between runs (default
#                                     tests/schemathesis/.env-cache, gitignored).
#   PYTHON                            Python 3 interpreter for the venv (default python3).
#
# Exit status 0 only if schemathesis found no failure and met no error.
set -euo pipefail

started=$SECONDS
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

SCHEMATHESIS_VERSION="4.32.5"
PYTHON="${PYTHON:-python3}"
BIN="${HEARTH_BIN:-target/debug/hearth}"
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
CACHE="${SCHEMATHESIS_CACHE_DIR:-$HERE/.env-cache}"
MAX_TIME="${SCHEMATHESIS_MAX_TIME:-140}"
SEED="${SCHEMATHESIS_SEED:-1}"
HEALTH_TIMEOUT=30   # seconds to wait for /healthz
# The checks run on every answer (see the header).
CHECKS="not_a_server_error,status_code_conformance,content_type_conformance"
CHECKS+=",response_headers_conformance,response_schema_conformance,ignored_auth"
CHECKS+=",unsupported_method"

log() { printf '== %s\n' "$*"; }
die() { printf 'FAIL schemathesis: %s\n' "$*" >&2; exit 1; }

[ -x "$BIN" ] || die "hearth binary not found or not executable: $BIN (build it: cargo build -p hearth)"
command -v "$PYTHON" >/dev/null || die "$PYTHON not found"

# ---------------------------------------------------------------------------------------------
# 1. schemathesis in a venv, reused while its version and the interpreter stay the same.
# ---------------------------------------------------------------------------------------------
mkdir -p "$CACHE"
VENV="$CACHE/venv"
venv_stamp="schemathesis==$SCHEMATHESIS_VERSION $("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
if [ "$(cat "$VENV/.stamp" 2>/dev/null || true)" != "$venv_stamp" ]; then
  log "creating Python venv with schemathesis==$SCHEMATHESIS_VERSION in $VENV"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --timeout 60 \
    "schemathesis==$SCHEMATHESIS_VERSION"
  printf '%s' "$venv_stamp" > "$VENV/.stamp"
else
  log "reusing Python venv $VENV ($venv_stamp)"
fi

# ---------------------------------------------------------------------------------------------
# 2. hearth on a free loopback port; stopped by its PID on exit.
# ---------------------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hearth-schemathesis.XXXXXX")"
SERVER_PID=""
passed=0
cleanup() {
  local status=$?
  if [ -n "$SERVER_PID" ]; then
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
  if [ "$status" -ne 0 ] || [ "$passed" -ne 1 ]; then
    if [ -s "$WORK/server.log" ]; then
      echo "-- server errors and panics ($WORK/server.log) --"
      grep -E -i -A3 'panicked|ERROR' "$WORK/server.log" | tail -n 60 || true
    fi
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$("$PYTHON" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()')"
BASE="http://127.0.0.1:$PORT"

# The variables meant for this script are kept out of the server's environment.
server_env=(env -u HEARTH_BIN -u HEARTH_SCHEMATHESIS_DATABASE_URL)
if [ -n "${HEARTH_SCHEMATHESIS_DATABASE_URL:-}" ]; then
  server_env+=("HEARTH_DATABASE__URL=$HEARTH_SCHEMATHESIS_DATABASE_URL")
  db_kind="${HEARTH_SCHEMATHESIS_DATABASE_URL%%:*}"
else
  db_kind="sqlite (in $WORK/data)"
fi

log "starting $BIN on $BASE, database: $db_kind"
# Run from the temp dir so a developer's ./hearth.toml is not picked up.
(cd "$WORK" && exec "${server_env[@]}" "$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data") \
  > "$WORK/server.log" 2>&1 &
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
# 3. Seed, and hand the ids and tokens to schemathesis in its configuration file.
# ---------------------------------------------------------------------------------------------
seed_out="$("$PYTHON" "$HERE/seed.py" "$BASE")" || die "seeding failed"
eval "$seed_out"
log "seeded guild $ST_GUILD_ID (channel $ST_CHANNEL_ID, role $ST_ROLE_ID, message $ST_MESSAGE_ID," \
  "invite $ST_INVITE_CODE), bot $ST_BOT_ID"

# Path ids come from the seeded ones with probability 0.9, random otherwise; the operations that
# delete (or ban, or kick) get spare objects of their own, so that the others keep theirs.
cat > "$WORK/schemathesis.toml" <<TOML
headers = { Authorization = "$ST_TOKEN" }

[generation]
database = "none"

[dictionaries]
guild_ids = { values = ["$ST_GUILD_ID"] }
channel_ids = { values = ["$ST_CHANNEL_ID", "$ST_GENERAL_ID", "$ST_CATEGORY_ID"] }
message_ids = { values = ["$ST_MESSAGE_ID"] }
role_ids = { values = ["$ST_ROLE_ID", "$ST_GUILD_ID"] }
user_ids = { values = ["$ST_USER_ID", "$ST_MEMBER_ID", "$ST_BOT_ID"] }
overwrite_ids = { values = ["$ST_ROLE_ID", "$ST_GUILD_ID", "$ST_MEMBER_ID"] }
invite_codes = { values = ["$ST_INVITE_CODE"] }
directed_invite_ids = { values = ["$ST_DIRECTED_INVITE_ID"] }

[parameters]
"path.guild_id" = { dictionary = "guild_ids", probability = 0.9 }
"path.channel_id" = { dictionary = "channel_ids", probability = 0.9 }
"path.message_id" = { dictionary = "message_ids", probability = 0.9 }
"path.role_id" = { dictionary = "role_ids", probability = 0.9 }
"path.user_id" = { dictionary = "user_ids", probability = 0.9 }
"path.overwrite_id" = { dictionary = "overwrite_ids", probability = 0.9 }
"path.code" = { dictionary = "invite_codes", probability = 0.9 }
"path.invite_id" = { dictionary = "directed_invite_ids", probability = 0.9 }
"query.client_id" = { dictionary = "user_ids", probability = 0.9 }

[[operations]]
include-operation-id = "logout"
headers = { Authorization = "$ST_LOGOUT_TOKEN" }

[[operations]]
include-operation-id = ["current_application", "oauth2_current_application", "gateway_bot"]
headers = { Authorization = "$ST_BOT_TOKEN" }

[[operations]]
include-operation-id = "delete_guild"
parameters = { "path.guild_id" = "$ST_SPARE_GUILD_ID" }

[[operations]]
include-operation-id = "delete_channel"
parameters = { "path.channel_id" = "$ST_SPARE_CHANNEL_ID" }

[[operations]]
include-operation-id = "delete_role"
parameters = { "path.role_id" = "$ST_SPARE_ROLE_ID" }

[[operations]]
include-operation-id = "delete_message"
parameters = { "path.message_id" = "$ST_SPARE_MESSAGE_ID" }

[[operations]]
include-operation-id = "delete_invite"
parameters = { "path.code" = "$ST_SPARE_INVITE_CODE" }

[[operations]]
include-operation-id = "cancel_directed_invite"
parameters = { "path.invite_id" = "$ST_SPARE_DIRECTED_INVITE_ID" }

[[operations]]
include-operation-id = ["kick_member", "create_ban"]
parameters = { "path.user_id" = "$ST_SPARE_MEMBER_ID" }
TOML

# ---------------------------------------------------------------------------------------------
# 4. schemathesis (from the temp dir, where it keeps its caches).
# ---------------------------------------------------------------------------------------------
log "schemathesis $SCHEMATHESIS_VERSION for up to $MAX_TIME s, seed $SEED, checks: $CHECKS"
rc=0
(cd "$WORK" && "$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" run \
  "$BASE/api/v10/openapi.json" --url "$BASE" --checks "$CHECKS" --seed "$SEED" \
  --max-time "$MAX_TIME" --workers 1 --no-color) || rc=$?
log "finished in $((SECONDS - started)) s"
if [ "$rc" -ne 0 ]; then
  die "schemathesis exited with $rc (failures above)"
fi
passed=1
echo "PASS schemathesis: no failure in $db_kind"
