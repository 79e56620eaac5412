"""Shared helpers for the end-to-end tests: start the built vitals binary on
127.0.0.1 with an ephemeral port, fetch its endpoints, stop it cleanly.

The binary path comes from $VITALS_BIN and the source tree from
$VITALS_SOURCE_DIR (both set by CTest)."""

import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SKIP = 77  # CTest SKIP_RETURN_CODE

SOURCE_DIR = os.environ.get("VITALS_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
VITALS_BIN = os.environ.get("VITALS_BIN", os.path.join(SOURCE_DIR, "build/dev/agent/vitals"))


def fixture_path(*parts):
    return os.path.join(SOURCE_DIR, "tests", "fixtures", *parts)


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(SKIP)


def fail(reason):
    print(f"FAIL: {reason}")
    sys.exit(1)


def stop_process(proc, timeout=10.0):
    """Ends a child started with subprocess.Popen: SIGTERM, then SIGKILL when it
    has not exited within `timeout` seconds; it is reaped either way."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class ChildProcess:
    """Base of a context manager around a child process (self.proc, started by
    the subclass's __enter__) whose output goes to self.log, an unnamed file
    (tempfile.TemporaryFile). stop() ends the process, keeps its output in
    self.log_text and closes the log; it does nothing when nothing runs."""

    proc = None
    log = None
    log_text = ""

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.proc is None:
            return
        stop_process(self.proc)
        self.log.seek(0)
        self.log_text = self.log.read().decode(errors="replace")
        self.log.close()
        self.proc = None


class Vitals:
    """A running vitals process. Use as a context manager."""

    def __init__(self, *flags, env=None, prefix=()):
        self.flags = list(flags)
        self.env = env
        self.prefix = list(prefix)  # a command that runs the binary (setpriv ...)
        self.proc = None
        self.port = None
        self.log_path = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout=10.0):
        fd, self.log_path = tempfile.mkstemp(prefix="vitals-", suffix=".log")
        os.close(fd)
        args = self.prefix + [VITALS_BIN, "--web.listen-address=127.0.0.1:0",
                              "--log.format=json"] + self.flags
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.log_file, stderr=self.log_file,
                                     env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log_lines():
                if line.get("msg") == "listening":
                    self.port = int(line["address"].rsplit(":", 1)[1])
                    return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"vitals exited with {self.proc.returncode}:\n{self.log_text()}")
            time.sleep(0.02)
        raise RuntimeError("vitals did not report its listening address:\n" + self.log_text())

    def stop(self, timeout=10.0):
        if self.proc is None:
            return None
        stop_process(self.proc, timeout)
        self.log_file.close()
        code = self.proc.returncode
        self.proc = None
        return code

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def log_lines(self):
        out = []
        for raw in self.log_text().splitlines():
            try:
                out.append(json.loads(raw))
            except ValueError:
                out.append({"raw": raw})
        return out

    RELOAD_OUTCOMES = ("configuration reloaded", "reload rejected")

    def reload(self, trigger=None, timeout=10.0):
        """Reloads the config (SIGHUP, or `trigger()`, e.g. a POST /-/reload) and
        returns the outcome the agent logged: one of RELOAD_OUTCOMES."""
        def outcomes():
            return [l["msg"] for l in self.log_lines() if l.get("msg") in self.RELOAD_OUTCOMES]
        before = len(outcomes())
        if trigger is None:
            self.proc.send_signal(signal.SIGHUP)
        else:
            trigger()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            logged = outcomes()
            if len(logged) > before:
                return logged[before]
            time.sleep(0.02)
        fail(f"no reload outcome logged:\n{self.log_text()}")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def get(self, path, headers=None, method="GET", data=None, timeout=10.0):
        """Returns (status, headers dict with lower-case keys, body bytes)."""
        req = urllib.request.Request(self.url + path, headers=headers or {}, method=method, data=data)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                body = resp.read()
                hdrs = {k.lower(): v for k, v in resp.headers.items()}
                return resp.status, hdrs, body
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    def get_https(self, path, cafile, certfile=None, keyfile=None, headers=None,
                  server_hostname="localhost", timeout=10.0):
        """GET over TLS, verifying the server against `cafile` (and its name
        against `server_hostname`), optionally with a client certificate.
        Returns (status, headers dict with lower-case keys, body bytes, the
        server certificate in DER); TLS errors raise ssl.SSLError/OSError."""
        return https_get(self.port, path, cafile, certfile, keyfile, headers,
                         server_hostname, timeout)

    def metrics(self, path="/metrics"):
        status, headers, body = self.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        return body.decode()


def parse_exposition(text):
    """Parses Prometheus text format into {family: {"type", "help", "samples": [(name, labels, value)]}}."""
    families = {}
    current = None
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    # Lines end at "\n" only: a label value may hold U+0085 or U+2028, which
    # str.splitlines() would also break at.
    for line in text.split("\n"):
        if not line:
            continue
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            _, kind, name, rest = (line.split(" ", 3) + [""])[:4]
            fam = families.setdefault(name, {"type": "untyped", "help": "", "samples": []})
            fam["help" if kind == "HELP" else "type"] = rest
            current = name
            continue
        if line.startswith("#"):
            continue
        if "{" in line:
            name, rest = line.split("{", 1)
            labels_text, value = rest.rsplit("}", 1)
            labels = {k: v for k, v in label_re.findall(labels_text)}
        else:
            name, value = line.split(" ", 1)
            labels = {}
        value = float(value.strip().split(" ")[0])
        fam_name = name
        for suffix in ("_bucket", "_sum", "_count"):
            if name not in families and name.endswith(suffix) and name[: -len(suffix)] in families:
                fam_name = name[: -len(suffix)]
        families.setdefault(fam_name, {"type": "untyped", "help": "", "samples": []})
        families[fam_name]["samples"].append((name, labels, value))
    return families


def https_get(port, path, cafile, certfile=None, keyfile=None, headers=None,
              server_hostname="localhost", timeout=10.0):
    """See Vitals.get_https; connects to 127.0.0.1:port whatever the name."""
    import http.client
    import ssl
    ctx = ssl.create_default_context(cafile=cafile)
    if certfile:
        ctx.load_cert_chain(certfile, keyfile)
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=ctx)
    # Connect to the loopback address but verify (and send SNI for) the name.
    conn.host = server_hostname
    conn._create_connection = lambda addr, *a, **kw: __import__("socket").create_connection(
        ("127.0.0.1", port), *a, **kw)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        der = conn.sock.getpeercert(binary_form=True)
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body, der
    finally:
        conn.close()


def status_kib(pid, field):
    """A kB field of /proc/<pid>/status (VmRSS, RssAnon, VmHWM, ...) in KiB;
    0 once the process has exited."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def rss_kib(pid):
    """VmRSS of a process in KiB (0 once it has exited)."""
    return status_kib(pid, "VmRSS")


def reset_peak_rss(pid):
    """Resets VmHWM of a process to its current RSS (proc(5): clear_refs 5),
    so that VmHWM afterwards is the peak since now."""
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def sanitized(binary):
    """True for a binary built with ASan or TSan (g++ links them dynamically,
    clang statically: look for the runtime's entry point either way)."""
    with open(binary, "rb") as f:
        data = f.read()
    return b"__asan_init" in data or b"__tsan_init" in data


def descendants(pid):
    """(pid, comm) of the live (not zombie) processes below `pid`, read from
    /proc: a command the agent runs sits under its keeper, a child of the agent."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
        if state != "Z":
            parents.setdefault(int(ppid), []).append((int(entry), comm))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child[0])
    return out


def alive(pid):
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.read().decode()
        except Exception:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def registered_collectors():
    """The host collectors the binary has, as its --help lists them (the
    registry), in registry order."""
    help_text = subprocess.run([VITALS_BIN, "--help"], capture_output=True, text=True,
                               check=True, timeout=30).stdout
    prefix = "  --[no-]collector."
    return [line[len(prefix):].split()[0] for line in help_text.splitlines()
            if line.startswith(prefix)]


def which(tool, *alternatives):
    for name in (tool,) + alternatives:
        path = shutil.which(name)
        if path:
            return path
    return None


def copy_fixture_proc(dest, tree="proc"):
    """Copies tests/fixtures/<tree> to `dest` (which must not exist) and applies
    what tests/fixtures/<tree>.manifest says git cannot hold: it recreates the
    empty directories ("empty_dir:", a kernel thread's fd/), makes the symlinks
    ("symlink: <path> -> <target>", sysfs' class/hwmon/hwmon1 and the like) and
    replaces the fd/ of each "unreadable_fd:" pid by a regular file, so that
    listing it fails (ENOTDIR; as root no permission bits make a directory
    unreadable). Returns `dest`."""
    shutil.copytree(fixture_path(tree), dest, symlinks=True)
    with open(fixture_path(tree + ".manifest")) as f:
        for line in f:
            key, _, value = line.partition(": ")
            if key == "empty_dir":
                os.makedirs(os.path.join(dest, value.strip()), exist_ok=True)
            elif key == "symlink":
                link, _, target = value.strip().partition(" -> ")
                os.makedirs(os.path.dirname(os.path.join(dest, link)), exist_ok=True)
                os.symlink(target, os.path.join(dest, link))
            elif key == "unreadable_fd":
                fd_dir = os.path.join(dest, value.strip(), "fd")
                shutil.rmtree(fd_dir)
                with open(fd_dir, "w") as fd_file:
                    fd_file.write("not a directory: the capture's unreadable_fd case\n")
    return dest


def rerun_in_mount_namespace(script, env_name):
    """Runs `script` again as PID 1 of a new private mount and PID namespace
    (so /proc/1/mounts, which the filesystem collector reads, is its table),
    with `env_name`=1 in its environment, and exits with its exit code. Skips
    without root or unshare, or where the namespaces cannot be created."""
    if os.geteuid() != 0:
        skip("needs root to create mount namespaces and mounts")
    for tool in ("unshare", "mount"):
        if not which(tool):
            skip(f"{tool} is not installed")
    unshare = ["unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc"]
    tried = subprocess.run(unshare + ["true"], capture_output=True, text=True)
    if tried.returncode != 0:
        skip(f"cannot create mount and PID namespaces here: {tried.stderr.strip()}")
    env = dict(os.environ, **{env_name: "1"})
    sys.exit(subprocess.run(unshare + [sys.executable, os.path.abspath(script)],
                            env=env).returncode)
