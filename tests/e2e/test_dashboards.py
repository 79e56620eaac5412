"""The Grafana dashboards in dashboards/grafana/ are what generate.py writes,
valid JSON a current Grafana accepts, and every metric name used anywhere in
dashboards/ (panels, variables, rules, rule tests) is one vitals exports.

Per dashboard: schemaVersion current, unique uid, no duplicate panel ids,
panels inside the 24-column grid and not overlapping, every panel that
queries has the `datasource` variable as its datasource (and so do its
targets and query variables), no datasource UID of anyone else's Grafana,
every $variable used is defined (before the variables that use it) or a
Grafana builtin, job and instance variables present.

Metric names: each must be in the output of a running vitals (configured with
process groups, threshold, process, tcp/http/exec probe and heartbeat checks
and dry-run actions: tests/support/dashboards_lib.vitals_under_test), in the golden
file, a recording rule of ours, or a series Prometheus makes (up).
"""

import json
import os
import re
import subprocess
import sys
import tempfile

from dashboards_lib import (DASHBOARD_DIR, GOLDEN, GRAFANA_BUILTINS, PROMETHEUS_SYNTHETIC, dashboard_exprs,
                            dashboards, metric_names, recorded_names, rule_exprs, variable_queries,
                            variables_used, vitals_under_test)
from vitals_harness import SOURCE_DIR, VITALS_BIN, fail, parse_exposition

# Grafana 10.2 to 11.2 write 39; 11.3+ write 40 and 41 and migrate older ones.
SCHEMA_VERSIONS = range(39, 42)
OUR_DS = {"type": "prometheus", "uid": "${datasource}"}
GRAFANA_DS_UIDS = {"-- Grafana --", "grafana"}
PANEL_TYPES = {"timeseries", "stat", "state-timeline", "table", "bargauge", "gauge", "text",
               "heatmap", "barchart", "piechart", "status-history", "logs"}


def walk(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, f"{path}.{k}")
        yield path, node
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{path}[{i}]")


def check_dashboard(fname, dash, problems):
    p = lambda msg: problems.append(f"{fname}: {msg}")  # noqa: E731
    if dash.get("schemaVersion") not in SCHEMA_VERSIONS:
        p(f"schemaVersion {dash.get('schemaVersion')} is not a current one ({list(SCHEMA_VERSIONS)})")
    for key in ("uid", "title", "panels", "templating", "time"):
        if not dash.get(key):
            p(f"no {key}")
    if dash.get("id") is not None:
        p("id must be null (Grafana assigns it; a fixed id clashes on import)")

    variables = dash.get("templating", {}).get("list", [])
    names = [v.get("name") for v in variables]
    if len(set(names)) != len(names):
        p(f"duplicate variable names {names}")
    for required in ("datasource", "job", "instance"):
        if required not in names:
            p(f"no {required} variable")
    ds_vars = [v for v in variables if v.get("type") == "datasource"]
    if not ds_vars or ds_vars[0].get("query") != "prometheus":
        p("the datasource variable must be of type datasource with query prometheus")
    defined = set()
    for var in variables:
        if var.get("type") == "query":
            if var.get("datasource") != OUR_DS:
                p(f"variable {var['name']}: datasource {var.get('datasource')} is not ${{datasource}}")
            q = var.get("query")
            text = q.get("query") if isinstance(q, dict) else q
            if not text or not re.match(r"^label_values\(.+,\s*[a-zA-Z_]+\)$", text):
                p(f"variable {var['name']}: query {text!r} is not label_values(<selector>, <label>)")
            if var.get("definition") != text:
                p(f"variable {var['name']}: definition and query differ")
            for used in variables_used(text or ""):
                if used not in defined:
                    p(f"variable {var['name']} uses ${used}, not defined before it")
        defined.add(var.get("name"))

    ids, cells = set(), {}
    for panel in dash.get("panels", []):
        pid, title = panel.get("id"), panel.get("title")
        where = f"panel {pid} '{title}'"
        if not isinstance(pid, int) or pid in ids:
            p(f"{where}: id missing or duplicate")
        ids.add(pid)
        if panel.get("type") not in PANEL_TYPES:
            p(f"{where}: unknown panel type {panel.get('type')}")
        if not title or not panel.get("description"):
            p(f"{where}: needs a title and a description")
        if panel.get("datasource") != OUR_DS:
            p(f"{where}: datasource {panel.get('datasource')} is not the ${{datasource}} variable")
        g = panel.get("gridPos", {})
        if not (isinstance(g.get("w"), int) and 1 <= g["w"] and g.get("x", -1) >= 0
                and g["x"] + g["w"] <= 24 and g.get("h", 0) >= 1 and g.get("y", -1) >= 0):
            p(f"{where}: gridPos {g} outside the 24-column grid")
        else:
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    if (x, y) in cells:
                        p(f"{where}: overlaps panel {cells[(x, y)]}")
                        break
                    cells[(x, y)] = pid
                else:
                    continue
                break
        targets = panel.get("targets", [])
        if not targets:
            p(f"{where}: no query")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs):
            p(f"{where}: duplicate refIds {refs}")
        for t in targets:
            if t.get("datasource") != OUR_DS:
                p(f"{where} {t.get('refId')}: target datasource is not ${{datasource}}")
            if not t.get("expr"):
                p(f"{where} {t.get('refId')}: no expr")
            for field in ("expr", "legendFormat"):
                for used in variables_used(t.get(field, "")):
                    if used not in defined and used not in GRAFANA_BUILTINS:
                        p(f"{where} {t.get('refId')}: ${used} in {field} is not a variable")
            expr = t.get("expr", "")
            for var in ("job", "instance"):
                if f"${var}" not in expr and "vitals_build_info" not in expr:
                    p(f"{where} {t.get('refId')}: expr does not filter on ${var}")

    # No datasource UID but our variable and Grafana's own annotation source.
    for path, node in walk(dash):
        if path.endswith(".datasource") or path.endswith("datasource"):
            uid = node.get("uid") if isinstance(node, dict) else None
            if uid and uid != "${datasource}" and uid not in GRAFANA_DS_UIDS:
                p(f"{path}: hard-coded datasource uid {uid!r}")
    for path, node in walk(dash):
        ds = node.get("datasource") if isinstance(node, dict) else None
        if isinstance(ds, str) and ds not in ("${datasource}", "-- Grafana --"):
            p(f"{path}: datasource by name {ds!r}")


def main():
    gen = os.path.join(DASHBOARD_DIR, "generate.py")
    r = subprocess.run([sys.executable, gen, "--check"], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail(f"dashboards differ from dashboards/grafana/generate.py: {r.stdout}{r.stderr}")

    dash_by_file = dashboards()
    if len(dash_by_file) < 3:
        fail(f"expected the host, process-group and health dashboards, found {sorted(dash_by_file)}")
    problems = []
    uids = {}
    for fname, dash in dash_by_file.items():
        check_dashboard(fname, dash, problems)
        if dash.get("uid") in uids:
            problems.append(f"{fname}: uid {dash.get('uid')} also used by {uids[dash.get('uid')]}")
        uids[dash.get("uid")] = fname
    if problems:
        fail("dashboard problems:\n  " + "\n  ".join(problems))

    # Every metric name in dashboards/**: panels, variables, rules, rule unit tests.
    used = {}
    for where, expr in dashboard_exprs(dash_by_file):
        for name in metric_names(expr):
            used.setdefault(name, where)
    for fname, dash in dash_by_file.items():
        for var, query in variable_queries(dash):
            inner = re.match(r"^label_values\((.+),\s*[a-zA-Z_]+\)$", query).group(1)
            for name in metric_names(inner):
                used.setdefault(name, f"{fname} variable {var}")
    for where, _, _, expr in rule_exprs():
        for name in metric_names(expr):
            used.setdefault(name, where)
    tests_dir = os.path.join(SOURCE_DIR, "dashboards", "prometheus", "tests")
    for tname in sorted(os.listdir(tests_dir)):
        with open(os.path.join(tests_dir, tname)) as f:
            doc = json.load(f)
        for group in doc["tests"]:
            for s in group.get("input_series", []):
                used.setdefault(re.match(r"^[a-zA-Z_:][a-zA-Z0-9_:]*", s["series"]).group(0),
                                f"prometheus/tests/{tname}")
            for c in group.get("promql_expr_test", []):
                for name in metric_names(c["expr"]):
                    used.setdefault(name, f"prometheus/tests/{tname}")

    # What vitals exports: a live run with process groups, and the golden file.
    if not os.access(VITALS_BIN, os.X_OK):
        fail(f"vitals binary {VITALS_BIN} not built")
    with tempfile.TemporaryDirectory(prefix="vitals-dash-") as tmp:
        with vitals_under_test(tmp) as (_, families):
            live = set(families)
    with open(GOLDEN) as f:
        golden = set(parse_exposition(f.read()))
    # Counters' samples are in the output with _total, parse_exposition keys families by the
    # HELP/TYPE name, which prometheus-cpp writes with _total too.
    known = live | golden | recorded_names() | PROMETHEUS_SYNTHETIC

    unknown = [f"{name} (first used in {where})" for name, where in sorted(used.items()) if name not in known]
    if unknown:
        fail("metric names used in dashboards/ that vitals does not export:\n  " + "\n  ".join(unknown))

    print(f"dashboards: {len(dash_by_file)} ({', '.join(sorted(dash_by_file))}), "
          f"panels: {sum(len(d['panels']) for d in dash_by_file.values())}, "
          f"queries: {len(dashboard_exprs(dash_by_file))}")
    print(f"metric names used in dashboards/: {len(used)}; exported by vitals now: "
          f"{len([n for n in used if n in live | golden])}; recording rules: "
          f"{len([n for n in used if n in recorded_names()])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
