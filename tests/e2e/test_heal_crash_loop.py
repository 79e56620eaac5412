"""A crash-looping worker: every worker beats once and exits. vitals restarts
it on each transition into Unhealthy, but at most limit_burst (3) times per
limit_interval (1 min); past that the action is suppressed, logged and
counted, the check stays Unhealthy, and metrics and /debug/state say so."""

import json
import tempfile
import time

import heal_peers as hp
from vitals_harness import Vitals


def main():
    with tempfile.TemporaryDirectory(prefix="vitals-crash-") as d:
        web, start = hp.setup(d, "flaky", interval=0.1, beats=1)  # beats once, then "crashes"
        config = hp.write_config(d, {
            "health": {"debug_state": True},
            "checks": [{
                "name": "flaky", "kind": "heartbeat", "period": "300ms", "grace": "200ms",
                "token": hp.TOKEN, "failures_before_unhealthy": 1,
                "actions": [{"type": "exec", "command": start, "timeout": "5s",
                             "backoff": "1s", "max_backoff": "1s", "limit_burst": 3,
                             "limit_interval": "1m", "reset_after": "1m"}]}]})
        try:
            with Vitals("--config.file=" + config, "--web.config.file=" + web) as v:
                hp.set_url(d, v.url)
                # vitals starts the first worker too (no beat since the check began).
                starts = lambda: [t for k, _, t in hp.events(d) if k == "start"]
                hp.wait_until("3 starts by vitals", lambda: len(starts()) >= 3, 20)

                def suppressed():
                    fams = hp.metrics(v)
                    return fams["vitals_actions_suppressed_total"]["samples"][0][2] >= 1 and fams
                fams = hp.wait_until("a suppressed attempt", suppressed, 10)
                time.sleep(3.0)  # several more crash cycles' worth of time: no 4th restart
                n = len(starts())
                hp.expect(n == 3, f"vitals started the worker exactly limit_burst = 3 times (got {n})")
                beats = len([1 for k, _, _ in hp.events(d) if k == "beat"])
                hp.expect(beats == 3, f"each of the 3 workers beat once ({beats} beats)")

                fams = hp.metrics(v)
                total = {l["result"]: val for _, l, val in fams["vitals_actions_total"]["samples"]}
                sup = fams["vitals_actions_suppressed_total"]["samples"][0]
                hp.expect(total["success"] == 3 and sup[2] >= 1 and sup[1]["check"] == "flaky",
                          f"metrics: vitals_actions_total success 3, "
                          f"vitals_actions_suppressed_total {sup[2]:.0f}")
                health = json.loads(v.get("/health/flaky", hp.AUTH)[2])
                hp.expect(health["status"] == "Unhealthy", "the check stays Unhealthy")
                state = json.loads(v.get("/debug/state", hp.AUTH)[2])
                a = state["checks"]["flaky"]["actions"][0]
                hp.expect(a["state"] == "suppressed" and a["runs_in_window"] == 3 and
                          a["suppressed"] >= 1 and a["next_allowed_in_seconds"] > 50,
                          f"/debug/state: state {a['state']}, {a['runs_in_window']} runs in the window, "
                          f"{a['suppressed']} suppressed, next in {a['next_allowed_in_seconds']:.0f} s")
                logged = [l for l in v.log_lines() if l.get("msg") == "action suppressed"]
                hp.expect(logged and "limit_burst" in logged[0].get("reason", ""),
                          "the suppression is logged with its reason")
                print(f"figures: 3 starts in {starts()[2] - starts()[0]:.1f} s, then "
                      f"{sup[2]:.0f} suppressed attempt(s); state {a['state']}")
        finally:
            hp.stop_workers(d)
    print("PASS")


if __name__ == "__main__":
    main()
