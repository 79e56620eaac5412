"""A check that runs past its timeout never slows /metrics or /health.

An exec probe runs `sleep 5` with a 300ms timeout every 500ms, next to a quick
threshold check. For 3 seconds /metrics and /health are requested in turn:
every answer must arrive within BOUND (printed: the max and the median), the
slow check must show its on_error status (Degraded here) with the timeout as
its reason in description, the quick check must stay Healthy, and
the agent must not pile up `sleep` processes or threads."""

import json
import os
import statistics
import tempfile
import time

from vitals_harness import Vitals, descendants, fail, parse_exposition

BOUND = 0.25  # seconds per answer; the hung check takes 5 s
LOOP = 3.0

CONFIG = {
    "checks": [
        {"name": "hang", "kind": "exec", "command": ["sleep", "5"], "interval": "500ms",
         "timeout": "300ms", "jitter": "0s", "on_error": "degraded",
         "failures_before_unhealthy": 1, "successes_before_healthy": 1},
        {"name": "memory", "kind": "threshold", "value": "host.memory_available_ratio",
         "degraded": 0.0001, "unhealthy": 0.00001, "interval": "200ms", "timeout": "100ms",
         "jitter": "0s", "failures_before_unhealthy": 1, "successes_before_healthy": 1},
    ],
}


def main():
    tmp = tempfile.mkdtemp(prefix="vitals-timeout-")
    path = os.path.join(tmp, "agent.json")
    with open(path, "w") as f:
        json.dump(CONFIG, f)
    with Vitals(f"--config.file={path}") as v:
        deadline = time.monotonic() + 5
        while "pending" in json.loads(v.get("/health")[2])["entries"]["hang"]["description"]:
            if time.monotonic() > deadline:
                fail("the hang check has no result after 5s")
            time.sleep(0.02)
        times = {"/metrics": [], "/health": []}
        max_sleeps = 0
        max_threads = 0
        end = time.monotonic() + LOOP
        while time.monotonic() < end:
            for path in ("/metrics", "/health"):
                t0 = time.monotonic()
                status, _, body = v.get(path, timeout=10)
                took = time.monotonic() - t0
                times[path].append(took)
                want = 200  # the hung check is Degraded (on_error), the other Healthy
                if status != want:
                    fail(f"GET {path} answered {status} after {took:.3f}s: {body[:300]!r}")
            max_sleeps = max(max_sleeps, sum(1 for _, c in descendants(v.proc.pid) if c == "sleep"))
            max_threads = max(max_threads, len(os.listdir(f"/proc/{v.proc.pid}/task")))
        for path, ts in times.items():
            print(f"{path}: {len(ts)} answers, max {max(ts) * 1000:.1f} ms, "
                  f"median {statistics.median(ts) * 1000:.1f} ms (bound {BOUND * 1000:.0f} ms)")
        print(f"at most {max_sleeps} sleep child(ren) and {max_threads} threads at a time")
        slow = [(p, t) for p, ts in times.items() for t in ts if t >= BOUND]
        if slow:
            fail(f"{len(slow)} answers took {BOUND}s or more: "
                 f"{', '.join(f'{p} {t:.3f}s' for p, t in slow[:10])}")
        if max_sleeps > 1:
            fail(f"{max_sleeps} `sleep` processes at once: timed-out runs are not killed")
        if max_threads > 40:
            fail(f"{max_threads} threads: timed-out runs pile up")

        _, _, body = v.get("/health")
        report = json.loads(body)
        print(json.dumps(report, indent=1))
        hang = report["entries"]["hang"]
        if hang["status"] != "Degraded":
            fail(f"hang is {hang['status']}, want its on_error status Degraded: {hang}")
        # Either the scheduler gave up on the run ("timed out after 0.3s", in
        # error and description) or the probe hit its own deadline first and
        # killed the command ("exec sleep: no answer within the 300ms timeout;
        # killed its process tree ...", a returned on_error result).
        said = ("timed out after 0.3", "no answer within the 300ms timeout")
        if not any(s in hang["description"] for s in said) or (
                hang["error"] is not None and not any(s in hang["error"] for s in said)):
            fail(f"hang does not say it timed out at 300ms: {hang}")
        if report["entries"]["memory"]["status"] != "Healthy":
            fail(f"the quick check suffered: {report['entries']['memory']}")
        if report["status"] != "Degraded":
            fail(f"report status {report['status']}, want Degraded")
        fams = parse_exposition(v.metrics())
        lines = [l for l in v.metrics().splitlines() if l.startswith("vitals_check_")]
        print("\n".join(lines))
        state = {l["status"]: val for _, l, val in fams["vitals_check_status"]["samples"]
                 if l["check"] == "hang"}
        if state != {"Healthy": 0, "Degraded": 1, "Unhealthy": 0}:
            fail(f"vitals_check_status{{check=hang}}: {state}")
        durations = {l["check"]: val for _, l, val in
                     fams["vitals_check_duration_seconds"]["samples"]}
        if not 0.25 <= durations["hang"] < 1.0:
            fail(f"vitals_check_duration_seconds{{check=hang}} is {durations['hang']}, "
                 "want about the 0.3s timeout")
    print("OK: every answer within the bound while the check hung; timeout reported")


if __name__ == "__main__":
    main()
