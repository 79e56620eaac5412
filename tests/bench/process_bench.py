#!/usr/bin/env python3
"""Benchmark (not a test): process groups in vitals beside process-exporter.

For N = 0, 500, 2000 extra idle processes (each with 2 threads and 3 open
fds, named bk_00..bk_49 so they fall into 50 comm groups) it runs vitals
(process groups only: --collector.disable-defaults) and process-exporter
(-gather-smaps=false -threads=false) on the same processes, and prints per
scrape CPU, latency and RSS, the ratio, and the CPU of one bare pass over
/proc that reads only what the metrics need (process_bench_bare.cpp).

usage: process_bench.py [--vitals PATH] [--counts 0,500,2000] [--markdown]
The vitals binary should be a release build (RelWithDebInfo)."""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
GROUPS = 50
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return r.read()
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def measure(pid, url, scrapes):
    """Per-scrape CPU (s) and latency (s) over `scrapes` scrapes, and RSS after."""
    wait_http(url)  # warm: first scrape, baselines
    wait_http(url)
    cpu0 = cpu_seconds(pid)
    t0 = time.monotonic()
    for _ in range(scrapes):
        with urllib.request.urlopen(url, timeout=60) as r:
            body = r.read()
    wall = time.monotonic() - t0
    cpu = cpu_seconds(pid) - cpu0
    return cpu / scrapes, wall / scrapes, rss_mb(pid), body


def build(tmp):
    kids = os.path.join(tmp, "kids")
    bare = os.path.join(tmp, "bare")
    subprocess.run(["gcc", "-O2", "-o", kids, os.path.join(HERE, "process_bench_kids.c"),
                    "-lpthread"], check=True)
    subprocess.run(["g++", "-O2", "-std=c++20", "-o", bare,
                    os.path.join(HERE, "process_bench_bare.cpp")], check=True)
    return kids, bare


def run_one(n, vitals, exporter, kids_bin, bare_bin, tmp):
    kids = None
    if n > 0:
        kids = subprocess.Popen([kids_bin, str(n), str(GROUPS), "2", "3"],
                                stdout=subprocess.PIPE, start_new_session=True)
        if kids.stdout.readline().strip() != b"ready":
            raise RuntimeError("load generator failed")
        time.sleep(1.0)  # let every child finish renaming itself
    procs = []
    try:
        out = subprocess.run([bare_bin, "bk_", "20"], capture_output=True, check=True, text=True)
        bare_cpu, total_procs, matched, fd_size = out.stdout.split()
        bare_cpu = float(bare_cpu)

        cfg = os.path.join(tmp, "agent.json")
        with open(cfg, "w") as f:
            json.dump({"process_groups": [{"name": "{{.Comm}}", "comm": "^bk_"}]}, f)
        vport = free_port()
        vproc = subprocess.Popen([vitals, f"--web.listen-address=127.0.0.1:{vport}",
                                  "--collector.disable-defaults", f"--config.file={cfg}"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(vproc)
        # CPU comes in clock ticks (10 ms): enough scrapes that a run adds
        # up to about a second of it, so small N are not below resolution.
        scrapes = 400 if n < 100 else 100 if n <= 500 else 30
        v = measure(vproc.pid, f"http://127.0.0.1:{vport}/metrics", scrapes)

        p = None
        if exporter:
            yml = os.path.join(tmp, "pe.yml")
            with open(yml, "w") as f:
                f.write('process_names:\n  - name: "{{.Comm}}"\n    comm:\n')
                for g in range(GROUPS):
                    f.write(f"    - bk_{g:02d}\n")
            pport = free_port()
            pproc = subprocess.Popen([exporter, "-config.path", yml,
                                      "-web.listen-address", f"127.0.0.1:{pport}",
                                      "-gather-smaps=false", "-threads=false"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(pproc)
            p = measure(pproc.pid, f"http://127.0.0.1:{pport}/metrics", 5 if n >= 2000 else 10)
        v_groups = v[3].count(b"namedprocess_namegroup_num_procs{")
        return {"n": n, "procs": int(total_procs), "matched": int(matched),
                "fd_size": fd_size == "1", "bare": bare_cpu, "v": v, "p": p, "groups": v_groups}
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
        if kids is not None:
            os.killpg(kids.pid, signal.SIGKILL)
            kids.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vitals", default=os.path.join(SOURCE, "build/release/agent/vitals"))
    ap.add_argument("--counts", default="0,500,2000")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    exporter = shutil.which("prometheus-process-exporter") or shutil.which("process-exporter")
    tmp = tempfile.mkdtemp(prefix="vitals-pbench-")
    kids_bin, bare_bin = build(tmp)
    rows = [run_one(int(n), args.vitals, exporter, kids_bin, bare_bin, tmp)
            for n in args.counts.split(",")]
    ms = lambda s: f"{s * 1000:.1f}"
    head = ("| N extra | /proc pids | grouped | bare pass CPU ms | vitals CPU ms | vitals/bare | "
            "vitals latency ms | vitals RSS MB | process-exporter CPU ms | latency ms | RSS MB | "
            "process-exporter/vitals |")
    print(head)
    print("|" + "---|" * head.count("|")[:-1] if False else "|" + "---|" * (head.count("|") - 1))
    for r in rows:
        v, p = r["v"], r["p"]
        ratio = lambda a, b: f"{a / b:.2f}x" if b > 0 else "n/a (below the CPU resolution)"
        pcols = (f"{ms(p[0])} | {ms(p[1])} | {p[2]:.1f} | {ratio(p[0], v[0])}" if p
                 else "n/a | n/a | n/a | n/a")
        print(f"| {r['n']} | {r['procs']} | {r['matched']} | {ms(r['bare'])} | {ms(v[0])} | "
              f"{ratio(v[0], r['bare'])} | {ms(v[1])} | {v[2]:.1f} | {pcols} |")
    print(f"\nfd count by stat() of fd/: {'yes' if rows[0]['fd_size'] else 'no (listing)'}; "
          f"groups reported by vitals at the largest N: {rows[-1]['groups']}")


if __name__ == "__main__":
    sys.exit(main())
