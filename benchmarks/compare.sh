#!/usr/bin/env bash
# jmirai next to R's mirai and the plain Netty floor, in one run on this machine, with the ratios and the targets of
# issue 10. Fresh regime: jmirai's SessionBenchmark and mirai's bench.R, run alternately (ROUNDS times, one
# repetition each, so a change in the machine's load hits both alike); each repetition starts new daemon processes.
# Warm regime: the JMH floor and jmirai benchmarks (EchoFloorBenchmark, MiraiBenchmark).
#
#   benchmarks/compare.sh                         # everything: 3 rounds + JMH, about 20-25 minutes
#   ROUNDS=1 JMH_ARGS='-wi 3 -i 3' benchmarks/compare.sh   # quicker
#   SKIP_BUILD=1 SKIP_MIRAI=1 SKIP_JMH=1 …        # leave parts out (the table says n/a)
#
# bench.R's variables (N_NOOP, N_LAT, N_MAP, N_PAY, PAY_BYTES, N_WARM, QUIET_BUSY, QUIET_MAX_WAIT_S,
# SECTION_QUIET_MAX_WAIT_S, …) apply to both sides. On a machine shared with other work the quiet waits time out
# (up to 300 s per repetition and 120 s per section); QUIET_MAX_WAIT_S=0 SECTION_QUIET_MAX_WAIT_S=0 skips them,
# and the table then reports the load the figures were taken under.
#
# Output: benchmarks/target/compare/ (raw outputs of every run, machine.txt, table.md); the table is printed too.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="benchmarks/target/compare"
rounds="${ROUNDS:-3}"
bench_r="${BENCH_R:-$root/../shared/anchors/mirai/bench.R}"
[[ -f "$bench_r" ]] || bench_r="/work/shared/anchors/mirai/bench.R"

if [[ -z "${SKIP_BUILD:-}" ]]; then
    mvn -q -B -ntp -Dmaven.test.skip=true -Dspotless.check.skip=true package -pl benchmarks -am
fi
rm -rf "$out"
mkdir -p "$out"

machine() {
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "nproc: $(nproc)"
    echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
    echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
    echo "jdk: $(java -version 2>&1 | sed -n 2p)"
    echo "uptime: $(uptime)"
}
machine | tee "$out/machine.txt"

for ((i = 1; i <= rounds; i++)); do
    echo "# round $i/$rounds: jmirai (SessionBenchmark), $(uptime)" >&2
    RUNS=1 java -cp benchmarks/target/benchmarks.jar io.jmirai.benchmarks.SessionBenchmark \
        > "$out/jmirai.$i.txt" 2> "$out/jmirai.$i.err" || echo "# jmirai round $i failed (see $out/jmirai.$i.err)" >&2
    if [[ -z "${SKIP_MIRAI:-}" ]]; then
        echo "# round $i/$rounds: mirai (bench.R), $(uptime)" >&2
        RUNS=1 Rscript "$bench_r" > "$out/mirai.$i.txt" 2> "$out/mirai.$i.err" \
            || echo "# mirai round $i failed (see $out/mirai.$i.err)" >&2
    fi
done

if [[ -z "${SKIP_JMH:-}" ]]; then
    echo "# warm regime: JMH EchoFloorBenchmark + MiraiBenchmark, $(uptime)" >&2
    # shellcheck disable=SC2086
    java -jar benchmarks/target/benchmarks.jar 'EchoFloorBenchmark|MiraiBenchmark' ${JMH_ARGS:-} \
        -rf json -rff "$out/jmh.json" > "$out/jmh.txt" 2>&1 || echo "# JMH failed (see $out/jmh.txt)" >&2
fi
echo "uptime at end: $(uptime)" >> "$out/machine.txt"

python3 benchmarks/scripts/compare_table.py "$out" | tee "$out/table.md"
