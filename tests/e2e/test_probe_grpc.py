"""grpc probe against a real gRPC health server (Debian's python3-grpcio,
tests/support/grpc_health_server.py) the test starts on 127.0.0.1, plain
(HTTP/2 with prior knowledge) and over TLS (ALPN h2, a certificate made with
openssl), switching a service's status while the agent watches:
SERVING -> Healthy, NOT_SERVING -> Unhealthy (the server's verdict),
SERVICE_UNKNOWN -> the check's on_error (degraded here) with the reason, and
back. A service the server does not know (grpc-status NOT_FOUND), a plain
HTTP/1.1 server and a black hole are failures with their reason, the last at
its timeout."""

import json
import tempfile
import time

import probe_peers as pp
import vitals_harness as vh

DAY = 86400


def main():
    certs = pp.Certs()
    try:
        cert, key = certs.leaf("grpc", "localhost", ["DNS:localhost"], pp.utc(-DAY),
                               pp.utc(365 * DAY))
        with pp.GrpcHealth() as plain, pp.GrpcHealth(cert, key) as tls, pp.HttpServer() as web, \
                pp.BlackHole() as hole, tempfile.TemporaryDirectory() as tmp:
            plain.set("app.Api", 1)
            tls.set("app.Api", 1)
            run(tmp, certs, plain, tls, web, hole)
    finally:
        certs.close()


def run(tmp, certs, plain, tls, web, hole):
    config = pp.write_config(tmp, [
        pp.probe("server", "grpc", address=f"127.0.0.1:{plain.port}"),
        pp.probe("api", "grpc", address=f"127.0.0.1:{plain.port}", service="app.Api",
                 on_error="degraded"),
        pp.probe("api-tls", "grpc", address=f"localhost:{tls.port}", service="app.Api",
                 tls={"ca_file": certs.ca}),
        pp.probe("unknown", "grpc", address=f"127.0.0.1:{plain.port}", service="nope"),
        pp.probe("http1", "grpc", address=f"127.0.0.1:{web.port}"),
        pp.probe("hole", "grpc", address=f"127.0.0.1:{hole.port}", interval="2s", timeout="1s"),
    ])
    with vh.Vitals(f"--config.file={config}") as v:
        names = ("server", "api", "api-tls", "unknown", "http1", "hole")
        e = pp.wait_for(v, lambda e: all(e[n]["description"] != "pending: no result yet"
                                         for n in names), 15, "grpc checks' first results")
        for name in names:
            print(f"{name}:", json.dumps(e[name]))
        problems = []
        want = {
            "server": ("Healthy", f"grpc 127.0.0.1:{plain.port} the server: SERVING in "),
            "api": ("Healthy", f"grpc 127.0.0.1:{plain.port} \"app.Api\": SERVING in "),
            "api-tls": ("Healthy", f"grpc localhost:{tls.port} \"app.Api\": SERVING in "),
            "unknown": ("Unhealthy", f"grpc 127.0.0.1:{plain.port} \"nope\": the server does not "
                                     "know the service (grpc-status 5 NOT_FOUND: unknown service nope)"),
            "http1": ("Unhealthy", f"grpc 127.0.0.1:{web.port} the server: "),
            "hole": ("Unhealthy", f"grpc 127.0.0.1:{hole.port} the server: no answer within the "
                                  "1s timeout"),
        }
        for name, (status, prefix) in want.items():
            if e[name]["status"] != status or not e[name]["description"].startswith(prefix):
                problems.append(f"{name}: {e[name]['status']} {e[name]['description']!r}, want "
                                f"{status} {prefix!r}...")
        took = float(e["hole"]["duration"].rstrip("s"))
        if not 0.9 <= took <= 1.1:
            problems.append(f"hole: given up after {took}s, want 1s +- 10 %")
        pp.fail_on("first results", problems)
        series = pp.probe_series(v)
        print("series:", json.dumps(series))
        if series["vitals_probe_grpc_serving_status"].get("api") != 1.0 or \
                series["vitals_probe_grpc_status_code"].get("unknown") != 5.0:
            vh.fail(f"grpc series: {series}")

        # The status switches while the agent watches (hysteresis 2 at 1s).
        for status, health, text in ((2, "Unhealthy", "NOT_SERVING"),
                                     (3, "Degraded", "SERVICE_UNKNOWN"),
                                     (1, "Healthy", "SERVING")):
            plain.set("app.Api", status)
            t0 = time.monotonic()
            e = pp.wait_for(v, lambda e: e["api"]["status"] == health, 15,
                            f"api {health} after the server switched to {text}")
            print(f"switched to {text}: {health} after {time.monotonic() - t0:.1f}s:",
                  e["api"]["description"])
            if f"\"app.Api\": {text} in " not in e["api"]["description"]:
                vh.fail(f"api after the switch to {text}: {e['api']}")
    print("ok")


if __name__ == "__main__":
    main()
