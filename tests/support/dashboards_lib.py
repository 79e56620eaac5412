"""What e2e.dashboards and e2e.prometheus share: reading the PromQL out of the
Grafana dashboards and the rule files in dashboards/, the metric names in an
expression, the metric names that are pending on work not landed yet, and the
vitals configuration both tests run the agent with."""

import json
import os
import re

from vitals_harness import SOURCE_DIR, fail

DASHBOARD_DIR = os.path.join(SOURCE_DIR, "dashboards", "grafana")
RULES_DIR = os.path.join(SOURCE_DIR, "dashboards", "prometheus")
RULE_FILES = [os.path.join(RULES_DIR, "alerts.yml"), os.path.join(RULES_DIR, "recording.yml")]
GOLDEN = os.path.join(SOURCE_DIR, "tests", "golden", "metrics.prom")

# Series Prometheus makes itself for every target.
PROMETHEUS_SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                        "scrape_samples_post_metric_relabeling", "scrape_series_added"}

# Metric names the dashboards and rules use before the code exporting them has
# landed. Each feature is keyed by its reason. A feature counts as landed as
# soon as vitals' output, or a string literal in the agent's C++ sources, has
# a name with one of its prefixes; from then on each of its names must be
# spelt exactly so (e.dashboards fails otherwise), and once a name is in
# vitals' output the Prometheus test evaluates its expressions for real.
PENDING = {
    "health model (issue 4): vitals_check_* and vitals_health_status are built (agent/health) "
    "but not served on /metrics yet": {
        "prefixes": ("vitals_check_", "vitals_health_"),
        "names": {"vitals_check_status", "vitals_check_duration_seconds",
                  "vitals_check_last_run_timestamp_seconds", "vitals_check_transitions_total",
                  "vitals_check_consecutive_failures", "vitals_check_value", "vitals_health_status"},
    },
    "config reload (issue 4): in progress, not served on /metrics yet": {
        "prefixes": ("vitals_config_",),
        "names": {"vitals_config_last_reload_successful",
                  "vitals_config_last_reload_success_timestamp_seconds"},
    },
    "dependency probes (issue 5): no probe kind has landed": {
        "prefixes": ("vitals_probe_",),
        "names": {"vitals_probe_success", "vitals_probe_duration_seconds"},
    },
    "self-healing actions (issue 6): not landed": {
        "prefixes": ("vitals_action_", "vitals_actions_"),
        "names": {"vitals_actions_total", "vitals_actions_suppressed_total",
                  "vitals_action_last_timestamp_seconds"},
    },
    "heartbeats (issue 6): not landed": {
        "prefixes": ("vitals_heartbeat_",),
        "names": {"vitals_heartbeat_last_timestamp_seconds", "vitals_heartbeat_job_duration_seconds"},
    },
}


def pending_reason(name):
    for reason, feature in PENDING.items():
        if name in feature["names"]:
            return reason
    return None


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

def vitals_config(tmpdir):
    """The config e2e.dashboards and e2e.prometheus run vitals with: every
    kind of process group that has landed, including one declared group that
    matches nothing (so "missing group" expressions have a series), and
    checks of the kinds that have landed (threshold, process)."""
    fast = {"interval": "1s", "timeout": "500ms", "jitter": "100ms",
            "failures_before_unhealthy": 1, "successes_before_healthy": 1}
    config = {
        "process_groups": [
            {"name": "vitals", "self": True},
            {"name": "python", "comm": "^python3"},
            {"name": "absent", "comm": "^no-such-process-for-vitals-tests$"},
        ],
        # One check per status where it can be arranged: Healthy (memory), Unhealthy
        # (a process check on the empty group), and whatever the CPU is doing.
        "checks": [
            dict(name="cpu", kind="threshold", value="host.cpu_busy_ratio", degraded=0.9,
                 unhealthy=0.99, tags=["live"], **fast),
            dict(name="memory", kind="threshold", value="host.memory_available_ratio",
                 degraded=0.0001, unhealthy=0.00001, direction="below", **fast),
            dict(name="agent-fds", kind="threshold", value="group.worst_fd_ratio", group="vitals",
                 degraded=0.8, unhealthy=0.95, tags=["ready"], **fast),
            dict(name="absent-procs", kind="process", group="absent", min=1, **fast),
        ],
    }
    path = os.path.join(tmpdir, "agent.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return path


def source_metric_literals():
    """Every "vitals_..." string literal in the agent's C++ sources."""
    names = set()
    for top in ("agent", "collectors", "config"):
        for root, _, files in os.walk(os.path.join(SOURCE_DIR, top)):
            for fname in files:
                if fname.endswith((".cpp", ".h")):
                    with open(os.path.join(root, fname), errors="replace") as f:
                        names.update(re.findall(r'"(vitals_[a-z0-9_]+)"', f.read()))
    return names


def with_recorded_sources(names):
    """`names` plus, for each recording rule among them, the metrics its expression reads."""
    recorded = {name: expr for _, kind, name, expr in rule_exprs() if kind == "record"}
    out, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in out:
            continue
        out.add(name)
        if name in recorded:
            todo.extend(metric_names(recorded[name]))
    return out
