"""HTTP surface: content type, gzip, HEAD, 405 with Allow, 404, the agent's
own liveness/readiness, the landing page, and --web.telemetry-path."""
# ctest-labels: sanitize

import gzip
import os
import socket
import tempfile
import time

from vitals_harness import Vitals, copy_fixture_proc, fail, parse_exposition

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def expect(cond, what):
    if not cond:
        fail(what)
    print("ok: " + what.split("\n")[0])


def family_types(text):
    return {name: fam["type"] for name, fam in parse_exposition(text).items()}


def raw_request(port, request):
    """Sends `request` bytes, reads until the server closes; returns bytes."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def check_default(v):
    status, headers, body = v.get("/metrics")
    expect(status == 200, f"GET /metrics is 200 (got {status})")
    expect(headers.get("content-type") == CONTENT_TYPE,
           f"/metrics Content-Type is {CONTENT_TYPE!r} (got {headers.get('content-type')!r})")
    expect("content-encoding" not in headers, "no Content-Encoding without Accept-Encoding")
    plain = family_types(body.decode())
    expect("node_cpu_seconds_total" in plain, "plain /metrics has node_cpu_seconds_total")

    status, headers, body = v.get("/metrics", headers={"Accept-Encoding": "gzip"})
    expect(status == 200 and headers.get("content-encoding") == "gzip",
           f"Accept-Encoding: gzip gives Content-Encoding: gzip (got {headers})")
    expect(body[:2] == b"\x1f\x8b", "the gzip body starts with the gzip magic")
    expect(headers.get("content-type") == CONTENT_TYPE, "gzip response keeps the Content-Type")
    unzipped = family_types(gzip.decompress(body).decode())
    expect(unzipped == plain, "the gzip body decompresses to the same families and types\n"
           f"only plain: {sorted(set(plain) - set(unzipped))}, "
           f"only gzip: {sorted(set(unzipped) - set(plain))}")

    status, headers, body = v.get("/metrics", headers={"Accept-Encoding": "gzip;q=0"})
    expect(status == 200 and "content-encoding" not in headers and body.startswith(b"# HELP"),
           "Accept-Encoding: gzip;q=0 gives a plain body")

    # Raw socket: a body after HEAD's headers would show up here (urllib drops it).
    raw = raw_request(v.port, b"HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, rest = raw.partition(b"\r\n\r\n")
    expect(head.startswith(b"HTTP/1.1 200"), f"HEAD /metrics is 200 ({head[:40]!r})")
    expect(rest == b"", f"HEAD /metrics has no body (got {len(rest)} bytes)")
    expect(("content-type: " + CONTENT_TYPE).encode() in head.lower(), "HEAD has the Content-Type")

    status, headers, _ = v.get("/metrics", method="POST", data=b"x=1")
    allow = {m.strip() for m in headers.get("allow", "").split(",")}
    expect(status == 405, f"POST /metrics is 405 (got {status})")
    expect({"GET", "HEAD"} <= allow and "POST" not in allow,
           f"405 has Allow: GET, HEAD (got {headers.get('allow')!r})")

    for path in ("/nope", "/metrics/extra", "/-/nope"):
        status, _, _ = v.get(path)
        expect(status == 404, f"GET {path} is 404 (got {status})")

    for path in ("/-/healthy", "/-/ready"):
        status, _, body = v.get(path)
        expect(status == 200 and body, f"GET {path} is 200 with a body (got {status})")

    status, headers, body = v.get("/")
    page = body.decode()
    expect(status == 200 and headers.get("content-type", "").startswith("text/html"),
           f"/ is an HTML page (got {status}, {headers.get('content-type')!r})")
    expect('href="/metrics"' in page, "/ links to /metrics")


def check_latency(proc):
    """Every answer comes promptly, the first one after start included: a
    scrape of the fixture tree takes milliseconds, so 1.5 s means a
    connection waited somewhere."""
    slow = []
    for _ in range(5):
        with Vitals("--path.procfs=" + proc) as v:
            for i in range(4):
                start = time.monotonic()
                status, _, _ = v.get("/metrics" if i % 2 else "/-/healthy")
                took = time.monotonic() - start
                if status != 200 or took > 1.5:
                    slow.append((i, status, round(took, 3)))
    expect(not slow, f"20 requests over 5 fresh starts each answered 200 within 1.5 s "
           f"(slow or failed: {slow})")


def check_moved(proc):
    with Vitals("--path.procfs=" + proc, "--web.telemetry-path=/m") as v:
        status, headers, body = v.get("/m")
        expect(status == 200 and headers.get("content-type") == CONTENT_TYPE
               and "node_load1" in family_types(body.decode()),
               f"--web.telemetry-path=/m serves metrics at /m (got {status})")
        status, _, _ = v.get("/metrics")
        expect(status == 404, f"with /m, /metrics is 404 (got {status})")
        status, _, body = v.get("/")
        expect('href="/m"' in body.decode() and 'href="/metrics"' not in body.decode(),
               "with /m, / links to /m and not to /metrics")


def main():
    with tempfile.TemporaryDirectory(prefix="vitals-http-") as tmp:
        proc = copy_fixture_proc(os.path.join(tmp, "proc"))
        with Vitals("--path.procfs=" + proc) as v:
            check_default(v)
        check_moved(proc)
        check_latency(proc)
    print("PASS")


if __name__ == "__main__":
    main()
