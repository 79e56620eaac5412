"""Parity with the real process-exporter (Debian's prometheus-process-exporter)
on the same real processes grouped the same way (by comm): the same
namedprocess_namegroup_* family names, types and label sets, and the same
num_procs, num_threads and open_filedesc for these stable processes."""

import json
import os
import subprocess
import tempfile
import time

from process_kids import start_all, stop_all
from vitals_harness import Vitals, fail, free_port, parse_exposition, skip, wait_http, which

P = "namedprocess_namegroup_"
# Families process-exporter has that vitals leaves out on purpose: per-thread
# detail (-threads) and wchan counts, which need a read of every task.
PE_ONLY = {P + "threads_wchan"}
# Families vitals adds (DESIGN.md §3).
OURS_ONLY = {P + "worst_fd_limit", P + "read_errors_total"}
STABLE = ("num_procs", "num_threads", "open_filedesc")


def groups_of(fams, family):
    return {l["groupname"]: v for _, l, v in fams[P + family]["samples"]}


def main():
    exporter = which("prometheus-process-exporter", "process-exporter")
    if not exporter:
        skip("prometheus-process-exporter is not installed")
    names = [b"vtp_one", b"vtp_two", b"vtp three"]
    specs = [(names[0], 0, 2), (names[0], 2, 0), (names[1], 4, 7), (names[2], 1, 3)]
    kids = start_all(specs)
    tmp = tempfile.mkdtemp(prefix="vitals-parity-")
    pe = None
    try:
        yml = os.path.join(tmp, "pe.yml")
        with open(yml, "w") as f:
            f.write("process_names:\n  - name: \"{{.Comm}}\"\n    comm:\n")
            for n in names:
                f.write(f"    - {json.dumps(n.decode())}\n")
        cfg = os.path.join(tmp, "agent.json")
        with open(cfg, "w") as f:
            json.dump({"process_groups": [{"name": "{{.Comm}}", "comm": "^vtp[_ ]"}]}, f)

        port = free_port()
        log = open(os.path.join(tmp, "pe.log"), "w")
        pe = subprocess.Popen([exporter, "-config.path", yml, "-procfs", "/proc",
                               "-web.listen-address", f"127.0.0.1:{port}",
                               "-threads=false", "-gather-smaps=false"],
                              stdout=log, stderr=log)
        theirs_text = wait_http(f"http://127.0.0.1:{port}/metrics", timeout=15)
        with Vitals(f"--config.file={cfg}") as v:
            ours_text = v.metrics()
        theirs = {k: f for k, f in parse_exposition(theirs_text).items() if k.startswith(P)}
        ours = {k: f for k, f in parse_exposition(ours_text).items() if k.startswith(P)}

        # process-exporter lists HELP/TYPE for families it has no samples of.
        theirs_live = {k for k, f in theirs.items() if f["samples"]} - PE_ONLY
        missing = theirs_live - set(ours)
        extra = set(ours) - theirs_live - OURS_ONLY
        if missing or extra:
            fail(f"family names differ: missing {sorted(missing)}, extra {sorted(extra)}")
        for name in sorted(theirs_live):
            if theirs[name]["type"] != ours[name]["type"]:
                fail(f"{name}: type {ours[name]['type']}, process-exporter says {theirs[name]['type']}")
            if theirs[name]["help"] != ours[name]["help"]:
                fail(f"{name}: HELP {ours[name]['help']!r}, process-exporter says {theirs[name]['help']!r}")
            t_sets = {tuple(sorted(l.items())) for _, l, _ in theirs[name]["samples"]}
            o_sets = {tuple(sorted(l.items())) for _, l, _ in ours[name]["samples"]}
            if t_sets != o_sets:
                fail(f"{name}: label sets differ:\n  theirs {sorted(t_sets)}\n  ours   {sorted(o_sets)}")
        report = []
        for family in STABLE:
            t, o = groups_of(theirs, family), groups_of(ours, family)
            if t != o:
                fail(f"{family}: vitals {o}, process-exporter {t}")
            report.append(f"{family} {sorted(o.items())}")
        print(f"ok: {len(theirs_live)} families, identical names, types, HELP and label sets; "
              + "; ".join(report))
    finally:
        if pe is not None:
            pe.terminate()
            pe.wait(10)
        stop_all(kids)


if __name__ == "__main__":
    main()
