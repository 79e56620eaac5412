"""Hostile file types under --path.procfs, --path.sysfs and --path.rootfs: a
FIFO where the kernel has a regular file. A plain open() of a FIFO blocks until a writer appears, which
on /proc never happens: the scrape (or the start-up, for meminfo, which the
health sampler reads before the agent listens) would hang for good, holding
a web worker each time, and SIGTERM could no longer stop the agent.

For each case the real binary runs on a copy of the fixture tree with the
file replaced by a FIFO, and:

  - it starts and logs its listening address within START_BOUND seconds;
  - every endpoint (/metrics, /health, /-/healthy, /-/ready, /) answers
    within ENDPOINT_BOUND seconds, over SCRAPES rounds (each hung scrape
    used to keep one of the 8 workers);
  - the collectors that read the file report vitals_scrape_collector_success
    0, every other one 1, and the log says why (the path and "FIFO");
  - SIGTERM ends it within STOP_BOUND seconds.

One line per case is printed with its figures. The trees are built at run
time; nothing hostile is committed."""
# ctest-labels: sanitize

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from vitals_harness import VITALS_BIN, copy_fixture_proc, fail, fixture_path

START_BOUND = 5.0
ENDPOINT_BOUND = 1.0
STOP_BOUND = 2.0
SCRAPES = 12  # more than the web server's 8 workers
ENDPOINTS = ["/metrics", "/health", "/-/healthy", "/-/ready", "/"]
PID = "11611"  # a fixture process with every per-pid file

# (what, path under the tree made a FIFO, collectors that must report 0)
CASES = [
    ("meminfo is a FIFO", "proc/meminfo", {"meminfo"}),
    # The process groups read btime from stat for the processes' start times.
    ("stat is a FIFO", "proc/stat", {"cpu", "stat", "process"}),
    (f"{PID}/stat is a FIFO", f"proc/{PID}/stat", {"processes"}),
    ("a sysfs clocksource file is a FIFO",
     "sys/devices/system/clocksource/clocksource0/current_clocksource", {"time"}),
    ("os-release under the rootfs is a FIFO", "rootfs/etc/os-release", {"os"}),
]


def build_tree(tmp):
    """A copy of the fixture trees under tmp: tmp/proc, tmp/sys, tmp/rootfs."""
    copy_fixture_proc(os.path.join(tmp, "proc"))
    for tree in ("sys", "rootfs"):
        shutil.copytree(fixture_path(tree), os.path.join(tmp, tree))
    return tmp


def make_fifo(root, rel):
    path = os.path.join(root, rel)
    os.remove(path)
    os.mkfifo(path)


def flags_for(root):
    return [f"--path.procfs={root}/proc", f"--path.sysfs={root}/sys", f"--path.rootfs={root}/rootfs"]


def get(port, path, timeout):
    """(status, body, seconds); status None on a timeout."""
    start = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status, r.read(), time.monotonic() - start
    except urllib.error.HTTPError as e:
        return e.code, e.read(), time.monotonic() - start
    except (socket.timeout, TimeoutError, urllib.error.URLError) as e:
        if isinstance(e, urllib.error.URLError) and not isinstance(e.reason, (socket.timeout,
                                                                               TimeoutError)):
            raise
        return None, b"", time.monotonic() - start


def success_by_collector(text):
    out = {}
    for line in text.splitlines():
        if line.startswith('vitals_scrape_collector_success{collector="'):
            name = line.split('"')[1]
            out[name] = float(line.rsplit(" ", 1)[1])
    return out


def run_case(what, rel, failing, tmp):
    root = build_tree(tmp)
    make_fifo(root, rel)
    log_path = os.path.join(tmp, "vitals.log")
    with open(log_path, "w") as log:
        start = time.monotonic()
        proc = subprocess.Popen([VITALS_BIN, "--web.listen-address=127.0.0.1:0",
                                 "--log.format=logfmt"] + flags_for(root),
                                stdout=log, stderr=log)
    try:
        port = None
        while time.monotonic() - start < START_BOUND and port is None:
            with open(log_path) as f:
                for line in f:
                    if 'msg=listening' in line:
                        port = int(line.split("address=")[1].split()[0].strip('"').rsplit(":", 1)[1])
            if proc.poll() is not None:
                fail(f"{what}: the agent exited with {proc.returncode}:\n{open(log_path).read()}")
            time.sleep(0.02)
        started = time.monotonic() - start
        if port is None:
            fail(f"{what}: not listening after {START_BOUND:g} s (start-up blocked):\n"
                 f"{open(log_path).read()}")
        slowest = 0.0
        text = ""
        for _ in range(SCRAPES):
            for path in ENDPOINTS:
                status, body, took = get(port, path, ENDPOINT_BOUND)
                slowest = max(slowest, took)
                if status is None:
                    fail(f"{what}: {path} did not answer within {ENDPOINT_BOUND:g} s")
                if path == "/metrics":
                    if status != 200:
                        fail(f"{what}: /metrics answered {status}")
                    text = body.decode()
        success = success_by_collector(text)
        for name, value in sorted(success.items()):
            want = 0 if name in failing else 1
            if value != want:
                fail(f"{what}: vitals_scrape_collector_success{{collector=\"{name}\"}} is "
                     f"{value:g}, want {want}\n{open(log_path).read()}")
        missing = failing - set(success)
        if missing:
            fail(f"{what}: no success series for {sorted(missing)}")
        log_text = open(log_path).read()
        reason = [l for l in log_text.splitlines()
                  if "level=error" in l and "FIFO" in l and os.path.basename(rel) in l]
        if not reason:
            fail(f"{what}: no error line naming the file and saying it is a FIFO:\n{log_text}")
        stop = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(STOP_BOUND)
        except subprocess.TimeoutExpired:
            fail(f"{what}: still running {STOP_BOUND:g} s after SIGTERM")
        stopped = time.monotonic() - stop
        if code != 0:
            fail(f"{what}: exit status {code} after SIGTERM")
        print(f"ok: {what}: listening after {started * 1000:.0f} ms; {SCRAPES} rounds of "
              f"{len(ENDPOINTS)} endpoints, slowest {slowest * 1000:.0f} ms; success 0 for "
              f"{sorted(failing)}; exit 0 {stopped * 1000:.0f} ms after SIGTERM; log: "
              f"{reason[0].split('err=', 1)[-1][:120]}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main():
    for i, (what, rel, failing) in enumerate(CASES):
        with tempfile.TemporaryDirectory(prefix=f"vitals-fs{i}-") as tmp:
            run_case(what, rel, failing, tmp)
    print("PASS")


if __name__ == "__main__":
    main()
