"""Parity with the real node_exporter (Debian's prometheus-node-exporter 1.5.0),
collector by collector, for every host collector the binary registers (read
from its --help: the registry; no list here).

Each collector declares how it is compared in tests/fixtures/parity/<name>.json
(a collector without one fails this test):

  {"modes": ["live", "fixture"],          # which runs apply (at least one)
   "flags": ["--collector.cpu.info"],     # extra flags, given to both exporters;
                                          # "{fixtures}" is tests/fixtures
   "fixture": {"flags": ["--path.udev.data={fixtures}/udev/data"]},  # fixture runs only
   "live": {"tolerance": {"<family regex>": {"rel": 0.05, "abs": 1}},
            "absent_is_zero": ["<family>"]},
   "variants": [["--collector.rapl.enable-zone-label"]],  # optional
   "why": "one line: why these modes and tolerances"}

  - live: both exporters read this machine (/proc, /sys, /); for hardware
    and kernel features this machine has.
  - fixture: both read tests/fixtures/{proc,sys,rootfs} (--path.procfs,
    --path.sysfs, --path.rootfs; copies of proc and sys with what their
    manifests add); for what this machine lacks. Exact.
  - variants: more flag sets, each compared once more on the fixture trees
    (a collector's non-default flags: a label added, devices ignored).

For each collector and mode, node_exporter (--collector.disable-defaults
--collector.<name>) and vitals run side by side; one attempt scrapes
node_exporter, vitals, node_exporter again. Then, over the families either
side emits (the exporters' own go_, promhttp_, process_, *_build_info,
*_scrape_collector_*, vitals_ and namedprocess_ families left out):

  - the same family names, TYPE, HELP and label names (always exact);
  - the same label values per family, except families in "absent_is_zero",
    whose series come and go (a state seen in one scrape only): a missing
    series counts as 0 there;
  - every vitals value inside [min, max] of the two node_exporter samples
    (counters and clocks move between scrapes), widened by the family's
    tolerance, max(rel * |value|, abs), 0 when none is declared, and by
    PRINT_REL * |value|: vitals prints 16 significant digits, as
    prometheus-cpp's serializer does, node_exporter the shortest exact form,
    so a value needing 17 digits reads back 1 ulp or so away;
  - node_scrape_collector_success and vitals_scrape_collector_success agree
    for the collector (absent hardware: both 0, or both 1 with no samples).

Live value differences are retried (the host keeps changing): a collector
passes when one of MAX_ATTEMPTS attempts is clean. Structural differences are never
retried. process_* families (each exporter's own process) are compared by
name, TYPE and HELP once.

Prints a table: collector, mode, families compared, series, result.
VITALS_PARITY_COLLECTORS=a,b compares only those."""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

from vitals_harness import (ChildProcess, Vitals, copy_fixture_proc, fail, fixture_path,
                            free_port, parse_exposition, registered_collectors, skip, wait_http,
                            which)

MAX_ATTEMPTS = 3
PRINT_REL = 1e-15  # "%.16g" against the shortest exact form (see above)
EXCLUDED = re.compile(r"^(go_|promhttp_|process_|vitals_|namedprocess_|node_exporter_build_info$|"
                      r"node_scrape_collector_)")


class NodeExporter(ChildProcess):
    """The real node_exporter on 127.0.0.1:<free port> with `flags`."""

    def __init__(self, binary, flags):
        self.binary = binary
        self.flags = flags
        self.port = None

    def __enter__(self):
        last_error = None
        for _ in range(3):  # the free port may be taken before node_exporter binds it
            self.port = free_port()
            self.log = tempfile.TemporaryFile()
            self.proc = subprocess.Popen(
                [self.binary, f"--web.listen-address=127.0.0.1:{self.port}"] + self.flags,
                stdout=self.log, stderr=self.log)
            try:
                wait_http(f"http://127.0.0.1:{self.port}/metrics", timeout=10.0)
                return self
            except RuntimeError as e:
                last_error = e
                self.stop()
        raise RuntimeError(f"node_exporter {' '.join(self.flags)} did not start: {last_error}")

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=10) as r:
            return r.read().decode()


def series(family):
    """{labels: value}; the sample's name is a label too, so that a summary's or
    histogram's _sum and _count (same labels) stay apart."""
    return {tuple(sorted({**labels, "__name__": name}.items())): value
            for name, labels, value in family["samples"]}


def success(families, name, prefix):
    for _, labels, value in families.get(f"{prefix}_scrape_collector_success", {"samples": []})["samples"]:
        if labels.get("collector") == name:
            return value
    return None


def tolerance_for(declared, family):
    for pattern, tol in declared.get("tolerance", {}).items():
        if re.fullmatch(pattern, family):
            return tol.get("rel", 0.0), tol.get("abs", 0.0)
    return 0.0, 0.0


def compare(name, ne1, vi, ne2, declared):
    """(structural findings, value findings, families compared, series compared)."""
    structural, values = [], []
    ne_names = {n for n in ne1 if not EXCLUDED.match(n)} | {n for n in ne2 if not EXCLUDED.match(n)}
    vi_names = {n for n in vi if not EXCLUDED.match(n)}
    for fam in sorted(ne_names - vi_names):
        structural.append(f"{fam}: node_exporter has it, vitals lacks it")
    for fam in sorted(vi_names - ne_names):
        structural.append(f"{fam}: vitals has it, node_exporter lacks it")
    s_ne, s_vi = success(ne1, name, "node"), success(vi, name, "vitals")
    if s_ne != s_vi:
        structural.append(f"success: node_exporter {s_ne}, vitals {s_vi}")
    absent_is_zero = set(declared.get("absent_is_zero", []))
    count = 0
    shared = sorted(ne_names & vi_names)
    for fam in shared:
        a = ne1.get(fam) or ne2[fam]
        b = vi[fam]
        if (a["type"], a["help"]) != (b["type"], b["help"]):
            structural.append(f"{fam}: TYPE/HELP {b['type']} {b['help']!r} in vitals, "
                              f"{a['type']} {a['help']!r} in node_exporter")
        label_names = lambda f: {tuple(sorted(l)) for _, l, _ in f["samples"]}
        if label_names(a) != label_names(b):
            structural.append(f"{fam}: label names {sorted(label_names(b))} in vitals, "
                              f"{sorted(label_names(a))} in node_exporter")
        s1 = series(ne1.get(fam, {"samples": []}))
        s2 = series(ne2.get(fam, {"samples": []}))
        sv = series(b)
        keys = set(sv)
        if fam in absent_is_zero:
            keys |= set(s1) | set(s2)
        elif set(s1) != keys and set(s2) != keys:
            structural.append(f"{fam}: label values only in node_exporter "
                              f"{sorted(set(s1) - keys)}; only in vitals {sorted(keys - set(s1))}")
            continue
        rel, abs_ = tolerance_for(declared, fam)
        for key in sorted(keys):
            x1, v, x2 = s1.get(key, 0.0), sv.get(key, 0.0), s2.get(key, 0.0)
            lo, hi = min(x1, x2), max(x1, x2)
            slack = max(rel * max(abs(lo), abs(hi)), abs_) + PRINT_REL * max(abs(lo), abs(hi))
            count += 1
            if v < lo - slack or v > hi + slack:
                where = fam + ("{" + ",".join(f"{k}={val!r}" for k, val in key) + "}" if key else "")
                values.append(f"{where}: vitals {v:.10g} outside node_exporter "
                              f"[{x1:.10g}, {x2:.10g}] +- {slack:.3g}")
    return structural, values, len(shared), count


def self_families(ne, vi):
    """process_* families by name, TYPE and HELP (each exporter's own process)."""
    out = []
    for fam in sorted(n for n in ne if n.startswith("process_")):
        if fam not in vi:
            out.append(f"{fam}: node_exporter has it, vitals lacks it")
        elif (ne[fam]["type"], ne[fam]["help"]) != (vi[fam]["type"], vi[fam]["help"]):
            out.append(f"{fam}: TYPE/HELP differ: {vi[fam]['type']} {vi[fam]['help']!r} vs "
                       f"{ne[fam]['type']} {ne[fam]['help']!r}")
    return out


def run(binary, name, mode, declared, trees):
    """Compares one collector in one mode; returns (result, families, series, details)."""
    fixtures = os.path.dirname(fixture_path("parity"))
    flags = ["--collector.disable-defaults", f"--collector.{name}"] + [
        flag.replace("{fixtures}", fixtures) for flag in declared.get("flags", [])]
    if mode == "fixture":
        flags += [f"--path.procfs={trees}/proc", f"--path.sysfs={trees}/sys",
                  f"--path.rootfs={fixture_path('rootfs')}"]
        flags += [f.replace("{fixtures}", fixtures) for f in
                  declared.get("fixture", {}).get("flags", [])]
    live = declared.get("live", {}) if mode == "live" else {}
    with NodeExporter(binary, flags) as ne, Vitals(*flags) as vi:
        ne.metrics()  # warm-up: both keep per-CPU history and lazy state
        vi.metrics()
        findings = []
        # Fixture files do not change: one attempt; the live host does.
        for attempt in range(1, (MAX_ATTEMPTS if mode == "live" else 1) + 1):
            ne1 = parse_exposition(ne.metrics())
            fam_vi = parse_exposition(vi.metrics())
            ne2 = parse_exposition(ne.metrics())
            structural, values, families, count = compare(name, ne1, fam_vi, ne2, live)
            if structural:
                return "FAIL", families, count, structural, (ne1, fam_vi)
            if not values:
                result = "ok" if attempt == 1 else f"ok (attempt {attempt})"
                if success(fam_vi, name, "vitals") == 0:
                    result += ", no data on either side"
                return result, families, count, findings, (ne1, fam_vi)
            findings = [f"attempt {attempt}: {v}" for v in values]
            time.sleep(0.3)
        return "FAIL", families, count, findings, (ne1, fam_vi)


def main():
    binary = which("prometheus-node-exporter", "node_exporter")
    if binary is None:
        skip("node_exporter not installed (Debian package prometheus-node-exporter)")
    if not os.path.isfile("/proc/stat"):
        skip("no real /proc on this machine")
    names = registered_collectors()
    if os.environ.get("VITALS_PARITY_COLLECTORS"):  # while working on a few
        names = [n for n in names if n in os.environ["VITALS_PARITY_COLLECTORS"].split(",")]
    declarations = {}
    missing = []
    for name in names:
        path = fixture_path("parity", f"{name}.json")
        if not os.path.isfile(path):
            missing.append(name)
            continue
        with open(path) as f:
            declarations[name] = json.load(f)
        if not set(declarations[name].get("modes", [])) <= {"live", "fixture"} or \
                not declarations[name].get("modes"):
            fail(f"{path}: \"modes\" must list \"live\" and/or \"fixture\"")
    if missing:
        fail("no parity declaration tests/fixtures/parity/<name>.json for collectors: " +
             ", ".join(missing))

    rows, failures = [], []
    self_checked = False
    with tempfile.TemporaryDirectory(prefix="vitals-parity-") as tmp:
        copy_fixture_proc(os.path.join(tmp, "proc"))
        copy_fixture_proc(os.path.join(tmp, "sys"), "sys")
        for name in names:
            declared = declarations[name]
            runs = [(mode, declared, "") for mode in declared["modes"]]
            runs += [("fixture", {**declared, "flags": declared.get("flags", []) + variant},
                      " (" + " ".join(variant) + ")") for variant in declared.get("variants", [])]
            for mode, flags_declared, variant in runs:
                result, families, count, details, (ne, vi) = run(binary, name, mode,
                                                                 flags_declared, tmp)
                result += variant
                rows.append((name, mode, families, count, result))
                if result.startswith("FAIL"):
                    failures.append(f"{name} ({mode}):\n    " + "\n    ".join(details))
                elif details:
                    print(f"{name} ({mode}) passed after retries:\n    " + "\n    ".join(details))
                if not self_checked:
                    failures += [f"self: {f}" for f in self_families(ne, vi)]
                    self_checked = True

    print(f"node_exporter: {binary}")
    width = max(len(n) for n in names)
    print(f"| {'collector':<{width}} | {'mode':<7} | families | series | result")
    print(f"|{'-' * (width + 2)}|{'-' * 9}|---------:|-------:|--------")
    for name, mode, families, count, result in rows:
        print(f"| {name:<{width}} | {mode:<7} | {families:>8} | {count:>6} | {result}")
    print(f"{len(names)} collectors, {len(rows)} comparisons, "
          f"{sum(r[2] for r in rows)} families, {sum(r[3] for r in rows)} series")
    if failures:
        fail("differences from node_exporter:\n  " + "\n  ".join(failures))
    print("PASS")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        fail(str(e))
