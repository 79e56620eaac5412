"""A real Prometheus (Debian's `prometheus`) scrapes a running vitals every
second with our rule files loaded; then, through its HTTP API:

- the target is up and the scrape has no error; every rule group loaded and
  every rule evaluated without error;
- every dashboard variable resolves to at least one value;
- every PromQL expression of every dashboard panel (variables substituted as
  Grafana would) and every rule parses and returns at least one series. The
  setup makes most alert conditions true on purpose (an Unhealthy and a
  Degraded check, an empty declared group, a dry-run action retried every
  second and one suppressed by its burst limit, a rejected reload, a second
  target in the job where nothing listens, a textfile directory with a stale
  file and a rejected one), so those alert expressions must return series as
  they are. The few that need what a test cannot arrange cheaply are in
  ALERT_EXCEPTIONS, and dashboard panels that show only an event in EVENTS,
  each with the reason: the full expression must parse and evaluate, and the
  value side of each of its comparisons (what is compared with the threshold,
  in every operand of and/or/unless) must return series.

vitals runs with dashboards_lib.vitals_under_test: process groups (one that
matches nothing), threshold and process checks, tcp, http and exec probes
against peers the test starts, a heartbeat check the test reports a job run
to (basic auth and token), and dry-run actions on an Unhealthy check (one of
them burst-limited, so also suppressed), so that every vitals_* family the
dashboards and rules use is on /metrics before Prometheus starts.

Prints the number of expressions checked in each way.
"""

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from dashboards_lib import (RULE_FILES, dashboard_exprs, dashboards, rule_exprs, substitute_builtins,
                            variable_queries, vitals_under_test, web_auth_headers)
from vitals_harness import fail, free_port, parse_exposition, skip, wait_http, which

# Dashboard expressions that return nothing on a healthy agent: (dashboard
# file, panel title) -> why. Their value side must still return series.
EVENTS = {
    ("vitals-host.json", "Failing collectors"): "lists collectors only while one fails",
}
# Alerts whose condition the test does not make true: name -> why.
ALERT_EXCEPTIONS = {
    "VitalsCheckStale": "needs a check scheduler stuck for 10 minutes",
    "VitalsProcessGroupFdRatioHigh": "needs a process at 80 % of its open-files limit",
    "VitalsHostFdRatioHigh": "needs the host at 80 % of fs.file-max",
    "VitalsCollectorFailing": "needs a collector that fails (none does on a sane /proc)",
    "VitalsHostFilesystemAlmostFull": "needs a filesystem 95 % full",
    "VitalsHostFilesystemFillingUp": "needs a filesystem filling up for an hour",
    "VitalsHostFilesystemInodesAlmostExhausted": "needs a filesystem with 95 % of its inodes used",
    "VitalsHostFilesystemInodesFillingUp": "needs a filesystem using up its inodes for an hour",
    "VitalsHostFilesystemDeviceError": "needs a mount whose statfs fails or hangs",
    "VitalsHostDiskSaturated": "needs a disk busy 90 % of the time",
    "VitalsHostNetworkReceiveErrors": "needs an interface with receive errors",
    "VitalsHostNetworkTransmitErrors": "needs an interface with transmit errors",
    "VitalsHostConntrackTableFull": "needs a conntrack table 80 % full",
    "VitalsHostClockSkew": "needs a clock 50 ms off",
    "VitalsHostClockNotSynchronising": "true only on a host where no NTP daemon runs",
}
# How long an arranged alert condition may take to become true after the
# first scrapes (increase() over the action counters needs a few samples).
ALERT_WAIT_S = 20
DEADLINE_S = 45


class Prometheus:
    def __init__(self, binary, config_path, data_dir):
        self.port = free_port()
        self.log = open(os.path.join(data_dir, "prometheus.log"), "w")
        self.proc = subprocess.Popen(
            [binary, f"--config.file={config_path}", f"--storage.tsdb.path={data_dir}/tsdb",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn",
             "--storage.tsdb.retention.time=1h"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.data_dir = data_dir

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def log_text(self):
        self.log.flush()
        with open(os.path.join(self.data_dir, "prometheus.log")) as f:
            return f.read()[-4000:]

    def api(self, path, **params):
        query = urllib.parse.urlencode(params, doseq=True)
        try:
            with urllib.request.urlopen(f"{self.url}/api/v1/{path}?{query}", timeout=10) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as e:
            body = e.read().decode(errors="replace")
            try:
                return json.loads(body)
            except ValueError:  # not the API yet: "Service Unavailable" while it starts
                return {"status": "error", "errorType": f"HTTP {e.code}", "error": body.strip()}

    def query(self, expr):
        """(error or None, result list)."""
        doc = self.api("query", query=expr)
        if doc.get("status") != "success":
            return f"{doc.get('errorType')}: {doc.get('error')}", []
        return None, doc["data"]["result"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def regex_escape(value):
    """As Grafana escapes a multi-value for a PromQL double-quoted string: the
    regex escape's backslash is itself escaped."""
    return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\\\1", value)


def label_values(prom, query):
    """Grafana's label_values(<selector>, <label>) against the server."""
    m = re.match(r"^label_values\((.+),\s*([a-zA-Z_]+)\)$", query)
    selector, label = m.group(1), m.group(2)
    doc = prom.api("series", **{"match[]": selector, "start": str(time.time() - 300)})
    if doc.get("status") != "success":
        return f"{doc.get('error')}", []
    return None, sorted({s[label] for s in doc["data"] if label in s})


def substitute(text, values):
    """Replaces $var and ${var} by a value Grafana would use: a single value as
    is, a multi-value as (a|b) with regex escaping (the query is always =~)."""
    def one(name):
        vals = values[name]
        if vals == [".+"]:
            return ".+"
        if len(vals) == 1 and name == "job":
            return vals[0]
        return "(" + "|".join(regex_escape(v) for v in vals) + ")"
    for name in sorted(values, key=len, reverse=True):
        text = text.replace("${" + name + "}", one(name)).replace("$" + name, one(name))
    return text


COMPARISON = re.compile(r"^(?P<lhs>.+?)\s*(==|!=|>=|<=|>|<)\s*(bool\s+)?-?[0-9.e]+$")
SET_OPERATOR = re.compile(r"\s+(and|or|unless)(\s+(on|ignoring)\s*\([^)]*\))?\s+")


def operands(expr):
    """The operands of the top-level and/or/unless of `expr`, outer parentheses removed."""
    expr = expr.strip()
    while expr.startswith("(") and expr.endswith(")"):
        depth = 0
        for i, c in enumerate(expr):
            depth += {"(": 1, ")": -1}.get(c, 0)
            if depth == 0 and i < len(expr) - 1:
                break
        else:
            expr = expr[1:-1].strip()
            continue
        break
    parts, depth, start = [], 0, 0
    for i, c in enumerate(expr):
        depth += {"(": 1, ")": -1}.get(c, 0)
        m = SET_OPERATOR.match(expr, i) if depth == 0 else None
        if m and i >= start:
            parts.append(expr[start:i])
            start = m.end()
    if not parts:
        return [expr]
    return [leaf for part in parts + [expr[start:]] for leaf in operands(part)]


def value_sides(expr):
    """What each comparison of `expr` compares with its threshold, or None if
    an operand is not `<value> <op> <number>`."""
    sides = [COMPARISON.match(leaf) for leaf in operands(expr)]
    return None if not all(sides) else [m.group("lhs") for m in sides]


def main():
    prometheus_bin = which("prometheus")
    if not prometheus_bin:
        skip("prometheus not installed (Debian package prometheus)")

    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="vitals-prom-")
    prom = None
    try:
        with vitals_under_test(tmp) as (vitals, _):
            t0 = time.monotonic()
            exposition = parse_exposition(vitals.metrics())
            exported = set(exposition)
            # 1 s, unless one scrape takes longer here (a debug build on a loaded machine):
            # then twice what it took, so that scrapes do not time out.
            took = time.monotonic() - t0
            interval = max(1, math.ceil(2 * took)) if took > 0.5 else 1
            rate_interval = f"{max(4 * interval, 10)}s"  # Grafana: at least 4 scrape intervals
            print(f"one /metrics took {took:.2f} s: scrape interval {interval}s, $__rate_interval {rate_interval}")

            # A reload of a bad file (an unknown key) is refused and vitals keeps its config:
            # vitals_config_last_reload_successful 0 (alert VitalsConfigReloadFailed).
            agent_json = os.path.join(tmp, "agent.json")
            with open(agent_json) as f:
                good = json.load(f)
            with open(agent_json, "w") as f:
                json.dump(dict(good, no_such_key=1), f)
            status, _, body = vitals.get("/-/reload", headers=web_auth_headers(), method="POST", data=b"")
            fams = parse_exposition(vitals.metrics())
            reload_ok = fams.get("vitals_config_last_reload_successful", {"samples": [(0, 0, None)]})["samples"][0][2]
            if reload_ok != 0:
                fail(f"POST /-/reload of a bad file: {status} {body[:200]!r}; "
                     f"vitals_config_last_reload_successful is {reload_ok}, want 0")
            print(f"reload of a bad file refused ({status}): vitals_config_last_reload_successful 0")

            # A second target in the job where nothing listens: up 0 (alert VitalsAgentDown).
            dead = f"127.0.0.1:{free_port()}"
            config = {
                "global": {"scrape_interval": f"{interval}s", "scrape_timeout": f"{interval}s",
                           "evaluation_interval": "1s"},
                "rule_files": RULE_FILES,
                "scrape_configs": [{"job_name": "vitals",
                                    "static_configs": [{"targets": [f"127.0.0.1:{vitals.port}", dead]}]}],
            }
            config_path = os.path.join(tmp, "prometheus.yml")
            with open(config_path, "w") as f:
                json.dump(config, f)  # JSON is YAML
            r = subprocess.run(["promtool", "check", "config", config_path], capture_output=True,
                               text=True, timeout=60) if which("promtool") else None
            if r is not None and r.returncode != 0:
                fail(f"promtool check config:\n{r.stdout}{r.stderr}")
            prom = Prometheus(prometheus_bin, config_path, tmp)
            try:
                wait_http(prom.url + "/-/ready", timeout=20)
            except RuntimeError as e:
                fail(f"{e}\n{prom.log_text()}")

            # A few scrapes, and the recording rules have output (they need two CPU samples).
            deadline = time.monotonic() + 15 + 6 * interval
            scrapes = 0
            while time.monotonic() < deadline:
                _, ups = prom.query(f'count_over_time(up{{job="vitals", instance="127.0.0.1:{vitals.port}"}}[1m])')
                scrapes = int(float(ups[0]["value"][1])) if ups else 0
                _, rec = prom.query("instance:vitals_host_cpu_busy:ratio_rate5m")
                _, grp = prom.query("groupname:vitals_group_cpu_seconds:rate5m")
                if scrapes >= 4 and rec and grp:
                    break
                time.sleep(0.5)
            else:
                fail(f"after {15 + 6 * interval} s: {scrapes} scrapes, recording rules not evaluated yet\n{prom.log_text()}")

            targets = {t["scrapeUrl"].split("/")[2]: t for t in prom.api("targets")["data"]["activeTargets"]}
            ours = targets.get(f"127.0.0.1:{vitals.port}")
            if len(targets) != 2 or not ours or ours["health"] != "up" or ours["lastError"]:
                fail(f"target not up: {json.dumps(list(targets.values()), indent=1)}")
            _, up = prom.query(f'up{{job="vitals", instance="127.0.0.1:{vitals.port}"}}')
            if not up or up[0]["value"][1] != "1":
                fail(f"up{{job=\"vitals\"}} is {up}")
            print(f"target 127.0.0.1:{vitals.port} up after {scrapes} scrapes, {dead} (nothing there) "
                  f"{targets.get(dead, {}).get('health')} ({time.monotonic() - started:.1f} s)")

            # Rules: loaded and evaluated without error.
            groups = prom.api("rules")["data"]["groups"]
            loaded = [r for g in groups for r in g["rules"]]
            bad = [f"{r['name']}: {r.get('health')} {r.get('lastError')}" for r in loaded
                   if r.get("health") != "ok" or r.get("lastError")]
            if bad or not loaded:
                fail("rules not evaluated cleanly:\n  " + "\n  ".join(bad or ["no rules loaded"]))

            problems, counts = [], {"series": 0, "alert met": 0, "value side": 0}

            arranged_deadline = [None]

            def query_until(expr):
                """Queries `expr` until it returns series or the shared wait ends."""
                if arranged_deadline[0] is None:
                    arranged_deadline[0] = time.monotonic() + ALERT_WAIT_S
                while True:
                    err, result = prom.query(expr)
                    if err or result or time.monotonic() > arranged_deadline[0]:
                        return err, result
                    time.sleep(0.5)

            def check(where, expr, condition, event_reason=None, alert=None):
                err, result = prom.query(expr)
                if err:
                    problems.append(f"{where}: {err}\n      {expr}")
                    return
                if condition and alert not in ALERT_EXCEPTIONS:
                    err, result = query_until(expr)
                    if err or not result:
                        problems.append(f"{where}: the condition the test arranged returns "
                                        f"{err or 'no series'}\n      {expr}")
                        return
                    counts["alert met"] += 1
                    return
                if condition or event_reason:
                    sides = value_sides(expr)
                    if sides is None:
                        problems.append(f"{where}: cannot split the condition {expr!r} into values and thresholds")
                        return
                    for lhs in sides:
                        err, result = prom.query(lhs)
                        if err or not result:
                            problems.append(f"{where}: value side returns {err or 'no series'}\n      {lhs}")
                            return
                    counts["value side"] += 1
                    return
                if not result:
                    problems.append(f"{where}: no series\n      {expr}")
                    return
                counts["series"] += 1

            # Dashboards: resolve variables as Grafana would, then each panel query.
            variables_checked = 0
            for fname, dash in dashboards().items():
                values = {}
                for var, query in variable_queries(dash):
                    err, vals = label_values(prom, substitute(query, values))
                    variables_checked += 1
                    if err:
                        problems.append(f"{fname} variable {var}: {err}")
                    if not vals:
                        problems.append(f"{fname} variable {var}: {query} resolves to nothing")
                        vals = [".+"]
                    values[var] = vals
                for where, expr in dashboard_exprs({fname: dash}):
                    title = where.split("'")[1]
                    real = substitute(substitute_builtins(expr, rate_interval), values)
                    check(where, real, condition=False, event_reason=EVENTS.get((fname, title)))

            # Rules: recording rules return series, alerts are conditions.
            for where, kind, name, expr in rule_exprs():
                check(where, expr, condition=(kind == "alert"), alert=name if kind == "alert" else None)

            if problems:
                fail(f"{len(problems)} expressions failed:\n  " + "\n  ".join(problems) +
                     f"\nvitals output families: {len(exported)}")
            total = sum(counts.values())
            print(f"variables resolved: {variables_checked}")
            print(f"expressions checked: {total} (dashboard panels and rules): "
                  f"{counts['series'] + counts['alert met']} returned series ({counts['series']} panels "
                  f"and recording rules, {counts['alert met']} alert conditions the test arranged); "
                  f"{counts['value side']} stated exceptions returned series on their value side")
            for (fname, title), reason in EVENTS.items():
                print(f"  exception, panel {fname} '{title}': {reason}")
            for name, reason in ALERT_EXCEPTIONS.items():
                print(f"  exception, alert {name}: {reason}")
            print(f"elapsed: {time.monotonic() - started:.1f} s")
    finally:
        if prom is not None:
            prom.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
