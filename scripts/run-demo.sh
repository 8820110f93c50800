#!/usr/bin/env bash
# Installs everything, builds a demo branch store once, starts a local headquarters (a PostgreSQL
# cluster under var/hq-pg and `hq serve` on 127.0.0.1:8470), joins the demo branch to it, and opens
# the application on it; closing the application stops headquarters and PostgreSQL again.
# Without PostgreSQL the demo still runs, offline (the sync screen says so).
#
# Settings (environment): BRANCH_DESK_DEMO_DB (var/demo.sqlite), DEMO_PERSONS (5000),
# DEMO_BRANCH (1021), BRANCH_DESK_DEMO_HQ (var/hq-pg: the cluster and HQ's token and log),
# BRANCH_DESK_DEMO_HQ_PORT (8470), BRANCH_DESK_DEMO_OFFLINE=1 (no headquarters at all),
# RUN_DEMO_TIMEOUT=N (close the application after N seconds: for a headless check).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DB=${BRANCH_DESK_DEMO_DB:-var/demo.sqlite}
BRANCH=${DEMO_BRANCH:-1021}
HQ_DIR=${BRANCH_DESK_DEMO_HQ:-var/hq-pg}
PORT=${BRANCH_DESK_DEMO_HQ_PORT:-8470}
HQ_URL="http://127.0.0.1:$PORT"
mkdir -p "$(dirname "$DB")"
if [ ! -f "$DB" ]; then
  .venv/bin/branch-desk demo --db "$DB" --persons "${DEMO_PERSONS:-5000}" --seed 1 --branch "$BRANCH"
fi

say() { echo "run-demo: $*" >&2; }
PG_BIN="" SOCK="" HQ_PID="" PG_STARTED=""

# As root, initdb refuses to run: the cluster belongs to the `postgres` user and its binaries run
# as that user (runuser), as the tests do (tests/support/postgres.py).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

find_pg_bin() {
  local d
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  return 1
}

stop_hq() {
  if [ -n "$HQ_PID" ] && kill -0 "$HQ_PID" 2>/dev/null; then
    kill "$HQ_PID" 2>/dev/null || true
    wait "$HQ_PID" 2>/dev/null || true
  fi
  HQ_PID=""
  if [ -n "$PG_STARTED" ]; then
    as_pg "$PG_BIN/pg_ctl" stop -D "$HQ_DIR/data" -m fast -w >/dev/null 2>&1 || true
    PG_STARTED=""
  fi
  [ -n "$SOCK" ] && rm -rf "$SOCK"
  SOCK=""
}
trap stop_hq EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_postgres() {
  # Called as a condition, where `set -e` does not apply: every step says why it failed.
  PG_BIN=$(find_pg_bin) || { say "PostgreSQL's server binaries are not installed"; return 1; }
  mkdir -p "$HQ_DIR" 2>/dev/null && HQ_DIR=$(cd "$HQ_DIR" && pwd) \
    || { say "cannot make the folder $HQ_DIR"; return 1; }
  # A private socket directory with a short path (a Unix socket path must stay under ~100 bytes).
  SOCK=$(mktemp -d /tmp/bdhq-XXXXXX) || return 1
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$HQ_DIR" "$SOCK"; fi
  if [ ! -f "$HQ_DIR/data/PG_VERSION" ]; then
    as_pg "$PG_BIN/initdb" -D "$HQ_DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C \
      >"$HQ_DIR/initdb.log" 2>&1 || { say "initdb failed (see $HQ_DIR/initdb.log)"; return 1; }
  fi
  as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$HQ_DIR/data" -l "$HQ_DIR/server.log" \
    -o "-k $SOCK -c listen_addresses=''" >/dev/null 2>&1 \
    || { say "PostgreSQL did not start (see $HQ_DIR/server.log)"; return 1; }
  PG_STARTED=1
  as_pg "$PG_BIN/psql" -h "$SOCK" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'hq'" | grep -q 1 \
    || as_pg "$PG_BIN/createdb" -h "$SOCK" -U postgres hq
}

start_hq() {
  local dsn="postgresql:///hq?host=$SOCK&user=postgres"
  .venv/bin/hq init --pg "$dsn" >/dev/null || { say "hq init failed"; return 1; }
  # Another program on the port would answer /healthz in our server's place.
  .venv/bin/python -c "import socket, sys; socket.create_server(('127.0.0.1', int(sys.argv[1]))).close()" \
    "$PORT" 2>/dev/null || { say "port $PORT is in use (set BRANCH_DESK_DEMO_HQ_PORT)"; return 1; }
  .venv/bin/hq serve --pg "$dsn" --host 127.0.0.1 --port "$PORT" >"$HQ_DIR/hq-serve.log" 2>&1 &
  HQ_PID=$!
  .venv/bin/python - "$HQ_URL" <<'EOF' || { say "hq serve did not answer (see $HQ_DIR/hq-serve.log)"; return 1; }
import sys, time, httpx
for _ in range(300):
    try:
        if httpx.get(sys.argv[1] + "/healthz", timeout=1.0).status_code == 200:
            sys.exit(0)
    except httpx.TransportError:
        pass
    time.sleep(0.1)
sys.exit(1)
EOF
  # The branch is registered once per headquarters database; its token is kept beside the cluster.
  local token="$HQ_DIR/branch-$BRANCH.token"
  if [ ! -s "$token" ]; then
    ( set -o pipefail; umask 077; .venv/bin/hq branch add --pg "$dsn" --branch "$BRANCH" \
        --name "شعبه نمونه" --json \
        | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["token"])' >"$token" ) \
      || { rm -f "$token"; say "hq branch add failed"; return 1; }
  fi
  # Joins the store (a store with no headquarters remembers the one of its first good round),
  # then the application syncs with it every few minutes.
  .venv/bin/branch-desk sync --db "$DB" --hq "$HQ_URL" --token-file "$token" >/dev/null \
    || { say "the demo branch could not join headquarters"; return 1; }
  say "headquarters is running at $HQ_URL (OpenAPI at $HQ_URL/docs); the demo branch $BRANCH is joined to it"
}

if [ "${BRANCH_DESK_DEMO_OFFLINE:-0}" = 1 ]; then
  say "BRANCH_DESK_DEMO_OFFLINE=1: no headquarters; the application runs offline"
elif ! { start_postgres && start_hq; }; then
  stop_hq
  say "headquarters could not be started: the application runs OFFLINE (changes wait in the outbox)"
fi

app=(.venv/bin/branch-desk --db "$DB" "$@")
if [ -n "${RUN_DEMO_TIMEOUT:-}" ]; then app=(timeout "$RUN_DEMO_TIMEOUT" "${app[@]}"); fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  say "no display: opening the application on a virtual screen (Xvfb)"
  app=(xvfb-run -a -s "-screen 0 1440x900x24" "${app[@]}")
fi
# Not `exec`: this shell stays to stop headquarters when the application closes.
status=0
"${app[@]}" || status=$?
if [ -n "${RUN_DEMO_TIMEOUT:-}" ] && [ "$status" -eq 124 ]; then status=0; fi  # closed by the timer
exit "$status"
