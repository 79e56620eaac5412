"""The `signal` action on a real process group, through the agent: a heartbeat
check that gets no beats turns Unhealthy and its action sends TERM to the
processes of the declared group "sleepers"; the one that honours TERM dies of
it, the one that ignores TERM is killed (KILL) after the grace. A process of
another group is left alone."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import heal_peers as hp
from vitals_harness import Vitals


def main():
    with tempfile.TemporaryDirectory(prefix="vitals-signal-") as d:
        web, _ = hp.setup(d, "x", 1, 1)
        comm = f"vhsig{os.getpid()}"[:15]
        other = f"vhoth{os.getpid()}"[:15]
        for name in (comm, other):
            shutil.copy("/bin/sleep", os.path.join(d, name))
        config = hp.write_config(d, {
            "process_groups": [{"name": "sleepers", "comm": f"^{comm}$"},
                               {"name": "others", "comm": f"^{other}$"}],
            "health": {"debug_state": True},
            "checks": [{
                "name": "hung", "kind": "heartbeat", "period": "500ms", "grace": "0s",
                "token": hp.TOKEN, "failures_before_unhealthy": 2,
                "actions": [{"type": "signal", "group": "sleepers", "signal": "TERM",
                             "grace": "1s", "limit_burst": 1}]}]})
        polite = subprocess.Popen([os.path.join(d, comm), "60"])
        stubborn = subprocess.Popen([os.path.join(d, comm), "60"],
                                    preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_IGN))
        bystander = subprocess.Popen([os.path.join(d, other), "60"])
        try:
            time.sleep(0.2)  # exec done: comm is the copy's name
            with Vitals("--config.file=" + config, "--web.config.file=" + web) as v:
                started = time.monotonic()
                code = polite.wait(timeout=15)
                t_polite = time.monotonic() - started
                code2 = stubborn.wait(timeout=15)
                t_stubborn = time.monotonic() - started
                hp.expect(code == -signal.SIGTERM, f"the polite process died of TERM ({code})")
                hp.expect(code2 == -signal.SIGKILL and t_stubborn - t_polite >= 0.9,
                          f"the one ignoring TERM got KILL {t_stubborn - t_polite:.2f} s later ({code2})")
                hp.expect(bystander.poll() is None, "a process of another group is untouched")
                def done():
                    fams = hp.metrics(v)
                    total = {l["result"]: val for _, l, val in fams["vitals_actions_total"]["samples"]}
                    return total["success"] == 1 and total
                hp.wait_until("the action's result", done, 10)
                state = json.loads(v.get("/debug/state", hp.AUTH)[2])
                a = state["checks"]["hung"]["actions"][0]
                hp.expect("2 signalled, 1 exited, 1 killed" in a["last_detail"],
                          f"/debug/state: {a['last_detail']}")
        finally:
            for p in (polite, stubborn, bystander):
                if p.poll() is None:
                    p.kill()
                    p.wait()
    print("PASS")


if __name__ == "__main__":
    main()
