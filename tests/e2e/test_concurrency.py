"""Concurrency: 16 client threads scrape /metrics (plain and gzip) and hit the
health endpoints back to back while the config is reloaded over and over
(SIGHUP and POST /-/reload, alternating a good config, another good config
with other checks, and a broken one) and probes time out against a black
hole. Every response must be complete and well-formed: the exposition text
parses and ends with a newline, gzip bodies decompress, JSON parses with a
status, status codes are the documented ones. At the end the agent is alive,
vitals_config_last_reload_successful tells the last reload's outcome, and
the agent's thread and fd counts are where they were after the warm-up.

What the build does not have yet is reported as pending, not failed: a build
without /health or without reload (404 on those paths) runs the rest.
VITALS_CONCURRENCY_SECONDS (default 20) bounds the run."""
# ctest-labels: sanitize

import gzip
import json
import os
import signal
import tempfile
import threading
import time
import urllib.error
import urllib.request

import probe_peers as pp
import vitals_harness as vh

SECONDS = float(os.environ.get("VITALS_CONCURRENCY_SECONDS", "20"))
CLIENTS = 16
# The admin user of e2e.web_auth (bcrypt cost 10, made with Python's crypt).
ADMIN = ("admin", "admin-secret", "$2b$10$VFPsSHSP2Oud9vZl7tmCYejIZDqhzvcIRFD1zkXJYzJetDhdHr7z6")


def auth_header():
    import base64
    return "Basic " + base64.b64encode(f"{ADMIN[0]}:{ADMIN[1]}".encode()).decode()


def configs(hole_addr):
    P = pp.probe
    groups = [{"name": "vitals", "self": True}, {"name": "{{.Comm}}", "comm": "^python3$"}]
    a = {"process_groups": groups,
         "health": {"max_concurrency": 8},
         "checks": [P("hole-tcp", "tcp", interval="500ms", timeout="300ms", address=hole_addr,
                      send="PING\r\n", expect="PONG", tags=["ready"]),
                    P("hole-http", "http", interval="500ms", timeout="300ms",
                      url=f"http://{hole_addr}/", tags=["live"]),
                    {"name": "self-procs", "kind": "process", "group": "vitals", "min": 1,
                     "interval": "500ms", "timeout": "300ms", "jitter": "0s"}]}
    b = json.loads(json.dumps(a))
    b["checks"] = b["checks"][1:] + [
        {"name": "cpu", "kind": "threshold", "value": "host.cpu_busy_ratio", "degraded": 2.0,
         "interval": "500ms", "timeout": "300ms", "jitter": "0s", "tags": ["ready"]}]
    bad = json.loads(json.dumps(a))
    bad["checks"][0]["interval"] = 5  # not a duration: the reload must be refused
    return a, b, bad


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.errors = []

    def ok(self, what):
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def error(self, msg):
        with self.lock:
            self.errors.append(msg)


def fetch(url, headers=None, method="GET", data=None):
    req = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=15) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def check_metrics(status, headers, body, zipped):
    if status != 200:
        raise ValueError(f"status {status}")
    if zipped and headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)  # raises on a truncated stream
    text = body.decode("utf-8")
    if not text.endswith("\n"):
        raise ValueError(f"does not end with a newline ({len(text)} bytes)")
    fams = vh.parse_exposition(text)
    if "vitals_build_info" not in fams or "process_resident_memory_bytes" not in fams:
        raise ValueError("a family is missing: " + ", ".join(sorted(fams)[:10]))


def check_health(status, body):
    if status not in (200, 503):
        raise ValueError(f"status {status}: {body[:200]!r}")
    report = json.loads(body)
    if report.get("status") not in ("Healthy", "Degraded", "Unhealthy"):
        raise ValueError(f"status field {report.get('status')!r}")
    if status == 503 and report["status"] != "Unhealthy":
        raise ValueError(f"503 with {report['status']}")


def proc_counts(pid):
    """(threads, fds) at rest: the minimum of 10 samples over 2 s, as probes
    run on threads of their own and hold a socket while they run."""
    samples = []
    for _ in range(10):
        with open(f"/proc/{pid}/status") as f:
            threads = next(int(l.split()[1]) for l in f if l.startswith("Threads:"))
        samples.append((threads, len(os.listdir(f"/proc/{pid}/fd"))))
        time.sleep(0.2)
    return min(t for t, _ in samples), min(n for _, n in samples)


def reload_gauge_becomes(v, want, timeout=10):
    """vitals_config_last_reload_successful's samples once the gauge is `want`
    (a reload is applied on the agent's own thread), or as last read."""
    deadline = time.monotonic() + timeout
    while True:
        fams = vh.parse_exposition(v.metrics())
        gauge = fams.get("vitals_config_last_reload_successful", {"samples": []})["samples"]
        if (gauge and gauge[0][2] == want) or time.monotonic() > deadline:
            return gauge
        time.sleep(0.05)


def main():
    pending = []
    with pp.BlackHole() as hole, tempfile.TemporaryDirectory(prefix="vitals-conc-") as tmp:
        a, b, bad = configs(f"127.0.0.1:{hole.port}")
        config = os.path.join(tmp, "agent.json")

        def write_config(doc):
            with open(config + ".tmp", "w") as f:
                json.dump(doc, f)
            os.replace(config + ".tmp", config)  # a reload never reads half a file

        write_config(a)
        web = os.path.join(tmp, "web.json")
        with open(web, "w") as f:
            json.dump({"basic_auth_users": {ADMIN[0]: ADMIN[2]}, "protected_paths": []}, f)
        flags = ["--config.file=" + config]
        # --web.config.file arrived with the security work; without it the
        # reload endpoint cannot be authorised and SIGHUP is the only way.
        probe_run = vh.Vitals(*(flags + ["--web.config.file=" + web]))
        try:
            probe_run.start()
            probe_run.stop()
            flags.append("--web.config.file=" + web)
        except RuntimeError:
            pending.append("--web.config.file (POST /-/reload needs credentials)")

        with vh.Vitals(*flags) as v:
            health_status = fetch(v.url + "/health")[0]
            has_health = health_status != 404
            if not has_health:
                pending.append("/health (404 in this build)")
            reload_status = fetch(v.url + "/-/reload", {"Authorization": auth_header()},
                                  "POST", b"")[0]
            has_reload = reload_status not in (404, 405)
            if not has_reload:
                pending.append(f"POST /-/reload ({reload_status} in this build), and SIGHUP with it")
            elif reload_status != 200:
                vh.fail(f"POST /-/reload with a good config: {reload_status}")
            time.sleep(1.0)  # probes have run and timed out at least once
            base_threads, base_fds = proc_counts(v.proc.pid)

            stats = Stats()
            stop = threading.Event()
            health_paths = ["/health", "/health/live", "/health/ready", "/health?tag=ready,live"]

            def client(i):
                n = 0
                while not stop.is_set():
                    n += 1
                    kind = (i + n) % 4
                    try:
                        if kind in (0, 1) or not has_health:
                            zipped = kind == 1
                            hdrs = {"Accept-Encoding": "gzip"} if zipped else {}
                            check_metrics(*fetch(v.url + "/metrics", hdrs), zipped)
                            stats.ok("metrics")
                        elif kind == 2:
                            path = health_paths[n % len(health_paths)]
                            status, _, body = fetch(v.url + path)
                            check_health(status, body)
                            stats.ok("health")
                        else:
                            for path in ("/-/healthy", "/-/ready"):
                                status, _, body = fetch(v.url + path)
                                if status not in (200, 503) or not body:
                                    raise ValueError(f"{path}: {status} {body!r}")
                            stats.ok("lifecycle")
                    except Exception as e:  # noqa: BLE001 - every failure is reported
                        stats.error(f"client {i} request {n} ({kind}): {e!r}")

            last_reload = {"ok": None}

            def reloader():
                docs = [(b, True), (bad, False), (a, True)]
                n = 0
                while not stop.wait(0.25):
                    doc, good = docs[n % len(docs)]
                    write_config(doc)
                    try:
                        if n % 2 == 0:
                            v.proc.send_signal(signal.SIGHUP)
                            stats.ok("reload-sighup")
                        else:
                            status, _, body = fetch(v.url + "/-/reload",
                                                    {"Authorization": auth_header()}, "POST", b"")
                            want = 200 if good else (400, 422, 500)
                            if (status != want) if good else (status not in want):
                                raise ValueError(f"POST /-/reload ({'good' if good else 'bad'}): "
                                                 f"{status} {body[:200]!r}")
                            stats.ok("reload-post")
                    except Exception as e:  # noqa: BLE001
                        stats.error(f"reload {n}: {e!r}")
                    last_reload["ok"] = good
                    n += 1

            threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
            if has_reload:
                threads.append(threading.Thread(target=reloader))
            start = time.monotonic()
            for t in threads:
                t.start()
            while time.monotonic() - start < SECONDS and v.proc.poll() is None:
                time.sleep(0.2)
            stop.set()
            for t in threads:
                t.join()
            took = time.monotonic() - start
            if v.proc.poll() is not None:
                vh.fail(f"the agent exited with {v.proc.returncode} during the run\n{v.log_text()}")

            if has_reload:
                # Settle on a known outcome: a bad file, then check the gauge.
                for settings, want in ((bad, 0), (a, 1)):
                    write_config(settings)
                    v.proc.send_signal(signal.SIGHUP)
                    gauge = reload_gauge_becomes(v, want)
                    if not gauge or gauge[0][2] != want:
                        vh.fail(f"after a {'good' if want else 'bad'} reload "
                                f"vitals_config_last_reload_successful is {gauge}")
            if has_health:
                status, _, body = fetch(v.url + "/health")
                check_health(status, body)
                report = json.loads(body)
                hole_entries = {k: e for k, e in report["entries"].items() if k.startswith("hole")}
                if not hole_entries or any(e["status"] != "Unhealthy" for e in hole_entries.values()):
                    vh.fail(f"the black-hole probes are not Unhealthy: {hole_entries}")
            time.sleep(0.5)  # connections in flight close
            end_threads, end_fds = proc_counts(v.proc.pid)

    total = sum(c for k, c in stats.counts.items() if not k.startswith("reload"))
    print(f"concurrency: {CLIENTS} clients, {total} responses in {took:.1f} s "
          f"({total / took:.0f}/s): {json.dumps(stats.counts, sort_keys=True)}")
    print(f"  agent threads {base_threads} -> {end_threads}, fds {base_fds} -> {end_fds}")
    if pending:
        print("  pending in this build: " + "; ".join(pending))
    if stats.errors:
        vh.fail(f"{len(stats.errors)} bad responses, first ones:\n  " + "\n  ".join(stats.errors[:15]))
    # The scheduler abandons a run past its deadline and lets its thread
    # finish on its own, at most one per check (scheduler.h): the two
    # black-hole probes may each hold a thread and up to 3 fds (the socket,
    # curl's wakeup pair) at any moment. A leak per request (thousands),
    # reload (~50) or probe run (~80) would be far more.
    if end_threads > base_threads + 2 or end_fds > base_fds + 6:
        vh.fail(f"threads {base_threads} -> {end_threads}, fds {base_fds} -> {end_fds}")
    if total < CLIENTS * 10:
        vh.fail(f"only {total} responses in {took:.1f} s")
    print("PASS")


if __name__ == "__main__":
    main()
