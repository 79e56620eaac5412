"""`promtool check metrics` (Debian's prometheus package) on the live /metrics
(real /proc, every collector) and on the fixture run. The only notes allowed
are promtool's camelCase notes on node_memory_* names, which node_exporter
prints the same way and compatibility keeps; any other line fails the test."""

import os
import re
import subprocess
import tempfile

from vitals_harness import Vitals, copy_fixture_proc, fail, skip, which

# Exactly the note promtool 2.x prints for a camelCase name, and only for the
# meminfo family names (node_memory_MemTotal_bytes, node_memory_HugePages_Free).
ALLOWED = re.compile(r"^(node_memory_[A-Za-z0-9_]+) metric names should be written in "
                     r"'snake_case' not 'camelCase'$")


def promtool_check(promtool, text):
    """Returns (exit code, output lines) of `promtool check metrics` on `text`."""
    r = subprocess.run([promtool, "check", "metrics"], input=text.encode(),
                       capture_output=True, timeout=60)
    out = (r.stdout + r.stderr).decode(errors="replace")
    return r.returncode, [line for line in out.splitlines() if line.strip()]


def check(promtool, what, text):
    families = {line.split(" ")[2] for line in text.splitlines() if line.startswith("# TYPE ")}
    code, lines = promtool_check(promtool, text)
    filtered, other = [], []
    for line in lines:
        m = ALLOWED.match(line)
        # A note about a name vitals did not print would mean promtool read
        # something else than we think: count it as unexpected.
        (filtered if m and m.group(1) in families else other).append(line)
    # Exit 3 is promtool's "lint problems found"; 1 would be a parse error.
    if other or code not in (0, 3) or (code == 3 and not filtered):
        fail(f"promtool on the {what} output (exit {code}) said:\n" + "\n".join(other or lines))
    print(f"{what}: {len(families)} families, promtool exit {code}, "
          f"{len(filtered)} camelCase notes on node_memory_* filtered:")
    for line in filtered:
        print("  filtered: " + line)


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
