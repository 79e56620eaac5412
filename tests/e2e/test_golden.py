"""Golden /metrics: the built binary on the captured fixture tree
(tests/fixtures/proc) must print exactly tests/golden/metrics.prom, apart from
the families that legitimately vary run to run.

VITALS_UPDATE_GOLDEN=1 rewrites the golden file on purpose (review its diff)."""

import difflib
import os
import re
import tempfile

from vitals_harness import SOURCE_DIR, Vitals, copy_fixture_proc, fail, fixture_path, skip

GOLDEN = os.path.join(SOURCE_DIR, "tests", "golden", "metrics.prom")

# Families whose values depend on the run, not on the fixture tree: the
# agent's own process (real /proc/self), timings, and the build it came from.
VARYING = re.compile(r"^(?:# (?:HELP|TYPE) )?"
                     r"(?:process_[a-zA-Z0-9_]*|vitals_scrape_collector_duration_seconds|"
                     r"vitals_build_info|vitals_config_last_reload_success_timestamp_seconds)[ {]")


def stable_lines(text):
    return [line for line in text.splitlines() if not VARYING.match(line)]


def captured_system():
    """page_size and ticks_per_second recorded by tests/fixtures/capture.sh."""
    values = {}
    with open(fixture_path("proc.manifest")) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("page_size", "ticks_per_second"):
                values[key] = int(value)
    return values


def main():
    captured = captured_system()
    host = {"page_size": os.sysconf("SC_PAGE_SIZE"), "ticks_per_second": os.sysconf("SC_CLK_TCK")}
    if captured != host:
        skip(f"the fixtures were captured with {captured} but this host has {host}; "
             "vitals interprets fixture values with the host's page size and USER_HZ, "
             "so the golden output does not apply here")

    with tempfile.TemporaryDirectory(prefix="vitals-golden-") as tmp:
        proc = copy_fixture_proc(os.path.join(tmp, "proc"))
        with Vitals("--path.procfs=" + proc) as vitals:
            text = vitals.metrics()
            log = vitals.log_text()
    got = stable_lines(text)
    if not any(line.startswith("node_") for line in got):
        fail("no node_* samples in the output:\n" + text)
    if "level=error" in log or '"level":"error"' in log:
        fail("vitals logged an error on the fixture tree:\n" + log)

    if os.environ.get("VITALS_UPDATE_GOLDEN") == "1":
        with open(GOLDEN, "w") as f:
            f.write("\n".join(got) + "\n")
        print(f"updated {GOLDEN} ({len(got)} lines)")
        return

    try:
        with open(GOLDEN) as f:
            want = f.read().splitlines()
    except FileNotFoundError:
        fail(f"{GOLDEN} is missing; run with VITALS_UPDATE_GOLDEN=1 to create it")
    diff = list(difflib.unified_diff(want, got, "tests/golden/metrics.prom", "vitals /metrics",
                                     lineterm=""))
    if diff:
        print("\n".join(diff))
        fail(f"/metrics on the fixtures differs from the golden file ({len(diff)} diff lines); "
             "if the change is intended, rerun with VITALS_UPDATE_GOLDEN=1 and review the diff")
    print(f"PASS: {len(got)} lines match tests/golden/metrics.prom")


if __name__ == "__main__":
    main()
