#!/usr/bin/env python3
"""Recovery-time benchmark (a script, not a test): how long from a worker's
death to its first heartbeat after vitals restarted it.

A real worker heartbeats every period (1 s) to a heartbeat check with
failures_before_unhealthy 2; its `exec` action starts a new worker. Each
round kills the running worker with SIGKILL at a random point of its period
and times: death -> Unhealthy seen by vitals (the action starts) -> the new
worker's first accepted heartbeat. Prints every round and the medians.
Target: median death-to-recovery under 5 s (the Flask recipe of three
failed /health calls reports ~30 s).

Usage: VITALS_BIN=build/dev/agent/vitals tests/bench/recovery_bench.py [--rounds 7] [--grace 0.5]
"""

import argparse
import os
import random
import signal
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import heal_peers as hp  # noqa: E402
from vitals_harness import Vitals  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--period", type=float, default=1.0)
    ap.add_argument("--grace", type=float, default=0.5)
    ap.add_argument("--misses", type=int, default=2)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="vitals-recovery-") as d:
        web, start = hp.setup(d, "worker", interval=args.period, beats=0)
        config = hp.write_config(d, {"checks": [{
            "name": "worker", "kind": "heartbeat", "period": f"{int(args.period * 1000)}ms",
            "grace": f"{int(args.grace * 1000)}ms", "token": hp.TOKEN,
            "failures_before_unhealthy": args.misses,
            "actions": [{"type": "exec", "command": start, "timeout": "10s", "backoff": "1s",
                         "max_backoff": "1s", "limit_burst": 1000, "limit_interval": "1h"}]}]})
        try:
            with Vitals("--config.file=" + config, "--web.config.file=" + web) as v:
                hp.set_url(d, v.url)
                beats = lambda: [(p, t) for k, p, t in hp.events(d) if k == "beat"]
                hp.wait_until("the first worker", beats, 15)
                for r in range(args.rounds):
                    time.sleep(2 * args.period + random.uniform(0, args.period))  # steady, random phase
                    victim = beats()[-1][0]
                    n_starts = len([1 for k, _, _ in hp.events(d) if k == "start"])
                    os.kill(victim, signal.SIGKILL)
                    died = time.time()
                    start_t = hp.wait_until("the restart", lambda: [
                        t for k, _, t in hp.events(d) if k == "start"][n_starts:], 30)[0]
                    first = hp.wait_until("a beat from the new worker", lambda: [
                        t for p, t in beats() if t > died and p != victim], 30)[0]
                    last_beat = max(t for p, t in beats() if p == victim)
                    rows.append((died - last_beat, start_t - died, first - start_t, first - died))
                    print(f"round {r + 1}: killed {(died - last_beat) * 1000:4.0f} ms after its last beat; "
                          f"death -> restart {(start_t - died) * 1000:5.0f} ms; "
                          f"restart -> first beat {(first - start_t) * 1000:4.0f} ms; "
                          f"death -> recovered {(first - died) * 1000:5.0f} ms", flush=True)
        finally:
            hp.stop_workers(d)
    med = lambda i: statistics.median(row[i] for row in rows)
    print(f"\nperiod {args.period:g} s, grace {args.grace:g} s, {args.misses} misses, "
          f"{len(rows)} rounds")
    print(f"median death -> restart action   {med(1):.2f} s")
    print(f"median restart -> first beat     {med(2):.2f} s")
    print(f"median death -> recovered        {med(3):.2f} s  (min {min(r[3] for r in rows):.2f}, "
          f"max {max(r[3] for r in rows):.2f}; target < 5 s)")
    return 0 if med(3) < 5 else 1


if __name__ == "__main__":
    sys.exit(main())
