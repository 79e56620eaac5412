"""`promtool check metrics` (Debian's prometheus package) on the live /metrics
(real /proc, every collector) and on the fixture run. The only notes allowed
are promtool's camelCase notes on node_* names (node_memory_MemTotal_bytes,
node_netstat_TcpExt_...), which node_exporter prints the same way and
compatibility keeps; any other line fails the test."""
# ctest-labels: sanitize

import os
import tempfile

from golden import promtool_check, promtool_clean as check
from vitals_harness import Vitals, copy_fixture_proc, fail, skip, which


def main():
    promtool = which("promtool")
    if promtool is None:
        skip("promtool not found (Debian package: prometheus)")

    # The filter must not hide real findings: promtool has to object to a
    # counter without _total and a gauge with it.
    code, lines = promtool_check(promtool, "# HELP bad_counter x\n# TYPE bad_counter counter\n"
                                           "bad_counter 1\n")
    if code != 3 or not any(l.startswith("bad_counter ") for l in lines):
        fail(f"promtool did not flag a counter without _total (exit {code}): {lines}")

    with Vitals() as vitals:
        live = vitals.metrics()
    if "node_cpu_seconds_total" not in live or "node_processes_pids" not in live:
        fail("the live output lacks host families:\n" + live[:2000])
    check(promtool, "live", live)

    with tempfile.TemporaryDirectory(prefix="vitals-promtool-") as tmp:
        proc = copy_fixture_proc(os.path.join(tmp, "proc"))
        with Vitals("--path.procfs=" + proc) as vitals:
            fixture = vitals.metrics()
    check(promtool, "fixture", fixture)
    print("PASS")


if __name__ == "__main__":
    main()
