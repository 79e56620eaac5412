"""Real peers for the probe e2e tests, all on 127.0.0.1 in temporary dirs,
stopped by their context managers: PostgreSQL (initdb + pg_ctl from the
Debian package, as the unprivileged `postgres` user when run as root),
Redis (redis-server with requirepass), certificates made with `openssl`,
HTTP(S) servers (python's http.server + ssl), a tiny DNS server, black
holes (TCP that accepts and never answers, UDP that never answers), and
hostile peers: a RESP flood, HTTP answers without end, a DNS server that
truncates over UDP, a PostgreSQL server that asks for millions of SCRAM
rounds."""

import glob
import http.server
import os
import shutil
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import base64

import vitals_harness as vh


def _run(args, **kw):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=60, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {p.returncode}:\n{p.stdout}")
    return p.stdout


def wait_port(port, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class Postgres:
    """A PostgreSQL cluster in a temp dir with user `vitals` / `password`."""

    def __init__(self, password):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            vh.skip("PostgreSQL is not installed (Debian package postgresql)")
        self.bin = os.path.dirname(bins[-1])
        self.password = password
        self.port = vh.free_port()
        self.dir = tempfile.mkdtemp(prefix="vitals-pg-")
        self.data = os.path.join(self.dir, "data")
        self.prefix = []
        if os.geteuid() == 0:
            # initdb refuses to run as root: run the server as `postgres`.
            self.prefix = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres", "postgres")
        os.chmod(self.dir, 0o755)

    def _as_owner(self, args):
        return _run(self.prefix + args)

    def __enter__(self):
        pwfile = write_secret(self.dir, "pw", self.password)
        if self.prefix:
            shutil.chown(pwfile, "postgres", "postgres")
        self._as_owner([f"{self.bin}/initdb", "-D", self.data, "-U", "vitals", "--auth=scram-sha-256",
                        f"--pwfile={pwfile}", "--no-sync", "-E", "UTF8"])
        os.unlink(pwfile)
        self.start()
        return self

    def start(self):
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_owner([f"{self.bin}/pg_ctl", "-D", self.data, "-o", opts, "-l",
                        os.path.join(self.dir, "log"), "-w", "-t", "30", "start"])

    def stop(self):
        self._as_owner([f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"])

    def __exit__(self, *exc):
        try:
            self.stop()
        except Exception:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """redis-server with requirepass on a free port; stop() and start() again."""

    def __init__(self, password):
        self.exe = shutil.which("redis-server")
        if not self.exe:
            vh.skip("redis-server is not installed (Debian package redis-server)")
        self.password = password
        self.port = vh.free_port()
        self.dir = tempfile.mkdtemp(prefix="vitals-redis-")
        self.proc = None

    def start(self):
        self.log = open(os.path.join(self.dir, "log"), "a")
        self.proc = subprocess.Popen(
            [self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--requirepass",
             self.password, "--save", "", "--appendonly", "no", "--dir", self.dir,
             "--daemonize", "no"], stdout=self.log, stderr=self.log)
        wait_port(self.port)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None
        self.log.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class MariaDB:
    """A MariaDB server (mariadb-server) in a temp datadir on 127.0.0.1 with
    user `vitals` / `password`; stop() and start() again."""

    def __init__(self, password):
        self.server = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin")
        self.install = shutil.which("mariadb-install-db")
        if not self.server or not self.install:
            vh.skip("MariaDB is not installed (Debian package mariadb-server)")
        self.password = password
        self.port = vh.free_port()
        self.dir = tempfile.mkdtemp(prefix="vitals-mariadb-")
        self.data = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "sock")
        self.proc = None
        # mariadbd refuses to run as root unless told: its own datadir, its own user.
        self.user = "root" if os.geteuid() == 0 else None

    def __enter__(self):
        _run([self.install, "--no-defaults", f"--datadir={self.data}", "--skip-test-db",
              "--auth-root-authentication-method=socket"] +
             ([f"--user={self.user}"] if self.user else []))
        self.start()
        sql = (f"CREATE USER 'vitals'@'%' IDENTIFIED BY '{self.password}'; "
               "GRANT SELECT ON mysql.* TO 'vitals'@'%';")
        _run(["mariadb", "--no-defaults", "-uroot", f"--socket={self.socket}", "-e", sql])
        return self

    def start(self):
        self.log = open(os.path.join(self.dir, "log"), "a")
        self.proc = subprocess.Popen(
            [self.server, "--no-defaults", f"--datadir={self.data}", f"--socket={self.socket}",
             f"--port={self.port}", "--bind-address=127.0.0.1", "--skip-name-resolve",
             f"--pid-file={self.dir}/pid", "--innodb-buffer-pool-size=16M", "--skip-log-bin",
             "--innodb-log-file-size=8M", "--skip-innodb-doublewrite", "--performance-schema=OFF"] +
            ([f"--user={self.user}"] if self.user else []),
            stdout=self.log, stderr=self.log)
        wait_port(self.port, timeout=60)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        self.proc = None
        self.log.close()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class GrpcHealth:
    """A real gRPC health server (grpc_health_server.py on Debian's
    python3-grpcio) on 127.0.0.1, with TLS when given a certificate and key;
    set(service, status) switches what it answers."""

    def __init__(self, cert=None, key=None):
        python = next((p for p in (sys.executable, "/usr/bin/python3") if subprocess.run(
            [p, "-c", "import grpc"], capture_output=True).returncode == 0), None)
        if python is None:
            vh.skip("python3-grpcio is not installed (Debian package python3-grpcio)")
        server = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grpc_health_server.py")
        self.proc = subprocess.Popen([python, server] + ([cert, key] if cert else []),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def set(self, service, status):
        self.proc.stdin.write(f"{service or '-'} {status}\n")
        self.proc.stdin.flush()
        self.proc.stdout.readline()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.stdin.close()
        vh.stop_process(self.proc)


class Certs:
    """A CA and leaf certificates signed by it, made with the openssl CLI.
    leaf(name, cn, sans, start, end) with dates as YYYYMMDDHHMMSSZ."""

    def __init__(self):
        if not shutil.which("openssl"):
            vh.skip("openssl is not installed")
        self.dir = tempfile.mkdtemp(prefix="vitals-certs-")
        self.ca_key = self.path("ca.key")
        self.ca = self.path("ca.pem")
        _run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.ca_key,
              "-out", self.ca, "-days", "30", "-subj", "/CN=vitals test CA"])
        open(self.path("index.txt"), "w").close()
        with open(self.path("ca.cnf"), "w") as f:
            f.write(f"""[ca]
default_ca = test
[test]
dir = {self.dir}
database = {self.dir}/index.txt
new_certs_dir = {self.dir}
certificate = {self.ca}
private_key = {self.ca_key}
serial = {self.dir}/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = copy
[anything]
commonName = supplied
""")
        with open(self.path("serial"), "w") as f:
            f.write("1000\n")

    def path(self, name):
        return os.path.join(self.dir, name)

    def leaf(self, name, cn, sans, start, end):
        key, csr, pem = self.path(name + ".key"), self.path(name + ".csr"), self.path(name + ".pem")
        _run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
              "-subj", f"/CN={cn}", "-addext", "subjectAltName=" + ",".join(sans)])
        _run(["openssl", "ca", "-batch", "-config", self.path("ca.cnf"), "-in", csr, "-out", pem,
              "-startdate", start, "-enddate", end, "-notext"])
        return pem, key

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def utc(offset_seconds):
    return time.strftime("%Y%m%d%H%M%SZ", time.gmtime(time.time() + offset_seconds))


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    basic = None  # "user:password"

    def log_message(self, *args):
        pass

    def _send(self, code, body, headers=()):
        data = body.encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        if self.path == "/ok":
            self._send(200, "status: ok\n")
        elif self.path == "/fail":
            self._send(500, "database is down\n")
        elif self.path == "/slow":
            time.sleep(0.3)
            self._send(200, "status: ok\n")
        elif self.path == "/redirect":
            self._send(302, "", [("Location", "/ok")])
        elif self.path == "/auth":
            want = "Basic " + base64.b64encode(self.basic.encode()).decode()
            if self.headers.get("Authorization") == want:
                self._send(200, "welcome\n")
            else:
                self._send(401, "who are you\n", [("WWW-Authenticate", 'Basic realm="t"')])
        else:
            self._send(404, "no such page\n")

    do_HEAD = do_GET


class _Threaded(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class HttpServer:
    """http.server on 127.0.0.1:<free port>, TLS when cert/key are given."""

    def __init__(self, cert=None, key=None, basic="user:pw"):
        handler = type("H", (_Handler,), {"basic": basic})
        self.server = _Threaded(("127.0.0.1", 0), handler)
        if cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class _Serving:
    """A peer whose _loop runs on a daemon thread from __enter__ until __exit__
    sets `stopping` (the loop checks it at least every 0.2 s), then _close()."""

    def __init__(self):
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.thread.join(2)
        self._close()


class _TcpServer(_Serving):
    """A TCP listener on 127.0.0.1:<free port>; its loop counts each accepted
    connection (self.accepted) and hands it to self._accepted(conn). Closes
    the listener and the connections in self.held at __exit__."""

    def __init__(self, backlog):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(backlog)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.held = []
        super().__init__()

    def _loop(self):
        self.sock.settimeout(0.2)
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            self._accepted(conn)

    def _close(self):
        for c in self.held:
            c.close()
        self.sock.close()


class BlackHole(_TcpServer):
    """TCP on 127.0.0.1 that accepts and never reads nor writes (it holds the
    connections until the peer goes), and a UDP port that never answers."""

    def __init__(self):
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp_port = self.udp.getsockname()[1]
        super().__init__(1024)

    def _accepted(self, conn):
        self.held.append(conn)
        if len(self.held) > 2000:
            self.held.pop(0).close()

    def _close(self):
        super()._close()
        self.udp.close()


class DnsServer(_Serving):
    """A minimal authoritative DNS server over UDP: A records from `records`
    ({"db.test": "10.1.2.3"}), NXDOMAIN for other names, NOTIMP otherwise."""

    def __init__(self, records):
        self.records = {k.lower().rstrip("."): v for k, v in records.items()}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        super().__init__()

    def _answer(self, query):
        ident, flags, qd = struct.unpack(">HHH", query[:6])
        pos, labels = 12, []
        while query[pos] != 0:
            n = query[pos]
            labels.append(query[pos + 1:pos + 1 + n].decode())
            pos += 1 + n
        qtype, qclass = struct.unpack(">HH", query[pos + 1:pos + 5])
        question = query[12:pos + 5]
        name = ".".join(labels).lower()
        rd = flags & 0x0100
        if name not in self.records:
            return struct.pack(">HHHHHH", ident, 0x8403 | rd, 1, 0, 0, 0) + question
        if qtype != 1:  # no AAAA etc.: an empty answer
            return struct.pack(">HHHHHH", ident, 0x8400 | rd, 1, 0, 0, 0) + question
        rdata = socket.inet_aton(self.records[name])
        answer = struct.pack(">HHHIH", 0xC00C, 1, 1, 60, 4) + rdata
        return struct.pack(">HHHHHH", ident, 0x8400 | rd, 1, 1, 0, 0) + question + answer

    def _loop(self):
        while not self.stopping:
            try:
                query, peer = self.sock.recvfrom(512)
            except (socket.timeout, OSError):
                continue
            try:
                self.sock.sendto(self._answer(query), peer)
            except Exception:
                pass

    def _close(self):
        self.sock.close()


def health(v):
    """The /health report as (http status, parsed JSON)."""
    import json
    status, _, body = v.get("/health")
    return status, json.loads(body)


def wait_for(v, predicate, timeout, what):
    """Polls /health until predicate(entries) is true; returns the entries."""
    deadline = time.monotonic() + timeout
    entries = {}
    while time.monotonic() < deadline:
        _, report = health(v)
        entries = report["entries"]
        if predicate(entries):
            return entries
        time.sleep(0.1)
    import json
    vh.fail(f"{what}: not within {timeout}s; /health entries:\n{json.dumps(entries, indent=1)}\n"
            f"log:\n{v.log_text()[-3000:]}")


def probe_series(v):
    """{family: {check: value}} for every vitals_probe_* family on /metrics."""
    out = {}
    for name, fam in vh.parse_exposition(v.metrics()).items():
        if name.startswith("vitals_probe_"):
            out[name] = {labels.get("check"): value for _, labels, value in fam["samples"]}
    return out


def write_secret(directory, name, secret):
    """A password_file in directory holding the secret and a newline; returns its path."""
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(secret + "\n")
    return path


def places_showing(v, secrets):
    """Where (/health, /metrics, the status page and its JSON, the log) any of
    the secrets appears, now."""
    texts = [(v.get(path)[2].decode(), path) for path in ("/health", "/", "/status.json")]
    texts += [(v.metrics(), "/metrics"), (v.log_text(), "the log")]
    return [where for text, where in texts if any(secret in text for secret in secrets)]


def fail_on(what, problems):
    """Fails listing every problem, one per line, when there is any."""
    if problems:
        vh.fail("\n  ".join([what] + problems))


def write_config(directory, checks, health_section=None):
    import json
    path = os.path.join(directory, "agent.json")
    doc = {"checks": checks}
    if health_section:
        doc["health"] = health_section
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    return path


def probe(name, kind, interval="1s", timeout="1s", **keys):
    """A check entry with quick defaults for tests: no jitter, hysteresis 2/2."""
    entry = {"name": name, "kind": kind, "interval": interval, "timeout": timeout, "jitter": "0s",
             "failures_before_unhealthy": 2, "successes_before_healthy": 2}
    entry.update(keys)
    return entry


class _Hostile(_TcpServer):
    """A TCP server that hands each connection to self._serve(conn) on a
    thread of its own and closes it when _serve returns (or at __exit__); a
    peer that stops reading makes _serve's sendall fail, which ends it."""

    def __init__(self):
        super().__init__(64)

    def _accepted(self, conn):
        self.held.append(conn)
        threading.Thread(target=self._guarded, args=(conn,), daemon=True).start()

    def _guarded(self, conn):
        try:
            self._serve(conn)
        except OSError:
            pass  # the peer gave up
        finally:
            conn.close()


class RespFlood(_Hostile):
    """Answers the first command with an array of `count` bulk strings of
    `size` bytes each (1024 x 1 MiB: 1 GiB) as fast as the peer reads."""

    def __init__(self, count=1024, size=1 << 20):
        self.count, self.size = count, size
        super().__init__()

    def _serve(self, conn):
        conn.recv(65536)
        element = b"$%d\r\n%s\r\n" % (self.size, b"x" * self.size)
        conn.sendall(b"*%d\r\n" % self.count)
        for _ in range(self.count):
            conn.sendall(element)


class HugeHttp(_Hostile):
    """An HTTP server whose answer never ends: `mode` "header_line" sends one
    header line that grows to 1 GiB, "header_lines" 1 KiB header lines up to
    1 GiB, "body" a 200 whose body (no length, Connection: close) grows to
    1 GiB, "announced" one that announces a 10 GB body."""

    GIB = 1 << 30

    def __init__(self, mode):
        self.mode = mode
        super().__init__()

    def _serve(self, conn):
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        chunk = b"a" * 65536
        if self.mode == "header_line":
            conn.sendall(b"X-Huge: ")
            for _ in range(self.GIB // len(chunk)):
                conn.sendall(chunk)
        elif self.mode == "header_lines":
            line = b"X-Many: " + b"b" * 1014 + b"\r\n"
            for _ in range(self.GIB // len(line)):
                conn.sendall(line)
        else:
            length = b"Content-Length: 10000000000\r\n" if self.mode == "announced" else b""
            conn.sendall(b"Content-Type: text/plain\r\n" + length + b"Connection: close\r\n\r\n")
            for _ in range(self.GIB // len(chunk)):
                conn.sendall(chunk)


class TruncatingDns(_Serving):
    """A DNS server whose UDP answers to `name` have the TC bit set and no
    records (as when the answer is too big for UDP). Over TCP, on the same
    port: `tcp="refuse"` leaves the port bound but not listening (a
    connection is refused), `tcp="answer"` gives the A record `address`."""

    def __init__(self, name, address, tcp):
        self.name, self.address = name.lower().rstrip("."), address
        for _ in range(50):  # a port free for both UDP and TCP
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind(("127.0.0.1", 0))
            self.port = self.udp.getsockname()[1]
            self.tcp = socket.socket()
            try:
                self.tcp.bind(("127.0.0.1", self.port))
                break
            except OSError:
                self.udp.close()
                self.tcp.close()
        if tcp == "answer":
            self.tcp.listen(8)
        self.tcp.settimeout(0.2)
        self.udp.settimeout(0.2)
        self.tcp_mode = tcp
        self.tcp_queries = 0
        super().__init__()
        self.tcp_thread = threading.Thread(target=self._tcp_loop, daemon=True)

    def __enter__(self):
        super().__enter__()
        self.tcp_thread.start()
        return self

    def _answer(self, query, truncated):
        ident, flags = struct.unpack(">HH", query[:4])
        pos = 12
        while query[pos] != 0:
            pos += 1 + query[pos]
        question = query[12:pos + 5]
        rd = flags & 0x0100
        if truncated:
            return struct.pack(">HHHHHH", ident, 0x8600 | rd, 1, 0, 0, 0) + question
        answer = struct.pack(">HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(self.address)
        return struct.pack(">HHHHHH", ident, 0x8400 | rd, 1, 1, 0, 0) + question + answer

    def _loop(self):
        while not self.stopping:
            try:
                query, peer = self.udp.recvfrom(512)
                self.udp.sendto(self._answer(query, True), peer)
            except (socket.timeout, OSError):
                continue

    def _tcp_loop(self):
        while not self.stopping and self.tcp_mode == "answer":
            try:
                conn, _ = self.tcp.accept()
            except (socket.timeout, OSError):
                continue
            with conn:
                try:
                    conn.settimeout(2)
                    size = struct.unpack(">H", conn.recv(2))[0]
                    query = b""
                    while len(query) < size:
                        query += conn.recv(size - len(query))
                    self.tcp_queries += 1
                    answer = self._answer(query, False)
                    conn.sendall(struct.pack(">H", len(answer)) + answer)
                except (OSError, struct.error):
                    pass

    def _close(self):
        self.udp.close()
        self.tcp.close()


class ScramPostgres(_Hostile):
    """Speaks just enough of the PostgreSQL protocol to ask for SCRAM-SHA-256
    with `iterations` PBKDF2 rounds, which libpq computes before it answers."""

    def __init__(self, iterations):
        self.iterations = iterations
        super().__init__()

    @staticmethod
    def _message(conn):
        """A startup-phase packet: int32 length (itself included), then the body."""
        head = b""
        while len(head) < 4:
            part = conn.recv(4 - len(head))
            if not part:
                raise OSError("closed")
            head += part
        size = struct.unpack(">I", head)[0] - 4
        body = b""
        while len(body) < size:
            part = conn.recv(size - len(body))
            if not part:
                raise OSError("closed")
            body += part
        return body

    def _serve(self, conn):
        conn.settimeout(30)
        body = self._message(conn)
        if struct.unpack(">I", body[:4])[0] in (80877103, 80877104):  # SSLRequest, GSSENCRequest
            conn.sendall(b"N")
            body = self._message(conn)
        mechanisms = b"SCRAM-SHA-256\0\0"
        conn.sendall(b"R" + struct.pack(">II", 8 + len(mechanisms), 10) + mechanisms)
        conn.recv(1)  # 'p': SASLInitialResponse
        size = struct.unpack(">I", conn.recv(4))[0] - 4
        data = b""
        while len(data) < size:
            data += conn.recv(size - len(data))
        first = data[data.index(b"\0") + 5:].decode()  # after the mechanism and its length
        client_nonce = first.split("r=", 1)[1]
        server_first = (f"r={client_nonce}vitalsnonce,s={base64.b64encode(b'saltsalt').decode()},"
                        f"i={self.iterations}").encode()
        conn.sendall(b"R" + struct.pack(">II", 8 + len(server_first), 11) + server_first)
        conn.recv(65536)  # the client's final message, once it has done the rounds
