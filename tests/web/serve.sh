# Sourced by the scripts here: starts the hearth binary "$BIN" on a free loopback port with a
# fresh SQLite data directory and no authentication throttles (every test signs up its own
# people from this one address), waits until it answers, and stops it (only that process) when
# the script exits. Sets HEARTH_URL, WORK (a scratch directory, removed at exit) and pid.
WORK="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
HEARTH_AUTH__REGISTER_PER_ADDRESS__PER_MINUTE=0 HEARTH_AUTH__LOGIN_PER_ADDRESS__PER_MINUTE=0 \
  HEARTH_AUTH__LOGIN_PER_ACCOUNT__PER_MINUTE=0 \
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
HEARTH_URL="http://127.0.0.1:$port"
