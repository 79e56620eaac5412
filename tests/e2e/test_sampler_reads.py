"""The health sampler reads only what the checks' values need, traced with
strace on the running agent (all its threads).

- One exec check and one threshold check on the load (every 200 ms): the
  sampler reads /proc/loadavg at each sample, and no statfs(2), diskstats,
  net/dev or pressure/* happens while nobody scrapes.
- A reload that adds a check on the free space of "/" starts the statfs(2)
  calls (the filesystem collector, run by the sampler), still without any
  diskstats read; a check on the worst receive error share added by the same
  reload (a ratio between two samples of a source not read before) has a
  value at its first run, not "needs two samples"."""

import json
import os
import re
import signal
import subprocess
import tempfile
import time

from vitals_harness import Vitals, fail, skip, which

# strace prints openat paths as given: the collectors open relative to a
# directory fd ("diskstats", "net/dev"), the sampler likewise ("loadavg").
LOADAVG = re.compile(r'openat\(.*"(?:[^"]*/)?loadavg"')
UNWANTED = {
    "statfs": re.compile(r"\bstatfs\("),  # statfs(2) of a path: a mount point
    "diskstats": re.compile(r'openat\(.*"(?:[^"]*/)?diskstats"'),
    "net/dev": re.compile(r'openat\(.*"(?:[^"]*/)?net/dev"'),
    "pressure": re.compile(r'openat\(.*"(?:[^"]*/)?pressure/'),
}


def checks(*extra):
    return {"checks": [
        {"name": "job", "kind": "exec", "command": ["true"], "interval": "200ms",
         "timeout": "150ms", "jitter": "0s"},
        {"name": "load", "kind": "threshold", "value": "host.load1_per_core", "degraded": 1000,
         "interval": "200ms", "timeout": "100ms", "jitter": "0s"},
    ] + list(extra)}


class Trace:
    """strace -f on a running process's threads, into a file."""

    def __init__(self, strace, pid, path):
        self.path = path
        self.proc = subprocess.Popen([strace, "-f", "-qq", "-e", "trace=statfs,openat",
                                      "-o", path, "-p", str(pid)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def lines(self):
        try:
            with open(self.path, errors="replace") as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def until(self, pattern, count, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [l for l in self.lines() if pattern.search(l)]
            if len(found) >= count:
                return found
            if self.proc.poll() is not None:
                skip(f"strace could not attach: {self.proc.stderr.read().decode().strip()}")
            time.sleep(0.05)
        fail(f"{what}: not seen in {timeout} s; the trace:\n" + "\n".join(self.lines()[-40:]))

    def stop(self):
        self.proc.send_signal(signal.SIGINT)  # detaches and leaves the agent running
        self.proc.wait(timeout=10)
        return self.lines()


def first_result(v, check):
    """The check's /health entry once it has a result (polled every 20 ms)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        _, _, body = v.get("/health/" + check)
        entry = json.loads(body).get("entries", {}).get(check)
        if entry and not entry["description"].startswith("pending"):
            return entry
        time.sleep(0.02)
    fail(f"{check}: no result within 10 s")


def unwanted(lines, allowed=()):
    return {name: [l for l in lines if pattern.search(l)][:3]
            for name, pattern in UNWANTED.items()
            if name not in allowed and any(pattern.search(l) for l in lines)}


def main():
    strace = which("strace")
    if strace is None:
        skip("strace is not installed (Debian package strace)")
    with tempfile.TemporaryDirectory(prefix="vitals-sampler-reads-") as tmp:
        cfg = os.path.join(tmp, "agent.json")
        with open(cfg, "w") as f:
            json.dump(checks(), f)
        with Vitals(f"--config.file={cfg}") as v:
            trace = Trace(strace, v.proc.pid, os.path.join(tmp, "before.trace"))
            # Ten samples: about two seconds of the sampler at 200 ms.
            trace.until(LOADAVG, 10, 10, "the sampler reading loadavg")
            lines = trace.stop()
            bad = unwanted(lines)
            if bad:
                fail(f"with only the load checked, the sampler read {bad}")
            print(f"ok: {sum(bool(LOADAVG.search(l)) for l in lines)} loadavg reads, no statfs, "
                  f"diskstats, net/dev or pressure in {len(lines)} traced calls")

            with open(cfg, "w") as f:
                json.dump(checks({"name": "root-space", "kind": "threshold",
                                  "value": "host.filesystem_free_ratio", "mountpoint": "/",
                                  "degraded": 0.0, "interval": "200ms", "timeout": "100ms",
                                  "jitter": "0s"},
                                 {"name": "rx-errors", "kind": "threshold",
                                  "value": "host.network_receive_error_ratio", "devices": ".",
                                  "degraded": 0.5, "interval": "1s", "timeout": "500ms",
                                  "jitter": "0s"}), f)
            trace = Trace(strace, v.proc.pid, os.path.join(tmp, "after.trace"))
            trace.until(LOADAVG, 1, 10, "strace attached")
            if v.reload() != "configuration reloaded":
                fail("the reload adding a filesystem check was rejected:\n" + v.log_text())
            first = first_result(v, "rx-errors")
            if first["status"] != "Healthy":
                fail(f"rx-errors, added by the reload: its first result is {first}")
            print(f"ok: rx-errors' first result: {first['status']}, {first['description']}")
            trace.until(UNWANTED["statfs"], 5, 10, "statfs after the reload")
            lines = trace.stop()
            bad = unwanted(lines, allowed=("statfs", "net/dev"))
            if bad:
                fail(f"after adding a filesystem check, the sampler also read {bad}")
            status, _, body = v.get("/health/root-space")
            entry = json.loads(body)["entries"]["root-space"]
            if entry["status"] != "Healthy":
                fail(f"root-space: {entry}")
            print(f"ok: the reload started statfs ({sum(bool(UNWANTED['statfs'].search(l)) for l in lines)}"
                  f" calls), root-space is {entry['status']}: {entry['description']}")
    print("PASS")


if __name__ == "__main__":
    main()
