"""The dropdowns of the public node_exporter and process-exporter dashboards
resolve on vitals (--compat.exporter-identity, on by default), through a real
Prometheus (Debian's `prometheus`) scraping vitals as job "node" and job
"process": each variable query below, as those dashboards write it, must
give at least one value, and the panel queries on the identity families must
return series. With --no-compat.exporter-identity the families are gone and
vitals' own (vitals_build_info, vitals_scrape_collector_*) stay.

The queries (Grafana variables, label_values(<selector>, <label>)):
  Node Exporter Full:         node_uname_info (job, nodename, instance)
  node mixin, USE Method:     node_exporter_build_info{job="node"} (instance)
  process-exporter dashboards: process_exporter_build_info (instance),
                              namedprocess_scrape_errors (instance),
                              namedprocess_namegroup_num_procs (groupname)
"""

import os
import sys
import tempfile
import time

from test_prometheus import Prometheus, label_values
from vitals_harness import Vitals, fail, skip, which

DROPDOWNS = [
    'label_values(node_uname_info, job)',
    'label_values(node_uname_info{job="node"}, nodename)',
    'label_values(node_uname_info{job="node", nodename="$nodename"}, instance)',
    'label_values(node_exporter_build_info{job="node"}, instance)',
    'label_values(process_exporter_build_info{job="process"}, instance)',
    'label_values(namedprocess_scrape_errors{job="process"}, instance)',
    'label_values(namedprocess_namegroup_num_procs{job="process"}, groupname)',
]
PANELS = [
    'node_scrape_collector_success{job="node", instance="$instance"}',
    'node_scrape_collector_duration_seconds{job="node", instance="$instance"}',
    'namedprocess_scrape_errors{job="process"} == 0',
]
IDENTITY = ["node_exporter_build_info", "process_exporter_build_info", "namedprocess_scrape_errors",
            "node_scrape_collector_duration_seconds", "node_scrape_collector_success"]


def main():
    prometheus_bin = which("prometheus")
    if not prometheus_bin:
        skip("prometheus not installed (Debian package prometheus)")
    with Vitals() as vitals, tempfile.TemporaryDirectory(prefix="vitals-identity-") as tmp:
        config = os.path.join(tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global: {scrape_interval: 1s}\nscrape_configs:\n")
            for job in ("node", "process"):
                f.write(f"  - job_name: {job}\n    static_configs: "
                        f"[{{targets: ['127.0.0.1:{vitals.port}']}}]\n")
        prom = Prometheus(prometheus_bin, config, tmp)
        try:
            deadline = time.monotonic() + 30
            while True:
                err, up = None, []
                try:
                    err, up = prom.query("up == 1")
                except OSError:
                    pass  # not listening yet
                if not err and len(up) == 2:
                    break
                if time.monotonic() > deadline:
                    fail(f"Prometheus did not scrape vitals as two jobs: {err} {up}\n" + prom.log_text())
                time.sleep(0.2)
            values = {}
            for query in DROPDOWNS:
                q = query.replace("$nodename", values.get("nodename", [""])[0])
                err, got = label_values(prom, q)
                if err or not got:
                    fail(f"dropdown {query} is empty on vitals: {err or 'no values'}")
                values[query.rsplit(",", 1)[1].strip(" )")] = got
                print(f"ok: {query} -> {got[:3]}")
            instance = values["instance"][0]
            for panel in PANELS:
                err, got = prom.query(panel.replace("$instance", instance))
                if err or not got:
                    fail(f"panel query {panel} returns nothing on vitals: {err or 'no series'}")
                print(f"ok: {panel} -> {len(got)} series")
        finally:
            prom.stop()
    with Vitals("--no-compat.exporter-identity") as vitals:
        text = vitals.metrics()
    present = [name for name in IDENTITY if f"\n{name}" in text]
    if present or "\nvitals_build_info" not in text or "\nvitals_scrape_collector_success" not in text:
        fail(f"--no-compat.exporter-identity still exports {present}, or lost vitals' own families")
    print("ok: --no-compat.exporter-identity exports none of " + ", ".join(IDENTITY))
    print("PASS")


if __name__ == "__main__":
    sys.exit(main())
