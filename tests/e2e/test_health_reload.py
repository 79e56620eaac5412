"""Config reload end to end: SIGHUP and POST /-/reload.

- A good file applies: a removed check goes, a new one comes, a changed one
  starts fresh, and an unchanged one keeps its state and history (its
  transitions, driven beforehand through a flag file, survive).
  vitals_config_last_reload_successful is 1 and
  vitals_config_last_reload_success_timestamp_seconds moves forward.
- A bad file (several mistakes) is rejected by both routes: the old checks
  keep serving, the gauge is 0, the success timestamp does not move, and every
  problem is logged with its JSON pointer. Invalid JSON likewise.
- A file with a bad process group (a regex RE2 rejects) is rejected as a
  whole: no new group and no new check reach /metrics or /health.
- A good file after the bad ones applies again."""

import base64
import json
import os
import tempfile
import time

from vitals_harness import Vitals, fail, parse_exposition

GROUPS = [{"name": "vitals", "self": True}]
# POST /-/reload is only served with basic auth (agent/http/web_config.h).
# bcrypt cost 10 of "admin-secret", as in test_web_auth.py.
ADMIN_HASH = "$2b$10$VFPsSHSP2Oud9vZl7tmCYejIZDqhzvcIRFD1zkXJYzJetDhdHr7z6"
ADMIN = {"Authorization": "Basic " + base64.b64encode(b"admin:admin-secret").decode()}


def exec_check(name, flag, **extra):
    # test -e: exit 0 (Healthy) while the flag exists, 1 (Degraded) when not.
    # A timeout far above what `test` takes: on a loaded machine a fork and
    # exec past 150 ms timed out and moved the transition count this test
    # watches.
    c = {"name": name, "kind": "exec", "command": ["test", "-e", flag], "interval": "1s",
         "timeout": "900ms", "jitter": "0s", "failures_before_unhealthy": 1,
         "successes_before_healthy": 1}
    c.update(extra)
    return c


def memory_check(name, degraded):
    return {"name": name, "kind": "threshold", "value": "host.memory_available_ratio",
            "degraded": degraded, "interval": "200ms", "timeout": "100ms", "jitter": "0s"}


class Agent:
    def __init__(self, v, path):
        self.v = v
        self.path = path

    def write(self, config):
        text = config if isinstance(config, str) else json.dumps(config, indent=1)
        with open(self.path + ".tmp", "w") as f:
            f.write(text)
        os.replace(self.path + ".tmp", self.path)

    def log(self, msg):
        return [l for l in self.v.log_lines() if l.get("msg") == msg]

    def metrics(self):
        fams = parse_exposition(self.v.metrics())

        def one(name, **labels):
            for _, l, val in fams.get(name, {"samples": []})["samples"]:
                if all(l.get(k) == w for k, w in labels.items()):
                    return val
            return None
        return one

    def report(self):
        status, _, body = self.v.get("/health")
        return status, json.loads(body)

    def reload(self, how):
        """SIGHUP or POST; returns once the agent logged the outcome."""
        def post():
            status, _, body = self.v.get("/-/reload", method="POST", data=b"", headers=ADMIN)
            print(f"POST /-/reload -> {status} {body.decode().strip()}")
        self.v.reload(None if how == "SIGHUP" else post)

    def wait(self, cond, what, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _, report = self.report()
            if cond(report["entries"]):
                return report
            time.sleep(0.03)
        fail(f"never: {what}; last report {self.report()}")


def main():
    tmp = tempfile.mkdtemp(prefix="vitals-reload-")
    path = os.path.join(tmp, "agent.json")
    flag = os.path.join(tmp, "flag")
    open(flag, "w").close()
    config_a = {"process_groups": GROUPS, "checks": [
        exec_check("keep", flag), memory_check("change", 0.0001), memory_check("gone", 0.0001)]}
    config_b = {"process_groups": GROUPS, "checks": [
        exec_check("keep", flag), memory_check("change", 0.0002), memory_check("new", 0.0001)]}
    config_c = {"process_groups": GROUPS, "checks": [
        exec_check("keep", flag), memory_check("change", 0.0002), memory_check("new", 0.0003)]}
    with open(path, "w") as f:
        json.dump(config_a, f)
    web = os.path.join(tmp, "web.json")
    with open(web, "w") as f:
        json.dump({"basic_auth_users": {"admin": ADMIN_HASH}, "protected_paths": ["/-/reload"]}, f)

    with Vitals(f"--config.file={path}", f"--web.config.file={web}") as v:
        a = Agent(v, path)
        # Give "keep" a history: Healthy -> Degraded -> Healthy (2 transitions).
        a.wait(lambda e: e["keep"]["status"] == "Healthy" and "pending" not in
               e["change"]["description"], "keep Healthy, change has a result")
        os.unlink(flag)
        a.wait(lambda e: e["keep"]["status"] == "Degraded", "keep Degraded")
        open(flag, "w").close()
        a.wait(lambda e: e["keep"]["status"] == "Healthy", "keep Healthy again")
        m = a.metrics()
        if m("vitals_check_transitions_total", check="keep") != 2:
            fail(f"keep transitions {m('vitals_check_transitions_total', check='keep')}, want 2")
        t0 = m("vitals_config_last_reload_success_timestamp_seconds")
        if m("vitals_config_last_reload_successful") != 1 or not t0:
            fail("after start: vitals_config_last_reload_successful is not 1 or no timestamp")

        # Good file by SIGHUP.
        time.sleep(0.05)  # the timestamp has sub-second resolution
        a.write(config_b)
        a.reload("SIGHUP")
        done = a.log("configuration reloaded")
        if not done or done[-1].get("kept") != "1" or done[-1].get("checks") != "3":
            fail(f"SIGHUP: want a 'configuration reloaded' line with checks=3 kept=1: {done}")
        report = a.wait(lambda e: "new" in e and "pending" not in e["new"]["description"],
                        "new check has a result")
        if sorted(report["entries"]) != ["change", "keep", "new"]:
            fail(f"SIGHUP: entries {sorted(report['entries'])}, want change, keep, new")
        if "0.0002" not in report["entries"]["change"]["description"]:
            fail(f"changed check does not use its new level: {report['entries']['change']}")
        m = a.metrics()
        t1 = m("vitals_config_last_reload_success_timestamp_seconds")
        if m("vitals_config_last_reload_successful") != 1 or not t1 > t0:
            fail(f"SIGHUP: successful {m('vitals_config_last_reload_successful')}, "
                 f"timestamp {t0} -> {t1}")
        if m("vitals_check_transitions_total", check="keep") != 2:
            fail("SIGHUP: the unchanged check lost its history (transitions "
                 f"{m('vitals_check_transitions_total', check='keep')}, want 2)")
        if m("vitals_check_status", check="gone", status="Healthy") is not None:
            fail("SIGHUP: the removed check is still on /metrics")
        print(f"SIGHUP good file: kept keep (transitions 2), timestamp {t0} -> {t1}")

        # Good file by POST.
        time.sleep(0.05)
        a.write(config_c)
        a.reload("POST")
        report = a.wait(lambda e: "0.0003" in e["new"]["description"], "new uses 0.0003")
        m = a.metrics()
        t2 = m("vitals_config_last_reload_success_timestamp_seconds")
        if m("vitals_config_last_reload_successful") != 1 or not t2 > t1:
            fail(f"POST: timestamp {t1} -> {t2}")
        if a.log("configuration reloaded")[-1].get("kept") != "2":
            fail(f"POST: want kept=2 (keep, change): {a.log('configuration reloaded')[-1]}")
        if m("vitals_check_transitions_total", check="keep") != 2:
            fail("POST: the unchanged check lost its history")
        print(f"POST good file: kept keep and change, timestamp {t1} -> {t2}")

        # Bad files: several mistakes, invalid JSON, a bad process group.
        bad = {"process_groups": GROUPS, "checks": [
            exec_check("keep", flag),
            memory_check("change", 0.0002) | {"timeout": "1s"},  # longer than the interval
            memory_check("keep", 0.1),                           # duplicate name
            memory_check("typo", 0.1) | {"degradde": 0.2},       # unknown key
            {"name": "what", "kind": "nope"},                    # unknown kind
        ]}
        want_pointers = {"/checks/1/timeout", "/checks/2/name", "/checks/3/degradde",
                         "/checks/4/kind"}
        regroup = {"process_groups": GROUPS + [{"name": "init", "comm": "^(init$"}],
                   "checks": config_c["checks"]}
        cases = [("SIGHUP", bad, want_pointers, None),
                 ("POST", bad, want_pointers, None),
                 ("SIGHUP", '{"checks": [', {""}, "invalid JSON"),
                 ("POST", regroup, {"/process_groups/1/comm"}, "missing )")]
        for how, config, pointers, text in cases:
            logged_before = len(a.log("configuration not reloaded"))
            a.write(config)
            time.sleep(0.05)
            a.reload(how)
            lines = a.log("configuration not reloaded")[logged_before:]
            got = {l.get("pointer") for l in lines}
            print(f"{how} bad file: logged " +
                  "; ".join(f"{l.get('pointer')!r}: {l.get('err')}" for l in lines))
            if got != pointers:
                fail(f"{how}: logged pointers {sorted(got)}, want {sorted(pointers)}:\n{lines}")
            if text and not any(text in l.get("err", "") for l in lines):
                fail(f"{how}: no logged problem says {text!r}: {lines}")
            m = a.metrics()
            if m("vitals_config_last_reload_successful") != 0:
                fail(f"{how}: vitals_config_last_reload_successful is not 0 after a bad file")
            if m("vitals_config_last_reload_success_timestamp_seconds") != t2:
                fail(f"{how}: the success timestamp moved on a rejected reload")
            status, report = a.report()
            if sorted(report["entries"]) != ["change", "keep", "new"] or status != 200:
                fail(f"{how}: the old config is not serving: {status} {report}")
            if "0.0003" not in report["entries"]["new"]["description"]:
                fail(f"{how}: the old config is not serving: {report['entries']['new']}")
            if m("vitals_check_transitions_total", check="keep") != 2:
                fail(f"{how}: a rejected reload touched the checks")
            if how == "POST":
                status, _, _ = v.get("/-/reload", method="POST", data=b"", headers=ADMIN)
                if status != 500:
                    fail(f"POST /-/reload of a bad file answered {status}, want 500")
            if m("namedprocess_namegroup_num_procs", groupname="init") is not None:
                fail(f"{how}: a rejected process group reached /metrics")

        # A good file again.
        time.sleep(0.05)
        a.write(config_b)
        a.reload("SIGHUP")
        a.wait(lambda e: "0.0001" in e["new"]["description"], "config_b applied again")
        m = a.metrics()
        t3 = m("vitals_config_last_reload_success_timestamp_seconds")
        if m("vitals_config_last_reload_successful") != 1 or not t3 > t2:
            fail(f"good file after bad ones: successful "
                 f"{m('vitals_config_last_reload_successful')}, timestamp {t2} -> {t3}")
        if m("vitals_check_transitions_total", check="keep") != 2:
            fail("the unchanged check lost its history across the rejected reloads")
        if v.proc.poll() is not None:
            fail("vitals exited")
    print("OK: good files applied (SIGHUP, POST) keeping unchanged checks; bad files rejected "
          "with every pointer logged, old config serving, timestamp only on success")


if __name__ == "__main__":
    main()
