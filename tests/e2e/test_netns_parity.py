"""The network collectors against the real node_exporter (Debian's 1.5.0) in
a network namespace this test sets up, for what a host seldom has and
e2e.node_exporter_parity's live runs cannot see: devices with odd names
(UTF-8, '#', '@', U+0085, which Go's strings.Fields takes for a space),
traffic flowing while both scrape, an interface alias to trim, a device
without carrier and one that is down (the driver refuses some reads),
answered, permanent and incomplete ARP entries; and every flag variant of
netdev, netclass and arp: rtnetlink and /proc/net/dev, detailed metrics,
address-info, device include/exclude.

Both exporters run inside the namespace (ip netns exec remounts /sys for
it, and rtnetlink and /proc/net answer for it); the comparison is
e2e.node_exporter_parity's. Flags node_exporter refuses must be refused by
vitals too. Needs root (namespaces); skipped otherwise."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_node_exporter_parity as parity  # noqa: E402
from vitals_harness import VITALS_BIN, fail, skip, which  # noqa: E402

ODD = "veth-\u00f6dd"
WEIRD = "we#ird@1"
NEL = "nel\u0085x"
DOWN = "x.y_z-0"

# (collector, extra flags, live tolerances): each compared once.
VARIANTS = [
    ("netdev", [], {}),
    ("netdev", ["--no-collector.netdev.netlink"], {}),
    ("netdev", ["--collector.netdev.enable-detailed-metrics"], {}),
    ("netdev", ["--collector.netdev.enable-detailed-metrics", "--no-collector.netdev.netlink"], {}),
    ("netdev", ["--collector.netdev.address-info", "--collector.netdev.device-exclude="], {}),
    ("netdev", ["--collector.netdev.device-exclude=", "--collector.netdev.device-include=^(lo|veth)"], {}),
    ("netdev", ["--collector.netdev.device-exclude=\u00f6|#"], {}),
    ("netclass", [], {}),
    ("netclass", ["--collector.netclass.ignore-invalid-speed",
                  "--collector.netclass.ignored-devices=^(lo|we)"], {}),
    ("arp", [], {"absent_is_zero": ["node_arp_entries"]}),
    ("arp", ["--collector.arp.device-exclude=dd$"], {"absent_is_zero": ["node_arp_entries"]}),
    ("conntrack", [], {"tolerance": {"node_nf_conntrack_entries": {"abs": 8}}}),
]

# Flags node_exporter refuses at start; vitals must refuse them too.
REFUSED = [
    ["--collector.netdev.device-include=^veth"],  # with the default exclude ^lo$
    ["--collector.ipvs.backend-labels=proto,zone"],
]


def ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True)


def setup(ns, peer):
    ip("netns", "add", ns)
    ip("netns", "add", peer)
    for where in (ns, peer):
        ip("-n", where, "link", "set", "lo", "up")
    for i, dev in enumerate((ODD, WEIRD, NEL, DOWN)):
        ip("link", "add", dev, "netns", ns, "type", "veth", "peer", "name", f"p{i}", "netns", peer)
        ip("-n", ns, "addr", "add", f"10.9.{i}.1/24", "dev", dev)
        ip("-n", ns, "addr", "add", f"fd00:9:{i}::1/64", "dev", dev, "nodad")
        ip("-n", peer, "addr", "add", f"10.9.{i}.2/24", "dev", f"p{i}")
    for dev in ("p0", "p1"):
        ip("-n", peer, "link", "set", dev, "up")
    ip("-n", ns, "link", "set", ODD, "up")
    ip("-n", ns, "link", "set", WEIRD, "up", "mtu", "9000")
    ip("-n", ns, "link", "set", WEIRD, "alias", "Z\u00fcrich uplink  ")
    ip("-n", ns, "link", "set", NEL, "up")  # its peer stays down: no carrier
    ip("-n", ns, "neigh", "add", "10.9.1.77", "lladdr", "02:00:00:00:01:77", "dev", WEIRD, "nud", "permanent")


def inside():
    """Runs in the namespace: traffic, then the comparisons."""
    binary = which("prometheus-node-exporter", "node_exporter")
    # Datagrams to the peers and to no one (an incomplete neighbour) all along.
    traffic = subprocess.Popen([sys.executable, "-c", """
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    for host in ("10.9.0.2", "10.9.1.2", "10.9.0.99", "10.9.2.2"):
        try:
            s.sendto(b"x" * 512, (host, 9))
        except OSError:
            pass
    time.sleep(0.01)
"""])
    try:
        time.sleep(0.5)  # the neighbours are resolved (or not) by now
        rows, failures = [], []
        for name, flags, live in VARIANTS:
            declared = {"modes": ["live"], "flags": flags, "live": live}
            result, families, count, details, _ = parity.run(binary, name, "live", declared, None)
            rows.append((name, " ".join(flags), families, count, result))
            if result == "FAIL":
                failures.append(f"{name} {' '.join(flags)}:\n    " + "\n    ".join(details))
        for flags in REFUSED:
            args = ["--collector.disable-defaults", "--collector.netdev", "--collector.ipvs", *flags,
                    "--web.listen-address=127.0.0.1:0"]
            ne = subprocess.run([binary, *args], capture_output=True, text=True, timeout=30)
            vi = subprocess.run([VITALS_BIN, *args], capture_output=True, text=True, timeout=30)
            outcome = (f"node_exporter exit {ne.returncode}, vitals exit {vi.returncode}: "
                       f"{(vi.stderr.strip().splitlines() or [''])[-1][:160]}")
            rows.append(("refused", " ".join(flags), 0, 0, outcome))
            if ne.returncode == 0 or vi.returncode == 0:
                failures.append(f"{' '.join(flags)}: {outcome}")
    finally:
        traffic.kill()
        traffic.wait()
    print(f"| {'collector':<9} | {'flags':<72} | families | series | result")
    print(f"|{'-' * 11}|{'-' * 74}|---------:|-------:|--------")
    for name, flags, families, count, result in rows:
        print(f"| {name:<9} | {flags:<72} | {families:>8} | {count:>6} | {result}")
    if failures:
        fail("differences from node_exporter:\n  " + "\n  ".join(failures))
    print("PASS")
    return 0


def main():
    if which("prometheus-node-exporter", "node_exporter") is None:
        skip("node_exporter not installed (Debian package prometheus-node-exporter)")
    if os.geteuid() != 0 or which("ip") is None:
        skip("network namespaces need root and iproute2")
    ns, peer = f"vitals-e2e-{os.getpid()}", f"vitals-e2e-peer-{os.getpid()}"
    try:
        try:
            setup(ns, peer)
        except subprocess.CalledProcessError as e:
            skip(f"cannot set up a network namespace with veth pairs here: {e.stderr.decode().strip()}")
        return subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                               "--inside"]).returncode
    finally:
        for name in (ns, peer):
            subprocess.run(["ip", "netns", "del", name], capture_output=True)


if __name__ == "__main__":
    try:
        sys.exit(inside() if sys.argv[1:] == ["--inside"] else main())
    except RuntimeError as e:
        fail(str(e))
