"""Hostile and careless HTTP clients for the e2e.hostile_http_* tests, and
what they measure: raw requests and their answers, floods of clients run in
a child process (so that their Python threads do not compete for the GIL
with the measuring thread), scrape latency, the agent's CPU time.

Every flood client loops until its stop event is set, reconnecting when the
agent closes it, so the agent sees the same pressure for the whole case."""

import base64
import http.client
import multiprocessing
import os
import socket
import ssl
import threading
import time

# bcrypt cost 10, made with Python's crypt module (libcrypt); the same users
# as e2e.web_auth.
USER, PASSWORD = "prometheus", "scrape-secret"
USERS = {USER: "$2b$10$fg6OwTWv/vCRtsTQvBPRDOLCd/msyEcTTZIClI4hsJY/furkqP6Ym"}


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


GOOD_AUTH = basic(USER, PASSWORD)
WRONG_AUTH = basic(USER, "wrong-secret")


class Cases:
    """Runs every case of a test and fails at the end if any failed: each case
    prints one line with its figure, so one run shows them all."""

    def __init__(self):
        self.failures = []

    def report(self, ok, line):
        print(("ok:   " if ok else "FAIL: ") + line, flush=True)
        if not ok:
            self.failures.append(line)

    def run(self, name, case, *args):
        """Runs case(*args); an exception (no answer, the agent not starting)
        fails it with the reason, and the next case still runs."""
        try:
            case(*args)
        except Exception as e:  # noqa: BLE001 - any failure is the finding
            self.report(False, f"{name}: {type(e).__name__}: {e}".splitlines()[0])

    def finish(self):
        if self.failures:
            print(f"FAIL: {len(self.failures)} case(s) failed")
            raise SystemExit(1)
        print("PASS")


class Reply:
    """One HTTP response read from a socket: status, headers (lower-case
    names), body; `closed` once the peer closed after it."""

    def __init__(self, status, reason, headers, body):
        self.status, self.reason, self.headers, self.body = status, reason, headers, body
        self.closed = False

    def __repr__(self):
        return f"<{self.status} {self.reason} {len(self.body)} bytes>"


class Conn:
    """A raw client connection that reads answers itself, so that it sees
    interim 100 answers, pipelined answers in order, and whether the agent
    closed afterwards."""

    def __init__(self, port, host="127.0.0.1", timeout=5.0, tls_context=None):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        if tls_context is not None:
            self.sock = tls_context.wrap_socket(self.sock, server_hostname="localhost")
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("closed by the agent")
        self.buf += data

    def read_reply(self, head_request=False):
        """The next response; raises EOFError when the agent closed first."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        _, status, reason = (lines[0].split(" ", 2) + [""])[:3]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0 if head_request or int(status) in (100, 204, 304) else \
            int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return Reply(int(status), reason, headers, body)

    def is_closed(self, wait=0.5):
        """True when the agent closes the connection within `wait` seconds
        (EOF or reset) with nothing more to read."""
        self.sock.settimeout(wait)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
                self.buf += data
        except socket.timeout:
            return False
        except OSError:
            return True

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def exchange(port, data, host="127.0.0.1", head_request=False):
    """Sends `data` on a new connection; returns (first Reply or None, closed)."""
    with Conn(port, host) as c:
        c.send(data)
        try:
            reply = c.read_reply(head_request)
        except (EOFError, OSError):
            return None, True
        return reply, c.is_closed()


def agent_cpu_seconds(pid):
    """utime + stime of every thread of `pid`, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_get(port, path, auth=None, tls_context=None, timeout=5.0):
    """Seconds one GET on a new connection takes, and its status; the
    timeout itself (and status None) when it does not answer in time."""
    start = time.monotonic()
    try:
        if tls_context is not None:
            conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout,
                                               context=tls_context)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path, headers={"Authorization": auth} if auth else {})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        return time.monotonic() - start, resp.status
    except (OSError, http.client.HTTPException):
        return max(timeout, time.monotonic() - start), None


# --- flood clients: each runs in a thread of the flood process -------------

def _reconnecting(port, stop, body, tls_context=None):
    """Calls body(sock) with a new connection until `stop`; the agent closing
    a connection just means the next one."""
    while not stop.is_set():
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            if tls_context is not None:
                s = tls_context.wrap_socket(s, server_hostname="localhost")
            try:
                body(s)
            finally:
                s.close()
        except OSError:
            time.sleep(0.05)


def keepalive_looper(port, stop, path, auth=None):
    """GET `path` over one keep-alive connection as fast as answers come."""
    headers = {"Authorization": auth} if auth else {}
    while not stop.is_set():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            while not stop.is_set():
                conn.request("GET", path, headers=headers)
                conn.getresponse().read()
        except (OSError, http.client.HTTPException):
            time.sleep(0.01)
        finally:
            conn.close()


def slow_body(port, stop):
    """Announces a 60,000-byte body and sends one byte a second."""
    def body(s):
        s.sendall(b"POST /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n")
        while not stop.wait(1.0):
            s.sendall(b"x")
    _reconnecting(port, stop, body)


def _send_then_wait(port, stop, first):
    """Sends `first`, then nothing, until the agent closes the connection."""
    def body(s):
        s.sendall(first)
        while not stop.wait(0.2):
            try:
                if s.recv(4096, socket.MSG_DONTWAIT) == b"":
                    return
            except BlockingIOError:
                pass
    _reconnecting(port, stop, body)


def partial_head(port, stop):
    """Sends half a request head, then nothing."""
    _send_then_wait(port, stop, b"GET /metrics HTTP/1.1\r\nHost: x\r\n")


def client_hello():
    """The bytes of a real TLS ClientHello (Python's ssl, memory BIOs)."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    ctx = ssl.create_default_context()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def partial_client_hello(port, stop):
    """Sends half a TLS ClientHello, then nothing."""
    hello = client_hello()
    _send_then_wait(port, stop, hello[: len(hello) // 2])


def non_reader(port, stop, auth):
    """Pipelines many /metrics requests (~24 KB answers, some MB in all) and
    never reads an answer."""
    request = (b"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth.encode() +
               b"\r\n\r\n")

    def run():
        while not stop.is_set():
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            try:
                s.settimeout(2)
                s.connect(("127.0.0.1", port))
                s.sendall(request * 200)
                while not stop.wait(0.2):
                    pass
            except OSError:
                time.sleep(0.05)
            finally:
                s.close()
    run()


def _flood_main(kind, count, port, args, stop, ready):
    threads = [threading.Thread(target=kind, args=(port, stop) + tuple(args), daemon=True)
               for _ in range(count)]
    for t in threads:
        t.start()
    ready.set()
    stop.wait()
    for t in threads:
        t.join(3)


class Flood:
    """`count` clients of `kind` (a function above) against 127.0.0.1:`port`,
    in a child process, from __enter__ until __exit__."""

    def __init__(self, kind, count, port, *args):
        ctx = multiprocessing.get_context("fork")
        self.stop, ready = ctx.Event(), ctx.Event()
        self.proc = ctx.Process(target=_flood_main,
                                args=(kind, count, port, args, self.stop, ready), daemon=True)
        self.ready = ready

    def __enter__(self):
        self.proc.start()
        self.ready.wait(10)
        time.sleep(0.5)  # let every client connect and start
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.proc.join(10)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()


def scrape_latencies(port, seconds, auth=None, tls_context=None, path="/metrics"):
    """Scrapes `path` on new connections for `seconds`; returns (worst latency,
    failures: answers other than 200, or none within 5 s)."""
    worst, failures = 0.0, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        took, status = timed_get(port, path, auth, tls_context)
        worst = max(worst, took)
        failures += status != 200
        time.sleep(0.1)
    return worst, failures
