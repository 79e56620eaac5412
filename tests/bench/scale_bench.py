#!/usr/bin/env python3
"""Scale benchmark: vitals beside node_exporter as interfaces, mounts and disks grow.

Not a test (CTest does not run it): it prints figures for a person to read.
Run it as root on a release build (it builds nothing):

    cmake --preset release && cmake --build --preset release
    sudo python3 tests/bench/scale_bench.py            # --markdown for the README's table

It re-runs itself under `unshare --net --mount --pid --mount-proc` (a new
/proc, where it is PID 1, as the filesystem collectors read /proc/1/mounts), so
that everything it adds is private and goes away with it:

  interfaces  veth pairs in the new network namespace, all up; /sys is a new
              sysfs mount there, so /sys/class/net and /proc/net/dev list only
              them and lo. "500 interfaces" are 250 pairs.
  mounts      tmpfs mounts under one temporary directory, in the new mount
              namespace (every exporter there sees them in /proc/self/mountinfo).
  disks       loop devices on sparse files (losetup -f), as many as the host
              allows up to --max-loops; they are global, so they are detached
              at the end whatever happens. Both exporters' diskstats exclude
              loop devices by default: they cost a line of /proc/diskstats each.

At each size both exporters run with the same collectors (every collector
vitals enables by default, from its --help, minus processes unless
--processes; as tests/bench/host_bench.py) and are scraped alternately N times
each. Per row: CPU per scrape of each (utime+stime over the run / N), their
ratio, the samples each exported (so a row shows whether a collector saw the
items: collectors that do not exist yet export nothing more), and vitals'
growth per item over the size-0 row, in microseconds of CPU per scrape.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import host_bench  # noqa: E402

INNER_ENV = "VITALS_SCALE_BENCH_INNER"


def sample_count(exporter):
    """Samples in one uncompressed scrape (lines that are not comments)."""
    return sum(1 for line in host_bench.metrics_text(exporter).splitlines()
               if line and not line.startswith("#"))


def sh(*argv, **kwargs):
    return subprocess.run(list(argv), check=True, capture_output=True, text=True, **kwargs)


class World:
    """The interfaces, mounts and loop devices of this namespace, grown on demand."""

    def __init__(self, workdir, max_loops):
        self.workdir = workdir
        self.max_loops = max_loops
        self.pairs = 0
        self.mounts = 0
        self.loops = []
        self.mount_base = os.path.join(workdir, "mounts")
        os.mkdir(self.mount_base)

    def set_interfaces(self, count):
        """Grows (never shrinks) to `count` interfaces besides lo: count/2 veth pairs."""
        want = count // 2
        if want <= self.pairs:
            return
        commands = []
        for i in range(self.pairs, want):
            commands.append(f"link add sbva{i} type veth peer name sbvb{i}")
            commands.append(f"link set sbva{i} up")
            commands.append(f"link set sbvb{i} up")
        sh("ip", "-batch", "-", input="\n".join(commands) + "\n")
        self.pairs = want

    def remove_interfaces(self):
        if self.pairs:
            sh("ip", "-batch", "-",
               input="".join(f"link del sbva{i}\n" for i in range(self.pairs)))
            self.pairs = 0

    def set_mounts(self, count):
        for i in range(self.mounts, count):
            path = os.path.join(self.mount_base, f"m{i:03d}")
            os.mkdir(path)
            sh("mount", "-t", "tmpfs", "-o", "size=1m", f"scalebench{i}", path)
        self.mounts = max(self.mounts, count)

    def remove_mounts(self):
        for i in reversed(range(self.mounts)):
            sh("umount", os.path.join(self.mount_base, f"m{i:03d}"))
        self.mounts = 0

    def set_loops(self, count):
        """Attaches loop devices up to `count`; returns how many are attached."""
        while len(self.loops) < min(count, self.max_loops):
            image = os.path.join(self.workdir, f"loop{len(self.loops)}.img")
            with open(image, "wb") as f:
                f.truncate(1 << 20)
            result = subprocess.run(["losetup", "-f", "--show", image], capture_output=True,
                                    text=True)
            if result.returncode != 0:
                print(f"losetup: {result.stderr.strip()} (stopping at {len(self.loops)})",
                      file=sys.stderr)
                self.max_loops = len(self.loops)
                break
            self.loops.append(result.stdout.strip())
        return len(self.loops)

    def remove_loops(self):
        for device in self.loops:
            subprocess.run(["losetup", "-d", device], check=False)
        self.loops = []


def measure(args, collectors):
    return host_bench.run(args.vitals, args.node_exporter, collectors, args.scrapes,
                          args.warmup, [], args.flag)


def row_samples(args, collectors):
    """Samples of each exporter at the current size (a short separate run)."""
    counts = {}
    for label, argv in (("node_exporter", [args.node_exporter]), ("vitals", [args.vitals])):
        flags = (["--collector.disable-defaults"] + [f"--collector.{c}" for c in collectors]
                 + args.flag)
        exporter = host_bench.Exporter(
            label, lambda port, argv=argv, flags=flags:
            argv + [f"--web.listen-address=127.0.0.1:{port}"] + flags)
        if label == "vitals":
            flags.append("--log.level=warn")
        with exporter as e:
            counts[label] = sample_count(e)
    return counts


def inner(args):
    sh("ip", "link", "set", "lo", "up")
    sh("mount", "--make-rprivate", "/")
    sh("mount", "-t", "sysfs", "sysfs", "/sys")  # this network namespace's view of /sys/class/net
    collectors = host_bench.default_collectors(args.vitals)
    if not args.processes:
        collectors = [c for c in collectors if c != "processes"]
    print(host_bench.machine_line())
    print(f"collectors: {','.join(collectors)}; {args.scrapes} scrapes each per row, alternating")
    sizes = {
        "interfaces": [int(x) for x in args.interfaces.split(",")],
        "mounts": [int(x) for x in args.mounts.split(",")],
        "loop devices": [int(x) for x in args.loops.split(",")],
    }
    rows = []
    workdir = tempfile.mkdtemp(prefix="vitals-scale-")
    world = World(workdir, args.max_loops)
    try:
        base = measure(args, collectors)
        base_samples = row_samples(args, collectors)
        print(f"vitals ran: {','.join(base['vitals_collectors'])}")
        rows.append(("none", 0, base, base_samples))
        for dimension, counts in sizes.items():
            for count in counts:
                if dimension == "interfaces":
                    world.set_interfaces(count)
                elif dimension == "mounts":
                    world.set_mounts(count)
                else:
                    count = world.set_loops(count)
                result = measure(args, collectors)
                rows.append((dimension, count, result, row_samples(args, collectors)))
            world.remove_interfaces()
            world.remove_mounts()
            world.remove_loops()
    finally:
        world.remove_loops()
        world.remove_mounts()
        shutil.rmtree(workdir, ignore_errors=True)
    print_rows(rows, args.markdown)
    return 0


def print_rows(rows, markdown):
    base_cpu = rows[0][2]["cpu"]["vitals"]
    header = ("items", "count", "ne CPU ms", "vitals CPU ms", "vitals/ne", "ne samples",
              "vitals samples", "vitals us/item", "vitals RSS MB")
    lines = []
    for dimension, count, result, samples in rows:
        ne, vi = result["cpu"]["node_exporter"], result["cpu"]["vitals"]
        growth = f"{(vi - base_cpu) * 1000 / count:.2f}" if count else "-"
        lines.append((dimension, str(count), f"{ne:.3f}", f"{vi:.3f}",
                      f"{vi / ne:.2f}" if ne else "n/a", str(samples["node_exporter"]),
                      str(samples["vitals"]), growth, f"{result['rss']['vitals']:.1f}"))
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in lines:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
    for line in lines:
        print("  ".join(v.rjust(w) for v, w in zip(line, widths)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vitals", default=host_bench.DEFAULT_VITALS,
                        help="vitals binary (default %(default)s)")
    parser.add_argument("--node-exporter", default=shutil.which("prometheus-node-exporter")
                        or shutil.which("node_exporter"), help="node_exporter binary")
    parser.add_argument("-n", "--scrapes", type=int, default=300, help="measured scrapes per row")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured scrapes per row first")
    parser.add_argument("--interfaces", default="100,500", metavar="N,N",
                        help="interface counts to measure (default %(default)s)")
    parser.add_argument("--mounts", default="50,200", metavar="N,N",
                        help="tmpfs mount counts to measure (default %(default)s)")
    parser.add_argument("--loops", default="16,64", metavar="N,N",
                        help="loop device counts to measure (default %(default)s)")
    parser.add_argument("--max-loops", type=int, default=64,
                        help="never attach more loop devices than this (default %(default)s)")
    parser.add_argument("--processes", action="store_true",
                        help="keep the processes collector (it dominates and does not scale here)")
    parser.add_argument("--flag", action="append", default=[], metavar="FLAG",
                        help="extra flag for both exporters")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    host_bench.check_binaries(parser, args)
    if os.environ.get(INNER_ENV) == "1":
        return inner(args)
    if os.geteuid() != 0:
        parser.error("needs root: it creates network and mount namespaces and loop devices")
    args.vitals = os.path.abspath(args.vitals)
    env = dict(os.environ, **{INNER_ENV: "1"})
    # A PID namespace too, with its own /proc: the filesystem collectors read
    # /proc/1/mounts (as node_exporter does), and PID 1 must be in the mount
    # namespace that holds the tmpfs mounts. It is this script's inner run.
    argv = ["unshare", "--net", "--mount", "--propagation", "private", "--pid", "--fork",
            "--mount-proc", sys.executable,
            os.path.abspath(__file__)] + sys.argv[1:]
    if "--vitals" not in " ".join(sys.argv[1:]):
        argv += ["--vitals", args.vitals]
    return subprocess.run(argv, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
