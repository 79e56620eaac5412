#!/usr/bin/env python3
"""Exec benchmark: what one run of an exec check costs, and a keeper.

Not a test (CTest does not run it): it prints figures for a person to read.
It builds nothing:

    python3 tests/bench/exec_bench.py                   # build/ci/agent/vitals
    python3 tests/bench/exec_bench.py --vitals PATH     # another build, e.g. main's

vitals runs two exec checks: `true` every 100 ms, and `sleep 30` with a
60 s timeout (so that one keeper, if the build has them, is alive to be
measured). For --seconds it reads /health every 50 ms and collects the
duration of each new run of `true` (told apart by the command's pid; from
the start of the run to its result, fork and exec included). It prints the median and the range, the
agent's CPU time per run (utime+stime over the loop, the /health requests
included), and the RSS and private dirty memory of a keeper process (`vitals-run`,
/proc/<pid>/smaps_rollup) next to the agent's RSS.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import vitals_harness as vh  # noqa: E402

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def smaps_rollup(pid):
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if rest.strip().endswith("kB"):
                out[key] = int(rest.split()[0])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vitals", default=os.path.join(SOURCE_DIR, "build", "ci", "agent", "vitals"))
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    os.environ["VITALS_BIN"] = args.vitals
    vh.VITALS_BIN = args.vitals
    with tempfile.TemporaryDirectory(prefix="vitals-exec-bench-") as tmp:
        config = os.path.join(tmp, "agent.json")
        with open(config, "w") as f:
            json.dump({"checks": [
                {"name": "true", "kind": "exec", "command": ["true"], "interval": "100ms",
                 "timeout": "100ms", "jitter": "0s"},
                {"name": "sleep", "kind": "exec", "command": ["sleep", "30"], "interval": "1h",
                 "timeout": "60s", "jitter": "0s"}]}, f)
        with vh.Vitals(f"--config.file={config}") as v:
            cpu0 = cpu_seconds(v.proc.pid)
            durations, last = [], None
            end = time.monotonic() + args.seconds
            while time.monotonic() < end:
                e = json.loads(v.get("/health")[2])["entries"]["true"]
                run = e["data"].get("pid")  # a new command per run
                if run is not None and run != last:
                    last = run
                    durations.append(float(e["duration"].rstrip("s")) * 1000)
                time.sleep(0.05)
            cpu = cpu_seconds(v.proc.pid) - cpu0
            keepers = [p for p, comm in vh.descendants(v.proc.pid) if comm == "vitals-run"]
            print(f"{args.vitals}: exec check `true` every 100 ms: median run "
                  f"{statistics.median(durations):.2f} ms over {len(durations)} runs "
                  f"(min {min(durations):.2f}, max {max(durations):.2f}); agent CPU "
                  f"{cpu * 1000 / len(durations):.2f} ms per run (its /health answers included); "
                  f"agent RSS {vh.rss_kib(v.proc.pid)} kB")
            if keepers:
                m = smaps_rollup(keepers[0])
                print(f"a keeper (vitals-run): RSS {m['Rss']} kB, Pss {m['Pss']} kB, private dirty "
                      f"{m['Private_Dirty']} kB")
            else:
                print("no keeper process (a build without them)")


if __name__ == "__main__":
    main()
