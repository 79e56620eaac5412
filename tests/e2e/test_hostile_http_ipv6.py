"""IPv6: --web.listen-address=[::1]:port serves on ::1, and :port (as 0.0.0.0
and [::] do) serves IPv4 and IPv6 on one dual-stack socket. For each form
the addresses it answers on (127.0.0.1, ::1) are compared with the real
node_exporter's (Debian's prometheus-node-exporter) given the same flag.
Skipped where this machine has no IPv6 loopback."""
# ctest-labels: sanitize

import socket
import subprocess
import time
import urllib.request

from vitals_harness import Vitals, fail, free_port, skip, which

NODE_EXPORTER = which("prometheus-node-exporter", "node_exporter")
FORMS = [":{port}", "0.0.0.0:{port}", "[::]:{port}", "[::1]:{port}", "127.0.0.1:{port}"]


def answers(port):
    """The loopback addresses on which a GET /metrics gets 200."""
    out = []
    for host in ("127.0.0.1", "::1"):
        url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/metrics"
        try:
            with urllib.request.urlopen(url, timeout=3) as r:
                if r.status == 200:
                    out.append(host)
        except OSError:
            pass
    return out


def wait_listening(port, proc, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        for family, host in ((socket.AF_INET6, "::1"), (socket.AF_INET, "127.0.0.1")):
            try:
                with socket.socket(family) as s:
                    s.settimeout(0.2)
                    s.connect((host, port))
                    return
            except OSError:
                pass
        time.sleep(0.05)


def node_exporter_answers(address, port):
    proc = subprocess.Popen([NODE_EXPORTER, "--web.listen-address=" + address,
                             "--collector.disable-defaults", "--collector.loadavg"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, proc)
        return answers(port)
    finally:
        proc.terminate()
        proc.wait(10)


def main():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError as e:
        skip(f"no IPv6 loopback here: {e}")
    if not NODE_EXPORTER:
        skip("needs node_exporter (Debian package prometheus-node-exporter) to compare with")
    mismatches = []
    for form in FORMS:
        port = free_port()
        address = form.format(port=port)
        # The harness passes 127.0.0.1:0 first; this later flag wins.
        try:
            with Vitals(f"--web.listen-address={address}") as v:
                ours = answers(v.port)
        except RuntimeError as e:  # did not start
            ours = [str(e).strip().splitlines()[-1][-100:]]
        theirs = node_exporter_answers(address, port)
        ok = ours == theirs and ours
        print(f"{'ok:  ' if ok else 'FAIL:'} {address:<22} vitals answers on {ours}, "
              f"node_exporter on {theirs}")
        if not ok:
            mismatches.append(address)
    if mismatches:
        fail(f"listen addresses that differ from node_exporter: {mismatches}")
    print("PASS")


if __name__ == "__main__":
    main()
