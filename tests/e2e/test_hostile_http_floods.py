"""Hostile and careless clients against the real binary on 127.0.0.1: while
each flood holds, an authorized scrape (basic auth, credentials already
accepted once, as a Prometheus that scrapes every few seconds has) must
answer within SCRAPE_BOUND_S every time, and the agent must stay alive.

  keep-alive loopers on /-/healthy, load balancers polling /health, clients
  looping on 401s, wrong-password floods (bcrypt), slow bodies (one byte a
  second), half-sent heads, clients that never read their answers;
  the agent's CPU with half-sent heads and half-sent TLS ClientHellos
  connected (nothing to do: no CPU); and keep-alive requests, which must be as
  fast as requests on fresh connections.

Every case prints one line with its figure and the bound; all cases run,
and the test fails at the end if any missed its bound. VITALS_BIN may point
at another build to measure it the same way."""

import http.client
import json
import os
import ssl
import statistics
import subprocess
import tempfile
import time

import hostile_http as hh
from vitals_harness import Vitals, which

SCRAPE_BOUND_S = 1.0
HOLD_S = 1.5
CPU_WINDOW_S = 3.0
CPU_BOUND_S = 0.3       # agent CPU over CPU_WINDOW_S with idle half-open clients
CASES = hh.Cases()
report = CASES.report


def web_config(tmp, **extra):
    path = os.path.join(tmp, "web.json")
    with open(path, "w") as f:
        json.dump(dict({"basic_auth_users": hh.USERS, "protected_paths": ["/metrics"]}, **extra), f)
    return path


def flood_case(web, name, kind, count, *args):
    CASES.run(f"{name} x{count}", measure_flood, web, name, kind, count, *args)


def measure_flood(web, name, kind, count, *args):
    with Vitals("--web.config.file=" + web) as v:
        first, status = hh.timed_get(v.port, "/metrics", hh.GOOD_AUTH)  # credentials accepted once
        with hh.Flood(kind, count, v.port, *args):
            worst, failures = hh.scrape_latencies(v.port, HOLD_S, hh.GOOD_AUTH)
        alive = v.proc.poll() is None
    ok = status == 200 and failures == 0 and worst < SCRAPE_BOUND_S and alive
    report(ok, f"{name} x{count}: /metrics max {worst:.2f} s, {failures} failed "
               f"(bound {SCRAPE_BOUND_S:.0f} s){'' if alive else ', agent died'}")


def cpu_case(flags, name, kind, count, tls_context=None):
    CASES.run(f"{name} x{count}", measure_cpu, flags, name, kind, count, tls_context)


def measure_cpu(flags, name, kind, count, tls_context):
    with Vitals(*flags) as v:
        with hh.Flood(kind, count, v.port):
            before = hh.agent_cpu_seconds(v.proc.pid)
            time.sleep(CPU_WINDOW_S)
            used = hh.agent_cpu_seconds(v.proc.pid) - before
            took, status = hh.timed_get(v.port, "/-/healthy", tls_context=tls_context)
        alive = v.proc.poll() is None
    ok = used <= CPU_BOUND_S and status == 200 and took < SCRAPE_BOUND_S and alive
    report(ok, f"{name} x{count}: agent CPU {used:.2f} s in {CPU_WINDOW_S:.0f} s "
               f"(bound {CPU_BOUND_S} s); /-/healthy {took:.2f} s, status {status}")


def keepalive_case():
    """The second and later requests on a keep-alive connection against
    requests on fresh connections (a Nagle / delayed-ACK stall costs ~40 ms)."""
    with Vitals() as v:
        fresh = [hh.timed_get(v.port, "/metrics")[0] for _ in range(20)]
        conn = http.client.HTTPConnection("127.0.0.1", v.port, timeout=5)
        kept = []
        for _ in range(21):
            start = time.monotonic()
            conn.request("GET", "/metrics")
            conn.getresponse().read()
            kept.append(time.monotonic() - start)
        conn.close()
    fresh_ms, kept_ms = statistics.median(fresh) * 1000, statistics.median(kept[1:]) * 1000
    bound_ms = max(2 * fresh_ms, fresh_ms + 5)
    report(kept_ms <= bound_ms,
           f"keep-alive: later requests median {kept_ms:.1f} ms, fresh connections median "
           f"{fresh_ms:.1f} ms (bound {bound_ms:.1f} ms)")


def tls_files(tmp):
    """A CA and a server certificate for localhost (openssl CLI)."""
    openssl = which("openssl")
    if not openssl:
        return None
    def run(*args):
        subprocess.run([openssl] + list(args), check=True, capture_output=True, timeout=30)
    ca, ca_key = os.path.join(tmp, "ca.crt"), os.path.join(tmp, "ca.key")
    crt, key, csr = (os.path.join(tmp, n) for n in ("server.crt", "server.key", "server.csr"))
    ext = os.path.join(tmp, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=ca")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
        "-out", csr, "-subj", "/CN=localhost")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", crt,
        "-days", "2", "-extfile", ext)
    return ca, crt, key


def main():
    with tempfile.TemporaryDirectory(prefix="vitals-hostile-") as tmp:
        web = web_config(tmp)
        # 8 is as many as the handler threads (and as CivetWeb had workers); 64 the most
        # the design promises to hold.
        for count in (8, 64):
            flood_case(web, "keep-alive loopers on /-/healthy", hh.keepalive_looper, count,
                       "/-/healthy")
            flood_case(web, "load balancers polling /health", hh.keepalive_looper, count,
                       "/health")
            flood_case(web, "keep-alive 401 loopers on /metrics", hh.keepalive_looper, count,
                       "/metrics")
            flood_case(web, "slow bodies (Content-Length 60000, 1 byte/s)", hh.slow_body, count)
        for count in (16, 64):
            flood_case(web, "wrong-password clients", hh.keepalive_looper, count, "/metrics",
                       hh.WRONG_AUTH)
        flood_case(web, "half-sent heads", hh.partial_head, 64)
        for count in (8, 16):
            flood_case(web, "non-readers (200 pipelined /metrics, never read)", hh.non_reader,
                       count, hh.GOOD_AUTH)
        cpu_case([], "half-sent heads, CPU", hh.partial_head, 8)
        files = tls_files(tmp)
        if files is None:
            report(False, "half-sent ClientHellos: needs the openssl CLI (Debian package openssl)")
        else:
            ca, crt, key = files
            tls_web = os.path.join(tmp, "tls.json")
            with open(tls_web, "w") as f:
                json.dump({"tls_server_config": {"cert_file": crt, "key_file": key}}, f)
            cpu_case(["--web.config.file=" + tls_web], "half-sent TLS ClientHellos, CPU",
                     hh.partial_client_hello, 8, ssl.create_default_context(cafile=ca))
        CASES.run("keep-alive", keepalive_case)
    CASES.finish()


if __name__ == "__main__":
    main()
