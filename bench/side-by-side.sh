#!/usr/bin/env bash
# Runs the bench scenarios against Gatehouse and every peer under bench/peers/, one server after
# the other in one run: each server pinned to core 0 (taskset), the load client to core 1, a fresh
# server per scenario. A peer whose runtime is missing is skipped with a line saying so. Load goes
# only to 127.0.0.1; every step stops by itself. Results (JSON) land in $OUT (default
# /tmp/gatehouse-side-by-side), and bench/side-by-side-table.py turns them into the table of
# docs/benchmarks.md. About 45 minutes with every peer; SERVERS="gatehouse netty" runs a subset of the
# servers, SCENARIOS="connect-cold coalesce" a subset of the scenarios.
#
# Scenarios (SCENARIOS names): connect (20,000 warm-up handshakes, then 10,000 at up to 50,000/s);
# connect-cold (a fresh server's first 10,000, the bench warmed up against another server; Gatehouse,
# Netty, Node ws); fanout to 5,000 subscribers at 10 publications/s (10 s warm-up, 60 s measured,
# three runs: the latency tails are the median of three; one run for the Python peers) and at 25/s
# (5 s, 30 s); coalesce (1,000 subscribers at 1,200 publications/s, 10 s, 30 s; Gatehouse, Netty,
# Node ws); idle 10,000 connections held 20 s (Gatehouse also 19,000); churn (10,000 held
# subscribers, 2 publications/s, 20 s quiet, then 2,000 connections/s opened and closed for 60 s)
# for the servers that speak Gatehouse's protocol and can take that rate (Gatehouse, Netty, Node ws).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-/tmp/gatehouse-side-by-side}"
SERVERS="${SERVERS:-gatehouse netty node-ws socketio fastapi django-channels}"
SCENARIOS="${SCENARIOS:-connect connect-cold fanout coalesce idle churn}"
SECRET='side-by-side-secret-that-is-at-least-32-bytes!'
KEY_PEER='peer-bench-key'
PORT=18431
WARMUP_PORT=18432 # the Netty peer a fresh server's bench warms up against (connect-cold)
PYTHON=/usr/bin/python3 # Debian's, which has the peers' packages (a pyenv python3 on PATH may not)
mkdir -p "$OUT"
ulimit -n 20000
"$here/gatehouse" --version >/dev/null       # builds the server's jar (and its class-data archive) if needed
"$here/gatehouse" bench --version >/dev/null # and the tools' jar (the Netty peer runs on it)

bench() { taskset -c 1 "$here/gatehouse" bench "$@"; }

# Whether scenario $1 is asked for (SCENARIOS).
want() { case " $SCENARIOS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

wait_port() {
  for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "side-by-side: nothing listens on $1" >&2
  return 1
}

# Why a server cannot run here, or nothing when it can.
missing() {
  case "$1" in
    gatehouse | netty) command -v java >/dev/null || echo "java is not installed" ;;
    node-ws | socketio) command -v node >/dev/null && command -v npm >/dev/null || echo "node and npm are not installed" ;;
    fastapi) "$PYTHON" -c 'import fastapi, uvicorn, uvloop, httptools, websockets, jwt' 2>/dev/null \
      || echo "python3-fastapi, python3-uvicorn, python3-uvloop, python3-httptools, python3-websockets or python3-jwt is missing" ;;
    django-channels) "$PYTHON" -c 'import django, channels, daphne, jwt' 2>/dev/null \
      || echo "python3-django, python3-django-channels, python3-daphne or python3-jwt is missing" ;;
    *) echo "no such server" ;;
  esac
}

# Starts server $1 for scenario $2 on core 0; sets PID, URL, KEY and PROTOCOL.
start() {
  local server="$1" log="$OUT/$1-$2.log"
  KEY="$KEY_PEER"
  PROTOCOL=gatehouse
  URL="http://127.0.0.1:$PORT"
  export PEER_PORT="$PORT" PEER_JWT_SECRET="$SECRET" PEER_API_KEY="$KEY_PEER"
  case "$server" in
    gatehouse)
      local data="$OUT/gatehouse-data-$2"
      rm -rf "$data"
      KEY=$("$here/gatehouse" apikey create --name bench --scopes publish --data-dir "$data")
      # Every client is 127.0.0.x: lift the per-IP and per-credential front-door limits.
      GATEHOUSE_AUTH_JWT_SECRET="$SECRET" GATEHOUSE_LIMITS_UPGRADES_PER_IP='{rate: 1000000, burst: 1000000}' \
        GATEHOUSE_LIMITS_UPGRADES_PER_CREDENTIAL='{rate: 1000000, burst: 1000000}' \
        GATEHOUSE_LIMITS_CONNECTIONS_PER_IP=1000000 GATEHOUSE_LIMITS_CONNECTIONS_PER_USER=100000 \
        taskset -c 0 "$here/gatehouse" serve --data-dir "$data" --port "$PORT" > "$log" 2>&1 &
      PID=$!
      ;;
    netty)
      taskset -c 0 java -cp "$here/gatehouse-tools/target/gatehouse-tools.jar" \
        "$here/bench/peers/netty/NettyPeer.java" > "$log" 2>&1 &
      PID=$!
      ;;
    node-ws | socketio)
      (cd "$here/bench/peers/$server" && { [ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null; } \
        && exec taskset -c 0 node server.js) > "$log" 2>&1 &
      PID=$!
      [ "$server" = socketio ] && PROTOCOL=socketio
      ;;
    fastapi)
      (cd "$here/bench/peers/fastapi" && exec taskset -c 0 "$PYTHON" server.py) > "$log" 2>&1 &
      PID=$!
      ;;
    django-channels)
      (cd "$here/bench/peers/django-channels" && exec taskset -c 0 "$PYTHON" -m daphne -b 127.0.0.1 -p "$PORT" \
        -v 0 --ping-interval 25 --ping-timeout 25 asgi:application) > "$log" 2>&1 &
      PID=$!
      ;;
  esac
  wait_port "$PORT"
}

stop() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  sleep 1
}

for server in $SERVERS; do
  why="$(missing "$server")"
  if [ -n "$why" ]; then
    echo "== $server: skipped ($why)"
    continue
  fi
  echo "== $server"
  if want connect; then
    start "$server" connect
    bench connect --url "$URL" --protocol "$PROTOCOL" --secret "$SECRET" --pid "$PID" --connections 10000 \
      --warmup-connections 20000 --rate 50000 --json "$OUT/$server-connect.json" || true
    stop
  fi
  case "$server" in
    gatehouse | netty | node-ws)
      if want connect-cold; then
        # A fresh server's first 10,000: how far a cold JIT is from the warm rate. The bench warms up
        # (20,000) against a Netty peer on the bench's core, so that only the server is cold.
        start "$server" connect-cold
        PEER_PORT=$WARMUP_PORT taskset -c 1 java -cp "$here/gatehouse-tools/target/gatehouse-tools.jar" \
          "$here/bench/peers/netty/NettyPeer.java" > "$OUT/$server-connect-cold-warmup.log" 2>&1 &
        warmup_pid=$!
        wait_port "$WARMUP_PORT"
        bench connect --url "$URL" --protocol "$PROTOCOL" --secret "$SECRET" --pid "$PID" --connections 10000 \
          --warmup-connections 20000 --warmup-url "http://127.0.0.1:$WARMUP_PORT" --rate 50000 \
          --json "$OUT/$server-connect-cold.json" || true
        kill "$warmup_pid" 2>/dev/null || true
        wait "$warmup_pid" 2>/dev/null || true
        stop
      fi
      ;;
  esac
  if want fanout; then
    start "$server" fanout
    # Three runs for the latency tails' median; one for the Python peers, whose tails at this load are
    # their backlog (seconds), which a median does not make truer, and whose runs take longest.
    runs="1 2 3"
    case "$server" in fastapi | django-channels) runs=1 ;; esac
    for run in $runs; do
      bench fanout --url "$URL" --protocol "$PROTOCOL" --secret "$SECRET" --pid "$PID" --api-key "$KEY" \
        --subscribers 5000 --channel "slow-$run" --publications-per-second 10 --warmup 10s --duration 60s \
        --json "$OUT/$server-fanout-10-$run.json" || true
    done
    bench fanout --url "$URL" --protocol "$PROTOCOL" --secret "$SECRET" --pid "$PID" --api-key "$KEY" \
      --subscribers 5000 --channel fast --publications-per-second 25 --warmup 5s --duration 30s \
      --json "$OUT/$server-fanout-25.json" || true
    stop
  fi
  case "$server" in
    gatehouse | netty | node-ws)
      if want coalesce; then
        # Coalescing: 1,000 subscribers at 1,200 publications/s (1.2 million frames/s asked).
        start "$server" coalesce
        bench fanout --url "$URL" --protocol "$PROTOCOL" --secret "$SECRET" --pid "$PID" --api-key "$KEY" \
          --subscribers 1000 --channel many --publications-per-second 1200 --warmup 10s --duration 30s \
          --json "$OUT/$server-coalesce.json" || true
        stop
      fi
      ;;
  esac
  if want idle; then
    start "$server" idle
    bench idle --url "$URL" --protocol "$PROTOCOL" --secret "$SECRET" --pid "$PID" --connections 10000 --hold 20s \
      --json "$OUT/$server-idle.json" || true
    stop
    if [ "$server" = gatehouse ]; then
      start "$server" idle-19000
      bench idle --url "$URL" --secret "$SECRET" --pid "$PID" --connections 19000 --hold 20s \
        --json "$OUT/$server-idle-19000.json" || true
      stop
    fi
  fi
  case "$server" in
    gatehouse | netty | node-ws)
      if want churn; then
        start "$server" churn
        bench churn --url "$URL" --secret "$SECRET" --pid "$PID" --api-key "$KEY" --connections 10000 \
          --publications-per-second 2 --quiet 20s --churn-rate 2000 --duration 60s \
          --json "$OUT/$server-churn.json" || true
        stop
      fi
      ;;
  esac
done
echo "side-by-side: results in $OUT"
"$PYTHON" "$here/bench/side-by-side-table.py" "$OUT" || true
