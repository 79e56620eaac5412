"""HTTP/1.1 framing and the answers clients expect, on raw sockets against the
real binary on 127.0.0.1: RFC 9112's 400-and-close cases (Content-Length
with Transfer-Encoding, two different Content-Lengths, whitespace before a
colon), 400 for HTTP/1.1 without Host and for a NUL in the decoded path, a
legal TAB in a header value, OPTIONS *, absolute-form targets, 405 with
Allow, 413 and 431 with their limits, 408 on a head timeout, HEAD,
Connection: close, HTTP/1.0 keep-alive, pipelining, Expect: 100-continue,
chunked bodies, and a huge request head (an answer and a log line, never a
silent close). Each case prints one line; all run, and the test fails at
the end if any did not get its answer."""
# ctest-labels: sanitize

import json
import os
import socket
import tempfile
import threading
import time

import hostile_http as hh
from vitals_harness import Vitals

MAX_BODY = 1024
MAX_HEADER = 8192
HEADER_TIMEOUT_MS = 500
CASES = hh.Cases()
report = CASES.report


def status_case(port, name, request, want_status, want_closed):
    reply, closed = hh.exchange(port, request)
    got = reply.status if reply else None
    ok = got == want_status and closed == want_closed
    report(ok, f"{name}: {got}{' and closed' if closed else ''} "
               f"(want {want_status}{' and closed' if want_closed else ', kept open'})")
    return reply


def framing(port):
    h = b"Host: x\r\n"
    status_case(port, "Content-Length with Transfer-Encoding",
                b"POST /-/healthy HTTP/1.1\r\n" + h + b"Content-Length: 5\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, True)
    status_case(port, "two different Content-Lengths",
                b"POST /-/healthy HTTP/1.1\r\n" + h + b"Content-Length: 1\r\nContent-Length: 2\r\n"
                b"\r\nab", 400, True)
    status_case(port, "'Transfer-Encoding : chunked' (space before the colon)",
                b"POST /-/healthy HTTP/1.1\r\n" + h + b"Transfer-Encoding : chunked\r\n\r\n"
                b"0\r\n\r\n", 400, True)
    status_case(port, "HTTP/1.1 without Host", b"GET /-/healthy HTTP/1.1\r\n\r\n", 400, True)
    status_case(port, "/metrics%00.html", b"GET /metrics%00.html HTTP/1.1\r\n" + h + b"\r\n",
                400, True)
    status_case(port, "TAB in a header value",
                b"GET /-/healthy HTTP/1.1\r\n" + h + b"User-Agent: a\tb\r\n\r\n", 200, False)
    status_case(port, "a transfer coding other than chunked",
                b"POST /-/healthy HTTP/1.1\r\n" + h + b"Transfer-Encoding: gzip, chunked\r\n\r\n",
                501, True)
    status_case(port, "HTTP/2.0 on an HTTP/1 port", b"GET / HTTP/2.0\r\n" + h + b"\r\n", 505, True)
    status_case(port, "Expect: something-else",
                b"POST /-/healthy HTTP/1.1\r\n" + h + b"Expect: 200-ok\r\nContent-Length: 0\r\n\r\n",
                417, True)

    reply = status_case(port, "OPTIONS *", b"OPTIONS * HTTP/1.1\r\n" + h + b"\r\n", 200, False)
    allow = reply.headers.get("allow", "") if reply else ""
    report("GET" in allow and "OPTIONS" in allow, f"OPTIONS * Allow: {allow!r}")
    reply = status_case(port, "absolute-form target",
                        f"GET http://127.0.0.1:{port}/metrics HTTP/1.1\r\n".encode() + h + b"\r\n",
                        200, False)
    report(reply is not None and b"node_load1" in reply.body,
           "absolute-form target serves its path (/metrics)")
    reply = status_case(port, "POST /metrics",
                        b"POST /metrics HTTP/1.1\r\n" + h + b"Content-Length: 0\r\n\r\n", 405, False)
    allow = reply.headers.get("allow", "") if reply else ""
    report("GET" in allow and "HEAD" in allow and "POST" not in allow, f"405 Allow: {allow!r}")
    reply = status_case(port, "body over max_body_bytes",
                        b"POST /-/healthy HTTP/1.1\r\n" + h +
                        f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode(), 413, True)
    report(reply is not None and str(MAX_BODY).encode() in reply.body,
           f"413 names the limit: {reply.body[:80] if reply else None!r}")
    reply = status_case(port, "head over max_header_bytes",
                        b"GET /-/healthy HTTP/1.1\r\n" + h + b"X-Big: " + b"a" * MAX_HEADER +
                        b"\r\n\r\n", 431, True)
    report(reply is not None and str(MAX_HEADER).encode() in reply.body,
           f"431 names the limit: {reply.body[:80] if reply else None!r}")


def head_timeout(port):
    with hh.Conn(port) as c:
        start = time.monotonic()
        c.send(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n")
        try:
            reply = c.read_reply()
        except (EOFError, OSError):
            reply = None
        took = time.monotonic() - start
        closed = c.is_closed()
    ok = reply is not None and reply.status == 408 and closed and took < HEADER_TIMEOUT_MS / 1000 + 1
    report(ok, f"half a head: {reply.status if reply else 'no answer'} after {took:.2f} s "
               f"(want 408 and closed after header_timeout {HEADER_TIMEOUT_MS} ms)")


def keepalive_rules(port):
    h = b"Host: x\r\n"
    with hh.Conn(port) as c:
        c.send(b"HEAD /metrics HTTP/1.1\r\n" + h + b"\r\n")
        head = c.read_reply(head_request=True)
        c.send(b"GET /-/healthy HTTP/1.1\r\n" + h + b"\r\n")
        after = c.read_reply()  # a body after HEAD's headers would be read as this answer
        report(head.status == 200 and int(head.headers.get("content-length", 0)) > 1000 and
               after.status == 200 and after.body.startswith(b"vitals is Healthy"),
               f"HEAD /metrics: {head.status}, Content-Length {head.headers.get('content-length')}, "
               "no body (the next answer on the connection is intact)")
    reply = status_case(port, "Connection: close",
                        b"GET /-/healthy HTTP/1.1\r\n" + h + b"Connection: close\r\n\r\n", 200, True)
    status_case(port, "HTTP/1.0 without keep-alive", b"GET /-/healthy HTTP/1.0\r\n\r\n", 200, True)
    reply = status_case(port, "HTTP/1.0 with Connection: keep-alive",
                        b"GET /-/healthy HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200, False)
    report(reply is not None and reply.headers.get("connection", "").lower() == "keep-alive",
           f"HTTP/1.0 keep-alive answer says Connection: {reply.headers.get('connection') if reply else None}")
    with hh.Conn(port) as c:
        c.send(b"GET /-/healthy HTTP/1.1\r\n" + h + b"\r\n" +
               b"GET /nope HTTP/1.1\r\n" + h + b"\r\n" +
               b"POST /-/healthy HTTP/1.1\r\n" + h + b"Transfer-Encoding: chunked\r\n\r\n"
               b"3\r\nabc\r\n0\r\n\r\n" +
               b"GET /-/ready HTTP/1.1\r\n" + h + b"\r\n")
        got = [c.read_reply().status for _ in range(4)]
    report(got == [200, 404, 405, 200],
           f"4 pipelined requests (one with a chunked body) answered in order: {got}")


def expect_continue(port):
    with hh.Conn(port) as c:
        c.send(b"POST /-/healthy HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
               b"Content-Length: 5\r\n\r\n")
        interim = c.read_reply()
        c.send(b"hello")
        final = c.read_reply()
    report(interim.status == 100 and final.status == 405,
           f"Expect: 100-continue: {interim.status}, then {final.status} after the body")


def huge_head(v):
    """Streams a request head of up to 1 GiB; the agent must answer 431 long
    before, log it, and stay up."""
    sent = [0]
    with hh.Conn(v.port, timeout=10) as c:
        def stream():
            chunk = b"X-Filler: " + b"a" * 65_000 + b"\r\n"
            c.send(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n")
            try:
                while sent[0] < 1 << 30:
                    c.sock.sendall(chunk)
                    sent[0] += len(chunk)
            except OSError:
                pass
        writer = threading.Thread(target=stream, daemon=True)
        writer.start()
        try:
            reply = c.read_reply()
        except (EOFError, OSError):
            reply = None
        try:
            c.sock.shutdown(socket.SHUT_RDWR)  # stops the writer
        except OSError:
            pass  # already closed by the agent
        writer.join(10)
    logged = [l for l in v.log_lines() if l.get("msg") == "request refused" and l.get("status") == "431"]
    alive = v.proc.poll() is None
    report(reply is not None and reply.status == 431 and logged and alive,
           f"a 1 GiB head: {reply.status if reply else 'no answer'} after {sent[0] // 1024} KiB "
           f"sent, logged: {bool(logged)}, agent alive: {alive}")


def main():
    with tempfile.TemporaryDirectory(prefix="vitals-conformance-") as tmp:
        web = os.path.join(tmp, "web.json")
        with open(web, "w") as f:
            json.dump({"limits": {"max_body_bytes": MAX_BODY, "max_header_bytes": MAX_HEADER,
                                  "header_timeout": f"{HEADER_TIMEOUT_MS}ms"}}, f)
        with Vitals("--web.config.file=" + web) as v:
            CASES.run("framing", framing, v.port)
            CASES.run("head timeout", head_timeout, v.port)
            CASES.run("keep-alive rules", keepalive_rules, v.port)
            CASES.run("Expect: 100-continue", expect_continue, v.port)
            time.sleep(1.1)  # refusals are logged at most once a second
            CASES.run("a 1 GiB head", huge_head, v)
    CASES.finish()


if __name__ == "__main__":
    main()
