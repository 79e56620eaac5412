"""Self-healing, end to end: a real worker heartbeats every 200 ms, then
stops. (vitals starts the first one too: no beat since the check began is a
miss like any other.) vitals marks its heartbeat check Unhealthy after the configured misses
(period 500 ms + grace 300 ms, 2 misses: 1.3 s after the last beat), runs the
`exec` action that starts a new worker, and the new worker heartbeats again.
Prints the detection and restart times; checks metrics and /debug/state."""
# ctest-labels: sanitize

import json
import tempfile
import time

import heal_peers as hp
from vitals_harness import Vitals


def main():
    with tempfile.TemporaryDirectory(prefix="vitals-heal-") as d:
        web, start = hp.setup(d, "worker", interval=0.2, beats=10)  # a worker lives ~2 s
        config = hp.write_config(d, {
            "health": {"debug_state": True},
            "checks": [{
                "name": "worker", "kind": "heartbeat", "period": "500ms", "grace": "300ms",
                "token": hp.TOKEN, "failures_before_unhealthy": 2,
                "actions": [{"type": "exec", "command": start, "timeout": "5s",
                             "backoff": "2s", "limit_burst": 3, "limit_interval": "1m"}]}]})
        try:
            with Vitals("--config.file=" + config, "--web.config.file=" + web) as v:
                hp.set_url(d, v.url)
                first = hp.wait_until("the first worker's beat", lambda: [
                    e for e in hp.events(d) if e[0] == "beat"], 10)[0][1]
                status = lambda: json.loads(v.get("/health/worker", hp.AUTH)[2])["status"]
                hp.wait_until("Healthy", lambda: status() == "Healthy", 5)
                print("ok: worker", first, "heartbeats; check Healthy")

                # It stops after 10 beats. Watch the check go Unhealthy.
                unhealthy_at = hp.wait_until("Unhealthy", lambda: status() == "Unhealthy" and time.time(),
                                             15, step=0.02)
                ev = hp.events(d)
                last_beat = max(t for k, p, t in ev if k == "beat" and p == first)
                detect = unhealthy_at - last_beat
                hp.expect(1.2 <= detect <= 2.5,
                          f"Unhealthy {detect:.2f} s after the last beat (expected 1.3 s + evaluation)")

                starts = hp.wait_until("the restart action", lambda: [
                    t for k, _, t in hp.events(d) if k == "start"][1:], 10)
                restart_at = starts[0]
                second_beat = hp.wait_until("a beat from the new worker", lambda: [
                    (p, t) for k, p, t in hp.events(d) if k == "beat" and p != first], 10)[0]
                print(f"figures: last beat -> Unhealthy (seen by polling) {detect*1000:.0f} ms; "
                      f"last beat -> action started {(restart_at - last_beat)*1000:.0f} ms; "
                      f"action -> first beat of pid {second_beat[0]} "
                      f"{(second_beat[1] - restart_at)*1000:.0f} ms; "
                      f"death to recovery {(second_beat[1] - last_beat)*1000:.0f} ms")
                hp.expect(restart_at - last_beat < 2.5, "the action ran right after detection")
                hp.wait_until("Healthy again", lambda: status() == "Healthy", 5)
                print("ok: the new worker heartbeats; check Healthy again")

                fams = hp.metrics(v)
                total = {(l["check"], l["action"], l["result"]): val
                         for _, l, val in fams["vitals_actions_total"]["samples"]}
                hp.expect(total[("worker", "exec", "success")] == 2 and
                          total[("worker", "exec", "failure")] == 0,
                          f"vitals_actions_total: two successes, the first start and the restart ({total})")
                last = fams["vitals_action_last_timestamp_seconds"]["samples"][0][2]
                hp.expect(abs(last - restart_at) < 2, "vitals_action_last_timestamp_seconds ~ the run")
                hb = fams["vitals_heartbeat_last_timestamp_seconds"]["samples"][0][2]
                hp.expect(hb >= second_beat[1] - 1, "vitals_heartbeat_last_timestamp_seconds is fresh")
                pings = {l["type"]: val for _, l, val in fams["vitals_heartbeat_pings_total"]["samples"]}
                hp.expect(pings["success"] >= 11, f"vitals_heartbeat_pings_total ({pings})")
                suppressed = fams["vitals_actions_suppressed_total"]["samples"][0][2]
                hp.expect(suppressed == 0, "nothing suppressed")

                state = json.loads(v.get("/debug/state", hp.AUTH)[2])
                w = state["checks"]["worker"]
                worker = [x for x in w["workers"] if x["source"] == "heartbeat"][0]
                hp.expect(worker["pid"] == second_beat[0] and worker["alive"] and worker["starts"] == 2
                          and worker["start_time"] > last_beat - 5,
                          f"/debug/state: worker pid {worker['pid']}, alive, 2 starts, start time")
                hp.expect(w["last_action"]["result"] == "success" and
                          abs(w["last_restart"] - restart_at) < 2,
                          "/debug/state: last action and last restart")
                hp.expect(hp.TOKEN not in json.dumps(state) and hp.TOKEN not in v.log_text(),
                          "the token is in neither /debug/state nor the log")
        finally:
            hp.stop_workers(d)
    print("PASS")


if __name__ == "__main__":
    main()
