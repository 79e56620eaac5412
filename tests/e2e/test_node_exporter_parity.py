#!/usr/bin/env python3
"""Parity with the real node_exporter (Debian's prometheus-node-exporter).

Both exporters run on this machine's real /proc with the same six collectors
(cpu, meminfo, loadavg, filefd, stat, processes). One attempt scrapes
node_exporter, then vitals, then node_exporter again, back to back, so each
vitals value can be compared with the two node_exporter samples around it.

Structural checks (always strict, never retried):
  - the same family names both ways, apart from the stated exclusions below;
  - the same TYPE and HELP for every shared family;
  - per family, the same label-name sets and the same label-value sets
    (e.g. the same cpu/mode pairs), except for the state sets described next;
  - vitals_scrape_collector_* covers every collector of node_exporter's
    node_scrape_collector_*, and all of vitals' collectors succeed (vitals'
    own extra collectors, e.g. "self" for process_* and the process groups'
    namedprocess_*, are printed).

State sets (node_processes_state{state}, node_processes_threads_state{thread_state}):
both exporters emit only the states seen in that scrape, so a state that is
absent from one scrape is read as a count of 0 there, and the counts are then
compared like any other fluctuating gauge. A transient state (one process in
D for a moment) therefore passes; a state with many tasks missing fails.

Values, with b = [min(ne1, ne2), max(ne1, ne2)] the bracket of the two
node_exporter samples:
  - counters must lie inside b widened by a small slack (0 for event counters,
    which the kernel only increases; 0.05 s for CPU seconds, because idle and
    iowait may step back slightly on tickless kernels);
  - constant gauges must be equal in all three samples;
  - fluctuating gauges must lie inside b widened by max(rel * |value|, abs),
    with the (rel, abs) per family printed by the test.
The host keeps changing (other builds run beside this test), so value
mismatches of fluctuating families are retried: the test passes when one of
up to MAX_ATTEMPTS attempts is clean and fails, printing every attempt's
findings, when none is. A constant that differs between vitals and both
node_exporter samples while node_exporter's own two samples agree is never
retried.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request

from vitals_harness import (ChildProcess, Vitals, fail, free_port, parse_exposition, skip,
                            wait_http, which)

COLLECTORS = ["cpu", "meminfo", "loadavg", "filefd", "stat", "processes"]
MAX_ATTEMPTS = 3

# Families one side has and the other, by design, does not: Go runtime and
# promhttp (node_exporter), vitals' own families and its process groups
# (process-exporter's namedprocess_* names).
EXCLUDED_PREFIXES = ("go_", "promhttp_", "vitals_", "namedprocess_")
EXCLUDED_FAMILIES = {
    "node_exporter_build_info",                # vitals_build_info instead
    "node_scrape_collector_duration_seconds",  # vitals_scrape_collector_* instead
    "node_scrape_collector_success",           # (compared below by collector set)
}
# process_* describe each exporter itself: names, TYPE and HELP are compared,
# values are not (two different processes).
SELF_PREFIX = "process_"

STATE_SETS = {"node_processes_state": "state", "node_processes_threads_state": "thread_state"}

CONSTANT_GAUGES = {
    "node_boot_time_seconds",
    "node_filefd_maximum",
    "node_processes_max_processes",   # kernel.pid_max
    "node_processes_max_threads",     # kernel.threads-max
    "node_memory_MemTotal_bytes",
    "node_memory_Hugepagesize_bytes",
    "node_memory_HugePages_Total",
    "node_memory_SwapTotal_bytes",
    "node_memory_VmallocTotal_bytes",
    "node_memory_CommitLimit_bytes",
}

NPROC = os.cpu_count() or 1
MIB = 1024 * 1024


def counter_slack(family):
    """Absolute slack around the bracket for a counter family."""
    if family.startswith("node_cpu_"):
        return 0.05
    return 0.0


def gauge_tolerance(family):
    """(rel, abs) slack around the bracket for a fluctuating gauge family."""
    if family in STATE_SETS:
        return 0.0, 5.0
    if family in ("node_procs_running", "node_procs_blocked"):
        # Runnable/blocked tasks at one instant; each exporter's own scraping
        # threads count, and the builds beside us come and go.
        return 0.0, float(NPROC + 2)
    if family.startswith("node_load"):
        return 0.0, 0.1
    if family in ("node_processes_pids", "node_processes_threads"):
        return 0.02, 5.0
    if family == "node_filefd_allocated":
        return 0.05, 64.0
    if family.startswith("node_memory_") and family.endswith("_bytes"):
        return 0.05, 16.0 * MIB
    if family.startswith("node_memory_"):
        return 0.05, 2.0  # HugePages_* counts
    return 0.05, 0.0


class NodeExporter(ChildProcess):
    """The real node_exporter on 127.0.0.1:<free port>, with only our collectors."""

    def __init__(self, binary):
        self.binary = binary
        self.proc = None
        self.port = None

    def __enter__(self):
        last_error = None
        for _ in range(3):  # the free port may be taken before node_exporter binds it
            self.port = free_port()
            self.log = tempfile.TemporaryFile()
            args = [self.binary, f"--web.listen-address=127.0.0.1:{self.port}",
                    "--collector.disable-defaults"] + [f"--collector.{c}" for c in COLLECTORS]
            self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log)
            try:
                wait_http(self.url + "/metrics", timeout=10.0)
                return self
            except RuntimeError as e:
                last_error = e
                self.stop()
        raise RuntimeError(f"node_exporter did not start: {last_error}")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def metrics(self):
        with urllib.request.urlopen(self.url + "/metrics", timeout=10) as resp:
            return resp.read().decode()


def label_key(labels):
    return tuple(sorted(labels.items()))


def series(fam):
    """{label key: value} for a family's samples."""
    return {label_key(labels): value for _, labels, value in fam["samples"]}


def excluded(name):
    return name.startswith(EXCLUDED_PREFIXES) or name in EXCLUDED_FAMILIES


def fmt(v):
    return f"{v:.10g}"


def structural_findings(ne, vi):
    """Returns (findings, shared node_* family names)."""
    findings = []
    ne_names = {n for n in ne if not excluded(n)}
    vi_names = {n for n in vi if not excluded(n)}
    for name in sorted(ne_names - vi_names):
        findings.append(f"{name}: node_exporter has it, vitals lacks it")
    for name in sorted(vi_names - ne_names):
        findings.append(f"{name}: vitals has it, node_exporter lacks it")
    shared = sorted(ne_names & vi_names)
    if not any(n.startswith("node_") for n in vi_names):
        findings.append("vitals emits no node_* family at all")
    for name in shared:
        a, b = ne[name], vi[name]
        if a["type"] != b["type"]:
            findings.append(f"{name}: TYPE {b['type']} in vitals, {a['type']} in node_exporter")
        if a["help"] != b["help"]:
            findings.append(f"{name}: HELP differs\n    node_exporter: {a['help']!r}\n"
                            f"    vitals:        {b['help']!r}")
        if name.startswith(SELF_PREFIX):
            continue
        a_names = {tuple(sorted(l)) for _, l, _ in a["samples"]}
        b_names = {tuple(sorted(l)) for _, l, _ in b["samples"]}
        if a_names != b_names:
            findings.append(f"{name}: label names {sorted(b_names)} in vitals, "
                            f"{sorted(a_names)} in node_exporter")
        if name in STATE_SETS:
            continue  # value sets may differ by transient states, see the module doc
        a_keys, b_keys = set(series(a)), set(series(b))
        if a_keys != b_keys:
            findings.append(f"{name}: label values only in node_exporter: "
                            f"{sorted(a_keys - b_keys)}; only in vitals: {sorted(b_keys - a_keys)}")
    # node_scrape_collector_* and vitals_scrape_collector_* name the same collectors.
    for suffix in ("success", "duration_seconds"):
        ne_fam = ne.get(f"node_scrape_collector_{suffix}")
        vi_fam = vi.get(f"vitals_scrape_collector_{suffix}")
        if ne_fam is None or vi_fam is None:
            findings.append(f"scrape_collector_{suffix}: missing (node_exporter "
                            f"{ne_fam is not None}, vitals {vi_fam is not None})")
            continue
        if ne_fam["type"] != vi_fam["type"]:
            findings.append(f"scrape_collector_{suffix}: TYPE {vi_fam['type']} vs {ne_fam['type']}")
        ne_c = {l.get("collector") for _, l, _ in ne_fam["samples"]}
        vi_c = {l.get("collector") for _, l, _ in vi_fam["samples"]}
        # vitals also runs collectors of its own (e.g. "self" for process_*,
        # which node_exporter gets from client_golang outside its collectors;
        # process groups); they emit no node_* family, which the family
        # comparison above checks.
        if not ne_c <= vi_c:
            findings.append(f"scrape_collector_{suffix}: vitals lacks node_exporter's collectors "
                            f"{sorted(ne_c - vi_c)}")
    vi_success = vi.get("vitals_scrape_collector_success")
    if vi_success:
        for _, labels, value in vi_success["samples"]:
            if value != 1:
                findings.append(f"vitals_scrape_collector_success{{collector={labels.get('collector')!r}}}"
                                f" is {fmt(value)}")
    return findings, [n for n in shared if not n.startswith(SELF_PREFIX)]


def value_findings(ne1, vi, ne2, families, stats):
    """Compares values; returns (strict findings, retryable findings).

    stats[family] collects (series count, max deviation outside the bracket,
    allowed slack description)."""
    strict, retry = [], []
    for name in families:
        kind = vi[name]["type"]
        s1, sv, s2 = series(ne1[name]), series(vi[name]), series(ne2[name])
        keys = set(sv)
        if name in STATE_SETS:
            keys |= set(s1) | set(s2)  # absent state = 0 tasks in that scrape
        elif not (keys <= set(s1) and keys <= set(s2)):
            # A series missing from one ne sample: structural, reported there.
            keys &= set(s1) & set(s2)
        max_dev = 0.0
        allowed_desc = ""
        for key in sorted(keys):
            a, v, b = s1.get(key, 0.0), sv.get(key, 0.0), s2.get(key, 0.0)
            lo, hi = min(a, b), max(a, b)
            where = name + ("{" + ",".join(f"{k}={val!r}" for k, val in key) + "}" if key else "")
            if name in CONSTANT_GAUGES:
                allowed_desc = "equal"
                dev = max(abs(v - a), abs(v - b))
                if dev != 0:
                    msg = f"{where}: constant differs: ne {fmt(a)}, vitals {fmt(v)}, ne {fmt(b)}"
                    (retry if a != b else strict).append(msg)
                max_dev = max(max_dev, dev)
                continue
            if kind == "counter":
                slack = counter_slack(name)
                allowed_desc = f"in bracket +-{fmt(slack)}"
            else:
                rel, abs_ = gauge_tolerance(name)
                slack = max(rel * max(abs(lo), abs(hi)), abs_)
                abs_text = f"{abs_ / MIB:g} MiB" if name.endswith("_bytes") else fmt(abs_)
                allowed_desc = (f"in bracket +-max({rel:.0%}, {abs_text})" if rel
                                else f"in bracket +-{abs_text}")
            dev = max(lo - v, v - hi, 0.0)
            max_dev = max(max_dev, dev)
            if dev > slack:
                retry.append(f"{where}: vitals {fmt(v)} outside ne [{fmt(a)}, {fmt(b)}] "
                             f"by {fmt(dev)} > {fmt(slack)}")
        count, prev_dev, _ = stats.get(name, (0, 0.0, ""))
        stats[name] = (max(count, len(keys)), max(prev_dev, max_dev), allowed_desc)
    return strict, retry


def main():
    binary = which("prometheus-node-exporter", "node_exporter")
    if binary is None:
        skip("node_exporter not installed (Debian package prometheus-node-exporter)")
    if not os.path.isfile("/proc/stat"):
        skip("no real /proc on this machine")
    flags = ["--collector.disable-defaults"] + [f"--collector.{c}" for c in COLLECTORS]
    with NodeExporter(binary) as ne, Vitals(*flags) as vi:
        # Warm-up: both keep per-CPU history (jump-back handling) and lazy state.
        ne.metrics()
        vi.metrics()
        stats = {}
        attempts = []
        shared = []
        for attempt in range(1, MAX_ATTEMPTS + 1):
            t0 = time.monotonic()
            raw_ne1 = ne.metrics()
            raw_vi = vi.metrics()
            raw_ne2 = ne.metrics()
            span_ms = (time.monotonic() - t0) * 1000
            ne1, fam_vi, ne2 = (parse_exposition(t) for t in (raw_ne1, raw_vi, raw_ne2))
            findings, shared = structural_findings(ne1, fam_vi)
            more, _ = structural_findings(ne2, fam_vi)
            findings += [f for f in more if f not in findings]
            if findings:
                fail("structural differences from node_exporter:\n  " + "\n  ".join(findings))
            strict, retry = value_findings(ne1, fam_vi, ne2, shared, stats)
            if strict:
                fail("values differ from node_exporter:\n  " + "\n  ".join(strict))
            attempts.append((attempt, span_ms, retry))
            if not retry:
                break
            time.sleep(0.5)

    print(f"node_exporter: {binary}; collectors: {','.join(COLLECTORS)}; nproc {NPROC}")
    print("excluded families: prefixes " + ", ".join(EXCLUDED_PREFIXES) + "; " +
          ", ".join(sorted(EXCLUDED_FAMILIES)) + "; process_* compared by name, TYPE, HELP only")
    print(f"{'family':<44} {'type':<8} {'series':>6} {'max deviation':>14}  tolerance")
    total_series = 0
    for name in shared:
        count, dev, allowed = stats[name]
        total_series += count
        print(f"{name:<44} {fam_vi[name]['type']:<8} {count:>6} {fmt(dev):>14}  {allowed}")
    self_families = sorted(n for n in fam_vi if n.startswith(SELF_PREFIX))
    vi_collectors = {l.get("collector") for _, l, _ in fam_vi["vitals_scrape_collector_success"]["samples"]}
    print("vitals-only collectors (not compared): " + ", ".join(sorted(vi_collectors - set(COLLECTORS))))
    print(f"families compared: {len(shared)} node_* (+{len(self_families)} process_* by "
          f"name/TYPE/HELP); series compared: {total_series}")
    for attempt, span_ms, retry in attempts:
        state = "clean" if not retry else f"{len(retry)} out of tolerance"
        print(f"attempt {attempt}: ne/vitals/ne scraped within {span_ms:.1f} ms, {state}")
        for line in retry:
            print(f"  {line}")
    if attempts[-1][2]:
        fail(f"values out of tolerance in all {MAX_ATTEMPTS} attempts")
    print("PASS")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        fail(str(e))
