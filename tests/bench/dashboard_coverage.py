#!/usr/bin/env python3
"""How much of a public dashboard or alert pack works on vitals, next to the
exporters it replaces.

Not a test (CTest does not run it, and the dashboards are not in the repo):
give it the Grafana dashboards (JSON) and Prometheus rule files (YAML) you use
today, for example Node Exporter Full, the node mixin's alerts and rules
rendered with jsonnet, or a community alert pack:

    cmake --preset release && cmake --build --preset release
    python3 tests/bench/dashboard_coverage.py node-exporter-full.json alerts.yml rules.yml

It starts two Prometheus servers on 127.0.0.1 (Debian's `prometheus`), one
scraping node_exporter (job "node") and process-exporter (job "process"), the
other scraping vitals under both job names, every second, with the same
grouping of processes by command name on both sides. After --seconds it asks
both servers the same questions:

  dropdowns     every query variable of every dashboard (label_values(...),
                query_result(...), or a plain query): does it give a value?
                An empty dropdown empties every panel that uses it in Grafana.
  expressions   every panel target, with variables set to what the dropdowns
                gave on that server (multi-value and "All" as .+), and every
                recording rule: does it return a series? A second count sets
                vitals' empty dropdowns by hand (the peers' choice, pointed at
                the vitals target), as a user who types them in would.
  alert inputs  every alerting rule: does every metric it reads exist? (The
                alert itself fires on neither side on a healthy machine.)

It prints, per file and in total, how many of the items that work on the
peers work on vitals, and the metric names that missing items read, most
frequent first: the list of what vitals lacks for these dashboards.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from dashboards_lib import GRAFANA_BUILTINS, metric_names, substitute_builtins, variables_used  # noqa: E402
from vitals_harness import ChildProcess, free_port, wait_http, which  # noqa: E402

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_VITALS = os.path.join(SOURCE_DIR, "build", "release", "agent", "vitals")


class Child(ChildProcess):
    def __init__(self, label, argv, url):
        self.label, self.argv, self.url = label, argv, url

    def __enter__(self):
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=self.log)
        try:
            wait_http(self.url, timeout=30)
        except Exception:
            self.stop()
            raise RuntimeError(f"{self.label} did not start:\n{self.log_text[-2000:]}")
        return self


class Prometheus(Child):
    def __init__(self, binary, tmp, name, jobs):
        self.port = free_port()
        data = os.path.join(tmp, name)
        os.makedirs(data)
        config = os.path.join(data, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n")
            for job, port in jobs:
                f.write(f"  - job_name: {job}\n    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n")
        super().__init__(f"prometheus ({name})",
                         [binary, f"--config.file={config}", f"--storage.tsdb.path={data}/tsdb",
                          f"--web.listen-address=127.0.0.1:{self.port}"],
                         f"http://127.0.0.1:{self.port}/-/ready")

    def api(self, path, **params):
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?" + urllib.parse.urlencode(params, doseq=True)
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return json.load(r)["data"]
        except Exception:
            return None  # a query this Prometheus cannot parse or run: no data

    def query(self, expr):
        data = self.api("query", query=expr)
        return data["result"] if data and isinstance(data.get("result"), list) else []

    def label_values(self, label, match=None):
        data = self.api(f"label/{label}/values", **({"match[]": match} if match else {}))
        return data or []

    def has_metric(self, name):
        return bool(self.api("series", **{"match[]": name}))


# ----------------------------------------------------------------- inputs

def panels(items):
    for panel in items or []:
        yield panel
        yield from panels(panel.get("panels"))  # collapsed rows hold their panels


def read_dashboard(path):
    with open(path) as f:
        dash = json.load(f)
    dash = dash.get("dashboard", dash)
    variables = []
    for var in dash.get("templating", {}).get("list", []):
        query = var.get("query")
        query = query.get("query") if isinstance(query, dict) else query
        variables.append({"name": var["name"], "type": var.get("type"), "query": query or "",
                          "multi": var.get("multi") or var.get("includeAll"),
                          "options": [o.get("value") for o in var.get("options", [])],
                          "current": (var.get("current") or {}).get("value")})
    exprs = []
    for panel in panels(dash.get("panels")):
        for target in panel.get("targets", []):
            if target.get("expr") and not target.get("hide"):
                exprs.append((f"panel '{panel.get('title')}' {target.get('refId', '')}", target["expr"]))
    return variables, exprs


def read_rules(path):
    import yaml  # python3-yaml; only rule files need it
    with open(path) as f:
        doc = yaml.safe_load(f)
    records, alerts = [], []
    for group in doc.get("groups", []):
        for rule in group.get("rules", []):
            if "record" in rule:
                records.append((rule["record"], str(rule["expr"])))
            elif "alert" in rule:
                alerts.append((rule["alert"], str(rule["expr"])))
    return records, alerts


# ------------------------------------------------------------ evaluation

LABEL_VALUES_RE = re.compile(r"^\s*label_values\((?:(.*),)?\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$", re.S)
QUERY_RESULT_RE = re.compile(r"^\s*query_result\((.*)\)\s*$", re.S)


def substitute(text, values):
    def one(m):
        name = m.group(1) or m.group(2) or m.group(3)
        return values.get(name, m.group(0))
    text = re.sub(r"\$\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?\}|\$([a-zA-Z_][a-zA-Z0-9_]*)|\[\[([a-zA-Z_][a-zA-Z0-9_]*)\]\]",
                  one, text)
    return substitute_builtins(text, "1m")


def resolve_variables(prom, variables):
    """{name: value} as Grafana would pick them on `prom`, and the names of
    query variables that found nothing (their value is "__no_value__")."""
    values, empty = {}, []
    for var in variables:
        kind, name = var["type"], var["name"]
        if kind in ("constant", "textbox", "custom", "interval"):
            picked = var["current"] if isinstance(var["current"], str) else next(
                (o for o in var["options"] if o), "")
            values[name] = ".+" if picked in ("$__all", "All") else (picked or "1m")
            continue
        if kind == "datasource":
            values[name] = "prometheus"
            continue
        if kind != "query":
            continue
        query = substitute(var["query"], values)
        found = []
        m = LABEL_VALUES_RE.match(query)
        if m:
            found = prom.label_values(m.group(2), m.group(1).strip() if m.group(1) else None)
        else:
            q = QUERY_RESULT_RE.match(query)
            result = prom.query(q.group(1) if q else query)
            found = [json.dumps(r["metric"]) for r in result]
        if not found:
            empty.append(name)
            values[name] = "__no_value__"
        else:
            values[name] = ".+" if var["multi"] else re.escape(found[0]) if not m else found[0]
    return values, empty


def evaluate(path, servers, targets):
    """[(kind, item, {side: works}, metric names)] for one dashboard or rule
    file. `targets` maps each peer's address to vitals' (for dropdowns set by
    hand)."""
    items = []
    if path.endswith(".json"):
        variables, exprs = read_dashboard(path)
        picked, empties = {}, {}
        for side, prom in servers.items():
            picked[side], empties[side] = resolve_variables(prom, variables)
            for var in variables:
                if var["type"] == "query":
                    items.append(("dropdown", f"${var['name']}", side, var["name"] not in empties[side],
                                  metric_names(substitute(var["query"], {}))))
        by_hand = dict(picked["vitals"])
        for name in empties["vitals"]:
            value = picked["peers"].get(name, "")
            for peer, ours in targets.items():
                value = value.replace(peer, ours)
            by_hand[name] = value
        for where, expr in exprs:
            names = metric_names(substitute(expr, {}))
            for side, prom in servers.items():
                items.append(("expression", where, side, bool(prom.query(substitute(expr, picked[side]))), names))
            items.append(("expression (dropdowns by hand)", where, "peers",
                          bool(servers["peers"].query(substitute(expr, picked["peers"]))), names))
            items.append(("expression (dropdowns by hand)", where, "vitals",
                          bool(servers["vitals"].query(substitute(expr, by_hand))), names))
    else:
        records, alerts = read_rules(path)
        for name, expr in records:
            for side, prom in servers.items():
                items.append(("recording rule", name, side, bool(prom.query(expr)), metric_names(expr)))
        for name, expr in alerts:
            names = metric_names(expr)
            for side, prom in servers.items():
                items.append(("alert inputs", name, side, all(prom.has_metric(n) for n in names), names))
    # Fold per item: {(kind, where): ({side: works}, names)}
    folded = collections.OrderedDict()
    for kind, where, side, works, names in items:
        entry = folded.setdefault((kind, where), ({}, names))
        entry[0][side] = works
    return [(kind, where, works, names) for (kind, where), (works, names) in folded.items()]


KINDS = ("dropdown", "expression", "expression (dropdowns by hand)", "recording rule", "alert inputs")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", help="Grafana dashboards (.json) and rule files (.yml/.yaml)")
    parser.add_argument("--vitals", default=DEFAULT_VITALS)
    parser.add_argument("--seconds", type=float, default=75, help="scrape this long before asking (rates need a minute)")
    parser.add_argument("--missing", type=int, default=40, help="how many missing metric names to list")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every item that works on the peers only")
    args = parser.parse_args()

    prometheus = which("prometheus")
    node_exporter = which("prometheus-node-exporter", "node_exporter")
    process_exporter = which("prometheus-process-exporter", "process-exporter")
    if not (prometheus and node_exporter and process_exporter):
        sys.exit("needs Debian's prometheus, prometheus-node-exporter and prometheus-process-exporter")

    with tempfile.TemporaryDirectory(prefix="vitals-coverage-") as tmp:
        pe_config = os.path.join(tmp, "process-exporter.yml")
        with open(pe_config, "w") as f:
            f.write("process_names:\n  - name: '{{.Comm}}'\n    cmdline: ['.+']\n")
        vitals_config = os.path.join(tmp, "vitals.json")
        with open(vitals_config, "w") as f:
            json.dump({"process_groups": [{"name": "{{.Comm}}", "comm": ".+"}]}, f)
        ne_port, pe_port, v_port = free_port(), free_port(), free_port()
        textfile_dir = os.path.join(tmp, "textfile")
        os.makedirs(textfile_dir)
        with Child("node_exporter", [node_exporter, f"--web.listen-address=127.0.0.1:{ne_port}",
                                     f"--collector.textfile.directory={textfile_dir}"],
                   f"http://127.0.0.1:{ne_port}/metrics"), \
             Child("process-exporter", [process_exporter, f"-config.path={pe_config}",
                                        f"-web.listen-address=127.0.0.1:{pe_port}"],
                   f"http://127.0.0.1:{pe_port}/metrics"), \
             Child("vitals", [args.vitals, f"--web.listen-address=127.0.0.1:{v_port}",
                              f"--config.file={vitals_config}"],
                   f"http://127.0.0.1:{v_port}/metrics"), \
             Prometheus(prometheus, tmp, "peers", [("node", ne_port), ("process", pe_port)]) as peers, \
             Prometheus(prometheus, tmp, "vitals", [("node", v_port), ("process", v_port)]) as vitals:
            print(f"scraping for {args.seconds:.0f} s ...", file=sys.stderr)
            time.sleep(args.seconds)
            servers = {"peers": peers, "vitals": vitals}
            totals = collections.Counter()
            missing = collections.Counter()
            for path in args.files:
                results = evaluate(path, servers, {f"127.0.0.1:{ne_port}": f"127.0.0.1:{v_port}",
                                                   f"127.0.0.1:{pe_port}": f"127.0.0.1:{v_port}"})
                counts = collections.Counter()
                for kind, where, works, names in results:
                    if works.get("peers"):
                        counts[kind, "peers"] += 1
                        if works.get("vitals"):
                            counts[kind, "both"] += 1
                        elif kind != "expression (dropdowns by hand)":
                            for name in names:
                                if not vitals.has_metric(name):
                                    missing[name] += 1
                            if args.verbose:
                                print(f"  only peers: {os.path.basename(path)}: {kind} {where}")
                for kind in KINDS:
                    if counts[kind, "peers"]:
                        print(f"{os.path.basename(path)}: {kind}: {counts[kind, 'both']} of "
                              f"{counts[kind, 'peers']} that work on the peers work on vitals")
                totals.update(counts)
            for kind in KINDS:
                if totals[kind, "peers"]:
                    print(f"all files: {kind}: {totals[kind, 'both']} of {totals[kind, 'peers']}")
            counted = [k for k in KINDS if k != "expression (dropdowns by hand)"]
            peers_total = sum(totals[k, "peers"] for k in counted)
            both_total = sum(totals[k, "both"] for k in counted)
            share = 100.0 * both_total / peers_total if peers_total else 0.0
            print(f"total: {both_total} of {peers_total} ({share:.0f} %) items that work on the peers work on vitals")
            if missing:
                print("metric names the missing items read, most used first:")
                for name, count in missing.most_common(args.missing):
                    print(f"  {count:4d}  {name}")


if __name__ == "__main__":
    main()
