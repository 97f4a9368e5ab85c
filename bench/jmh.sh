#!/usr/bin/env bash
# The JMH microbenchmarks (module gatehouse-jmh, built only with -Pjmh): builds the benchmarks jar
# and runs it with the arguments given, which are JMH's own (java -jar gatehouse-jmh.jar -h).
#   bench/jmh.sh                                      # every benchmark, 1 fork, 3 x 2 s warm-up, 5 x 2 s measured
#   bench/jmh.sh -wi 2 -i 3 -w 2s -r 2s               # a short run (about a minute)
#   bench/jmh.sh Handshake -rf json -rff jmh.json     # one class, results as JSON
# See docs/benchmarks.md, "Microbenchmarks (JMH)". CI does not run them.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -Dstyle.color=never -Pjmh -pl gatehouse-jmh -am package -DskipTests
exec java -jar gatehouse-jmh/target/gatehouse-jmh.jar "$@"
