"""Hostile peers and commands against the real binary, all on 127.0.0.1:
every probe stops working at its deadline (its thread, not only the
verdict), says what went wrong, and nothing the agent started outlives a
timeout or the agent itself.

- redis: a server answering PING with 1024 bulk strings of 1 MiB (1 GiB);
  the agent's CPU time and the probe thread's life are measured.
- http: one header line that grows to 1 GiB, 1 KiB header lines without
  end, an endless body, a 10 GB announced body.
- dns: UDP answers with the TC bit, TCP refused, and TCP answering.
- exec: a check whose grandchild calls setsid() and sleeps, killed at the
  timeout; then with a long timeout, and two exec actions (one hanging,
  one leaving a service), SIGTERM to the agent: nothing of any tree remains.
- postgres: a server asking for 2 million SCRAM rounds keeps libpq
  computing past the deadline (a limit: no API stops it); the abandoned run
  is logged when abandoned and when it returns.

Each case prints one line with its figure. The network cases share one
agent and swap its single check by reload, so that the probe thread is the
only thread that comes and goes (redis last: where it runs away, as it did
before the incremental parser, it would skew the others)."""
# ctest-labels: sanitize

import json
import os
import signal
import tempfile
import time

import probe_peers as pp
import vitals_harness as vh

TICK = os.sysconf("SC_CLK_TCK")
PATIENCE = 3.0  # seconds past a deadline before a probe thread counts as runaway


def threads(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def entry(v, name):
    _, report = pp.health(v)
    return report["entries"].get(name)


class Agent:
    """One vitals with one check at a time (swapped by reload); measures each run."""

    def __init__(self, tmp):
        self.path = os.path.join(tmp, "agent.json")
        self.write([])
        self.v = vh.Vitals(f"--config.file={self.path}")

    def write(self, checks):
        with open(self.path, "w") as f:
            json.dump({"checks": checks}, f)

    def __enter__(self):
        self.v.start()
        time.sleep(0.3)
        self.idle_threads = threads(self.v.proc.pid)
        return self

    def __exit__(self, *exc):
        self.v.stop()

    def run(self, check):
        """Loads `check` (interval 1h: one run) and waits until it has a result
        and the agent is back to its idle thread count, or PATIENCE seconds
        past the deadline. Returns (health entry, seconds from the reload to
        the result, to the thread's end (None: still running), agent CPU)."""
        pid = self.v.proc.pid
        timeout = check["timeout_s"]
        check = {k: v for k, v in check.items() if k != "timeout_s"}
        check.update({"interval": "1h", "jitter": "0s", "timeout": f"{int(timeout * 1000)}ms",
                      "failures_before_unhealthy": 1, "successes_before_healthy": 1})
        self.write([check])
        cpu0 = cpu_seconds(pid)
        t0 = time.monotonic()
        if self.v.reload() != "configuration reloaded":
            vh.fail(f"reload rejected:\n{self.v.log_text()[-2000:]}")
        result_at = gone_at = None
        got = None
        seen = False  # the run's thread, or its result
        last_health = 0.0
        while time.monotonic() < t0 + timeout + PATIENCE:
            now = time.monotonic()
            count = threads(pid)
            seen = seen or count > self.idle_threads
            if result_at is None and now - last_health >= 0.1:
                last_health = now
                e = entry(self.v, check["name"])
                if e and "pending" not in e["description"]:
                    got, result_at, seen = e, now - t0, True
            if seen and count <= self.idle_threads:
                gone_at = now - t0
                if result_at is not None:
                    break
            time.sleep(0.01)
        cpu = cpu_seconds(pid) - cpu0
        return got or entry(self.v, check["name"]), result_at, gone_at, cpu


def after_deadline(t, timeout):
    if t is None:
        return f"thread still running {PATIENCE:.0f} s after the deadline"
    d = t - timeout
    return f"thread gone {abs(d):.2f} s {'after' if d >= 0 else 'before'} the deadline"


def network_cases(tmp, problems):
    with Agent(tmp) as agent:
        # http: heads and bodies without end.
        cases = [
            ("header_line", "one header line growing to 1 GiB",
             "response header over 65536 bytes (a line longer than libcurl's limit of 102400)"),
            ("header_lines", "1 KiB header lines up to 1 GiB", "response header over 65536 bytes"),
            ("body", "an endless body", "response body over 1048576 bytes"),
            ("announced", "a 10 GB Content-Length", "response body over 1048576 bytes"),
        ]
        for mode, what, reason in cases:
            with pp.HugeHttp(mode) as web:
                url = f"http://127.0.0.1:{web.port}/"
                e, result_at, gone_at, cpu = agent.run(pp.probe(f"http-{mode}", "http", url=url,
                                                                timeout_s=2.0))
            print(f"http {what}, timeout 2s: \"{e['description']}\" after {result_at:.2f} s, "
                  f"CPU {cpu:.2f} s, {after_deadline(gone_at, 2.0)}")
            if e["description"] != f"GET {url}: {reason}":
                problems.append(f"http {mode}: want \"GET {url}: {reason}\", got {e}")
            if gone_at is None or gone_at > 2.5 or cpu > 0.5:
                problems.append(f"http {mode}: thread gone at {gone_at}, CPU {cpu:.2f} s")

        # dns: the answer over UDP is truncated.
        for tcp, want_status, want in (
                ("refuse", "Unhealthy", "the answer over UDP was truncated (TC bit) and the retry "
                                        "over TCP failed: connection refused or reset"),
                ("answer", "Healthy", "(over TCP: the UDP answer was truncated)")):
            with pp.TruncatingDns("big.test", "10.9.8.7", tcp) as dns:
                e, result_at, gone_at, _ = agent.run(pp.probe(
                    f"dns-tc-{tcp}", "dns", query_name="big.test", server=f"127.0.0.1:{dns.port}",
                    timeout_s=2.0))
            print(f"dns TC bit over UDP, TCP {tcp}{'d' if tcp == 'refuse' else 'ing'}, "
                  f"timeout 2s: {e['status']} \"{e['description']}\" after {result_at:.2f} s")
            if e["status"] != want_status or want not in e["description"]:
                problems.append(f"dns TC, TCP {tcp}: want {want_status} '...{want}...', got {e}")
            if tcp == "answer" and "10.9.8.7" not in e["description"]:
                problems.append(f"dns TC, TCP answer: the address is missing: {e}")

        # postgres: libpq computes SCRAM rounds past the deadline.
        with pp.ScramPostgres(2_000_000) as pg:
            agent.run(pp.probe("scram", "postgres",
                               dsn=f"host=127.0.0.1 port={pg.port} user=u dbname=d sslmode=disable",
                               password="not-the-point", timeout_s=0.5))
            # Until libpq is done: the run's thread ends.
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and threads(agent.v.proc.pid) > agent.idle_threads:
                time.sleep(0.05)
            time.sleep(0.1)
        returned = [l for l in agent.v.log_lines() if l.get("msg") == "abandoned check run returned"]
        abandoned = [l for l in agent.v.log_lines()
                     if l.get("msg") == "check run abandoned at its deadline, its thread still runs"]
        overran = returned[0]["overran"] if returned else "never"
        print(f"postgres SCRAM with 2,000,000 rounds, timeout 500ms: abandoned at the deadline "
              f"({len(abandoned)} log line), returned {overran} late (logged)")
        if not abandoned or abandoned[0].get("check") != "scram" or not returned:
            problems.append(f"postgres SCRAM: the abandoned run is not logged (abandoned: "
                            f"{abandoned}, returned: {returned})")

        # redis: 1024 x 1 MiB as the answer to PING.
        with pp.RespFlood() as flood:
            e, result_at, gone_at, cpu = agent.run(pp.probe(
                "flood", "redis", address=f"127.0.0.1:{flood.port}", timeout_s=1.0))
        print(f"redis flood 1024x1MiB, timeout 1s: probe CPU {cpu:.2f} s, "
              f"{after_deadline(gone_at, 1.0)}; {e['status']} \"{e['description']}\"")
        if gone_at is None or gone_at > 1.0 + 0.5:
            problems.append(f"redis flood: the probe thread outlived its deadline by more than 0.5 s")
        if cpu > 0.5:
            problems.append(f"redis flood: the agent spent {cpu:.2f} s of CPU (bound 0.5 s)")
        if "longer than 1048576 bytes" not in e["description"]:
            problems.append(f"redis flood: the reason does not name the reply limit: {e}")


def leftovers(pids):
    return [p for p in pids if vh.alive(p)]


def read_pids(path, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    pids = []
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                pids = [int(x) for x in f.read().split()]
        except (OSError, ValueError):
            pids = []
        if len(pids) >= count:
            return pids
        time.sleep(0.02)
    return pids


def shell(script):
    """argv for sh -c `script`, with "$" written "$$" for the config's ${ENV} expansion."""
    return ["sh", "-c", script.replace("$", "$$")]


def escapee_command(pid_file):
    """A shell whose grandchild calls setsid() and sleeps, orphaned at once
    (its parent exits), out of the shell's process group and session; the
    shell writes both sleeps' pids and its own, then waits."""
    return shell(f"trap '' TERM; (setsid sleep 300 & echo $! >> {pid_file}); "
                 f"sleep 300 & echo $! >> {pid_file}; echo $$ >> {pid_file}; wait")


def exec_cases(tmp, problems):
    killed_for_cleanup = []
    try:
        # At the timeout.
        pids_file = os.path.join(tmp, "timeout.pids")
        config = os.path.join(tmp, "exec.json")
        with open(config, "w") as f:
            json.dump({"checks": [pp.probe("plugin", "exec", interval="1h", timeout="1s",
                                           command=escapee_command(pids_file))]}, f)
        with vh.Vitals(f"--config.file={config}") as v:
            pids = read_pids(pids_file, 3)
            killed_for_cleanup += pids
            e = pp.wait_for(v, lambda es: "plugin" in es and "pending" not in es["plugin"]["description"],
                            10, "the exec check's result")["plugin"]
            t = time.monotonic()
            while leftovers(pids) and time.monotonic() < t + 2:
                time.sleep(0.01)
            left = leftovers(pids)
            print(f"exec check whose grandchild calls setsid(), timeout 1s: "
                  f"{len(pids) - len(left)} of {len(pids)} processes gone "
                  f"{time.monotonic() - t:.2f} s after the result; \"{e['description']}\"")
            if len(pids) != 3 or left:
                problems.append(f"exec timeout: processes {left} of {pids} outlived the timeout")

        # At SIGTERM: an exec check still running, an exec action still
        # running, and the service another exec action left running.
        check_pids = os.path.join(tmp, "check.pids")
        hang_pids = os.path.join(tmp, "hang.pids")
        service_pids = os.path.join(tmp, "service.pids")
        missing = os.path.join(tmp, "missing")
        actions = lambda command: {"kind": "file_age", "path": missing, "max_age": "1m",
                                   "actions": [{"type": "exec", "command": command,
                                                "timeout": "60s"}]}
        checks = [
            pp.probe("plugin", "exec", interval="1h", timeout="60s",
                     command=escapee_command(check_pids)),
            dict(pp.probe("hang", "file_age", interval="1h"), **actions(escapee_command(hang_pids))),
            dict(pp.probe("service", "file_age", interval="1h"),
                 **actions(shell(f"(setsid sleep 300 & echo $! >> {service_pids}); "
                                 f"echo $$ >> {service_pids}"))),
        ]
        with open(config, "w") as f:
            json.dump({"checks": checks}, f)
        with vh.Vitals(f"--config.file={config}") as v:
            pids = {name: read_pids(path, n) for name, path, n in (
                ("exec check", check_pids, 3), ("exec action", hang_pids, 3),
                ("action's service", service_pids, 2))}
            for p in pids.values():
                killed_for_cleanup += p
            # The service's shell exits at once; its setsid'd sleep stays.
            service = pids["action's service"][:1]
            running = {name: leftovers(p if name != "action's service" else service)
                       for name, p in pids.items()}
            before = len(vh.descendants(v.proc.pid))
            t = time.monotonic()
            v.proc.send_signal(signal.SIGTERM)
            v.proc.wait(15)
            took = time.monotonic() - t
        left = {name: leftovers(p) for name, p in pids.items()}
        total = sum(len(p) for p in running.values())
        print(f"SIGTERM with an exec check and an exec action running and a service an action "
              f"left ({before} processes below the agent): exited in {took:.2f} s, "
              f"{total - sum(len(p) for p in left.values())} of {total} processes gone")
        for name, p in running.items():
            if not p:
                problems.append(f"SIGTERM: the {name} was not running before ({pids[name]})")
        for name, p in left.items():
            if p:
                problems.append(f"SIGTERM: processes {p} of the {name} outlived the agent")
    finally:
        for pid in killed_for_cleanup:  # left by a binary that fails this test
            if vh.alive(pid):
                os.kill(pid, signal.SIGKILL)


def main():
    problems = []
    with tempfile.TemporaryDirectory(prefix="vitals-hostile-") as tmp:
        network_cases(tmp, problems)
        exec_cases(tmp, problems)
    pp.fail_on("hostile probes:", problems)
    print("OK: every probe stopped at its deadline with its reason; nothing outlived a run or "
          "the agent")


if __name__ == "__main__":
    main()
