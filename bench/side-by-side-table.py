#!/usr/bin/env python3
"""Turns the JSON results of bench/side-by-side.sh into the Markdown table of docs/benchmarks.md.

Usage: side-by-side-table.py [DIR]   (default /tmp/gatehouse-side-by-side)

One column per server that has results; each peer's cell also gives Gatehouse's figure divided by
the peer's, "(×R)". Latency tails at 10/s are the median of the three runs (each percentile's own
median). A missing figure is "—"; a fanout run that fell behind before anything could be measured
shows what it delivered instead; a run that did not pass is marked "FAILED" with its problems
below the table.
"""
import json
import os
import statistics
import sys

SERVERS = [("gatehouse", "Gatehouse"), ("netty", "Netty (floor)"), ("node-ws", "Node ws"),
           ("socketio", "Socket.IO"), ("fastapi", "FastAPI"), ("django-channels", "Django Channels")]


def load(directory, server, name):
    path = os.path.join(directory, f"{server}-{name}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def get(d, *path):
    for p in path:
        if d is None:
            return None
        d = d.get(p) if isinstance(d, dict) else None
    return d


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, unit="", digits=0):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if digits == 0:
        return f"{value:,.0f}{unit}"
    return f"{value:,.{digits}f}{unit}"


def measured(run):
    """Whether a fanout run has measured deliveries (a server that fell behind from the start has none)."""
    return (get(run, "deliveries", "latency", "count") or 0) > 0


def rate(run):
    """A fanout run's deliveries/s, or what it delivered when nothing could be measured."""
    if run is None:
        return None
    if measured(run):
        return get(run, "deliveries", "per_second")
    return f"fell behind: {fmt(get(run, 'deliveries', 'received'))} of {fmt(get(run, 'deliveries', 'expected'))} delivered"


def when_measured(run, *path):
    return get(run, *path) if measured(run) else None


def heap_per_connection(memory):
    if not memory:
        return None
    for k, v in memory.items():
        if "heap" in k and "per_connection" in k:
            return v
    return None


def measures(directory, server):
    """Measure name -> (value, unit, digits, higher_is_better)."""
    m = {}
    failed = []
    connect = load(directory, server, "connect")
    if connect:
        if not connect.get("passed"):
            failed.append(("connect", connect.get("problems")))
        m["authenticated handshakes/s (10,000 after 20,000 warm-up)"] = (get(connect, "handshakes", "per_second"), "", 0, True)
        m["handshake latency p99"] = (get(connect, "handshakes", "latency", "p99_ms"), " ms", 0, False)
    cold = load(directory, server, "connect-cold")
    if cold:
        if not cold.get("passed"):
            failed.append(("connect, fresh server", cold.get("problems")))
        m["handshakes/s, a fresh server's first 10,000"] = (get(cold, "handshakes", "per_second"), "", 0, True)
    idle = load(directory, server, "idle")
    if idle:
        if not idle.get("passed"):
            failed.append(("idle", idle.get("problems")))
        rss = get(idle, "memory", "rss_per_connection_bytes")
        m["RSS per idle connection (10,000)"] = (rss / 1024 if rss is not None else None, " KiB", 1, False)
        heap = heap_per_connection(idle.get("memory"))
        m["live heap per idle connection (10,000)"] = (heap / 1024 if heap is not None else None, " KiB", 1, False)
    idle19 = load(directory, server, "idle-19000")
    if idle19:
        if not idle19.get("passed"):
            failed.append(("idle 19,000", idle19.get("problems")))
        rss = get(idle19, "memory", "rss_per_connection_bytes")
        m["RSS per idle connection (19,000)"] = (rss / 1024 if rss is not None else None, " KiB", 1, False)
        heap = heap_per_connection(idle19.get("memory"))
        m["live heap per idle connection (19,000)"] = (heap / 1024 if heap is not None else None, " KiB", 1, False)
    runs = [load(directory, server, f"fanout-10-{i}") for i in (1, 2, 3)]
    runs = [r for r in runs if r]
    if runs:
        for i, r in enumerate(runs, 1):
            if not r.get("passed"):
                failed.append((f"fanout 10/s run {i}", r.get("problems")))
        lat = lambda key: median([when_measured(r, "deliveries", "latency", key) for r in runs])
        rates = [rate(r) for r in runs]
        numbers = [v for v in rates if not isinstance(v, str)]
        m["10/s × 5,000: deliveries/s"] = (median(numbers) if numbers else rates[0], "", 0, True)
        m["10/s × 5,000: lost (sum of runs)"] = (sum(get(r, "deliveries", "lost") or 0 for r in runs), "", 0, False)
        m["10/s × 5,000: publish→deliver p50 (median of runs)"] = (lat("p50_ms"), " ms", 1, False)
        m["10/s × 5,000: publish→deliver p99 (median of runs)"] = (lat("p99_ms"), " ms", 1, False)
        m["10/s × 5,000: publish→deliver p99.9 (median of runs)"] = (lat("p999_ms"), " ms", 1, False)
        m["10/s × 5,000: publish answered p99 (median of runs)"] = (
            median([get(r, "deliveries", "publish_answer", "p99_ms") for r in runs]), " ms", 1, False)
        m["10/s × 5,000: server CPU"] = (median([get(r, "cpu", "server_cores") for r in runs]), " cores", 2, False)
    fast = load(directory, server, "fanout-25")
    if fast:
        if not fast.get("passed"):
            failed.append(("fanout 25/s", fast.get("problems")))
        m["25/s × 5,000: deliveries/s"] = (rate(fast), "", 0, True)
        m["25/s × 5,000: publish→deliver p99"] = (when_measured(fast, "deliveries", "latency", "p99_ms"), " ms", 0, False)
        m["25/s × 5,000: server CPU / bench CPU"] = (
            get(fast, "cpu", "server_cores"), f" / {fmt(get(fast, 'cpu', 'bench_cores'), digits=2)} cores", 2, False)
    many = load(directory, server, "coalesce")
    if many:
        if not many.get("passed"):
            failed.append(("coalesce", many.get("problems")))
        m["1,200/s × 1,000 (coalescing): deliveries/s"] = (rate(many), "", 0, True)
        m["1,200/s × 1,000: publish→deliver p99"] = (when_measured(many, "deliveries", "latency", "p99_ms"), " ms", 0, False)
        m["1,200/s × 1,000: server CPU / bench CPU"] = (
            get(many, "cpu", "server_cores"), f" / {fmt(get(many, 'cpu', 'bench_cores'), digits=2)} cores", 2, False)
    churn = load(directory, server, "churn")
    if churn:
        if not churn.get("passed"):
            failed.append(("churn", churn.get("problems")))
        c = churn.get("churn") or {}
        m["churn: held connections' delivery p99 quiet → churning"] = (
            get(c, "quiet_latency", "p99_ms"), f" → {fmt(get(c, 'churn_latency', 'p99_ms'), ' ms', 1)}", 1, False)
        m["churn: p99 ratio (target ≤ 2)"] = (c.get("p99_ratio"), "", 2, False)
        m["churn: handshakes/s achieved (asked 2,000), failed"] = (
            get(c, "churn", "per_second"), f", {fmt(get(c, 'churn', 'failed'))} failed", 0, True)
    return m, failed


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp/gatehouse-side-by-side"
    results = {s: measures(directory, s) for s, _ in SERVERS}
    present = [(s, label) for s, label in SERVERS if results[s][0]]
    if not present:
        print(f"no results in {directory}")
        return
    rows = []
    for s, _ in present:
        for name in results[s][0]:
            if name not in rows:
                rows.append(name)
    print("| measure | " + " | ".join(label for _, label in present) + " |")
    print("|---|" + "---|" * len(present))
    ours = results.get("gatehouse", ({}, []))[0]
    for name in rows:
        cells = []
        for s, _ in present:
            figure = results[s][0].get(name)
            if figure is None or figure[0] is None:
                cells.append("—")
                continue
            value, unit, digits, _ = figure
            cell = fmt(value, unit if not unit.startswith((" →", " /", ",")) else "", digits) + (
                unit if unit.startswith((" →", " /", ",")) else "")
            g = ours.get(name)
            if s != "gatehouse" and g and g[0] is not None and value and isinstance(value, (int, float)) \
                    and not unit.startswith((" →", " /", ",")) and "lost" not in name and "ratio" not in name:
                cell += f" (×{g[0] / value:.2f})"
            cells.append(cell)
        print(f"| {name} | " + " | ".join(cells) + " |")
    for s, label in present:
        for what, problems in results[s][1]:
            print(f"\n{label}, {what}: FAILED — {'; '.join(problems or []) or 'see its JSON'}")


if __name__ == "__main__":
    main()
