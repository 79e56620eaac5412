"""Soak under churn: the agent runs on the real /proc with process groups and
health checks configured while a driver starts and kills short-lived children
in a loop (each renames itself and its threads, opens and closes fds; some
exit, some are SIGKILLed, some become zombies for a moment). Meanwhile one
client scrapes /metrics and another hits /health, back to back, for
VITALS_SOAK_SECONDS (default 60) or VITALS_SOAK_SCRAPES scrapes (default
20000), whichever comes first.

Limits, from the first window (the first fifth of the scrapes, after a
warm-up) to the last window (the last fifth):
  - RSS grows by at most 2 MiB (not checked under a sanitizer, whose
    allocator quarantines freed memory on purpose);
  - the agent's fd count and thread count do not grow: the minimum of the
    last window (what stays open between requests and check runs) is at most
    the first's (+1 fd), and the peak at most the first's peak + 4;
  - scrape latency: median of the last window <= 2 x the first's + 20 ms,
    and no scrape over 5 s;
  - the number of series does not grow beyond the first window's (+10%):
    exited processes do not leave series behind;
  - every response is complete: /metrics parses, /health is JSON.
The figures are printed: scrapes, duration, RSS, fds, threads, latency."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from vitals_harness import VITALS_BIN, Vitals, fail, parse_exposition, sanitized

SECONDS = float(os.environ.get("VITALS_SOAK_SECONDS", "60"))
MAX_SCRAPES = int(os.environ.get("VITALS_SOAK_SCRAPES", "20000"))
WARMUP = 3.0

# The churn driver: single-threaded, forks children. Each child renames
# itself (one of 4 names, so the templated groups stay bounded), starts two
# threads that rename themselves, opens 5-40 fds, lives 0-300 ms and exits;
# about one in three is SIGKILLed instead, and exited children are reaped late so
# zombies are seen too. At most 24 children at a time.
DRIVER = r'''
import ctypes, os, random, signal, sys, threading, time
libc = ctypes.CDLL(None, use_errno=True)
def name(n):
    libc.prctl(15, ctypes.c_char_p(n.encode()), 0, 0, 0)
random.seed(1)
kids = {}
started = killed = 0
stop_at = time.monotonic() + float(sys.argv[1])
while time.monotonic() < stop_at:
    while len(kids) < 24:
        pid = os.fork()
        if pid == 0:
            try:
                name("vtsoak-%d" % random.randrange(4))
                def worker(i):
                    name("vtthr-%d" % i)
                    time.sleep(random.random() * 0.3)
                for i in range(2):
                    threading.Thread(target=worker, args=(i,), daemon=True).start()
                fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(random.randrange(5, 40))]
                time.sleep(random.random() * 0.15)
                for fd in fds[: len(fds) // 2]:
                    os.close(fd)
                time.sleep(random.random() * 0.15)
            finally:
                os._exit(0)
        kids[pid] = (time.monotonic(), random.random() < 1 / 3)
        started += 1
    time.sleep(0.02)
    for pid, (born, kill) in list(kids.items()):
        if kill and time.monotonic() - born > 0.05:
            kids[pid] = (born, False)
            os.kill(pid, signal.SIGKILL)  # not reaped yet, so the pid is still ours
            killed += 1
        got, _ = os.waitpid(pid, os.WNOHANG)
        if got:
            del kids[pid]
for pid in kids:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
print("started %d killed %d" % (started, killed), flush=True)
'''

CONFIG = {
    "process_groups": [
        {"name": "vitals", "self": True},
        {"name": "churn", "comm": "^vtsoak-0$"},
        {"name": "{{.Comm}}", "comm": "^vtsoak-"},
    ],
    "checks": [
        {"name": "churn-procs", "kind": "process", "group": "churn", "min": 0, "max": 1000,
         "interval": "1s", "timeout": "500ms", "jitter": "0s"},
        {"name": "cpu", "kind": "threshold", "value": "host.cpu_busy_ratio", "degraded": 2.0,
         "interval": "1s", "timeout": "500ms", "jitter": "0s"},
        {"name": "churn-threads", "kind": "threshold", "value": "group.num_threads",
         "group": "churn", "degraded": 100000, "interval": "1s", "timeout": "500ms",
         "jitter": "0s"},
    ],
}


def proc_figures(pid):
    """(RSS KiB, fd count, thread count) of a process."""
    rss = threads = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd")), threads


def series_count(text):
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))


def get(url, timeout=10.0):
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.status, resp.read()


def main():
    with tempfile.TemporaryDirectory(prefix="vitals-soak-") as tmp:
        config = os.path.join(tmp, "agent.json")
        with open(config, "w") as f:
            json.dump(CONFIG, f)
        with Vitals("--config.file=" + config) as v:
            pid = v.proc.pid
            stop = threading.Event()
            scrapes = []   # (t, latency, series)
            healths = []   # t
            samples = []   # (t, rss, fds, threads)
            errors = []
            t0 = time.monotonic()

            def scraper():
                while not stop.is_set() and len(scrapes) < MAX_SCRAPES:
                    start = time.monotonic()
                    try:
                        status, body = get(v.url + "/metrics")
                        took = time.monotonic() - start
                        text = body.decode("utf-8")
                        if status != 200 or not text.endswith("\n"):
                            raise ValueError(f"status {status}, {len(text)} bytes")
                        fams = parse_exposition(text)
                        if "namedprocess_namegroup_num_procs" not in fams:
                            raise ValueError("no process-group families")
                        scrapes.append((start - t0, took, series_count(text)))
                    except Exception as e:  # noqa: BLE001 - every failure is reported
                        errors.append(f"/metrics at {start - t0:.1f}s: {e!r}")
                        stop.set()

            def health():
                while not stop.is_set():
                    start = time.monotonic()
                    try:
                        req = urllib.request.Request(v.url + "/health")
                        try:
                            with urllib.request.urlopen(req, timeout=10) as resp:
                                body = resp.read()
                        except urllib.error.HTTPError as e:  # 503 is a valid answer
                            body = e.read()
                        report = json.loads(body)
                        if "status" not in report or "entries" not in report:
                            raise ValueError(f"no status/entries in {report}")
                        healths.append(start - t0)
                    except Exception as e:  # noqa: BLE001
                        errors.append(f"/health at {start - t0:.1f}s: {e!r}")
                        stop.set()

            def sampler():
                while not stop.is_set():
                    rss, fds, threads = proc_figures(pid)
                    samples.append((time.monotonic() - t0, rss, fds, threads))
                    stop.wait(0.5)

            driver = subprocess.Popen([sys.executable, "-c", DRIVER, str(SECONDS + WARMUP)],
                                      stdout=subprocess.PIPE, text=True)
            threads = [threading.Thread(target=f) for f in (scraper, health, sampler)]
            for t in threads:
                t.start()
            deadline = t0 + WARMUP + SECONDS
            while time.monotonic() < deadline and not stop.is_set() and len(scrapes) < MAX_SCRAPES:
                if v.proc.poll() is not None:
                    errors.append(f"the agent exited with {v.proc.returncode}")
                    break
                time.sleep(0.2)
            stop.set()
            for t in threads:
                t.join()
            driver_out, _ = driver.communicate(timeout=30)
            is_sanitized = sanitized(VITALS_BIN)
            end_figures = proc_figures(pid)
            if v.proc.poll() is not None:
                errors.append(f"the agent exited with {v.proc.returncode}")
            log_errors = [l for l in v.log_lines() if l.get("level") == "error"]
        duration = time.monotonic() - t0

    if errors:
        fail("responses failed:\n  " + "\n  ".join(errors[:20]))
    measured = [s for s in scrapes if s[0] >= WARMUP]
    if len(measured) < 50:
        fail(f"only {len(measured)} scrapes after the warm-up")
    fifth = max(len(measured) // 5, 10)
    first, last = measured[:fifth], measured[-fifth:]
    first_t = (first[0][0], first[-1][0])
    last_t = (last[0][0], last[-1][0])

    def window(t_range):
        return [s for s in samples if t_range[0] - 0.5 <= s[0] <= t_range[1] + 0.5] or samples[:1]

    sw_first, sw_last = window(first_t), window(last_t)
    rss0 = statistics.median(s[1] for s in sw_first)
    rss1 = statistics.median(s[1] for s in sw_last)
    # Baselines are the minimum of a window (what stays open between
    # requests and check runs); peaks add connections and check threads in
    # flight. A leak raises both, one per request or run.
    fd0, fd1 = min(s[2] for s in sw_first), min(s[2] for s in sw_last)
    th0, th1 = min(s[3] for s in sw_first), min(s[3] for s in sw_last)
    fdp0, fdp1 = max(s[2] for s in sw_first), max(s[2] for s in sw_last)
    thp0, thp1 = max(s[3] for s in sw_first), max(s[3] for s in sw_last)
    lat0 = statistics.median(s[1] for s in first)
    lat1 = statistics.median(s[1] for s in last)
    p99_all = sorted(s[1] for s in measured)[int(len(measured) * 0.99)]
    worst = max(s[1] for s in scrapes)
    ser0, ser1 = max(s[2] for s in first), max(s[2] for s in last)

    print(f"soak: {len(scrapes)} scrapes and {len(healths)} /health requests in {duration:.1f} s; "
          f"churn driver: {driver_out.strip()}")
    print(f"  windows: first {len(first)} scrapes ({first_t[0]:.1f}-{first_t[1]:.1f} s), "
          f"last {len(last)} ({last_t[0]:.1f}-{last_t[1]:.1f} s)")
    print(f"  RSS KiB: start {rss0:.0f}, end {rss1:.0f} (growth {rss1 - rss0:+.0f})"
          + (" [sanitizer build: not limited]" if is_sanitized else ""))
    print(f"  fds: start {fd0} (peak {fdp0}), end {fd1} (peak {fdp1}); "
          f"threads: start {th0} (peak {thp0}), end {th1} (peak {thp1}); "
          f"after the run: RSS {end_figures[0]} KiB, {end_figures[1]} fds, {end_figures[2]} threads")
    print(f"  scrape latency: median start {lat0 * 1000:.1f} ms, end {lat1 * 1000:.1f} ms, "
          f"p99 {p99_all * 1000:.1f} ms, max {worst * 1000:.1f} ms")
    print(f"  series per scrape: start {ser0}, end {ser1}")
    if log_errors:
        print(f"  {len(log_errors)} error log lines, first: {log_errors[0]}")

    problems = []
    if not is_sanitized and rss1 - rss0 > 2048:
        problems.append(f"RSS grew by {rss1 - rss0:.0f} KiB (limit 2048)")
    if fd1 > fd0 + 1 or fdp1 > fdp0 + 4:
        problems.append(f"fds grew from {fd0} (peak {fdp0}) to {fd1} (peak {fdp1}); "
                        "limits +1 and peak +4")
    if th1 > th0 or thp1 > thp0 + 4:
        problems.append(f"threads grew from {th0} (peak {thp0}) to {th1} (peak {thp1}); "
                        "limits +0 and peak +4")
    if lat1 > 2 * lat0 + 0.020:
        problems.append(f"median scrape latency went from {lat0 * 1000:.1f} to {lat1 * 1000:.1f} ms")
    if worst > 5.0:
        problems.append(f"a scrape took {worst:.2f} s")
    if ser1 > ser0 * 1.1:
        problems.append(f"series grew from {ser0} to {ser1}")
    if problems:
        fail("; ".join(problems))
    print("PASS")


if __name__ == "__main__":
    main()
