"""Basic auth, per endpoint, through --web.config.file; diagnostics never
open; request size limits; security headers.

The matrix (users configured, protected_paths ["/metrics"]):
  /metrics        no credentials 401 | wrong password 401 | unknown user 401 | right 200
  /-/healthy      open (not listed)  200
  /debug/state, /-/reload   always need credentials: 401 without,
                  and with them whatever the route says (404/405 until it exists)
  /heartbeat/x, /ping/x     their own tokens, not basic auth: past the web layer
Without any web config, /debug/* answers 403 (no way to authenticate, so
never open); /heartbeat/* still answers by its tokens."""
# ctest-labels: sanitize

import json
import os
import statistics
import tempfile
import time

from vitals_harness import Vitals, fail, parse_exposition

# bcrypt cost 10, made with Python's crypt module (libcrypt): see README.
USERS = {
    "prometheus": ("scrape-secret", "$2b$10$fg6OwTWv/vCRtsTQvBPRDOLCd/msyEcTTZIClI4hsJY/furkqP6Ym"),
    "admin": ("admin-secret", "$2b$10$VFPsSHSP2Oud9vZl7tmCYejIZDqhzvcIRFD1zkXJYzJetDhdHr7z6"),
}


def basic(user, password):
    import base64
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def expect(cond, what):
    if not cond:
        fail(what)
    print("ok:", what)


def with_users(tmp):
    web = os.path.join(tmp, "web.json")
    with open(web, "w") as f:
        json.dump({"basic_auth_users": {u: h for u, (_, h) in USERS.items()},
                   "protected_paths": ["/metrics"],
                   "limits": {"max_body_bytes": 1024, "max_header_bytes": 2048}}, f)
    good = basic("prometheus", "scrape-secret")
    with Vitals("--web.config.file=" + web) as v:
        status, headers, _ = v.get("/metrics")
        expect(status == 401 and headers.get("www-authenticate", "").startswith("Basic realm="),
               "/metrics without credentials: 401 with WWW-Authenticate")
        expect(v.get("/metrics", basic("prometheus", "wrong"))[0] == 401, "/metrics wrong password: 401")
        expect(v.get("/metrics", basic("nobody", "scrape-secret"))[0] == 401, "/metrics unknown user: 401")
        expect(v.get("/metrics", basic("admin", "scrape-secret"))[0] == 401,
               "/metrics another user's password: 401")
        expect(v.get("/metrics", {"Authorization": "Bearer x"})[0] == 401, "/metrics bearer: 401")
        status, _, body = v.get("/metrics", good)
        expect(status == 200 and b"node_load1" in body, "/metrics right credentials: 200")
        expect(v.get("/-/healthy")[0] == 200, "/-/healthy (not protected): 200 without credentials")
        for path in ("/heartbeat/backup", "/ping/no-such-token-0123456789"):
            status = v.get(path, method="POST", data=b"")[0]
            expect(status in (401, 404) and
                   "www-authenticate" not in v.get(path, method="POST", data=b"")[1],
                   f"POST {path} without basic auth: the handler's own answer ({status}), "
                   "no basic-auth challenge")
        for path, method in (("/debug/state", "GET"), ("/-/reload", "POST")):
            status = v.get(path, method=method, data=b"" if method == "POST" else None)[0]
            expect(status == 401, f"{method} {path} without credentials: 401 (got {status})")
            status = v.get(path, basic("admin", "admin-secret"), method=method,
                           data=b"" if method == "POST" else None)[0]
            expect(status != 401, f"{method} {path} with credentials: past auth ({status})")
        expect(v.get("/nonexistent")[0] == 404, "unprotected unknown path: 404")

        # Timing: an unknown user costs one bcrypt, like a known one.
        def median(headers):
            samples = []
            for _ in range(5):
                t = time.monotonic()
                v.get("/metrics", headers)
                samples.append(time.monotonic() - t)
            return statistics.median(samples)
        known, unknown = median(basic("prometheus", "wrong")), median(basic("nobody", "wrong"))
        expect(0.5 < unknown / known < 2.0,
               f"refusal time does not tell users apart: known {known*1000:.1f} ms, "
               f"unknown {unknown*1000:.1f} ms")

        # Limits on the request itself.
        status = v.get("/metrics", dict(good, **{"Content-Length": "5000"}), data=b"x" * 5000)[0]
        expect(status == 413, f"body over max_body_bytes: 413 (got {status})")
        import socket
        with socket.create_connection(("127.0.0.1", v.port), timeout=5) as s:
            s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 4096 + b"\r\n\r\n")
            reply = s.recv(200)
        expect(reply.startswith(b"HTTP/1.1 431"), f"headers over max_header_bytes: 431 ({reply[:40]})")
        with socket.create_connection(("127.0.0.1", v.port), timeout=5) as s:
            s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            reply = s.recv(200)
        expect(reply.startswith(b"HTTP/1.1 200"), f"chunked body within the limit: 200 ({reply[:40]})")
        with socket.create_connection(("127.0.0.1", v.port), timeout=5) as s:
            s.sendall(b"POST /-/healthy HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + b"800\r\n" + b"x" * 0x800 + b"\r\n0\r\n\r\n")
            reply = s.recv(200)
        expect(reply.startswith(b"HTTP/1.1 413"), f"chunked body over max_body_bytes: 413 ({reply[:40]})")

        fams = parse_exposition(v.get("/metrics", good)[2].decode())
        refused = {l["reason"]: val for n, l, val in fams["vitals_http_requests_refused_total"]["samples"]}
        expect(refused["auth"] >= 10 and refused["too_large"] == 2,
               f"refusals counted: {refused}")
        expect("scrape-secret" not in v.log_text() and "$2b$" not in v.log_text(),
               "no password or hash in the log")


def reload(tmp):
    """SIGHUP re-reads --web.config.file: new users apply at once; a broken
    file keeps the running one and says why in the log."""
    import signal
    web = os.path.join(tmp, "reload.json")
    def write(users):
        with open(web, "w") as f:
            json.dump({"basic_auth_users": {u: USERS[u][1] for u in users}}, f)
    write(["prometheus"])
    with Vitals("--web.config.file=" + web) as v:
        admin = basic("admin", "admin-secret")
        expect(v.get("/metrics", admin)[0] == 401, "before reload: admin unknown, 401")
        write(["admin"])
        v.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while v.get("/metrics", admin)[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        expect(v.get("/metrics", admin)[0] == 200, "after SIGHUP: admin accepted")
        expect(v.get("/metrics", basic("prometheus", "scrape-secret"))[0] == 401,
               "after SIGHUP: the removed user refused")
        with open(web, "w") as f:
            f.write('{"basic_auth_users": {"admin": "not a hash"}}')
        v.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while "web configuration not reloaded" not in v.log_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        expect("/basic_auth_users/admin" in v.log_text(),
               "broken web config: logged with its JSON pointer")
        expect(v.get("/metrics", admin)[0] == 200, "broken web config: the running one stays")


def without_config():
    with Vitals() as v:
        status, _, body = v.get("/debug/state")
        expect(status == 403 and b"basic_auth_users" in body,
               "/debug/state with no web config: 403, says how to enable")
        expect(v.get("/heartbeat/backup")[0] == 404,
               "/heartbeat/backup with no web config: 404 (no such check; tokens, not users)")
        status, headers, body = v.get("/")
        expect(status == 200 and headers.get("x-frame-options") == "DENY" and
               "frame-ancestors 'none'" in headers.get("content-security-policy", "") and
               headers.get("x-content-type-options") == "nosniff" and
               headers.get("referrer-policy") == "no-referrer",
               "landing page (HTML): X-Frame-Options, CSP, nosniff, Referrer-Policy")
        status, headers, _ = v.get("/metrics")
        expect(headers.get("cache-control") == "no-store" and
               headers.get("x-content-type-options") == "nosniff",
               "/metrics: Cache-Control no-store, nosniff")


def main():
    with tempfile.TemporaryDirectory(prefix="vitals-auth-") as tmp:
        with_users(tmp)
        reload(tmp)
    without_config()
    print("PASS")


if __name__ == "__main__":
    main()
