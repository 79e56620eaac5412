"""Shared by the golden /metrics tests (e2e/test_golden.py,
e2e/test_golden_groups.py) and e2e/test_promtool.py: run the binary on a
captured fixture tree, keep the lines that do not vary run to run, diff them
against a file under tests/golden/ (VITALS_UPDATE_GOLDEN=1 rewrites it on
purpose), and run `promtool check metrics` with only the node_memory_*
camelCase notes filtered."""

import difflib
import os
import re
import subprocess
import tempfile

from vitals_harness import SOURCE_DIR, Vitals, copy_fixture_proc, fail, fixture_path, skip

# Families whose values depend on the run, not on the fixture trees: the
# agent's own process (real /proc/self), timings, the build it came from, and
# what the time, timex and uname collectors ask the kernel itself (their
# HELP and TYPE lines stay, so the golden file still shows the families).
VARYING = re.compile(r"^(?:# (?:HELP|TYPE) )?"
                     r"(?:process_[a-zA-Z0-9_]*|vitals_scrape_collector_duration_seconds|"
                     r"node_scrape_collector_duration_seconds|"
                     r"vitals_build_info|node_exporter_build_info|process_exporter_build_info|"
                     r"vitals_config_last_reload_success_timestamp_seconds)[ {]")
# node_textfile_mtime_seconds: a checkout's file times.
HOST_SAMPLES = re.compile(r"^(?:node_time_seconds|node_time_zone_offset_seconds|node_timex_[a-z_]+|"
                          r"vitals_sample_host_clock_[a-z_]+|"
                          r"node_uname_info|node_textfile_mtime_seconds)[ {]")


# Exactly the notes promtool 2.x prints for a camelCase name and for a unit
# other than its base unit, and only for the host collectors' families, whose
# names are node_exporter's own (kernel field names such as
# node_memory_MemTotal_bytes, node_netstat_TcpExt_SyncookiesFailed; and
# node_entropy_available_bits); e2e.node_exporter_parity checks they are.
# Likewise process-exporter's namedprocess_scrape_errors, a counter without
# _total.
PROMTOOL_ALLOWED = re.compile(r"^(node_[A-Za-z0-9_]+) (?:metric names should be written in "
                              r"'snake_case' not 'camelCase'|use base unit \"bytes\" instead of "
                              r"\"bits\")$|"
                              # process-exporter's own name (--compat.exporter-identity).
                              r"^(namedprocess_scrape_errors) counter metrics should have "
                              r"\"_total\" suffix$")


def stable_lines(text):
    # Lines end at "\n" only (a label value may hold U+0085, which
    # str.splitlines() would break at).
    return [line for line in text.split("\n")
            if line and not VARYING.match(line) and not HOST_SAMPLES.match(line)]


def captured_system(tree="proc"):
    """page_size and ticks_per_second recorded in tests/fixtures/<tree>.manifest."""
    values = {}
    with open(fixture_path(tree + ".manifest")) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("page_size", "ticks_per_second"):
                values[key] = int(value)
    return values


def captured_system_flags(tree="proc"):
    """The hidden flags that give the binary the page size and USER_HZ the
    tree was captured with, so its values mean the same on any host."""
    captured = captured_system(tree)
    return [f"--testing.page-size={captured['page_size']}",
            f"--testing.clock-ticks={captured['ticks_per_second']}"]


def run_on_fixture(tree="proc", *flags):
    """Starts vitals on a copy of tests/fixtures/<tree> and of sys (with its
    symlinks), and on tests/fixtures/rootfs, with `flags`; returns (full
    /metrics text, stable lines, where the copy of sys is written <sysfs>);
    fails if it logged an error."""
    with tempfile.TemporaryDirectory(prefix="vitals-golden-") as tmp:
        proc = copy_fixture_proc(os.path.join(tmp, "proc"), tree)
        sys_tree = copy_fixture_proc(os.path.join(tmp, "sys"), "sys")
        with Vitals("--path.procfs=" + proc, "--path.sysfs=" + sys_tree,
                    "--path.rootfs=" + fixture_path("rootfs"), *captured_system_flags(tree),
                    *flags) as vitals:
            text = vitals.metrics()
            log = vitals.log_text()
    if "level=error" in log or '"level":"error"' in log:
        fail(f"vitals logged an error on tests/fixtures/{tree}:\n" + log)
    # Paths under --path.sysfs in label values (rapl's path) name the copy.
    return text, stable_lines(text.replace(sys_tree, "<sysfs>"))


def compare_with_golden(name, got):
    """Diffs `got` (lines) against tests/golden/<name>, or rewrites it when
    VITALS_UPDATE_GOLDEN=1. Fails on a difference."""
    golden = os.path.join(SOURCE_DIR, "tests", "golden", name)
    if os.environ.get("VITALS_UPDATE_GOLDEN") == "1":
        with open(golden, "w") as f:
            f.write("\n".join(got) + "\n")
        print(f"updated {golden} ({len(got)} lines)")
        return
    try:
        with open(golden) as f:
            want = f.read().split("\n")[:-1]  # written with a final "\n"
    except FileNotFoundError:
        fail(f"{golden} is missing; run with VITALS_UPDATE_GOLDEN=1 to create it")
    diff = list(difflib.unified_diff(want, got, f"tests/golden/{name}", "vitals /metrics",
                                     lineterm=""))
    if diff:
        print("\n".join(diff))
        fail(f"/metrics on the fixtures differs from tests/golden/{name} ({len(diff)} diff lines); "
             "if the change is intended, rerun with VITALS_UPDATE_GOLDEN=1 and review the diff")
    print(f"PASS: {len(got)} lines match tests/golden/{name}")


def promtool_check(promtool, text):
    """Returns (exit code, output lines) of `promtool check metrics` on `text`."""
    r = subprocess.run([promtool, "check", "metrics"], input=text.encode(),
                       capture_output=True, timeout=60)
    out = (r.stdout + r.stderr).decode(errors="replace")
    return r.returncode, [line for line in out.splitlines() if line.strip()]


def promtool_findings(promtool, text):
    """(exit code, allowed camelCase notes, other lines) of promtool on `text`.
    A note about a name `text` does not have would mean promtool read
    something else than we think: it counts as another line. Exit 3 is
    promtool's "lint problems found"; any other failure is another line."""
    families = {line.split(" ")[2] for line in text.splitlines() if line.startswith("# TYPE ")}
    code, lines = promtool_check(promtool, text)
    filtered, other = [], []
    for line in lines:
        m = PROMTOOL_ALLOWED.match(line)
        (filtered if m and (m.group(1) or m.group(2)) in families else other).append(line)
    if code not in (0, 3) or (code == 3 and not filtered and not other):
        other = [f"exit {code}"] + (other or lines)
    return code, filtered, other


def promtool_clean(promtool, what, text):
    """Fails unless promtool's only findings on `text` are camelCase notes on
    node_* families that `text` has."""
    code, filtered, other = promtool_findings(promtool, text)
    if other:
        fail(f"promtool on the {what} output (exit {code}) said:\n" + "\n".join(other))
    families = sum(1 for line in text.splitlines() if line.startswith("# TYPE "))
    print(f"{what}: {families} families, promtool exit {code}, "
          f"{len(filtered)} camelCase notes on node_* filtered")
