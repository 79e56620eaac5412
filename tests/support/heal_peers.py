"""Peers for the self-healing e2e tests and the recovery benchmark: a real
worker process that heartbeats to vitals over HTTP, the `exec` action that
starts it (detached, as a service manager would), the web config that lets
requests through vitals' basic auth, and readers for what they record.

Files in a scratch directory `d`:
  d/url        vitals' base URL, written by the test once vitals listens
  d/events     one line per event: "start <t>" (the action ran), "beat <pid> <t>",
               "exit <pid> <t>"; t is time.time()
  d/stop       when present, every worker exits
"""

import base64
import json
import os
import signal
import sys
import time

import vitals_harness as vh

# bcrypt cost 10 of "admin-secret" (the same user as test_web_auth.py).
USER, PASSWORD = "admin", "admin-secret"
HASH = "$2b$10$VFPsSHSP2Oud9vZl7tmCYejIZDqhzvcIRFD1zkXJYzJetDhdHr7z6"
TOKEN = "heal-test-token-0123456789"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}

WORKER = r'''
import os, sys, time, urllib.request
d, check, interval, beats = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
for _ in range(100):  # the test writes it once vitals listens
    if os.path.exists(os.path.join(d, "url")):
        break
    time.sleep(0.05)
url = open(os.path.join(d, "url")).read().strip()
token = open(os.path.join(d, "token")).read().strip()
auth = open(os.path.join(d, "auth")).read().strip()
def log(line):
    with open(os.path.join(d, "events"), "a") as f:
        f.write(line + "\n")
n = 0
while not os.path.exists(os.path.join(d, "stop")) and (beats == 0 or n < beats):
    req = urllib.request.Request(f"{url}/heartbeat/{check}?pid={os.getpid()}", data=b"", method="POST",
                                 headers={"Authorization": auth, "X-Vitals-Token": token})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            if r.status == 200:
                log(f"beat {os.getpid()} {time.time()}")
                n += 1
    except OSError:
        pass
    time.sleep(interval)
log(f"exit {os.getpid()} {time.time()}")
'''

START = r'''
import os, subprocess, sys, time
d = sys.argv[1]
with open(os.path.join(d, "events"), "a") as f:
    f.write(f"start {time.time()}\n")
subprocess.Popen([sys.executable, os.path.join(d, "worker.py")] + sys.argv[1:],
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                 start_new_session=True)
'''


def setup(d, check, interval, beats):
    """Writes the scripts and the web config; returns (web config path, the
    exec action's command that starts one worker)."""
    with open(os.path.join(d, "worker.py"), "w") as f:
        f.write(WORKER)
    with open(os.path.join(d, "start.py"), "w") as f:
        f.write(START)
    web = os.path.join(d, "web.json")
    with open(web, "w") as f:
        json.dump({"basic_auth_users": {USER: HASH}, "protected_paths": []}, f)
    # Secrets go in files, not in argv (the command is logged and shown in /debug/state).
    with open(os.path.join(d, "token"), "w") as f:
        f.write(TOKEN)
    with open(os.path.join(d, "auth"), "w") as f:
        f.write(AUTH["Authorization"])
    command = [sys.executable, os.path.join(d, "start.py"), d, check, str(interval), str(beats)]
    return web, command


def write_config(d, config):
    path = os.path.join(d, "agent.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=1)
    return path


def set_url(d, url):
    with open(os.path.join(d, "url"), "w") as f:
        f.write(url)


def events(d):
    out = []
    try:
        with open(os.path.join(d, "events")) as f:
            for line in f:
                parts = line.split()
                if parts and parts[0] == "start":
                    out.append(("start", None, float(parts[1])))
                elif len(parts) == 3:
                    out.append((parts[0], int(parts[1]), float(parts[2])))
    except FileNotFoundError:
        pass
    return out


def stop_workers(d, timeout=5.0):
    """Asks every worker to exit, waits, then kills those that did not."""
    open(os.path.join(d, "stop"), "w").close()
    deadline = time.monotonic() + timeout
    pids = {pid for kind, pid, _ in events(d) if pid}
    while time.monotonic() < deadline:
        alive = [p for p in pids if _alive(p)]
        if not alive:
            return
        time.sleep(0.05)
    for p in pids:
        if _alive(p):
            os.kill(p, signal.SIGKILL)


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def expect(cond, what):
    """Fails the test with `what` unless cond; else prints it as passed."""
    if not cond:
        vh.fail(what)
    print("ok:", what)


def metrics(v):
    """vitals' /metrics (behind basic auth), parsed by vh.parse_exposition."""
    return vh.parse_exposition(v.get("/metrics", AUTH)[2].decode())


def wait_until(what, pred, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(step)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
