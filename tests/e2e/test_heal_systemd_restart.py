"""The `restart` action on a real systemd unit: a transient service made with
systemd-run, a heartbeat check that gets no beats, and the action's
`systemctl restart`; the unit's MainPID changes. Needs systemd as PID 1 and
root (a system unit); skipped with the reason otherwise."""

import os
import shutil
import subprocess
import tempfile
import time

import heal_peers as hp
from vitals_harness import Vitals, fail, skip


def main():
    if not os.path.isdir("/run/systemd/system"):
        with open("/proc/1/comm") as f:
            pid1 = f.read().strip()
        skip(f"systemd is not running here (PID 1 is {pid1!r}, no /run/systemd/system); "
             "the restart action needs a service manager to talk to")
    if os.geteuid() != 0:
        skip("restarting a system unit needs root")
    if shutil.which("systemd-run") is None:
        skip("systemd-run is not installed")
    unit = f"vitals-heal-test-{os.getpid()}.service"
    subprocess.run(["systemd-run", "--unit", unit, "--property=Restart=no", "/bin/sleep", "600"],
                   check=True, timeout=30)

    def main_pid():
        out = subprocess.run(["systemctl", "show", "-p", "MainPID", "--value", unit],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        return int(out or 0)
    try:
        before = hp.wait_until("the unit's MainPID", main_pid, 10)
        with tempfile.TemporaryDirectory(prefix="vitals-systemd-") as d:
            web, _ = hp.setup(d, "x", 1, 1)
            config = hp.write_config(d, {"checks": [{
                "name": "svc", "kind": "heartbeat", "period": "500ms", "grace": "0s",
                "token": hp.TOKEN, "failures_before_unhealthy": 1,
                "actions": [{"type": "restart", "unit": unit, "timeout": "30s",
                             "limit_burst": 1}]}]})
            with Vitals("--config.file=" + config, "--web.config.file=" + web) as v:
                after = hp.wait_until("a new MainPID", lambda: main_pid() not in (0, before) and main_pid(), 30)
                fams = hp.metrics(v)
                total = {l["result"]: val for _, l, val in fams["vitals_actions_total"]["samples"]}
                if total["success"] != 1:
                    fail(f"vitals_actions_total: {total}")
                print(f"ok: {unit} restarted by systemctl: MainPID {before} -> {after}")
    finally:
        subprocess.run(["systemctl", "stop", unit], timeout=30)
    print("PASS")


if __name__ == "__main__":
    main()
