"""The status page costs nothing when nobody looks, and ten open browsers do
not slow a scrape.

Against the real binary with process groups and checks: scrape latency of
/metrics alone, then while 10 clients poll /status.json five times faster than
the page's script does (every 0.4 s instead of 2 s), each also loading / now
and then; the agent's CPU time while only they poll and while nobody looks.
Prints every figure (the sharing of one build a second is counted by the
unit test status.StatusPage)."""

import json
import os
import statistics
import tempfile
import threading
import time

import vitals_harness as vh

SCRAPES = 40
POLLERS = 10
POLL_EVERY = 0.4


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scrape_latencies(v):
    out = []
    for _ in range(SCRAPES):
        start = time.monotonic()
        status, _, _ = v.get("/metrics")
        out.append(time.monotonic() - start)
        if status != 200:
            vh.fail(f"/metrics answered {status}")
        time.sleep(0.05)
    return out


def summary(latencies):
    ms = sorted(x * 1000 for x in latencies)
    return {"median_ms": round(statistics.median(ms), 2), "p90_ms": round(ms[int(len(ms) * 0.9)], 2),
            "max_ms": round(ms[-1], 2)}


def main():
    with tempfile.TemporaryDirectory(prefix="vitals-page-load-") as tmp:
        cfg = os.path.join(tmp, "agent.json")
        with open(cfg, "w") as f:
            json.dump({"process_groups": [{"name": "vitals", "self": True},
                                          {"name": "ghost", "comm": "^no-such$"}],
                       "checks": [{"name": f"procs-{i}", "kind": "process", "group": "vitals",
                                   "interval": "1s", "timeout": "1s"} for i in range(5)]}, f)
        with vh.Vitals(f"--config.file={cfg}") as v:
            time.sleep(1.5)  # first check results
            pid = v.proc.pid
            before = cpu_seconds(pid)
            time.sleep(2)
            idle_before = cpu_seconds(pid) - before
            alone = scrape_latencies(v)

            stop = threading.Event()
            errors, poll_latencies = [], []
            lock = threading.Lock()

            def poller(n):
                i = 0
                while not stop.is_set():
                    path = "/" if i % 10 == n % 10 else "/status.json"
                    start = time.monotonic()
                    status, _, _ = v.get(path)
                    took = time.monotonic() - start
                    with lock:
                        poll_latencies.append(took)
                        if status != 200:
                            errors.append(f"{path}: {status}")
                    i += 1
                    stop.wait(POLL_EVERY)

            threads = [threading.Thread(target=poller, args=(n,)) for n in range(POLLERS)]
            for t in threads:
                t.start()
            cpu_start = cpu_seconds(pid)
            time.sleep(3)  # the pollers alone: what the page costs
            cpu_polled = cpu_seconds(pid) - cpu_start
            polls_alone = len(poll_latencies)
            wall_start = time.monotonic() - 3
            polled = scrape_latencies(v)
            stop.set()
            for t in threads:
                t.join()
            wall = time.monotonic() - wall_start

            after = cpu_seconds(pid)
            time.sleep(2)
            idle_after = cpu_seconds(pid) - after

        a, p = summary(alone), summary(polled)
        print(f"/metrics alone: {a}")
        print(f"/metrics with {POLLERS} pollers every {POLL_EVERY} s: {p}")
        print(f"pollers: {len(poll_latencies)} requests in {wall:.1f} s, "
              f"{summary(poll_latencies)}")
        print(f"agent CPU: {idle_before:.2f} s in 2 s before anyone looked, {cpu_polled:.2f} s in "
              f"3 s of the pollers alone ({polls_alone} requests), {idle_after:.2f} s in 2 s after")
        if errors:
            vh.fail(f"pollers got errors: {errors[:5]}")
        if p["max_ms"] > 1000:
            vh.fail(f"a scrape took {p['max_ms']} ms with the pollers")
        if p["median_ms"] > 2 * a["median_ms"] + 5:
            vh.fail(f"scrapes slowed by the pollers: median {p['median_ms']} ms vs {a['median_ms']} ms")
        if idle_after > idle_before + 0.1:
            vh.fail(f"the page left work behind: {idle_after:.2f} s CPU in 2 s after the pollers "
                    f"stopped, {idle_before:.2f} s before")
    print("PASS")


if __name__ == "__main__":
    main()
