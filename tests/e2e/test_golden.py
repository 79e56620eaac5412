"""Golden /metrics: the built binary on the fixture trees (tests/fixtures/proc,
sys and rootfs), with every registered host collector and every optional
family on, must print exactly tests/golden/metrics.prom, apart from the
families that legitimately vary run to run (support/golden.py); and every
collector must succeed there (the trees have data for each).

VITALS_UPDATE_GOLDEN=1 rewrites the golden file on purpose (review its diff)."""
# ctest-labels: sanitize

from golden import compare_with_golden, run_on_fixture
from vitals_harness import fail, fixture_path, registered_collectors

# The optional families of the collectors that have them, the textfile
# directory of good files (the others are for e2e.node_exporter_parity), and
# udev's records (not this host's /run/udev/data).
OPTIONAL = ["--collector.cpu.info", "--collector.cpu.info.flags-include=^(sse4_2|avx2)$",
            "--collector.cpu.info.bugs-include=^spectre", "--collector.stat.softirq",
            "--collector.bcache.priorityStats",
            "--collector.textfile.directory=" + fixture_path("textfile", "clean"),
            "--path.udev.data=" + fixture_path("udev", "data")]
# netdev reads the fixture's /proc/net/dev, not this machine's rtnetlink.
TREE_ONLY = ["--no-collector.netdev.netlink"]


def main():
    names = registered_collectors()
    text, got = run_on_fixture("proc", *[f"--collector.{n}" for n in names], *OPTIONAL,
                                *TREE_ONLY)
    if not any(line.startswith("node_") for line in got):
        fail("no node_* samples in the output:\n" + text)
    for name in names:
        if f'vitals_scrape_collector_success{{collector="{name}"}} 1' not in got:
            fail(f"collector {name} does not succeed on the fixture trees:\n" +
                 "\n".join(l for l in got if l.startswith("vitals_scrape_collector_success")))
    # Textfile HELP names files by path: the checkout's, written as the repo's.
    compare_with_golden("metrics.prom", [line.replace(fixture_path(), "tests/fixtures") for line in got])


if __name__ == "__main__":
    main()
