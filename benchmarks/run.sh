#!/usr/bin/env bash
# Builds the benchmarks jar and runs the whole JMH suite (floor + jmirai) in one go.
#
#   benchmarks/run.sh                  # full run, a few minutes
#   benchmarks/run.sh -wi 1 -i 2       # extra arguments go to JMH as they are (quick run)
#   benchmarks/run.sh Mirai -i 10      # a regexp selects benchmarks, as with any JMH jar
#
# Results: benchmarks/target/jmh-result.json (JMH JSON) and benchmarks/target/jmh-result.txt (the console output).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# -Dmaven.test.skip=true rather than -DskipTests: the benchmarks need no test classes, so a test that does not
# compile (or warns, under -Werror) in another module must not stop them.
mvn -q -Dmaven.test.skip=true -Dspotless.check.skip=true package -pl benchmarks -am

out="benchmarks/target"
{
    echo "# machine: nproc=$(nproc), cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
    echo "# load average at start: $(cut -d ' ' -f 1-3 /proc/loadavg)"
    java -version 2>&1 | sed 's/^/# /'
} | tee "$out/jmh-result.txt"

java -jar "$out/benchmarks.jar" -rf json -rff "$out/jmh-result.json" "$@" 2>&1 | tee -a "$out/jmh-result.txt"
echo "# results: $out/jmh-result.json, $out/jmh-result.txt"
