"""Heartbeats as easy as Healthchecks.io's ping URLs, against the real binary.

With basic-auth users configured (protected_paths left at "/"), the
per-check token alone is enough: GET, HEAD and POST of /ping/<token> and of
/heartbeat/<check> with X-Vitals-Token count; /start, /fail and
/<exit-code> too. A wrong token is 401 and changes nothing (no ping counted,
no beat recorded). Exit code 3 makes the check Unhealthy saying so; 0 brings
it back. A POST body becomes the last output the status page shows (capped).
A cron-scheduled check with a time zone is Healthy before its time and says
when the next run is due. Where the web config names /ping or /heartbeat in
protected_paths, basic auth is needed as well. The tokens are nowhere in
/health, /metrics, /debug/state, the status page or the log."""
# ctest-labels: sanitize

import base64
import json
import os
import tempfile
import time

import vitals_harness as vh

BACKUP = "backup-token-0123456789abcdef"
NIGHTLY = "nightly-token-0123456789abcdef"
WRONG = "wrong-token-0123456789abcdefgh"
# admin / admin-secret, bcrypt cost 10 (as in test_web_auth.py).
ADMIN_HASH = "$2b$10$VFPsSHSP2Oud9vZl7tmCYejIZDqhzvcIRFD1zkXJYzJetDhdHr7z6"
ADMIN = {"Authorization": "Basic " + base64.b64encode(b"admin:admin-secret").decode()}


def expect(cond, what):
    if not cond:
        vh.fail(what)
    print("ok:", what)


def write(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def pings(v):
    fams = vh.parse_exposition(metrics(v))
    out = {}
    for _, labels, value in fams.get("vitals_heartbeat_pings_total", {"samples": []})["samples"]:
        out[(labels["check"], labels["type"])] = value
    return out


def metrics(v):
    status, _, body = v.get("/metrics", ADMIN)
    if status != 200:
        vh.fail(f"/metrics: {status}")
    return body.decode()


def entry(v, name):
    status, _, body = v.get("/health", ADMIN)
    return json.loads(body)["entries"][name]


def wait_status(v, name, status, timeout=5.0):
    """The check's /health entry once it reports `status` (the check runs
    every second at most)."""
    deadline = time.monotonic() + timeout
    while entry(v, name)["status"] != status and time.monotonic() < deadline:
        time.sleep(0.05)
    return entry(v, name)


def main():
    with tempfile.TemporaryDirectory(prefix="vitals-ping-") as tmp:
        config = write(os.path.join(tmp, "agent.json"), {
            "health": {"debug_state": True},
            "checks": [
                {"name": "backup", "kind": "heartbeat", "period": "1h", "token": BACKUP,
                 "failures_before_unhealthy": 1},
                {"name": "nightly", "kind": "heartbeat", "schedule": "0 2 * * *",
                 "tz": "Europe/Berlin", "grace": "30m", "token": NIGHTLY}]})
        web = write(os.path.join(tmp, "web.json"), {"basic_auth_users": {"admin": ADMIN_HASH}})
        with vh.Vitals(f"--config.file={config}", f"--web.config.file={web}") as v:
            expect(v.get("/metrics")[0] == 401, "basic auth is on for the rest (/metrics 401)")
            before = pings(v)
            for method in ("GET", "HEAD", "POST"):
                status, _, _ = v.get(f"/ping/{BACKUP}", method=method,
                                     data=b"" if method == "POST" else None)
                expect(status == 200, f"{method} /ping/<token> without basic auth: 200")
            status, _, _ = v.get("/heartbeat/backup", {"X-Vitals-Token": BACKUP})
            expect(status == 200, "GET /heartbeat/backup with the token alone: 200")
            after = pings(v)
            expect(after.get(("backup", "success"), 0) - before.get(("backup", "success"), 0) == 4,
                   f"4 beats counted ({after})")
            expect(v.get(f"/ping/{BACKUP}/start", method="POST", data=b"")[0] == 200,
                   "/ping/<token>/start: 200")

            last = entry(v, "backup")["data"].get("last_heartbeat")
            for path, headers in ((f"/ping/{WRONG}", {}), (f"/ping/{WRONG}/3", {}),
                                  ("/heartbeat/backup", {"X-Vitals-Token": WRONG}),
                                  ("/heartbeat/backup", {}), (f"/ping/{BACKUP[:-1]}", {})):
                status, _, _ = v.get(path, headers, method="POST", data=b"x")
                expect(status == 401, f"wrong token on {path.replace(WRONG, '<wrong>')}: 401")
            expect(pings(v) == {**after, ("backup", "start"): after.get(("backup", "start"), 0) + 1},
                   "wrong tokens counted no ping")
            expect(entry(v, "backup")["data"].get("last_heartbeat") == last,
                   "wrong tokens changed no beat")

            status, _, _ = v.get(f"/ping/{BACKUP}/3", method="POST",
                                 data=b"tar: /srv: Cannot open: Permission denied\n" + b"x" * 9000)
            expect(status == 200, "/ping/<token>/3 with a body: 200")
            e = wait_status(v, "backup", "Unhealthy")
            expect(e["status"] == "Unhealthy" and "exit status 3" in e["description"],
                   f"exit code 3: Unhealthy with that code ({e['description']!r})")
            expect(e["data"].get("exit_code") == 3, "exit code 3 in the report's data")
            codes = vh.parse_exposition(metrics(v)).get("vitals_heartbeat_exit_code",
                                                         {"samples": []})["samples"]
            expect([(labels["check"], value) for _, labels, value in codes] == [("backup", 3)],
                   f"vitals_heartbeat_exit_code{{check=\"backup\"}} 3 ({codes})")
            status, _, body = v.get("/status.json", ADMIN)
            cells = json.loads(body)["cells"]
            desc = cells["check:backup/1"]
            expect("Cannot open: Permission denied" in desc["t"] and len(desc.get("ti", "")) <= 2100,
                   "the status page shows the last output, capped")
            expect(v.get("/heartbeat/backup/0", {"X-Vitals-Token": BACKUP})[0] == 200,
                   "/heartbeat/backup/0: 200")
            expect(wait_status(v, "backup", "Healthy")["status"] == "Healthy",
                   "exit code 0: Healthy again")

            nightly = entry(v, "nightly")
            expect(nightly["status"] == "Healthy" and "next run due" in nightly["description"],
                   f"cron schedule: Healthy before its time ({nightly['description']!r})")

            places = {"/health": v.get("/health", ADMIN)[2], "/metrics": metrics(v).encode(),
                      "/debug/state": v.get("/debug/state", ADMIN)[2],
                      "/": v.get("/", ADMIN)[2], "/status.json": v.get("/status.json", ADMIN)[2]}
            log = v.log_text()
        places["the log"] = log.encode()
        for where, text in places.items():
            for token in (BACKUP, NIGHTLY):
                expect(token.encode() not in text, f"no token in {where} ({token[:6]}...)")

        web = write(os.path.join(tmp, "web2.json"), {"basic_auth_users": {"admin": ADMIN_HASH},
                                                     "protected_paths": ["/ping", "/heartbeat"]})
        with vh.Vitals(f"--config.file={config}", f"--web.config.file={web}") as v:
            expect(v.get(f"/ping/{BACKUP}")[0] == 401,
                   "protected_paths names /ping: basic auth needed as well")
            expect(v.get(f"/ping/{BACKUP}", ADMIN)[0] == 200, "... and with it, the ping counts")
            expect(v.get("/heartbeat/backup", {"X-Vitals-Token": BACKUP})[0] == 401,
                   "protected_paths names /heartbeat: basic auth needed as well")
    print("PASS")


if __name__ == "__main__":
    main()
