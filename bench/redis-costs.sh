#!/usr/bin/env bash
# Issue 15's cost figures (docs/benchmarks.md, "Several nodes on Redis"): the same loads on one node
# on the memory broker, one node on Redis, and two nodes on Redis (subscribers on node 2, publications
# through node 1), plus a reconnect storm with recovery. Loopback only; each load is under 60 s.
# Redis: a redis-server of its own on port $REDIS_PORT (6390), no persistence, so that its CPU and
# command counts are this run's alone; stopped at the end. Needs: redis-server, PostgreSQL with database test (trust, user
# postgres), redis-cli, psql, Node.js 20.10+. Writes everything to $OUT (default /tmp/gatehouse-redis-costs), with the load average (uptime)
# before and after each load.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-/tmp/gatehouse-redis-costs}"
SUBSCRIBERS="${SUBSCRIBERS:-2000}" CONNECTIONS="${CONNECTIONS:-5000}" STORM="${STORM:-5000}"
mkdir -p "$OUT"
REDIS_PORT="${REDIS_PORT:-6390}"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
  --pidfile "$OUT/redis.pid" --logfile "$OUT/redis.log"
until [ -s "$OUT/redis.pid" ] && redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.2; done
REDIS_PID="$(cat "$OUT/redis.pid")"
trap 'kill "$REDIS_PID"; [ -z "${LAUNCHER:-}" ] || kill "$LAUNCHER" 2>/dev/null || true' EXIT
PHASES="${PHASES:-idle fanout connect publish storm two-nodes two-node-storm}"   # a subset reruns part of it
run() { [[ " $PHASES " == *" $1 "* ]]; }
export GATEHOUSE_AUTH_JWT_SECRET="$(head -c 32 /dev/urandom | base64)"
export GATEHOUSE_LIMITS_UPGRADES_PER_IP='{rate: 1000000, burst: 1000000}'
export GATEHOUSE_LIMITS_UPGRADES_PER_CREDENTIAL='{rate: 1000000, burst: 1000000}'
export GATEHOUSE_LIMITS_CONNECTIONS_PER_IP=1000000
export GATEHOUSE_DATABASE_URL='jdbc:postgresql://127.0.0.1:5432/test?currentSchema=bench_cluster'
export GATEHOUSE_DATABASE_USERNAME=postgres
psql -q -h 127.0.0.1 -U postgres test -c 'DROP SCHEMA IF EXISTS bench_cluster CASCADE; CREATE SCHEMA bench_cluster'
gh() { "$here/gatehouse" "$@"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, in clock ticks
TCK="$(getconf CLK_TCK)"
# cpu_of NAME=PID ... -- COMMAND: runs COMMAND, then prints each process's CPU-seconds over it.
measure() {
  local label="$1"; shift; local -a named=(); while [ "$1" != "--" ]; do named+=("$1"); shift; done; shift
  local -A before=(); for n in "${named[@]}"; do before[$n]="$(ticks "${n#*=}")"; done
  redis-cli -p "$REDIS_PORT" CONFIG RESETSTAT >/dev/null
  echo "load before: $(uptime)" >"$OUT/$label.txt"
  "$@" | tee -a "$OUT/$label.txt"
  echo "load after: $(uptime)" | tee -a "$OUT/$label.txt"
  for n in "${named[@]}"; do
    echo "cpu ${n%%=*}: $(echo "scale=2; ($(ticks "${n#*=}") - ${before[$n]}) / $TCK" | bc) s" | tee -a "$OUT/$label.txt"
  done
  redis-cli -p "$REDIS_PORT" INFO commandstats | grep '^cmdstat' | tee "$OUT/$label.redis.txt"
}
start_nodes() { # start_nodes memory|redis N PORT: starts nodes, sets PIDS and URLS
  local broker="$1" n="$2" port="$3"; rm -rf "$OUT/data"
  if [ "$broker" = memory ]; then
    # Not through gh (a function, so a subshell): $! must be the JVM, which the launcher execs.
    GATEHOUSE_BROKER_URL=memory: "$here/gatehouse" serve --port "$port" --data-dir "$OUT/data" >"$OUT/node.log" 2>&1 &
    LAUNCHER=$!
    until grep -q '^listening on' "$OUT/node.log"; do sleep 0.5; grep -q '^error' "$OUT/node.log" && exit 1; done
    PIDS=("$LAUNCHER"); URLS=("http://127.0.0.1:$port")
  else
    "$here/gatehouse" cluster --nodes "$n" --base-port "$port" --redis "redis://127.0.0.1:$REDIS_PORT" --prefix "bench-$RANDOM:" --data-dir "$OUT/data" >"$OUT/node.log" 2>&1 &
    LAUNCHER=$!
    until grep -q '^cluster:' "$OUT/node.log"; do sleep 0.5; grep -q '^error' "$OUT/node.log" && exit 1; done
    mapfile -t PIDS < <(sed -n 's/^node [0-9]*: .* (pid \([0-9]*\))$/\1/p' "$OUT/node.log")
    mapfile -t URLS < <(sed -n 's/^node [0-9]*: \(http[^ ]*\) .*/\1/p' "$OUT/node.log")
  fi
  KEY="$(gh apikey create --name "bench-$RANDOM" --scopes publish --data-dir "$OUT/data")"
}
stop_nodes() { kill -TERM "$LAUNCHER"; wait "$LAUNCHER" || true; }
fanout() { gh bench fanout --url "$1" --api-key "$KEY" --subscribers "$SUBSCRIBERS" --publications-per-second "${RATE:-10}" \
  --warmup 5s --duration "${DURATION:-30s}" --pid "$2" "${@:3}"; }
connect() { gh bench connect --url "$1" --connections "$CONNECTIONS" --warmup-connections "${WARMUP:-5000}" --rate 2000 --pid "$2"; }
idle() { gh bench idle --url "$1" --connections "$CONNECTIONS" --hold 20s --pid "$2"; }
storm() { node --experimental-websocket "$here/bench/storm/reconnect-storm.mjs" --urls "$1" --api-key "$KEY" \
  --clients "$STORM" --missed 10 --pids "$2" --redis-cli "redis-cli -p $REDIS_PORT"; }

port=18081   # a fresh port for each start: the last node's port may still be held by closing sockets
for broker in ${BROKERS:-memory redis}; do
  run idle || run fanout || run connect || run publish || run storm || continue
  start_nodes "$broker" 1 "$port"; port=$((port + 10))
  # idle first, on the fresh node: its RSS per connection is not hidden by a heap grown earlier.
  run idle && measure "idle-$broker" "node=${PIDS[0]}" "redis=$REDIS_PID" -- idle "${URLS[0]}" "${PIDS[0]}"
  run fanout && measure "fanout-$broker" "node=${PIDS[0]}" "redis=$REDIS_PID" -- fanout "${URLS[0]}" "${PIDS[0]}"
  run connect && measure "connect-$broker" "node=${PIDS[0]}" "redis=$REDIS_PID" -- connect "${URLS[0]}" "${PIDS[0]}"
  # publish: one subscriber, 100 publications a second: the cost of a publication alone.
  run publish && SUBSCRIBERS=1 RATE=100 measure "publish-$broker" "node=${PIDS[0]}" "redis=$REDIS_PID" -- \
    fanout "${URLS[0]}" "${PIDS[0]}"
  run storm && measure "storm-$broker" "node=${PIDS[0]}" "redis=$REDIS_PID" -- \
    storm "${URLS[0]}" "node=${PIDS[0]},redis=$REDIS_PID"
  stop_nodes
done
run two-nodes || run two-node-storm || exit 0
start_nodes redis 2 "$port"
run two-nodes && measure fanout-2nodes "node1=${PIDS[0]}" "node2=${PIDS[1]}" "redis=$REDIS_PID" -- \
  fanout "${URLS[1]}" "${PIDS[1]}" --publish-url "${URLS[0]}"
run two-node-storm && measure storm-2nodes "node1=${PIDS[0]}" "node2=${PIDS[1]}" "redis=$REDIS_PID" -- \
  storm "${URLS[0]},${URLS[1]}" "node1=${PIDS[0]},node2=${PIDS[1]},redis=$REDIS_PID"
stop_nodes
