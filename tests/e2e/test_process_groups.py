"""Process groups on real processes: children named through prctl (with odd
names), with threads and open files, grouped by a config; num_procs,
num_threads and open_filedesc must be exact, declared groups present with 0,
children roll up into their parent's group, counters stay monotonic when a
member exits, and promtool finds nothing to say about the labels."""
# ctest-labels: sanitize

import json
import os
import subprocess
import tempfile
import time

from golden import promtool_clean
from process_kids import start_all, stop_all
from vitals_harness import Vitals, fail, parse_exposition, which

P = "namedprocess_namegroup_"


def escape(text):
    """A label value as the text format writes it (parse_exposition keeps escapes)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def value(fams, family, **labels):
    for _, l, v in fams.get(P + family, {"samples": []})["samples"]:
        if all(l.get(k) == escape(want) for k, want in labels.items()):
            return v
    return None


def main():
    specs = [
        (b"vtg_alpha", 2, 4),
        (b"vtg_alpha", 0, 1),
        (b"vtg beta (x)", 3, 2),
        (b'vtg"q\\b', 1, 0),
        (b"vtg\nnl", 0, 5),
        (b"vtg\xff\xfebad", 1, 1),
        (b"vtg_par", 0, 0),
        (b"vtg_burn", 0, 0),
    ]
    label = {  # the group label each name must produce
        b"vtg_alpha": "vtg_alpha",
        b"vtg beta (x)": "vtg beta (x)",
        b'vtg"q\\b': 'vtg"q\\b',
        b"vtg\nnl": "vtg\nnl",
        b"vtg\xff\xfebad": "vtg\ufffd\ufffdbad",
        b"vtg_burn": "vtg_burn",
    }
    config = {
        "process_groups": [
            {"name": "parent-group", "comm": "^vtg_par$", "children": True},
            {"name": "{{.Comm}}", "comm": "^vtg"},
            {"name": "vtg_absent", "comm": "^no such process$", "min": 1},
        ]
    }
    kids = start_all(specs)
    tmp = tempfile.mkdtemp(prefix="vitals-groups-")
    try:
        parent = next(k for k in kids if k.name == b"vtg_par")
        parent.send("spawn " + b"zz_unmatched".hex())
        path = os.path.join(tmp, "agent.json")
        with open(path, "w") as f:
            json.dump(config, f)
        with Vitals(f"--config.file={path}") as v:
            text = v.metrics()
            fams = parse_exposition(text)
            expected = {}
            for kid in kids:
                if kid.name == b"vtg_par":
                    continue
                e = expected.setdefault(label[kid.name], [0, 0, 0])
                e[0] += 1
                e[1] += kid.expected_threads
                e[2] += kid.expected_fds
            for group, (procs, threads, fds) in expected.items():
                got = (value(fams, "num_procs", groupname=group),
                       value(fams, "num_threads", groupname=group),
                       value(fams, "open_filedesc", groupname=group))
                if got != (procs, threads, fds):
                    fail(f"group {group!r}: (num_procs, num_threads, open_filedesc) = {got}, "
                         f"want {(procs, threads, fds)}")
            # The parent and its unmatched child; the child inherited the
            # parent's fds 0-2 and nothing else is open in either.
            got = value(fams, "num_procs", groupname="parent-group")
            if got != 2:
                fail(f"parent-group num_procs = {got}, want 2 (parent + rolled-up child)")
            if value(fams, "num_procs", groupname="vtg_absent") != 0:
                fail("declared group vtg_absent is not reported with num_procs 0")
            if value(fams, "states", groupname="vtg_alpha", state="Sleeping") != 2:
                fail("vtg_alpha states{state=Sleeping} is not 2")
            if value(fams, "read_errors_total", groupname="vtg_alpha", reason="permission") != 0:
                fail("our own children were unreadable")

            # Counters: the burner works while watched, then exits; its
            # group's CPU must not go backwards and the group stays, at 0.
            burn = next(k for k in kids if k.name == b"vtg_burn")
            burn.send("burn 0.3")
            deadline = time.monotonic() + 10
            cpu_before = 0.0
            while time.monotonic() < deadline:
                f2 = parse_exposition(v.metrics())
                cpu_before = (value(f2, "cpu_seconds_total", groupname="vtg_burn", mode="user") +
                              value(f2, "cpu_seconds_total", groupname="vtg_burn", mode="system"))
                if cpu_before >= 0.25:
                    break
                time.sleep(0.1)
            if cpu_before < 0.25:
                fail(f"vtg_burn CPU seen while running is {cpu_before}, want >= 0.25")
            burn.stop()
            f3 = parse_exposition(v.metrics())
            cpu_after = (value(f3, "cpu_seconds_total", groupname="vtg_burn", mode="user") +
                         value(f3, "cpu_seconds_total", groupname="vtg_burn", mode="system"))
            if cpu_after < cpu_before:
                fail(f"vtg_burn CPU went backwards after the process exited: {cpu_before} -> {cpu_after}")
            if value(f3, "num_procs", groupname="vtg_burn") != 0:
                fail("vtg_burn should stay with num_procs 0 after its process exited")

            promtool = which("promtool")
            if promtool:
                promtool_clean(promtool, "process groups", text)
            else:
                print("note: promtool not found, label validity not checked by it")
        print(f"ok: {len(expected) + 2} groups exact over {len(kids) + 1} real processes")
    finally:
        stop_all(kids)


if __name__ == "__main__":
    main()
