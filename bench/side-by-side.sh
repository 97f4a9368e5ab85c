#!/usr/bin/env bash
# Runs every bench scenario against Gatehouse and against the Node.js ws peer, one after the
# other in one run: each server pinned to core 0 (taskset), the load client to core 1, a fresh
# server per scenario. Load goes only to 127.0.0.1; every step stops by itself. Results (JSON)
# land in $OUT (default /tmp/gatehouse-side-by-side); docs/benchmarks.md shows how to read them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-/tmp/gatehouse-side-by-side}"
SECRET='side-by-side-secret-that-is-at-least-32-bytes!'
KEY_PEER='peer-bench-key'
mkdir -p "$OUT"
ulimit -n 20000
(cd "$here/bench/peers/node-ws" && [ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null)
"$here/gatehouse" --version >/dev/null         # builds the server's jar if needed
"$here/gatehouse" bench --version >/dev/null   # and the tools' jar

bench() { taskset -c 1 "$here/gatehouse" bench "$@"; }

wait_port() {
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "side-by-side: nothing listens on $1" >&2; return 1
}

start_gatehouse() {   # sets PID, URL, KEY
  local data="$OUT/gatehouse-data-$1"; rm -rf "$data"
  KEY=$("$here/gatehouse" apikey create --name bench --scopes publish --data-dir "$data")
  # Every client is 127.0.0.1: lift the per-IP and per-credential front-door limits.
  GATEHOUSE_AUTH_JWT_SECRET="$SECRET" GATEHOUSE_LIMITS_UPGRADES_PER_IP='{rate: 1000000, burst: 1000000}' \
    GATEHOUSE_LIMITS_UPGRADES_PER_CREDENTIAL='{rate: 1000000, burst: 1000000}' \
    GATEHOUSE_LIMITS_CONNECTIONS_PER_IP=1000000 GATEHOUSE_LIMITS_CONNECTIONS_PER_USER=100000 \
    taskset -c 0 java ${JAVA_OPTS:-} -jar "$here/gatehouse-server/target/gatehouse.jar" serve \
    --data-dir "$data" --port 18431 > "$OUT/gatehouse-$1.log" 2>&1 &
  PID=$!; URL=http://127.0.0.1:18431; wait_port 18431
}

start_peer() {        # sets PID, URL, KEY
  PEER_PORT=18432 PEER_JWT_SECRET="$SECRET" PEER_API_KEY="$KEY_PEER" \
    taskset -c 0 node "$here/bench/peers/node-ws/server.js" > "$OUT/peer-$1.log" 2>&1 &
  PID=$!; URL=http://127.0.0.1:18432; KEY="$KEY_PEER"; wait_port 18432
}

stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; sleep 1; }

for server in gatehouse peer; do
  echo "== $server"
  "start_$server" connect
  bench connect --url "$URL" --secret "$SECRET" --pid "$PID" --connections 10000 --warmup-connections 20000 \
    --rate 50000 --json "$OUT/$server-connect.json" || true
  stop
  "start_$server" fanout
  bench fanout --url "$URL" --secret "$SECRET" --pid "$PID" --api-key "$KEY" --subscribers 5000 \
    --publications-per-second 10 --warmup 10s --duration 30s --json "$OUT/$server-fanout-10.json" || true
  bench fanout --url "$URL" --secret "$SECRET" --pid "$PID" --api-key "$KEY" --subscribers 5000 \
    --channel fast --publications-per-second 25 --warmup 5s --duration 30s --json "$OUT/$server-fanout-25.json" || true
  stop
  "start_$server" idle
  bench idle --url "$URL" --secret "$SECRET" --pid "$PID" --connections 10000 --hold 20s \
    --json "$OUT/$server-idle.json" || true
  stop
done
echo "side-by-side: results in $OUT"
