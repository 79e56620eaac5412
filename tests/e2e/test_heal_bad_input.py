"""Heartbeats and /debug/state under bad input: wrong or missing token 401,
counted, no state change; unknown check 404; PUT 405; oversized
body 413; a flood of refused requests does not grow memory; /debug/state
is never served without credentials, and is off unless configured."""

import json
import os
import tempfile

import heal_peers as hp
from vitals_harness import Vitals, fail, rss_kib


def post(v, path, token=None, auth=True, data=b""):
    headers = dict(hp.AUTH) if auth else {}
    if token is not None:
        headers["X-Vitals-Token"] = token
    return v.get(path, headers, method="POST", data=data)


def main():
    with tempfile.TemporaryDirectory(prefix="vitals-heal-bad-") as d:
        web, _ = hp.setup(d, "job", 1, 1)
        config = hp.write_config(d, {"checks": [{
            "name": "job", "kind": "heartbeat", "period": "1h", "token": hp.TOKEN}]})
        with Vitals("--config.file=" + config, "--web.config.file=" + web) as v:
            def beats():
                fams = hp.metrics(v)
                return ({l["type"]: val for _, l, val in fams["vitals_heartbeat_pings_total"]["samples"]},
                        {(l["check"], l["reason"]): val
                         for _, l, val in fams["vitals_heartbeat_rejected_total"]["samples"]})
            hp.expect(post(v, "/heartbeat/job", hp.TOKEN)[0] == 200, "right token: 200")
            hp.expect(post(v, "/heartbeat/job/start", hp.TOKEN)[0] == 200, "/start: 200")
            hp.expect(post(v, "/heartbeat/job/fail", hp.TOKEN)[0] == 200, "/fail: 200")
            status = lambda: json.loads(v.get("/health/job", hp.AUTH)[2])["status"]
            # Seen at the check's next evaluation: every period/5, at most 1 s.
            hp.wait_until("Unhealthy after /fail", lambda: status() == "Unhealthy", 3)
            print("ok: /fail makes the check Unhealthy at its next evaluation")
            hp.expect(post(v, "/heartbeat/job", hp.TOKEN)[0] == 200, "a beat after /fail: 200")
            hp.wait_until("Healthy after a beat", lambda: status() == "Healthy", 3)
            print("ok: the next beat makes it Healthy")
            before = beats()
            s, h, body = post(v, "/heartbeat/job", hp.TOKEN[:-1] + "x")
            hp.expect(s == 401 and b"X-Vitals-Token" in body, "wrong token: 401")
            hp.expect(post(v, "/heartbeat/job")[0] == 401, "missing token: 401")
            hp.expect(post(v, "/heartbeat/job/fail", "")[0] == 401, "empty token on /fail: 401")
            after = beats()
            hp.expect(after[0] == before[0], f"refused requests change nothing ({after[0]})")
            hp.expect(after[1][("job", "token")] == before[1][("job", "token")] + 3,
                      "refused tokens counted per check")
            import time
            time.sleep(1.2)  # one evaluation later
            hp.expect(status() == "Healthy", "no state change from refused requests")
            hp.expect(post(v, "/heartbeat/nope", hp.TOKEN)[0] == 404, "unknown check: 404")
            hp.expect(post(v, "/heartbeat/job", hp.TOKEN, auth=False)[0] == 200 and
                      beats()[0]["success"] == after[0]["success"] + 1,
                      "right token without basic auth: 200, a beat (the token is enough)")
            hp.expect(beats()[1][("", "unknown_check")] == 1, "unknown checks counted")
            hp.expect(post(v, "/heartbeat/job/restart", hp.TOKEN)[0] == 404, "unknown suffix: 404")
            hp.expect(post(v, "/heartbeat/job?pid=abc", hp.TOKEN)[0] == 400, "bad pid: 400")
            hp.expect(v.get("/heartbeat/job", hp.AUTH, method="PUT", data=b"")[0] == 405,
                      "PUT: 405")
            hp.expect(v.get("/heartbeat/job", hp.AUTH)[0] == 401, "GET without the token: 401")
            big = b"x" * 200_000
            hp.expect(post(v, "/heartbeat/job", hp.TOKEN, data=big)[0] == 413, "200 kB body: 413")

            # A flood of refused and accepted requests: memory stays flat.
            for _ in range(200):
                post(v, "/heartbeat/job", "wrong-token-wrong-token")
            base = rss_kib(v.proc.pid)
            for i in range(2000):
                post(v, f"/heartbeat/flood{i}", hp.TOKEN)
                post(v, "/heartbeat/job", "wrong-token-wrong-token", data=b"y" * 1000)
            grown = rss_kib(v.proc.pid) - base
            hp.expect(grown < 2048, f"4,000 refused requests grew RSS by {grown} KiB (< 2 MiB)")
            rej = beats()[1]
            hp.expect(rej[("job", "token")] >= 2203 and rej[("", "unknown_check")] == 2001,
                      "the flood is counted")

            s, h, _ = v.get("/debug/state")
            hp.expect(s == 401 and h.get("www-authenticate", "").startswith("Basic"),
                      "/debug/state without credentials: 401")
            s, _, body = v.get("/debug/state", hp.AUTH)
            hp.expect(s == 404 and b"debug_state" in body, "/debug/state is off by default: 404")
            hp.expect(hp.TOKEN not in v.log_text(), "the token is never logged")
    with Vitals() as v:
        s, _, body = v.get("/debug/state")
        hp.expect(s == 403, "/debug/state with no web config: 403 (no way to authenticate)")
    print("PASS")


if __name__ == "__main__":
    main()
