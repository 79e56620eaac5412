"""icmp probe, in a private network namespace the test makes (unshare -n, as
root): 127.0.0.1 and ::1 answer; behind a TUN device a small peer written
here answers 192.0.2.2 only every other echo request (loss -> Degraded) and
never answers 192.0.2.3 (no reply -> Unhealthy at the timeout). The socket
is a raw one (root, CAP_NET_RAW) while net.ipv4.ping_group_range excludes
every group, as it does by default; an unprivileged ICMP socket once the
range includes the agent's group; and with neither (the agent as nobody,
without capabilities, the range excluding it) the probe says why. The
addresses exist only inside the namespace: no packet leaves it."""
# ctest-labels: sanitize

import fcntl
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time

import probe_peers as pp
import vitals_harness as vh

LOSSY, DEAD = "192.0.2.2", "192.0.2.3"  # TEST-NET-1, routed to the TUN peer


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class TunPeer:
    """Reads IPv4 packets from a TUN device and answers echo requests to
    LOSSY with an even sequence number; everything else is dropped."""

    def __init__(self):
        self.fd = os.open("/dev/net/tun", os.O_RDWR)
        ifr = struct.pack("16sH", b"vt0", 0x0001 | 0x1000)  # IFF_TUN | IFF_NO_PI
        fcntl.ioctl(self.fd, 0x400454CA, ifr)  # TUNSETIFF
        for cmd in (["ip", "addr", "add", "192.0.2.1/24", "dev", "vt0"],
                    ["ip", "link", "set", "vt0", "up"]):
            subprocess.run(cmd, check=True)
        self.answered = 0
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            packet = os.read(self.fd, 2048)
            if len(packet) < 28 or packet[0] >> 4 != 4 or packet[9] != 1:
                continue
            ihl = (packet[0] & 0x0F) * 4
            src, dst = packet[12:16], packet[16:20]
            icmp = packet[ihl:]
            seq = struct.unpack("!H", icmp[6:8])[0]
            if icmp[0] != 8 or dst != bytes([192, 0, 2, 2]) or seq % 2:
                continue
            reply = bytearray(icmp)
            reply[0] = 0
            reply[2:4] = b"\0\0"
            reply[2:4] = struct.pack("!H", checksum(bytes(reply)))
            header = bytearray(packet[:ihl])
            header[12:16], header[16:20] = dst, src
            header[10:12] = b"\0\0"
            header[10:12] = struct.pack("!H", checksum(bytes(header)))
            os.write(self.fd, bytes(header) + bytes(reply))
            self.answered += 1


def check(tmp, name, **keys):
    return pp.probe(name, "icmp", interval="2s", timeout="1s", failures_before_unhealthy=1,
                    successes_before_healthy=1, **keys)


def first_results(v, names):
    return pp.wait_for(v, lambda e: all(e[n]["description"] != "pending: no result yet"
                                        for n in names), 15, "icmp checks' first results")


def inside():
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    tun = TunPeer()
    tmp = tempfile.mkdtemp(prefix="vitals-icmp-")
    os.chmod(tmp, 0o755)  # the agent as nobody reads its config here
    problems = []
    try:
        sysctl = "/proc/sys/net/ipv4/ping_group_range"
        with open(sysctl, "w") as f:
            f.write("1 0")  # nobody may open an unprivileged ICMP socket
        config = pp.write_config(tmp, [
            check(tmp, "lo", host="127.0.0.1", count=3, packet_interval="50ms"),
            check(tmp, "lo6", host="::1", count=2, packet_interval="50ms"),
            check(tmp, "lossy", host=LOSSY, count=4, packet_interval="100ms"),
            check(tmp, "dead", host=DEAD, count=2, packet_interval="100ms"),
        ])
        with vh.Vitals(f"--config.file={config}") as v:
            e = first_results(v, ("lo", "lo6", "lossy", "dead"))
            for name in ("lo", "lo6", "lossy", "dead"):
                print(f"raw socket, {name}:", json.dumps(e[name]))
            want = {"lo": ("Healthy", "icmp 127.0.0.1: 3 of 3 answered; rtt mean "),
                    "lo6": ("Healthy", "icmp ::1: 2 of 2 answered; rtt mean "),
                    "lossy": ("Degraded", f"icmp {LOSSY}: 2 of 4 echo requests lost; rtt mean "),
                    "dead": ("Unhealthy", f"icmp {DEAD}: no reply to 2 echo requests within the "
                                          "1s timeout")}
            for name, (status, prefix) in want.items():
                got = e[name]
                if got["status"] != status or not got["description"].startswith(prefix) or \
                        got["data"].get("socket") != "raw":
                    problems.append(f"{name}: {got}, want {status} {prefix!r}... on a raw socket")
            took = float(e["dead"]["duration"].rstrip("s"))
            if not 0.9 <= took <= 1.1:
                problems.append(f"dead: given up after {took}s, want 1s +- 10 %")
            series = pp.probe_series(v)
            print("series:", json.dumps(series))
            if series["vitals_probe_icmp_packet_loss_ratio"].get("lossy") != 0.5 or \
                    not 0 < series["vitals_probe_icmp_rtt_seconds"].get("lo", 0) < 0.1:
                problems.append(f"icmp series: {series}")

        with open(sysctl, "w") as f:
            f.write("0 2147483647")  # every group: the unprivileged socket
        config = pp.write_config(tmp, [check(tmp, "lo", host="127.0.0.1", count=2,
                                             packet_interval="50ms")])
        with vh.Vitals(f"--config.file={config}") as v:
            got = first_results(v, ("lo",))["lo"]
            print("unprivileged socket, lo:", json.dumps(got))
            if got["status"] != "Healthy" or got["data"].get("socket") != "unprivileged":
                problems.append(f"unprivileged: {got}")

        with open(sysctl, "w") as f:
            f.write("1 0")
        setpriv = shutil.which("setpriv")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                  "--inh-caps=-all", "--bounding-set=-all"]
        with vh.Vitals(f"--config.file={config}", prefix=prefix) as v:
            got = first_results(v, ("lo",))["lo"]
            print("neither (nobody, no CAP_NET_RAW):", json.dumps(got))
            if got["status"] != "Unhealthy" or not got["description"].startswith(
                    "icmp 127.0.0.1: cannot open an ICMP socket: an unprivileged one was refused (") \
                    or "ping_group_range is \"1 0\", the agent's group 65534" not in \
                    got["description"] or "it needs CAP_NET_RAW" not in got["description"]:
                problems.append(f"neither: {got}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    pp.fail_on("icmp", problems)
    print(f"ok (the TUN peer answered {tun.answered} echo requests)")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--inside":
        inside()
        return
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip") or \
            not shutil.which("setpriv") or not os.path.exists("/dev/net/tun"):
        vh.skip("needs root, unshare, ip (iproute2), setpriv and /dev/net/tun: a private network "
                "namespace with a TUN peer")
    r = subprocess.run(["unshare", "-n", sys.executable, os.path.abspath(__file__), "--inside"],
                       timeout=300)
    sys.exit(r.returncode)


if __name__ == "__main__":
    main()
