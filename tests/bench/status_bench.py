#!/usr/bin/env python3
"""What one `vitals status` costs (a script, not a test): it starts an agent
with two exec checks (one Degraded), then runs `vitals status --quiet`
against it N times and prints the median and 90th percentile wall time and
the CPU time per run (libcurl and its libraries are loaded by every run).
No RSS: a child's ru_maxrss starts from the forked Python's.

Usage: VITALS_BIN=build/ci/agent/vitals tests/bench/status_bench.py [--runs 100]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from vitals_harness import VITALS_BIN, Vitals  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "agent.json")
        with open(config, "w") as f:
            json.dump({"checks": [
                {"name": "api", "kind": "exec", "interval": "1s", "timeout": "500ms",
                 "command": ["sh", "-c", "echo OK"]},
                {"name": "backup", "kind": "exec", "interval": "1s", "timeout": "500ms",
                 "command": ["sh", "-c", "echo 'WARNING - disk 91% full'; exit 1"]}]}, f)
        with Vitals("--config.file=" + config) as v:
            time.sleep(1.5)  # first results
            walls = []
            for _ in range(args.runs):
                start = time.monotonic()
                code = subprocess.run([VITALS_BIN, "status", "--quiet", "--url", v.url]).returncode
                walls.append(time.monotonic() - start)
            # Before the agent (a child too) is stopped and reaped: the runs only.
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    walls.sort()
    print(f"{args.runs} runs, exit {code}: wall median {statistics.median(walls) * 1000:.1f} ms, "
          f"p90 {walls[int(len(walls) * 0.9) - 1] * 1000:.1f} ms; CPU per run "
          f"{(usage.ru_utime + usage.ru_stime) / args.runs * 1000:.1f} ms")


if __name__ == "__main__":
    main()
