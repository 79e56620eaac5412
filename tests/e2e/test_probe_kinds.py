"""Every probe kind but postgres and redis (their own tests), healthy and
failing, against local peers: http (status, body regex, redirects, latency,
basic auth) and https/tls_expiry against certificates made here with openssl
(valid, expiring in 3 days, expired, for another name), tcp, dns against a
small DNS server, exec with each exit code, file_age. Prints /health and the
vitals_probe_* series."""

import json
import os
import tempfile

import probe_peers as pp
import vitals_harness as vh

HTTP_PW = "http-Secret-1234"
DAY = 86400


def main():
    certs = pp.Certs()
    try:
        good = certs.leaf("good", "localhost", ["DNS:localhost", "IP:127.0.0.1"], pp.utc(-DAY),
                          pp.utc(365 * DAY))
        soon = certs.leaf("soon", "localhost", ["DNS:localhost"], pp.utc(-DAY), pp.utc(3 * DAY))
        expired = certs.leaf("expired", "localhost", ["DNS:localhost"], pp.utc(-30 * DAY),
                             pp.utc(-2 * DAY))
        wrong = certs.leaf("wrong", "wrong.example", ["DNS:wrong.example"], pp.utc(-DAY),
                           pp.utc(365 * DAY))
        with pp.HttpServer(basic=f"user:{HTTP_PW}") as web, \
                pp.HttpServer(*good) as s_good, pp.HttpServer(*soon) as s_soon, \
                pp.HttpServer(*expired) as s_expired, pp.HttpServer(*wrong) as s_wrong, \
                pp.DnsServer({"db.test": "10.1.2.3"}) as dns, \
                tempfile.TemporaryDirectory() as tmp:
            run(tmp, certs, web, s_good, s_soon, s_expired, s_wrong, dns)
    finally:
        certs.close()


def run(tmp, certs, web, s_good, s_soon, s_expired, s_wrong, dns):
    fresh = os.path.join(tmp, "fresh.ok")
    stale = os.path.join(tmp, "stale.ok")
    for path, age in ((fresh, 0), (stale, 7200)):
        open(path, "w").close()
        t = os.path.getmtime(path) - age
        os.utime(path, (t, t))
    ca = {"ca_file": certs.ca}
    http = f"http://127.0.0.1:{web.port}"
    refused = vh.free_port()
    dns_server = f"127.0.0.1:{dns.port}"
    P = pp.probe
    checks = [
        P("http-ok", "http", url=f"{http}/ok", body_regex="status: (ok|fine)"),
        P("http-redirect", "http", url=f"{http}/redirect", body_regex="ok"),
        P("http-500", "http", url=f"{http}/fail"),
        P("http-body", "http", url=f"{http}/ok", body_regex="^status: degraded"),
        P("http-slow", "http", url=f"{http}/slow", degraded_latency="100ms"),
        P("http-auth", "http", url=f"{http}/auth", username="user", password="${HTTP_PW}"),
        P("http-auth-bad", "http", url=f"{http}/auth", username="user", password="nope-nope"),
        P("http-401-expected", "http", url=f"{http}/auth", expect_status=[401]),
        P("http-refused", "http", url=f"http://127.0.0.1:{refused}/"),
        P("https-ok", "http", url=f"https://localhost:{s_good.port}/ok", tls=ca),
        P("https-expired", "http", url=f"https://localhost:{s_expired.port}/ok", tls=ca),
        P("https-wrong-name", "http", url=f"https://localhost:{s_wrong.port}/ok", tls=ca),
        P("https-unknown-ca", "http", url=f"https://localhost:{s_good.port}/ok"),
        P("tls-ok", "tls_expiry", address=f"localhost:{s_good.port}", tls=ca),
        P("tls-soon", "tls_expiry", address=f"localhost:{s_soon.port}", tls=ca,
          unhealthy_before="1d"),
        P("tls-critical", "tls_expiry", address=f"localhost:{s_soon.port}", tls=ca,
          unhealthy_before="4d", degraded_before="10d"),
        P("tls-expired", "tls_expiry", address=f"localhost:{s_expired.port}", tls=ca),
        P("tls-wrong-name", "tls_expiry", address=f"localhost:{s_wrong.port}", tls=ca),
        P("tcp-ok", "tcp", address=f"127.0.0.1:{web.port}", send="HEAD /ok HTTP/1.0\r\n\r\n",
          expect="HTTP/1."),
        P("tcp-ipv6-or-name", "tcp", address=f"localhost:{web.port}"),
        P("tcp-refused", "tcp", address=f"127.0.0.1:{refused}"),
        P("dns-ok", "dns", query_name="db.test", server=dns_server, expect_addresses=["10.1.2.3"]),
        P("dns-wrong", "dns", query_name="db.test", server=dns_server,
          expect_addresses=["10.9.9.9"]),
        P("dns-nxdomain", "dns", query_name="nope.test", server=dns_server),
        P("exec-ok", "exec", command=["sh", "-c", "echo 'OK - all good'; exit 0"]),
        P("exec-warning", "exec", command=["sh", "-c", "echo 'WARNING - 85% used'; exit 1"]),
        P("exec-critical", "exec", command=["sh", "-c", "echo 'CRITICAL - 99% used'; exit 2"]),
        P("exec-unknown", "exec", command=["sh", "-c", "echo 'UNKNOWN - no data'; exit 3"]),
        P("exec-hang", "exec", timeout="500ms", command=["sh", "-c", "echo started; sleep 30"]),
        P("file-fresh", "file_age", path=fresh, max_age="1h"),
        P("file-stale", "file_age", path=stale, max_age="1h"),
        P("file-missing", "file_age", path=os.path.join(tmp, "missing"), max_age="1h"),
    ]
    config = pp.write_config(tmp, checks, {"max_concurrency": 16})
    env = dict(os.environ, HTTP_PW=HTTP_PW)
    with vh.Vitals(f"--config.file={config}", env=env) as v:
        entries = pp.wait_for(v, lambda e: all(x["description"] != "pending: no result yet"
                                               for x in e.values()), 15, "first results")
        status, report = pp.health(v)
        print(f"/health: HTTP {status}")
        print(json.dumps(report, indent=1))
        series = pp.probe_series(v)
        print(json.dumps(series, indent=1))
        want = {
            "http-ok": ("Healthy", f"GET {http}/ok: 200 in "),
            "http-redirect": ("Healthy", f"GET {http}/redirect: 200 in "),
            "http-500": ("Unhealthy", f"GET {http}/fail: status 500, expected 2xx; body \"database is down\\x0a\""),
            "http-body": ("Unhealthy", f"GET {http}/ok: status 200 but the body does not match /^status: degraded/"),
            "http-slow": ("Degraded", f"GET {http}/slow: 200 in 0.3"),
            "http-auth": ("Healthy", f"GET {http}/auth: 200 in "),
            "http-auth-bad": ("Unhealthy", f"GET {http}/auth: status 401, expected 2xx"),
            "http-401-expected": ("Healthy", f"GET {http}/auth: 401 in "),
            "http-refused": ("Unhealthy", f"GET http://127.0.0.1:{refused}/: Failed to connect"),
            "https-ok": ("Healthy", f"GET https://localhost:{s_good.port}/ok: 200 in "),
            "https-expired": ("Unhealthy", f"GET https://localhost:{s_expired.port}/ok: SSL certificate problem: certificate has expired"),
            "https-wrong-name": ("Unhealthy", f"GET https://localhost:{s_wrong.port}/ok: SSL: no alternative certificate subject name matches target host name 'localhost'"),
            "https-unknown-ca": ("Unhealthy", f"GET https://localhost:{s_good.port}/ok: SSL certificate problem: unable to get local issuer certificate"),
            "tls-ok": ("Healthy", f"tls localhost:{s_good.port}: certificate /CN=localhost (not after "),
            "tls-soon": ("Degraded", f"tls localhost:{s_soon.port}: certificate /CN=localhost (not after "),
            "tls-critical": ("Unhealthy", f"tls localhost:{s_soon.port}: certificate /CN=localhost (not after "),
            "tls-expired": ("Unhealthy", f"tls localhost:{s_expired.port}: certificate /CN=localhost (not after "),
            "tls-wrong-name": ("Unhealthy", f"tls localhost:{s_wrong.port}: certificate not trusted: hostname mismatch"),
            "tcp-ok": ("Healthy", f"connected to 127.0.0.1:{web.port} (127.0.0.1) in "),
            "tcp-ipv6-or-name": ("Healthy", f"connected to localhost:{web.port} (127.0.0.1) in "),
            "tcp-refused": ("Unhealthy", f"connect to 127.0.0.1:{refused}: Connection refused"),
            "dns-ok": ("Healthy", f"dns A db.test @{dns_server}: [10.1.2.3] in "),
            "dns-wrong": ("Unhealthy", f"dns A db.test @{dns_server}: answer [10.1.2.3] lacks expected 10.9.9.9"),
            "dns-nxdomain": ("Unhealthy", f"dns resolve nope.test: Domain name not found (c-ares status 4) (server {dns_server})"),
            "exec-ok": ("Healthy", "OK - all good"),
            "exec-warning": ("Degraded", "WARNING - 85% used"),
            "exec-critical": ("Unhealthy", "CRITICAL - 99% used"),
            "exec-unknown": ("Unhealthy", "exec sh: exit 3 (UNKNOWN): UNKNOWN - no data"),
            "exec-hang": ("Unhealthy", ""),
            "file-fresh": ("Healthy", f"file {fresh} modified "),
            "file-stale": ("Unhealthy", f"file {stale} modified 2.0h ago, more than max_age 1.0h"),
            "file-missing": ("Unhealthy", f"file {os.path.join(tmp, 'missing')} does not exist"),
        }
        problems = []
        for name, (status_want, prefix) in want.items():
            got = entries[name] if name not in report["entries"] else report["entries"][name]
            if got["status"] != status_want or not got["description"].startswith(prefix):
                problems.append(f"{name}: want {status_want} '{prefix}...', got {got['status']} "
                                f"'{got['description']}'")
        e = report["entries"]
        if "expires in 3.0d" not in e["tls-soon"]["description"] and \
                "expires in 2.9d" not in e["tls-soon"]["description"]:
            problems.append(f"tls-soon: {e['tls-soon']['description']}")
        if " expired 2.0d ago" not in e["tls-expired"]["description"]:
            problems.append(f"tls-expired: {e['tls-expired']['description']}")
        hang = e["exec-hang"]["description"]
        if hang != ('exec sh: no answer within the 500ms timeout; killed its process tree '
                    '(2 processes); output "started"'):
            problems.append(f"exec-hang: {hang}")
        succ = series["vitals_probe_success"]
        for name, (status_want, _) in want.items():
            expect = 0.0 if status_want == "Unhealthy" else 1.0
            if succ.get(name) != expect:
                problems.append(f"vitals_probe_success{{check={name}}} = {succ.get(name)}, want {expect}")
        codes = series.get("vitals_probe_http_status_code", {})
        for name, code in (("http-ok", 200), ("http-500", 500), ("http-auth-bad", 401),
                           ("https-ok", 200)):
            if codes.get(name) != code:
                problems.append(f"vitals_probe_http_status_code{{check={name}}} = {codes.get(name)}")
        expiry = series.get("vitals_probe_ssl_earliest_cert_expiry", {})
        for name in ("https-ok", "tls-ok", "tls-soon", "tls-expired"):
            if name not in expiry:
                problems.append(f"no vitals_probe_ssl_earliest_cert_expiry for {name}")
        if not 0 < series.get("vitals_probe_dns_lookup_time_seconds", {}).get("dns-ok", -1) < 1:
            problems.append("vitals_probe_dns_lookup_time_seconds{check=dns-ok}")
        exits = series.get("vitals_probe_exec_exit_code", {})
        if exits != {"exec-ok": 0, "exec-warning": 1, "exec-critical": 2, "exec-unknown": 3}:
            problems.append(f"vitals_probe_exec_exit_code: {exits}")
        if not 7190 < series.get("vitals_probe_file_age_seconds", {}).get("file-stale", 0) < 7300:
            problems.append("vitals_probe_file_age_seconds{check=file-stale}")
        if status != 503:
            problems.append(f"/health status {status}, want 503 with Unhealthy entries")
        problems += [f"the http password appears in {where}"
                     for where in pp.places_showing(v, (HTTP_PW,))]
        pp.fail_on("probe kinds:", problems)
    print("ok")


if __name__ == "__main__":
    main()
