#!/usr/bin/env python3
"""Host benchmark: vitals beside the real node_exporter, same collectors.

Not a test (CTest does not run it): it prints figures for a person to read.
It builds nothing; build an optimised vitals first:

    cmake --preset release && cmake --build --preset release
    python3 tests/bench/host_bench.py                      # build/release/agent/vitals
    python3 tests/bench/host_bench.py --vitals PATH -n 500 --both

Both exporters run on 127.0.0.1 with the same collectors: every collector
vitals enables by default (from its --help, the registry; all are
node_exporter's), or those of --collectors; --no-processes drops processes
on both; --both runs the two configurations one after the other. After a warm-up the
client scrapes them alternately, N times each, one new connection per scrape,
asking for gzip like Prometheus does. It reports:

  CPU per scrape  utime+stime of the exporter process (/proc/<pid>/stat, all
                  threads) over the measured run, divided by N, and each of
                  the two (user, system). The kernel reports ticks, so the
                  resolution is 1 tick / N; it is printed.
  latency         median and p99 (nearest rank) of the client-measured time
                  from connect to the last byte of the body.
  RSS             VmRSS after the run (/proc/<pid>/status), in MB (10^6 bytes).

--per-collector runs each collector alone, and none, on both, and prints what
each collector adds to a scrape (the others' cost is then the fixed cost of a
scrape: HTTP, the exporter's own metrics).

The targets: vitals at most 1/4 of node_exporter's CPU per scrape, and under
10 MB RSS.
"""

import argparse
import http.client
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from vitals_harness import ChildProcess, copy_fixture_proc, free_port  # noqa: E402

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_VITALS = os.path.join(SOURCE_DIR, "build", "release", "agent", "vitals")
TICKS = os.sysconf("SC_CLK_TCK")
CPU_TARGET_RATIO = 1 / 4
RSS_TARGET_MB = 10.0


class Exporter(ChildProcess):
    """One exporter process listening on 127.0.0.1:<port>."""

    def __init__(self, label, argv_for_port):
        self.label = label
        self.argv_for_port = argv_for_port
        self.proc = None
        self.port = None

    def __enter__(self):
        for _ in range(3):  # the free port may be taken before the exporter binds it
            self.port = free_port()
            self.log = tempfile.TemporaryFile()
            self.proc = subprocess.Popen(self.argv_for_port(self.port), stdout=self.log,
                                         stderr=self.log)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    self.scrape()
                    return self
                except OSError:
                    time.sleep(0.05)
            self.stop()
        raise RuntimeError(f"{self.label} did not start on 127.0.0.1")

    def scrape(self):
        """One scrape on a new connection; returns (seconds, body bytes)."""
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", "/metrics", headers={
                "Accept": "text/plain;version=0.0.4", "Accept-Encoding": "gzip"})
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                raise RuntimeError(f"{self.label}: GET /metrics returned {resp.status}")
        finally:
            conn.close()
        return time.perf_counter() - start, len(body)

    def cpu_ticks(self):
        """(user, system) ticks of the process so far, all threads."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]), int(fields[12])  # utime, stime (fields 14, 15)

    def rss_bytes(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError(f"{self.label}: no VmRSS in /proc/{self.proc.pid}/status")


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil
    return sorted_values[int(rank) - 1]


def machine_line():
    pids = [d for d in os.listdir("/proc") if d.isdigit()]
    threads = 0
    for pid in pids:
        try:
            threads += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            pass  # exited while we counted
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    return (f"machine: nproc {os.cpu_count()}, kernel {platform.release()}, "
            f"{len(pids)} processes / {threads} threads, load1 {load}")


def metrics_text(exporter):
    """One uncompressed scrape, as text."""
    conn = http.client.HTTPConnection("127.0.0.1", exporter.port, timeout=30)
    try:
        conn.request("GET", "/metrics")
        return conn.getresponse().read().decode()
    finally:
        conn.close()


def vitals_collectors(exporter):
    """The collectors vitals ran, from its vitals_scrape_collector_success."""
    text = metrics_text(exporter)
    found = re.findall(r'^vitals_scrape_collector_success\{collector="([^"]+)"\}', text, re.M)
    return sorted(found)


def default_collectors(vitals_bin):
    """The collectors vitals enables by default, as its --help lists them."""
    help_text = subprocess.run([vitals_bin, "--help"], capture_output=True, text=True,
                               check=True).stdout
    found = re.findall(r"^  --\[no-\]collector\.(\S+) .*\(default: enabled\)\.$", help_text, re.M)
    if not found:
        raise RuntimeError(f"no default collector in {vitals_bin} --help")
    return found


def run(vitals_bin, ne_bin, collectors, scrapes, warmup, vitals_flags, flags=()):
    ne_args = ["--collector.disable-defaults"] + [f"--collector.{c}" for c in collectors] + list(flags)
    exporters = [
        Exporter("node_exporter",
                 lambda port: [ne_bin, f"--web.listen-address=127.0.0.1:{port}"] + ne_args),
        Exporter("vitals",
                 lambda port: [vitals_bin, f"--web.listen-address=127.0.0.1:{port}",
                               "--log.level=warn"] + ne_args + vitals_flags),
    ]
    with exporters[0] as ne, exporters[1] as vi:
        pair = (ne, vi)
        for _ in range(warmup):
            for e in pair:
                e.scrape()
        ran = vitals_collectors(vi)
        latencies = {e.label: [] for e in pair}
        sizes = {}
        start_ticks = {e.label: e.cpu_ticks() for e in pair}
        wall = time.monotonic()
        for _ in range(scrapes):
            for e in pair:  # alternate so both see the same machine
                seconds, size = e.scrape()
                latencies[e.label].append(seconds * 1000)
                sizes[e.label] = size
        wall = time.monotonic() - wall
        used = {e.label: [(b - a) * 1000 / TICKS / scrapes
                          for a, b in zip(start_ticks[e.label], e.cpu_ticks())] for e in pair}
        rss_mb = {e.label: e.rss_bytes() / 1e6 for e in pair}
    for lat in latencies.values():
        lat.sort()
    return {
        "cpu": {k: user + system for k, (user, system) in used.items()},
        "user": {k: user for k, (user, _) in used.items()},
        "system": {k: system for k, (_, system) in used.items()},
        "median": {k: percentile(v, 50) for k, v in latencies.items()},
        "p99": {k: percentile(v, 99) for k, v in latencies.items()},
        "rss": rss_mb,
        "size": sizes,
        "wall": wall,
        "vitals_collectors": ran,
    }


def print_table(result, collectors, scrapes):
    rows = [
        ("CPU per scrape (ms)", "cpu", "{:.3f}"),
        ("  user (ms)", "user", "{:.3f}"),
        ("  system (ms)", "system", "{:.3f}"),
        ("latency median (ms)", "median", "{:.2f}"),
        ("latency p99 (ms)", "p99", "{:.2f}"),
        ("RSS after run (MB)", "rss", "{:.1f}"),
        ("gzipped body (bytes)", "size", "{:d}"),
    ]
    print(f"collectors: {','.join(collectors)}; {scrapes} scrapes each, alternating, "
          f"{result['wall']:.1f} s; CPU resolution {1000 / TICKS / scrapes:.3f} ms/scrape")
    print(f"vitals ran: {','.join(result['vitals_collectors'])}")
    print(f"| {'':<22} | {'node_exporter':>13} | {'vitals':>9} | {'vitals/ne':>9} |")
    print(f"|{'-' * 24}|{'-' * 14}:|{'-' * 10}:|{'-' * 10}:|")
    for title, key, form in rows:
        ne, vi = result[key]["node_exporter"], result[key]["vitals"]
        ratio = f"{vi / ne:.2f}" if ne else "n/a"
        print(f"| {title:<22} | {form.format(ne):>13} | {form.format(vi):>9} | {ratio:>9} |")
    ne_cpu, vi_cpu = result["cpu"]["node_exporter"], result["cpu"]["vitals"]
    cpu_ok = ne_cpu > 0 and vi_cpu <= CPU_TARGET_RATIO * ne_cpu
    rss_ok = result["rss"]["vitals"] < RSS_TARGET_MB
    print(f"target CPU <= 1/4 of node_exporter: {'met' if cpu_ok else 'MISSED'}; "
          f"target RSS < {RSS_TARGET_MB:g} MB: {'met' if rss_ok else 'MISSED'}")
    return cpu_ok and rss_ok


def print_per_collector(args, collectors):
    """Each collector alone against none on both: what it adds to a scrape."""
    def cpu(chosen):
        return run(args.vitals, args.node_exporter, chosen, args.scrapes, args.warmup,
                   args.vitals_flag, args.flag)["cpu"]
    base = cpu([])
    print(f"per collector: CPU per scrape above a scrape with none ({args.scrapes} scrapes each, "
          f"resolution {1000 / TICKS / args.scrapes:.3f} ms; none: node_exporter "
          f"{base['node_exporter']:.3f}, vitals {base['vitals']:.3f} ms)")
    print("| collector | node_exporter +ms | vitals +ms | vitals/ne |")
    print("|---|--:|--:|--:|")
    for collector in collectors:
        alone = cpu([collector])
        ne, vi = (alone[k] - base[k] for k in ("node_exporter", "vitals"))
        ratio = f"{vi / ne:.2f}" if ne > 0 else "n/a"
        print(f"| {collector} | {ne:.3f} | {vi:.3f} | {ratio} |", flush=True)


def check_binaries(parser, args):
    """Exits with a usage error unless both exporters' binaries are there."""
    if not args.node_exporter:
        parser.error("node_exporter not found; install Debian's prometheus-node-exporter")
    if not os.access(args.vitals, os.X_OK):
        parser.error(f"{args.vitals} is not an executable; build it with "
                     "'cmake --preset release && cmake --build --preset release'")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vitals", default=DEFAULT_VITALS, help="vitals binary (default %(default)s)")
    parser.add_argument("--node-exporter", default=shutil.which("prometheus-node-exporter")
                        or shutil.which("node_exporter"), help="node_exporter binary")
    parser.add_argument("-n", "--scrapes", type=int, default=200, help="measured scrapes of each")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured scrapes of each first")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--no-processes", action="store_true",
                       help="run both with --no-collector.processes (it dominates the cost)")
    group.add_argument("--both", action="store_true", help="run with and without processes")
    group.add_argument("--per-collector", action="store_true",
                       help="each collector alone, against none: what each adds per scrape")
    parser.add_argument("--collectors", metavar="A,B,...",
                        help="collectors to run on both (default: vitals' default collectors)")
    parser.add_argument("--vitals-flag", action="append", default=[], metavar="FLAG",
                        help="extra flag for vitals, e.g. --vitals-flag=--config.file=x.json")
    parser.add_argument("--flag", action="append", default=[], metavar="FLAG",
                        help="extra flag for both, e.g. --flag=--path.procfs=tests/fixtures/proc")
    parser.add_argument("--fixture-sys", action="store_true",
                        help="both read a copy of tests/fixtures/sys (with its symlinks) as "
                             "--path.sysfs: hardware this machine lacks")
    args = parser.parse_args()
    check_binaries(parser, args)
    if not 1 <= args.scrapes <= 100000 or not 0 <= args.warmup <= 10000:
        parser.error("--scrapes must be 1..100000 and --warmup 0..10000")

    collectors = (args.collectors.split(",") if args.collectors
                  else default_collectors(args.vitals))
    configs = [collectors]
    without = [c for c in collectors if c != "processes"]
    if args.no_processes:
        configs = [without]
    elif args.both:
        configs = [collectors, without]
    print(machine_line())
    print(f"vitals: {args.vitals}; node_exporter: {args.node_exporter}")
    all_ok = True
    with tempfile.TemporaryDirectory(prefix="vitals-bench-") as tmp:
        if args.fixture_sys:
            args.flag.append("--path.sysfs=" + copy_fixture_proc(os.path.join(tmp, "sys"), "sys"))
            print("both read tests/fixtures/sys")
        if args.per_collector:
            print_per_collector(args, collectors)
            return 0
        for collectors in configs:
            print()
            result = run(args.vitals, args.node_exporter, collectors, args.scrapes, args.warmup,
                         args.vitals_flag, args.flag)
            all_ok = print_table(result, collectors, args.scrapes) and all_ok
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
