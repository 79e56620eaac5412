"""`vitals status` against real agents and against what is not one.

- Nothing listening: exit 3 with the reason on stderr (nothing at all with --quiet).
- Real agents in each status: Healthy (an exec check that exits 0), Degraded
  (an exec check that exits 1 and prints ANSI colours), Unhealthy (a process
  check on a declared group with no process): the exit code (0, 1, 2), the
  table (summary line, a row per check, worst first), --json (parses, is the
  agent's /health), --quiet (no output, same code); a health path in --url
  (one check, an unknown group: 404, exit 3).
- A terminal (a pty of 60 columns): colours on, every line within 60
  columns; NO_COLOR=1 turns colours off.
- Hostile answers, from a server of the test's own (a vitals agent escapes
  its descriptions itself, so only another server can send these): a report
  whose descriptions hold newlines, ANSI and OSC escapes, NUL, C1 controls,
  bidirectional overrides and 10 KB of text, and whose names hold escapes
  (each check stays one row of visible text within the width); a page that
  is not JSON, 9 MiB of JSON (exit 3, "larger than 8 MiB"), and a server that
  accepts and never answers (exit 3 at --timeout).
- Basic auth (a real agent with /health protected): no credentials, a wrong
  password (exit 3, saying which), the right one from --password-file.
- TLS (certificates made with openssl): --ca-file, no CA (refused),
  --insecure-skip-verify, and a client certificate for an agent that requires
  one (RequireAndVerifyClientCert), with basic auth on top."""
# ctest-labels: sanitize

import fcntl
import http.server
import json
import os
import pty
import re
import select
import struct
import subprocess
import tempfile
import termios
import threading
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
import crypt  # noqa: E402  bcrypt hashes through libcrypt, as the agent checks them

import probe_peers as pp
from vitals_harness import VITALS_BIN, Vitals, fail, free_port

SGR = re.compile(r"\x1b\[[0-9;]*m")


def expect(cond, what, detail=""):
    if not cond:
        fail(what + ("\n" + detail if detail else ""))
    print("ok:", what)


def status(*args, env=None, timeout=20):
    """(exit code, stdout, stderr) of `vitals status ARGS`, stdout a pipe."""
    r = subprocess.run([VITALS_BIN, "status", *args], capture_output=True, text=True,
                       errors="surrogateescape", timeout=timeout,
                       env=dict(os.environ, **(env or {})))
    return r.returncode, r.stdout, r.stderr


def status_on_terminal(*args, columns, env=None):
    """(exit code, output) of `vitals status ARGS` with stdout on a pty of `columns`."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    environment = dict(os.environ, TERM="xterm")
    environment.pop("NO_COLOR", None)
    environment.update(env or {})
    proc = subprocess.Popen([VITALS_BIN, "status", *args], stdout=follower,
                            stderr=subprocess.PIPE, env=environment)
    os.close(follower)
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 20)
        if not ready:
            proc.kill()
            fail("vitals status on a pty: no output within 20 s")
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the follower side is closed
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    proc.wait(10)
    return proc.returncode, output.decode().replace("\r\n", "\n")


def settled(url, *auth):
    """Polls `vitals status --json` until every check has its first result."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        code, out, err = status("--url", url, "--json", *auth)
        if code != 3:
            report = json.loads(out)
            if not any(e["description"].startswith("pending") for e in report["entries"].values()):
                return report
        time.sleep(0.1)
    fail(f"{url}: checks still pending or no answer after 15 s: {code} {out} {err}")


def write_json(directory, name, doc):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    return path


def exec_check(name, script, tags=()):
    return pp.probe(name, "exec", interval="1s", timeout="500ms", command=["sh", "-c", script],
                    tags=list(tags))


def agent_config(tmp, name, checks, groups=()):
    return write_json(tmp, name + ".json", {"process_groups": list(groups), "checks": checks})


def row_of(lines, check):
    """The table row of `check` (its name in the second column)."""
    for line in lines[3:]:
        if line.split()[1:2] == [check]:
            return line
    return None


def nothing_listening():
    url = f"http://127.0.0.1:{free_port()}"
    code, out, err = status("--url", url)
    expect(code == 3 and out == "" and "127.0.0.1" in err and "onnect" in err,
           f"nothing listening: exit 3, the reason on stderr ({err.strip()})")
    code, out, err = status("--url", url, "--quiet")
    expect((code, out, err) == (3, "", ""), "nothing listening, --quiet: exit 3, no output")
    code, _, err = status("--url", url, "--bogus")
    expect(code == 3 and "unknown flag --bogus" in err, "a bad flag: exit 3 (unknown), says which")


AGENTS = [
    # (name, checks, process groups, status, exit code, {check: row status})
    ("healthy", [exec_check("api", "echo 'OK - answered in 2 ms'", ["ready"])], [],
     "Healthy", 0, {"api": "Healthy"}),
    ("degraded",
     [exec_check("api", "echo 'OK - answered in 2 ms'", ["ready"]),
      exec_check("backup", r"printf '\033[31mWARNING\033[0m disk 91%% full\n'; exit 1")], [],
     "Degraded", 1, {"backup": "Degraded", "api": "Healthy"}),
    ("unhealthy",
     [exec_check("api", "echo 'OK - answered in 2 ms'", ["ready"]),
      pp.probe("workers", "process", interval="1s", group="workers", min=1)],
     [{"name": "workers", "comm": "^vitals-no-such-worker$"}],
     "Unhealthy", 2, {"workers": "Unhealthy", "api": "Healthy"}),
]


def agents_in_each_status(tmp):
    for name, checks, groups, want, want_code, rows in AGENTS:
        with Vitals("--config.file=" + agent_config(tmp, name, checks, groups)) as v:
            agent_json = settled(v.url)
            code, out, err = status("--url", v.url)
            print(f"--- vitals status --url {v.url}  (exit {code})\n{out}---")
            lines = out.splitlines()
            expect(code == want_code and err == "", f"{name} agent: exit {want_code} ({code}, {err!r})")
            expect(lines[0].startswith(f"{want}  {len(rows)} check") and lines[0].endswith(
                f"{v.url}/health"), f"{name} agent: the summary line says {want}", out)
            expect(len(lines) == 3 + len(rows) and lines[2].split() == ["STATUS", "CHECK", "TOOK",
                                                                      "DESCRIPTION"],
                   f"{name} agent: a header and one row per check", out)
            for check, row_status in rows.items():
                row = row_of(lines, check)
                expect(row is not None and row.startswith(row_status + " "),
                       f"{name} agent: {check} is {row_status}", out)
            order = [line.split()[0] for line in lines[3:]]
            expect(order == sorted(order, key=["Unhealthy", "Degraded", "Healthy"].index),
                   f"{name} agent: worst first ({order})")
            if name == "degraded":
                expect("\x1b" not in out and "\\x1b[31mWARNING\\x1b[0m disk 91% full" in out,
                       "degraded agent: the command's colour codes are shown, not obeyed")

            code, out, _ = status("--url", v.url, "--json")
            report = json.loads(out)
            expect(code == want_code and report["status"] == want
                   and set(report["entries"]) == set(agent_json["entries"])
                   and all(report["entries"][c]["status"] == s for c, s in rows.items()),
                   f"{name} agent --json: parses, the agent's report, exit {want_code}")
            code, out, err = status("--url", v.url, "--quiet")
            expect((code, out, err) == (want_code, "", ""), f"{name} agent --quiet: exit {want_code}, no output")

            code, out, _ = status("--url", v.url + "/health/ready")
            expect(code == 0 and row_of(out.splitlines(), "api") and len(out.splitlines()) == 4,
                   f"{name} agent, --url .../health/ready: that group only, Healthy")
            if name == "degraded":
                code, out, err = status("--url", v.url + "/health/nope")
                expect(code == 3 and out == "" and "answered 404" in err
                       and 'no health group or check named "nope"' in err,
                       f"an unknown group: exit 3, the agent's 404 shown ({err.strip()})")
                terminal(v)


def terminal(v):
    code, out = status_on_terminal("--url", v.url, columns=60)
    lines = out.splitlines()
    expect(code == 1 and "\x1b[33mDegraded\x1b[0m" in out, "on a terminal: the status word in colour")
    widths = [len(SGR.sub("", line)) for line in lines]
    expect(max(widths) <= 60 and any("..." in line for line in lines),
           f"on a 60-column terminal: every line within 60 columns, long ones cut ({widths})", out)
    code, out = status_on_terminal("--url", v.url, columns=60, env={"NO_COLOR": "1"})
    expect(code == 1 and "\x1b" not in out and "Degraded" in out, "on a terminal with NO_COLOR: no colour")
    code, out, _ = status("--url", v.url, "--color=always")
    expect(code == 1 and "\x1b[33mDegraded\x1b[0m" in out, "--color=always: colour into a pipe")


HOSTILE = {
    "newline": ("Unhealthy", "first line\nsecond line\r\nthird"),
    "ansi": ("Unhealthy", "\x1b[2J\x1b[H\x1b[31mred\x1b]0;owned title\x07 after"),
    "long": ("Degraded", "L" * 10240),
    "controls": ("Unhealthy", "nul\x00 c1-csi\u009b31m bidi\u202eevil del\x7f"),
    "name\x1b[31m\nsplit": ("Healthy", "a check whose name holds an escape"),
}


class HostileHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection

    def log_message(self, *args):
        pass

    def answer(self, code, body, content_type="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            entries = {name: {"status": s, "description": d, "duration": "0.001s", "tags": [],
                              "data": {}, "error": None} for name, (s, d) in HOSTILE.items()}
            self.answer(503, json.dumps({"status": "Unhealthy", "totalDuration": "0.001s",
                                         "entries": entries}).encode())
        elif self.path == "/health/html":
            self.answer(200, b"<html><body>It works!</body></html>\n", "text/html")
        elif self.path == "/health/huge":
            size = 9 << 20
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            try:
                for _ in range(size >> 16):
                    self.wfile.write(b"[" * 65536)
            except OSError:
                pass  # the client stopped reading, as it should


def hostile_answers():
    server = pp._Threaded(("127.0.0.1", 0), HostileHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        code, out, err = status("--url", url)
        print(f"--- vitals status on the hostile report (exit {code})\n{out}---")
        lines = out.split("\n")[:-1]
        expect(code == 2 and err == "", f"hostile report: exit 2 from its status ({code}, {err!r})")
        expect(len(lines) == 3 + len(HOSTILE), f"hostile report: one row per check ({len(lines)} lines)", out)
        bad = [line for line in lines if re.search(r"[\x00-\x1f\x7f\x80-\x9f\u202a-\u202e]", line)]
        expect(not bad, "hostile report: no control character reaches the terminal", repr(bad))
        expect(max(len(line) for line in lines) <= 120, "hostile report: every line within 120 columns")
        for shown in ("first line\\nsecond line\\r\\nthird", "\\x1b[2J\\x1b[H\\x1b[31mred\\x1b]0;owned",
                      "nul\\x00 c1-csi\\u009b31m bidi\\u202eevil del\\x7f", "name\\x1b[31m\\nsplit",
                      "L" * 50 + "..."):
            expect(shown in out, f"hostile report: shown as text: {shown[:40]}")

        code, out, err = status("--url", url + "/health/html")
        expect(code == 3 and out == "" and "not a vitals health report (not JSON): <html>" in err,
               f"an HTML page: exit 3 ({err.strip()})")
        code, out, err = status("--url", url + "/health/huge")
        expect(code == 3 and "larger than 8 MiB" in err, f"9 MiB of JSON: exit 3 ({err.strip()})")
    finally:
        server.shutdown()
        server.server_close()

    with pp.BlackHole() as hole:
        start = time.monotonic()
        code, out, err = status("--url", f"http://127.0.0.1:{hole.port}", "--timeout=1s")
        took = time.monotonic() - start
        expect(code == 3 and "within the 1.000s timeout" in err and took < 3,
               f"a server that never answers: exit 3 after {took:.2f} s ({err.strip()})")


def basic_auth(tmp):
    salt = crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)  # cost 4: the test need not be slow
    web = write_json(tmp, "web-auth.json", {
        "basic_auth_users": {"ops": crypt.crypt("right-password", salt)},
        "protected_paths": ["/health"]})
    good = pp.write_secret(tmp, "good-pw", "right-password")
    bad = pp.write_secret(tmp, "bad-pw", "wrong-password")
    _, checks, groups, *_ = AGENTS[1]
    with Vitals("--config.file=" + agent_config(tmp, "auth", checks, groups), "--web.config.file=" + web) as v:
        settled(v.url, "--username=ops", "--password-file=" + good)
        code, out, err = status("--url", v.url)
        expect(code == 3 and "answered 401 Unauthorized: give --username and --password-file" in err,
               f"basic auth, no credentials: exit 3, asks for them ({err.strip()})")
        code, out, err = status("--url", v.url, "--username=ops", "--password-file=" + bad)
        expect(code == 3 and "credentials were refused" in err, "basic auth, wrong password: exit 3")
        code, out, err = status("--url", v.url, "--username=ops", "--password-file=" + good)
        expect(code == 1 and out.startswith("Degraded"), "basic auth, right password: exit 1, the table")
        code, out, err = status("--url", v.url, "--username=ops", "--password-file=" + tmp + "/none")
        expect(code == 3 and "cannot read password_file" in err, "a missing password file: exit 3")


def tls(tmp):
    certs = pp.Certs()
    try:
        server = certs.leaf("server", "localhost", ["DNS:localhost", "IP:127.0.0.1"],
                            pp.utc(-3600), pp.utc(86400))
        client = certs.leaf("client", "ops", ["DNS:ops"], pp.utc(-3600), pp.utc(86400))
        _, checks, groups, *_ = AGENTS[1]
        config = agent_config(tmp, "tls", checks, groups)
        web = write_json(tmp, "web-tls.json", {"tls_server_config": {"cert_file": server[0],
                                                                     "key_file": server[1]}})
        with Vitals("--config.file=" + config, "--web.config.file=" + web) as v:
            url = f"https://127.0.0.1:{v.port}"
            settled(url, "--ca-file=" + certs.ca)
            code, out, err = status("--url", url, "--ca-file=" + certs.ca)
            expect(code == 1 and out.startswith("Degraded"), "TLS with --ca-file: exit 1, the table")
            code, out, err = status("--url", url)
            expect(code == 3 and "certificate" in err, f"TLS without the CA: refused, exit 3 ({err.strip()})")
            code, out, err = status("--url", url, "--insecure-skip-verify")
            expect(code == 1, "TLS with --insecure-skip-verify: exit 1")

        salt = crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)
        pw = pp.write_secret(tmp, "tls-pw", "tls-password")
        mtls = write_json(tmp, "web-mtls.json", {
            "tls_server_config": {"cert_file": server[0], "key_file": server[1],
                                  "client_ca_file": certs.ca,
                                  "client_auth_type": "RequireAndVerifyClientCert"},
            "basic_auth_users": {"ops": crypt.crypt("tls-password", salt)}})
        with Vitals("--config.file=" + config, "--web.config.file=" + mtls) as v:
            url = f"https://127.0.0.1:{v.port}"
            creds = ["--ca-file=" + certs.ca, "--cert-file=" + client[0], "--key-file=" + client[1],
                     "--username=ops", "--password-file=" + pw]
            settled(url, *creds)
            code, out, err = status("--url", url, *creds)
            expect(code == 1 and out.startswith("Degraded"),
                   "client certificate and basic auth: exit 1, the table")
            code, out, err = status("--url", url, *creds[:1], *creds[3:])
            expect(code == 3 and out == "", f"no client certificate: refused, exit 3 ({err.strip()})")
    finally:
        certs.close()


def main():
    nothing_listening()
    with tempfile.TemporaryDirectory(prefix="vitals-status-") as tmp:
        agents_in_each_status(tmp)
        hostile_answers()
        basic_auth(tmp)
        tls(tmp)
    print("PASS")


if __name__ == "__main__":
    main()
