#!/usr/bin/env python3
"""Pairs the outputs of benchmarks/compare.sh and prints a Markdown table with ratios and issue 10's targets.

Usage: compare_table.py DIR   (DIR holds jmirai.N.txt, mirai.N.txt, jmh.json, machine.txt)
Each figure is the median over the rounds (files) that have it; NA values are ignored.
"""
import glob
import json
import os
import statistics
import sys


def read_figures(pattern):
    """name -> (list of values, unit) from `name value unit` lines of every file matching pattern."""
    figs = {}
    for path in sorted(glob.glob(pattern)):
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) != 3 or line.startswith("#"):
                    continue
                name, value, unit = parts
                try:
                    v = float(value)
                except ValueError:
                    continue
                figs.setdefault(name, ([], unit))[0].append(v)
    return {k: (statistics.median(v), u, len(v)) for k, (v, u) in figs.items() if v}


def fmt(x):
    if x is None:
        return "n/a"
    try:
        x = float(x)
    except (TypeError, ValueError):
        return "n/a"
    if x != x:
        return "NaN"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def main():
    d = sys.argv[1]
    jm = read_figures(os.path.join(d, "jmirai.*.txt"))
    mi = read_figures(os.path.join(d, "mirai.*.txt"))
    jmh = {}
    jp = os.path.join(d, "jmh.json")
    if os.path.exists(jp) and os.path.getsize(jp) > 0:
        with open(jp, encoding="utf-8") as f:
            for b in json.load(f):
                name = b["benchmark"].rsplit(".", 2)[-2] + "." + b["benchmark"].rsplit(".", 1)[-1]
                m = b["primaryMetric"]
                jmh[name] = m

    def j(name):
        return jm.get(name, (None,))[0]

    def m(name):
        return mi.get(name, (None,))[0]

    rounds_j = max((v[2] for v in jm.values()), default=0)
    rounds_m = max((v[2] for v in mi.values()), default=0)
    print("## Fresh session (bench.R's method), medians over rounds: jmirai %d, mirai %d\n" % (rounds_j, rounds_m))
    if os.path.exists(os.path.join(d, "machine.txt")):
        with open(os.path.join(d, "machine.txt"), encoding="utf-8") as f:
            for line in f:
                print("    " + line.rstrip())
        print()
    print("| figure | unit | mirai | jmirai | jmirai vs mirai | target | met? |")
    print("| --- | --- | --- | --- | --- | --- | --- |")

    # (name, higher is better, target factor against mirai or None)
    rows = [
        ("startup_daemons2_dispatcher", False, 1.5),
        ("noop_throughput_daemons2_dispatcher", True, 4.0),
        ("map_throughput_daemons2_dispatcher", True, 4.0),
        ("payload_oneway_daemons2_dispatcher", True, 2.0),
        ("latency_median_daemons1_dispatcher", False, 0.5),
        ("latency_p99_daemons1_dispatcher", False, 1.0),
        ("daemon_idle_rss", False, 1.0),
        ("startup_daemons2_nodispatcher", False, None),
        ("noop_throughput_daemons2_nodispatcher", True, None),
        ("map_throughput_daemons2_nodispatcher", True, None),
        ("payload_oneway_daemons2_nodispatcher", True, None),
        ("latency_median_daemons1_nodispatcher", False, None),
        ("latency_p99_daemons1_nodispatcher", False, None),
        ("latency_mean_daemons1_dispatcher", False, None),
        ("latency_mean_daemons1_nodispatcher", False, None),
        ("noop_throughput_daemons2_dispatcher_cleanupFALSE", True, None),
        ("noop_throughput_daemons2_nodispatcher_cleanupFALSE", True, None),
        ("noop_cpu_host_per_task_dispatcher", False, None),
        ("noop_cpu_daemons_per_task_dispatcher", False, None),
        ("noop_cpu_host_per_task_nodispatcher", False, None),
        ("noop_cpu_daemons_per_task_nodispatcher", False, None),
        ("noop_submit_rate_daemons2_dispatcher", True, None),
        ("daemon_idle_peak_rss", False, None),
        ("daemon_after_500noop_rss", False, None),
        ("daemon_after_noop20k_peak_rss", False, None),
        ("host_rss_idle_with_daemons2", False, None),
        ("host_peak_rss_noop20k_dispatcher", False, None),
        ("startup_daemons_call_tls_dispatcher", False, None),
        ("startup_launch_connect2_tls_dispatcher", False, None),
        ("noop_throughput_daemons2_tls_dispatcher", True, None),
        ("startup_launch_connect2_tcp_dispatcher", False, None),
        ("noop_throughput_daemons2_tcp_dispatcher", True, None),
        ("noop_foreign_cpu_dispatcher", False, None),
        ("loadavg_1min_after_rep", False, None),
    ]
    for name, higher, target in rows:
        a, b = m(name), j(name)
        unit = (jm.get(name) or mi.get(name) or (None, ""))[1]
        ratio = ""
        met = ""
        tgt = ""
        if a and b:
            r = b / a
            if name.startswith("loadavg") or "foreign" in name:
                ratio = ""
            elif higher:
                ratio = f"{r:.2f}x"
            else:
                ratio = f"{r:.2f}x ({'better' if r < 1 else 'worse'})"
            if target is not None:
                ok = r >= target if higher else r <= target
                met = "**yes**" if ok else f"no (by {abs(r / target - 1) * 100:.0f}%)" if higher else \
                    f"no (by {abs(r / target - 1) * 100:.0f}%)"
        if target is not None:
            tgt = (">= %gx mirai" if higher else "<= %gx mirai") % target
        print(f"| {name} | {unit} | {fmt(a)} | {fmt(b)} | {ratio} | {tgt} | {met} |")

    # payload against the fresh floor
    fp = j("floor_payload_oneway")
    pj = j("payload_oneway_daemons2_dispatcher")
    if fp and pj:
        r = pj / fp
        print(f"| payload vs fresh floor (floor_payload_oneway {fmt(fp)} MB/s) | ratio | | {r:.2f} | "
              f"| >= 0.6 of floor | {'**yes**' if r >= 0.6 else 'no'} |")
    print()
    print("Fresh plain-Netty floor (same rounds; a new EchoServerMain JVM per round):\n")
    print("| figure | unit | floor | jmirai counterpart | jmirai / floor |")
    print("| --- | --- | --- | --- | --- |")
    for fl, counterpart in [
        ("floor_startup_server", "startup_daemons2_dispatcher"),
        ("floor_server_idle_rss", "daemon_idle_rss"),
        ("floor_latency_median", "latency_median_daemons1_dispatcher"),
        ("floor_latency_p99", "latency_p99_daemons1_dispatcher"),
        ("floor_latency_mean", "latency_mean_daemons1_dispatcher"),
        ("floor_payload_oneway", "payload_oneway_daemons2_dispatcher"),
    ]:
        a, b = j(fl), j(counterpart)
        unit = jm.get(fl, (None, ""))[1]
        print(f"| {fl} | {unit} | {fmt(a)} | {counterpart} {fmt(b)} | {fmt(b / a) if a and b else ''} |")

    print("\n## Warm (JMH, one JVM, after JMH warm-up)\n")
    if not jmh:
        print("(not run)")
        return

    def score(n):
        x = jmh.get(n)
        return None if x is None else x["score"]

    def pct(n, p):
        x = jmh.get(n)
        return None if x is None else x.get("scorePercentiles", {}).get(p)

    print("| benchmark | unit | score | target | met? |")
    print("| --- | --- | --- | --- | --- |")
    for n, x in sorted(jmh.items()):
        extra = ""
        if x["scoreUnit"].startswith("us") and "50.0" in x.get("scorePercentiles", {}):
            extra = " (median %s, p99 %s)" % (fmt(pct(n, "50.0")), fmt(pct(n, "99.0")))
        print(f"| {n} | {x['scoreUnit']} | {fmt(x['score'])} ± {fmt(x.get('scoreError') or 0)}{extra} | | |")
    t = score("MiraiBenchmark.throughput20kNoops")
    if t:
        print(f"| no-op tasks/s over 2 daemons | tasks/s | {fmt(t)} | >= 100,000 | {'**yes**' if t >= 1e5 else 'no'} |")
    a, b = pct("MiraiBenchmark.roundTripNoop", "50.0"), pct("EchoFloorBenchmark.roundTrip16B", "50.0")
    if a and b:
        print(f"| round trip median / floor's | ratio | {a / b:.2f} | <= 2 | {'**yes**' if a / b <= 2 else 'no'} |")
    a, b = score("MiraiBenchmark.echo1MiB"), score("EchoFloorBenchmark.echo1MiB")
    if a and b:
        print(f"| 1 MiB echo / floor's | ratio | {a / b:.2f} | >= 0.8 | {'**yes**' if a / b >= 0.8 else 'no'} |")


if __name__ == "__main__":
    main()
