#!/usr/bin/env python3
"""Instructions per scrape: vitals under callgrind, N scrapes of /metrics.

Not a test (CTest does not run it): CPU time on a shared machine moves with
the load, the instructions a scrape executes do not, so this is the figure to
compare two builds by. It builds nothing:

    python3 tests/bench/scrape_callgrind.py --vitals build/ci/agent/vitals -n 50
    python3 tests/bench/scrape_callgrind.py --no-gzip --top 25      # where they go

vitals starts under `valgrind --tool=callgrind` on 127.0.0.1 with its default
collectors (plus --flag ones; --no-processes adds --no-collector.processes,
whose cost follows the host's process count). After the warm-up the counters
are zeroed (callgrind_control -z), the client scrapes N times, one new
connection each, asking for gzip unless --no-gzip, and the counters are dumped.
It prints the instructions (Ir) per scrape, the body size, and with --top the
functions and shared objects with the most inclusive instructions. Only user
space is counted: the kernel's work of reading /proc and /sys is not in Ir.
"""

import argparse
import glob
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from vitals_harness import free_port  # noqa: E402

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_VITALS = os.path.join(SOURCE_DIR, "build", "ci", "agent", "vitals")


def scrape(port, gzip):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Accept-Encoding": "gzip"} if gzip else {}
        conn.request("GET", "/metrics", headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"GET /metrics returned {resp.status}")
        return len(body)
    finally:
        conn.close()


def control(*args):
    subprocess.run(["callgrind_control", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vitals", default=DEFAULT_VITALS)
    ap.add_argument("-n", "--scrapes", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--no-gzip", action="store_true", help="scrape without Accept-Encoding")
    ap.add_argument("--no-processes", action="store_true",
                    help="--no-collector.processes (its cost follows the host's processes)")
    ap.add_argument("--flag", action="append", default=[], help="a flag passed to vitals")
    ap.add_argument("--top", type=int, default=0, help="print the N costliest functions")
    ap.add_argument("--keep", help="copy the callgrind dump here (for callgrind_annotate)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        port = free_port()
        argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                args.vitals, f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"]
        if args.no_processes:
            argv.append("--no-collector.processes")
        argv += args.flag
        log = open(os.path.join(tmp, "log"), "wb")
        proc = subprocess.Popen(argv, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    scrape(port, not args.no_gzip)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("vitals did not start under callgrind: " +
                                           open(log.name, errors="replace").read()[-2000:])
                    time.sleep(0.2)
            for _ in range(args.warmup):
                scrape(port, not args.no_gzip)
            control("-z", str(proc.pid))
            size = 0
            for _ in range(args.scrapes):
                size = scrape(port, not args.no_gzip)
            control("-d", str(proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=60)
        dumps = sorted(glob.glob(out + ".*"), key=os.path.getmtime)
        if not dumps:
            raise RuntimeError("callgrind wrote no dump")
        dump = dumps[-1]
        if args.keep:
            shutil.copy(dump, args.keep)
        with open(dump) as f:
            totals = re.search(r"^(?:summary|totals): (\d+)", f.read(), re.M)
        ir = int(totals.group(1))
        print(f"{args.scrapes} scrapes ({'identity' if args.no_gzip else 'gzip'}, "
              f"body {size} bytes): {ir} Ir, {ir / args.scrapes:.0f} Ir per scrape")
        if args.top:
            annotate = subprocess.run(
                ["callgrind_annotate", "--inclusive=yes", f"--threshold=100", dump],
                capture_output=True, text=True, check=True).stdout
            lines = [l for l in annotate.splitlines() if re.match(r"^\s*[\d,]+ \(", l)]
            for line in lines[:args.top]:
                print(line[:160])


if __name__ == "__main__":
    main()
