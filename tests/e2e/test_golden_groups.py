"""Golden /metrics for process groups: the built binary on the captured tree
tests/fixtures/proc_groups (live processes with odd names, threads, open
files, a zombie, kernel threads, a pid whose fd/ cannot be listed; see
tests/fixtures/proc_groups.manifest) grouped by tests/fixtures/proc_groups.json
must print exactly tests/golden/metrics_groups.prom, apart from the families
that vary run to run, and promtool must find nothing but its notes on
node_exporter's node_* names. VITALS_UPDATE_GOLDEN=1 rewrites the golden file on purpose.

Counters of the groups count from the first scan (processes already running
count only from then), so a single scrape shows them at 0; the gauges carry
the meaning. The checks below the diff restate, from the manifest, the
numbers that matter, so that an update of the golden file cannot silently
accept a wrong one."""
# ctest-labels: sanitize

import re

from golden import compare_with_golden, promtool_clean, run_on_fixture
from vitals_harness import fail, fixture_path, parse_exposition, skip, which

TREE = "proc_groups"


def unescape(label_value):
    r"""A label value as the text format escapes it (\\, \", \n) back to the value."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), label_value)


def value(families, family, **labels):
    for name, got, v in families.get(family, {}).get("samples", []):
        if all(unescape(got.get(k, "")) == want for k, want in labels.items()):
            return v
    fail(f"no {family} sample with {labels}")


def main():
    promtool = which("promtool")
    if promtool is None:
        skip("promtool not found (Debian package: prometheus)")
    # The host collectors this tree has files for (it is the process groups'
    # scenario; tests/fixtures/proc has the rest).
    host = ["--collector.disable-defaults"] + [f"--collector.{c}" for c in
                                               ("cpu", "filefd", "loadavg", "meminfo", "processes", "stat")]
    text, got = run_on_fixture(TREE, "--config.file=" + fixture_path(TREE + ".json"), *host)
    promtool_clean(promtool, "proc_groups fixture", text)

    f = parse_exposition(text)
    # Every group the config can form from the tree, and the declared one with
    # no process; the invalid UTF-8 comm comes out with U+FFFD in its label.
    # "no-argv" (cmdline ^$) matches nothing: kernel threads and the zombie
    # have no argv, and a cmdline selector never matches a process without one.
    want = {"no-argv": 0, "parent": 3, "worker-1": 1, "worker-2": 1, "kernel": 2, "absent": 0,
            "odd:o sp (paren)": 1, "odd:o) Z 9 (x": 1, "odd:o\"q'uo\"te": 1,
            "odd:o\\back\\sl": 1, "odd:o\nnew\nline": 1}
    groups = {unescape(labels["groupname"]): v
              for _, labels, v in f["namedprocess_namegroup_num_procs"]["samples"]}
    for group, procs in want.items():
        if groups.get(group) != procs:
            fail(f"num_procs{{groupname={group!r}}}: want {procs}, got {groups.get(group)}; "
                 f"all: {groups}")
    odd_utf8 = [g for g in groups if g.startswith("odd:o\ufffd")]
    if len(odd_utf8) != 1 or groups[odd_utf8[0]] != 1:
        fail(f"no single odd:o<U+FFFD>... group for the invalid UTF-8 comm: {groups}")

    # From the manifest: parent 3 threads + grp-child 2 + zombie 1; fds 5 + 3 + 0.
    checks = [("namedprocess_namegroup_num_threads", {"groupname": "parent"}, 6),
              ("namedprocess_namegroup_open_filedesc", {"groupname": "parent"}, 8),
              ("namedprocess_namegroup_states", {"groupname": "parent", "state": "Zombie"}, 1),
              ("namedprocess_namegroup_states", {"groupname": "parent", "state": "Sleeping"}, 2),
              ("namedprocess_namegroup_num_threads", {"groupname": "worker-1"}, 4),
              ("namedprocess_namegroup_open_filedesc", {"groupname": "worker-1"}, 7),
              ("namedprocess_namegroup_num_threads", {"groupname": "worker-2"}, 2),
              ("namedprocess_namegroup_open_filedesc", {"groupname": "worker-2"}, 4),
              ("namedprocess_namegroup_open_filedesc", {"groupname": "kernel"}, 0),
              ("namedprocess_namegroup_states", {"groupname": "kernel", "state": "Other"}, 1),
              ("namedprocess_namegroup_states", {"groupname": "kernel", "state": "Sleeping"}, 1),
              ("namedprocess_namegroup_num_threads", {"groupname": "absent"}, 0)]
    for family, labels, expected in checks:
        if value(f, family, **labels) != expected:
            fail(f"{family}{labels}: want {expected}, got {value(f, family, **labels)}")

    # The pid whose fd/ cannot be listed: its fds are unknown, which must show
    # as a read error of its group, never as an fd count of 0 for a live
    # process.
    # The tree stores it without fd/ (git keeps no unreadable directory): a
    # live process with a missing file, so reason "error", and it stays in
    # its group (it is alive: its stat is there).
    errors = sum(value(f, "namedprocess_namegroup_read_errors_total", groupname="nofd", reason=r)
                 for r in ("permission", "error"))
    if errors < 1:
        fail("the unreadable fd/ of grp-nofd is not counted as a read error")
    if value(f, "namedprocess_namegroup_num_procs", groupname="nofd") != 1:
        fail("grp-nofd was dropped from its group although its stat says it lives")
    if value(f, "namedprocess_namegroup_open_filedesc", groupname="nofd") != 0:
        fail("grp-nofd's fds were counted although its fd/ cannot be listed")

    compare_with_golden("metrics_groups.prom", got)

    # The captured page size and USER_HZ are what the binary is told
    # (--testing.*, golden.py), not this host's: told twice the page size and
    # half the ticks, it reports twice the resident bytes and CPU seconds.
    text2, _ = run_on_fixture(TREE, "--config.file=" + fixture_path(TREE + ".json"), *host,
                              "--testing.page-size=8192", "--testing.clock-ticks=50")
    f2 = parse_exposition(text2)
    for family, labels in (("namedprocess_namegroup_memory_bytes",
                            {"groupname": "parent", "memtype": "resident"}),
                           ("node_cpu_seconds_total", {"cpu": "0", "mode": "idle"})):
        base, told = value(f, family, **labels), value(f2, family, **labels)
        if base <= 0 or told != 2 * base:
            fail(f"{family}{labels}: {base} with the capture's page size and ticks, {told} when "
                 "told twice the page size and half the ticks; want twice")
    print("--testing.page-size and --testing.clock-ticks are honoured")


if __name__ == "__main__":
    main()
