"""Golden /metrics: the built binary on the captured fixture tree
(tests/fixtures/proc) must print exactly tests/golden/metrics.prom, apart from
the families that legitimately vary run to run (support/golden.py).

VITALS_UPDATE_GOLDEN=1 rewrites the golden file on purpose (review its diff)."""

from golden import compare_with_golden, run_on_fixture, skip_unless_captured_here
from vitals_harness import fail


def main():
    skip_unless_captured_here("proc")
    text, got = run_on_fixture("proc")
    if not any(line.startswith("node_") for line in got):
        fail("no node_* samples in the output:\n" + text)
    compare_with_golden("metrics.prom", got)


if __name__ == "__main__":
    main()
