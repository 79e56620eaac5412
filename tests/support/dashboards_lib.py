"""What e2e.dashboards and e2e.prometheus share: reading the PromQL out of the
Grafana dashboards and the rule files in dashboards/, the metric names in an
expression, and the vitals (and the peers its probes and heartbeat need) both
tests run."""

import base64
import contextlib
import http.server
import json
import os
import re
import shutil
import socket
import threading
import time

from vitals_harness import SOURCE_DIR, Vitals, fail, parse_exposition

DASHBOARD_DIR = os.path.join(SOURCE_DIR, "dashboards", "grafana")
RULES_DIR = os.path.join(SOURCE_DIR, "dashboards", "prometheus")
RULE_FILES = [os.path.join(RULES_DIR, "alerts.yml"), os.path.join(RULES_DIR, "recording.yml")]
GOLDEN = os.path.join(SOURCE_DIR, "tests", "golden", "metrics.prom")

# Series Prometheus makes itself for every target.
PROMETHEUS_SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                        "scrape_samples_post_metric_relabeling", "scrape_series_added"}

# ------------------------------------------------------------ expressions

def dashboards():
    """{file name: parsed dashboard} for dashboards/grafana/*.json."""
    out = {}
    for name in sorted(os.listdir(DASHBOARD_DIR)):
        if name.endswith(".json"):
            path = os.path.join(DASHBOARD_DIR, name)
            try:
                with open(path) as f:
                    out[name] = json.load(f)
            except ValueError as e:
                fail(f"{path}: not valid JSON: {e}")
    return out


def dashboard_exprs(dashboards_by_file):
    """[(where, expr)] for every panel target of every dashboard."""
    out = []
    for fname, dash in dashboards_by_file.items():
        for panel in dash.get("panels", []):
            for t in panel.get("targets", []):
                if t.get("expr"):
                    out.append((f"{fname} panel {panel.get('id')} '{panel.get('title')}' {t.get('refId')}",
                                t["expr"]))
    return out


def variable_queries(dash):
    """[(name, query text)] for the dashboard's query variables."""
    out = []
    for var in dash.get("templating", {}).get("list", []):
        if var.get("type") == "query":
            q = var.get("query")
            out.append((var["name"], q.get("query") if isinstance(q, dict) else q))
    return out


def rule_exprs():
    """[(where, kind, name, expr)] from the rule files (our layout: single-line exprs)."""
    out = []
    for path in RULE_FILES:
        kind = name = None
        with open(path) as f:
            for i, line in enumerate(f):
                m = re.match(r"^\s*- (alert|record): (\S+)", line)
                if m:
                    kind, name = m.groups()
                m = re.match(r"^\s*expr: (.+)$", line)
                if m:
                    out.append((f"{os.path.basename(path)}:{i + 1} {name}", kind, name, m.group(1).strip()))
    return out


def recorded_names():
    return {name for _, kind, name, _ in rule_exprs() if kind == "record"}


_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
             "and", "or", "unless", "atan2", "inf", "nan"}


def metric_names(expr):
    """The metric names (and recording rule names) a PromQL expression selects."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)            # strings
    text = re.sub(r"\{[^}]*\}", " ", text)                        # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)                       # ranges, subqueries
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for m in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", text):
        word = m.group(0)
        before = text[:m.start()]
        if before and (before[-1].isdigit() or before[-1] == "."):
            continue  # a unit of a number or duration (5m, 1e3)
        rest = text[m.end():].lstrip()
        if rest.startswith("("):
            continue  # function or aggregation
        if word.lower() in _KEYWORDS:
            continue
        names.add(word)
    return names


def substitute_builtins(expr, rate_interval="10s"):
    return (expr.replace("$__rate_interval", rate_interval).replace("${__rate_interval}", rate_interval)
            .replace("$__interval", "1s").replace("$__range", "1m"))


VARIABLE_RE = re.compile(r"\$\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?\}|\$([a-zA-Z_][a-zA-Z0-9_]*)|\[\[([a-zA-Z_][a-zA-Z0-9_]*)\]\]")
GRAFANA_BUILTINS = {"__interval", "__interval_ms", "__rate_interval", "__range", "__range_s",
                    "__range_ms", "__from", "__to", "__dashboard", "__org", "__user", "timeFilter",
                    "__timeFilter", "__name"}


def variables_used(text):
    return {a or b or c for a, b, c in VARIABLE_RE.findall(text)}


# ------------------------------------------------------- vitals under test

# bcrypt (cost 10) of "admin-secret", as in heal_peers.py and test_web_auth.py.
WEB_USER, WEB_PASSWORD = "admin", "admin-secret"
WEB_HASH = "$2b$10$VFPsSHSP2Oud9vZl7tmCYejIZDqhzvcIRFD1zkXJYzJetDhdHr7z6"
HEARTBEAT_TOKEN = "dashboards-test-token-0123456789"

# Families that exist only once something happened (a probe ran, an action ran
# in dry run, a job reported /start then a beat); vitals_under_test waits for them.
EVENT_FAMILIES = ("vitals_probe_success", "vitals_probe_http_status_code", "vitals_probe_exec_exit_code",
                  "vitals_actions_total", "vitals_heartbeat_job_duration_seconds")


class _TcpPeer:
    """A local listener for the tcp probe: greets with +OK and closes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                try:
                    conn.sendall(b"+OK vitals test peer\r\n")
                except OSError:
                    pass

    def close(self):
        self.sock.close()


class _HttpHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def vitals_config(tmpdir, tcp_port, http_port):
    """Writes the agent config e2e.dashboards and e2e.prometheus run vitals
    with and the web config (basic auth for /heartbeat, nothing else
    protected); returns (agent.json, web.json). Process groups of every kind,
    including one declared group that matches nothing (so "missing group"
    expressions have a series), and a check of every kind the dashboards show:
    thresholds, a process check (Unhealthy: the empty group, with two actions
    in dry run, one retried every second, one burst-limited so it is also
    suppressed), tcp, http and exec probes against local peers (one exec
    probe exits 1: Degraded), and a heartbeat the test pings."""
    fast = {"interval": "1s", "timeout": "500ms", "jitter": "100ms",
            "failures_before_unhealthy": 1, "successes_before_healthy": 1}
    true = shutil.which("true") or "/bin/true"
    config = {
        "process_groups": [
            {"name": "vitals", "self": True},
            {"name": "python", "comm": "^python3"},
            {"name": "absent", "comm": "^no-such-process-for-vitals-tests$"},
        ],
        "health": {"actions_dry_run": True},
        # One check per status where it can be arranged: Healthy (memory, probes, heartbeat),
        # Unhealthy (a process check on the empty group), and whatever the CPU is doing.
        "checks": [
            dict(name="cpu", kind="threshold", value="host.cpu_busy_ratio", degraded=0.9,
                 unhealthy=0.99, tags=["live"], **fast),
            dict(name="memory", kind="threshold", value="host.memory_available_ratio",
                 degraded=0.0001, unhealthy=0.00001, direction="below", **fast),
            dict(name="agent-fds", kind="threshold", value="group.worst_fd_ratio", group="vitals",
                 degraded=0.8, unhealthy=0.95, tags=["ready"], **fast),
            # Dry run: nothing is run. The exec action retries every second while the check
            # stays Unhealthy (a restart storm); the restart action may run once in 5 s, so
            # every other attempt is suppressed.
            dict(name="absent-procs", kind="process", group="absent", min=1, **fast,
                 actions=[{"type": "exec", "command": [true], "backoff": "1s", "max_backoff": "1s",
                           "limit_burst": 1000, "limit_interval": "1m"},
                          {"name": "restart", "type": "restart", "unit": "absent.service",
                           "backoff": "1s", "max_backoff": "1s", "limit_burst": 1,
                           "limit_interval": "5s"}]),
            dict(name="tcp-peer", kind="tcp", address=f"127.0.0.1:{tcp_port}", expect="+OK",
                 tags=["ready"], **fast),
            dict(name="http-peer", kind="http", url=f"http://127.0.0.1:{http_port}/health",
                 body_regex="^ok", tags=["ready"], **fast),
            dict(name="exec-true", kind="exec", command=[true], **fast),
            # Exit 1 is Degraded, as for a Nagios plugin.
            dict(name="exec-warning", kind="exec", command=[shutil.which("sh") or "/bin/sh", "-c",
                                                            "echo 'WARNING: test'; exit 1"], **fast),
            dict(name="job", kind="heartbeat", period="5m", token=HEARTBEAT_TOKEN),
        ],
    }
    path = os.path.join(tmpdir, "agent.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    web = os.path.join(tmpdir, "web.json")
    with open(web, "w") as f:
        json.dump({"basic_auth_users": {WEB_USER: WEB_HASH}, "protected_paths": []}, f)
    return path, web


def textfile_directory(tmpdir):
    """A textfile directory whose two files make both textfile alerts true: a
    file last written two days ago (VitalsHostTextfileStale) and one with a
    timestamp, which the collector rejects (VitalsHostTextfileScrapeError)."""
    directory = os.path.join(tmpdir, "textfile")
    os.mkdir(directory)
    stale = os.path.join(directory, "nightly_backup.prom")
    with open(stale, "w") as f:
        f.write("# TYPE backup_last_success_timestamp_seconds gauge\n"
                "backup_last_success_timestamp_seconds 1.7e9\n")
    two_days_ago = time.time() - 2 * 86400
    os.utime(stale, (two_days_ago, two_days_ago))
    with open(os.path.join(directory, "timestamped.prom"), "w") as f:
        f.write("job_runs_total 3 1700000000000\n")
    return directory


def web_auth_headers():
    """Basic auth of the web config's user (for /heartbeat and /-/reload)."""
    return {"Authorization": "Basic " + base64.b64encode(f"{WEB_USER}:{WEB_PASSWORD}".encode()).decode()}


@contextlib.contextmanager
def vitals_under_test(tmpdir, timeout=20.0):
    """Starts the peers and vitals (vitals_config, textfile_directory), reports a job run to the
    heartbeat check (/start, then a beat, with basic auth and the token), and
    waits until every family of EVENT_FAMILIES is on /metrics. Yields
    (vitals, families of its /metrics then)."""
    tcp = _TcpPeer()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HttpHandler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        config, web = vitals_config(tmpdir, tcp.port, httpd.server_address[1])
        with Vitals(f"--config.file={config}", f"--web.config.file={web}",
                    f"--collector.textfile.directory={textfile_directory(tmpdir)}") as v:
            headers = dict(web_auth_headers(), **{"X-Vitals-Token": HEARTBEAT_TOKEN})
            for path in ("/heartbeat/job/start", "/heartbeat/job"):
                status, _, body = v.get(path, headers=headers, method="POST", data=b"")
                if status != 200:
                    fail(f"POST {path}: {status} {body[:200]!r}")
                time.sleep(0.05)  # a job that takes a little time
            deadline = time.monotonic() + timeout
            while True:
                families = parse_exposition(v.metrics())
                missing = [f for f in EVENT_FAMILIES if f not in families]
                if not missing:
                    break
                if time.monotonic() > deadline:
                    fail(f"after {timeout:.0f} s vitals still lacks {', '.join(missing)}\n{v.log_text()[-3000:]}")
                time.sleep(0.2)
            yield v, families
    finally:
        httpd.shutdown()
        httpd.server_close()
        tcp.close()
