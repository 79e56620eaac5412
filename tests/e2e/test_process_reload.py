"""Process groups reload without a restart (process-exporter needs one).

Real children named through prctl; a SIGHUP swaps the grouping:
- a group the new file still has ("api") keeps its counters: its CPU seconds
  do not drop, and a process that joins it adds only what it does after the
  reload (the worker's CPU under "old" is not counted again);
- a group the new file drops ("old") leaves /metrics at once;
- a declared group the new file adds ("batch") is there with num_procs 0 at
  once, and a check that names it works without a restart;
- the health sampler sees the new groups (vitals_sample_group_num_procs);
- a bad regex in a reload is rejected with its pointer and the running
  groups keep serving."""
# ctest-labels: sanitize

import json
import os
import tempfile
import time

from process_kids import start_all, stop_all
from vitals_harness import Vitals, fail, parse_exposition

P = "namedprocess_namegroup_"
CHECK = {"interval": "200ms", "timeout": "150ms", "jitter": "0s",
         "failures_before_unhealthy": 1, "successes_before_healthy": 1}


def value(fams, family, **labels):
    for _, l, v in fams.get(family, {"samples": []})["samples"]:
        if all(l.get(k) == want for k, want in labels.items()):
            return v
    return None


def cpu(fams, group):
    user = value(fams, P + "cpu_seconds_total", groupname=group, mode="user")
    system = value(fams, P + "cpu_seconds_total", groupname=group, mode="system")
    return None if user is None else user + system


def main():
    kids = start_all([(b"vtr_api", 1, 2), (b"vtr_worker", 0, 1), (b"vtr_cron", 0, 0)])
    api, worker = kids[0], kids[1]
    tmp = tempfile.mkdtemp(prefix="vitals-preload-")
    path = os.path.join(tmp, "agent.json")
    before = {"process_groups": [{"name": "api", "comm": "^vtr_api$"},
                                 {"name": "old", "comm": "^vtr_worker$"}],
              "checks": [{"name": "api-up", "kind": "process", "group": "api", "min": 1} | CHECK]}
    after = {"process_groups": [{"name": "api", "comm": "^vtr_(api|worker)$"},
                                {"name": "batch", "comm": "^vtr_batch$", "min": 1}],
             "checks": [{"name": "api-up", "kind": "process", "group": "api", "min": 2} | CHECK,
                        {"name": "batch-up", "kind": "process", "group": "batch", "min": 1}
                        | CHECK]}

    def write(config):
        with open(path + ".tmp", "w") as f:
            json.dump(config, f)
        os.replace(path + ".tmp", path)

    def reload(v, outcome):
        got = v.reload()
        if got != outcome:
            fail(f"SIGHUP: the agent logged {got!r}, want {outcome!r}:\n{v.log_text()}")

    def wait_health(v, check, status):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            _, _, body = v.get("/health")
            entry = json.loads(body)["entries"].get(check)
            if entry and entry["status"] == status:
                return entry
            time.sleep(0.05)
        fail(f"check {check} never {status}: {json.loads(v.get('/health')[2])}")

    try:
        write(before)
        with Vitals(f"--config.file={path}") as v:
            api.send("burn 0.2")
            worker.send("burn 0.3")
            deadline = time.monotonic() + 10
            while True:
                f1 = parse_exposition(v.metrics())
                if cpu(f1, "api") >= 0.18 and cpu(f1, "old") >= 0.28:
                    break
                if time.monotonic() > deadline:
                    fail(f"CPU never seen: api {cpu(f1, 'api')}, old {cpu(f1, 'old')}")
                time.sleep(0.1)
            wait_health(v, "api-up", "Healthy")
            api_before, old_before = cpu(f1, "api"), cpu(f1, "old")

            write(after)
            reload(v, "configuration reloaded")
            f2 = parse_exposition(v.metrics())
            got = {g: value(f2, P + "num_procs", groupname=g) for g in ("api", "old", "batch")}
            if got != {"api": 2, "old": None, "batch": 0}:
                fail(f"after the reload num_procs {got}, want api 2, old gone, batch 0")
            threads = value(f2, P + "num_threads", groupname="api")
            fds = value(f2, P + "open_filedesc", groupname="api")
            if (threads, fds) != (api.expected_threads + worker.expected_threads,
                                  api.expected_fds + worker.expected_fds):
                fail(f"api after the reload: threads {threads}, fds {fds}")
            api_after = cpu(f2, "api")
            # Not below: the counter continues; not with the worker's 0.3 s
            # from before the reload: nothing counted twice.
            if not api_before <= api_after < api_before + 0.2:
                fail(f"api CPU {api_before} -> {api_after} across the reload")
            worker.send("burn 0.3")
            deadline = time.monotonic() + 10
            while cpu(parse_exposition(v.metrics()), "api") < api_after + 0.28:
                if time.monotonic() > deadline:
                    fail("the worker's CPU after the reload never reached api")
                time.sleep(0.1)
            wait_health(v, "api-up", "Healthy")  # min 2 now: api and worker
            entry = wait_health(v, "batch-up", "Unhealthy")
            sampled = value(parse_exposition(v.metrics()), "vitals_sample_group_num_procs",
                            groupname="batch")
            if sampled != 0:
                fail(f"the sampler has batch at {sampled}, want 0")
            print(f"reloaded: api CPU {api_before:.2f} -> {api_after:.2f} s (old had "
                  f"{old_before:.2f} s), old gone, batch 0 and its check: {entry['description']}")

            bad = json.loads(json.dumps(after))
            bad["process_groups"].append({"name": "broken", "comm": "vtr_("})
            write(bad)
            reload(v, "reload rejected")
            lines = [l for l in v.log_lines() if l.get("msg") == "configuration not reloaded"]
            if not lines or lines[-1].get("pointer") != "/process_groups/2/comm":
                fail(f"a bad regex: logged {lines[-1:]} , want pointer /process_groups/2/comm")
            f3 = parse_exposition(v.metrics())
            if value(f3, P + "num_procs", groupname="api") != 2 or \
                    value(f3, P + "num_procs", groupname="broken") is not None:
                fail("a rejected reload changed the running groups")
            print(f"bad regex rejected: {lines[-1].get('pointer')}: {lines[-1].get('err')}")
            if v.proc.poll() is not None:
                fail("vitals exited")
        print("OK: process groups reloaded in place; kept counters, dropped and declared groups, "
              "checks on new groups, bad regex rejected")
    finally:
        stop_all(kids)


if __name__ == "__main__":
    main()
