#!/usr/bin/env python3
"""Writes the vitals Grafana dashboards (vitals-*.json beside this file).

The JSON files are committed so users can import them or provision them
without running anything; this script is their source, so that the three
dashboards share one layout, one datasource variable and one set of
conventions. e2e.dashboards fails when a committed file differs from what this
script writes.

    python3 dashboards/grafana/generate.py          # rewrite the JSON files
    python3 dashboards/grafana/generate.py --check  # exit 1 if one is stale

Conventions: every query goes through the `datasource` variable (no UID of
anyone's datasource is written down); `job` and `instance` come from
vitals_build_info, so only vitals targets are offered; schemaVersion 39
(Grafana 10.2 to 11.x; newer versions migrate it on load).
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_VERSION = 39
DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'job="$job", instance=~"$instance"'  # every query filters on these
# Filesystems the panels show, as the filesystem alerts choose them: not memory
# (tmpfs, ramfs), a container's view of another filesystem (overlay), or full
# by design (squashfs, iso9660).
FS = SEL + ', fstype!~"tmpfs|ramfs|overlay|squashfs|iso9660"'
NET = SEL + ', device!="lo"'


# ---------------------------------------------------------------- variables

def datasource_var():
    return {"name": "datasource", "label": "Data source", "type": "datasource",
            "query": "prometheus", "current": {}, "hide": 0, "includeAll": False,
            "multi": False, "options": [], "refresh": 1, "regex": "", "skipUrlSync": False}


def query_var(name, label, query, multi):
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "definition": query,
            "query": {"qryType": 1, "query": query,
                      "refId": "PrometheusVariableQueryEditor-VariableQuery"},
            "current": {}, "hide": 0, "includeAll": multi, "multi": multi,
            "allValue": ".+" if multi else None, "options": [], "refresh": 2,
            "regex": "", "skipUrlSync": False, "sort": 1}


def common_vars():
    return [
        datasource_var(),
        query_var("job", "Job", "label_values(vitals_build_info, job)", False),
        query_var("instance", "Instance", 'label_values(vitals_build_info{job="$job"}, instance)', True),
    ]


# ------------------------------------------------------------------- panels

class Layout:
    """Places panels left to right on Grafana's 24-column grid, ids in order."""

    def __init__(self):
        self.x = self.y = self.row_h = 0
        self.next_id = 1
        self.panels = []

    def add(self, panel, w, h):
        if self.x + w > 24:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        panel["id"] = self.next_id
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.next_id += 1
        self.x += w
        self.row_h = max(self.row_h, h)
        self.panels.append(panel)

    def newline(self):
        if self.x:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0


def target(expr, legend="", ref="A", instant=False, fmt="time_series"):
    return {"datasource": DS, "expr": expr, "legendFormat": legend or "__auto",
            "refId": ref, "range": not instant, "instant": instant, "format": fmt,
            "editorMode": "code"}


def targets(*pairs, instant=False, fmt="time_series"):
    return [target(expr, legend, chr(ord("A") + i), instant, fmt)
            for i, (expr, legend) in enumerate(pairs)]


def thresholds(*steps):
    """steps: (value, color); the first value is None (the base)."""
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for v, c in steps]}


STATUS_MAPPINGS = [{"type": "value", "options": {
    "0": {"text": "Unhealthy", "color": "red", "index": 0},
    "1": {"text": "Degraded", "color": "orange", "index": 1},
    "2": {"text": "Healthy", "color": "green", "index": 2}}}]


def timeseries(title, description, tgts, unit="short", stack=False, min_=None, max_=None,
               th=None, legend_calcs=("lastNotNull", "max")):
    defaults = {"unit": unit, "color": {"mode": "palette-classic"},
                "custom": {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10 if not stack else 30,
                           "showPoints": "never", "spanNulls": False,
                           "stacking": {"mode": "normal" if stack else "none", "group": "A"},
                           "thresholdsStyle": {"mode": "line" if th else "off"}}}
    if min_ is not None:
        defaults["min"] = min_
    if max_ is not None:
        defaults["max"] = max_
    defaults["thresholds"] = th or thresholds((None, "green"))
    return {"type": "timeseries", "title": title, "description": description, "datasource": DS,
            "targets": tgts, "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"legend": {"displayMode": "table", "placement": "bottom", "showLegend": True,
                                   "calcs": list(legend_calcs)},
                        "tooltip": {"mode": "multi", "sort": "desc"}}}


def stat(title, description, tgts, unit="short", th=None, mappings=None, decimals=None):
    defaults = {"unit": unit, "color": {"mode": "thresholds"},
                "thresholds": th or thresholds((None, "green")), "mappings": mappings or []}
    if decimals is not None:
        defaults["decimals"] = decimals
    return {"type": "stat", "title": title, "description": description, "datasource": DS,
            "targets": tgts, "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": "background", "graphMode": "area", "justifyMode": "auto",
                        "orientation": "auto", "textMode": "auto"}}


def state_timeline(title, description, tgts):
    return {"type": "state-timeline", "title": title, "description": description, "datasource": DS,
            "targets": tgts,
            "fieldConfig": {"defaults": {"color": {"mode": "thresholds"}, "mappings": STATUS_MAPPINGS,
                                         "thresholds": thresholds((None, "red"), (1, "orange"), (2, "green")),
                                         "custom": {"fillOpacity": 80, "lineWidth": 0}},
                            "overrides": []},
            "options": {"mergeValues": True, "showValue": "never", "alignValue": "left",
                        "rowHeight": 0.9, "legend": {"showLegend": True, "displayMode": "list",
                                                     "placement": "bottom"},
                        "tooltip": {"mode": "single", "sort": "none"}}}


def table(title, description, tgts, unit="short", th=None, mappings=None):
    return {"type": "table", "title": title, "description": description, "datasource": DS,
            "targets": tgts,
            "fieldConfig": {"defaults": {"unit": unit, "mappings": mappings or [],
                                         "thresholds": th or thresholds((None, "green")),
                                         "custom": {"align": "auto", "cellOptions": {"type": "color-text"}}},
                            "overrides": []},
            "transformations": [{"id": "labelsToFields", "options": {"mode": "columns"}},
                                {"id": "merge", "options": {}},
                                {"id": "organize", "options": {"excludeByName": {"Time": True, "job": True}}}],
            "options": {"showHeader": True, "footer": {"show": False, "reducer": ["sum"], "fields": ""},
                        "cellHeight": "sm"}}


def bargauge(title, description, tgts, unit="short", th=None, max_=None):
    defaults = {"unit": unit, "min": 0}
    if max_ is not None:
        defaults["max"] = max_
    defaults |= {"thresholds": th or thresholds((None, "green")), "color": {"mode": "thresholds"}}
    return {"type": "bargauge", "title": title, "description": description, "datasource": DS,
            "targets": tgts, "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"displayMode": "gradient", "orientation": "horizontal", "showUnfilled": True,
                        "valueMode": "color", "namePlacement": "auto", "sizing": "auto",
                        "minVizHeight": 16, "minVizWidth": 8, "maxVizHeight": 300,
                        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}}


def dashboard(uid, title, description, tags, variables, layout, links):
    return {
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
            "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts",
            "type": "dashboard"}]},
        "description": description,
        "editable": True,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "id": None,
        "links": links,
        "liveNow": False,
        "panels": layout.panels,
        "refresh": "30s",
        "schemaVersion": SCHEMA_VERSION,
        "tags": tags,
        "templating": {"list": variables},
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "title": title,
        "uid": uid,
        "version": 1,
        "weekStart": "",
    }


LINKS = [{"title": "vitals", "type": "dashboards", "tags": ["vitals"], "asDropdown": True,
          "includeVars": True, "keepTime": True, "icon": "external link", "targetBlank": False,
          "tooltip": "", "url": ""}]

PCT = thresholds((None, "green"), (0.8, "orange"), (0.95, "red"))
PCT_LOW = thresholds((None, "red"), (0.05, "orange"), (0.15, "green"))


# -------------------------------------------------------------------- host

def host():
    L = Layout()
    cpus = f'count without (cpu, mode) (node_cpu_seconds_total{{{SEL}, mode="idle"}})'
    L.add(stat("Uptime", "Time since the host booted.",
               targets((f"time() - node_boot_time_seconds{{{SEL}}}", "{{instance}}")), unit="s",
               decimals=0), 4, 4)
    L.add(stat("CPUs", "CPUs the kernel reports (hot-plugged ones included).",
               targets((cpus, "{{instance}}"))), 4, 4)
    L.add(stat("Memory", "Total usable RAM.",
               targets((f"node_memory_MemTotal_bytes{{{SEL}}}", "{{instance}}")), unit="bytes"), 4, 4)
    L.add(stat("CPU busy", "Share of CPU time not idle and not waiting for I/O, last 5 minutes "
               "(recording rule instance:vitals_host_cpu_busy:ratio_rate5m).",
               targets((f"instance:vitals_host_cpu_busy:ratio_rate5m{{{SEL}}}", "{{instance}}")),
               unit="percentunit", th=PCT), 4, 4)
    L.add(stat("Memory available", "MemAvailable / MemTotal: what can be allocated without swapping "
               "(recording rule instance:vitals_host_memory_available:ratio).",
               targets((f"instance:vitals_host_memory_available:ratio{{{SEL}}}", "{{instance}}")),
               unit="percentunit", th=PCT_LOW), 4, 4)
    L.add(stat("Load per CPU", "1-minute load average divided by the CPU count; above 1 tasks wait "
               "for a CPU (recording rule instance:vitals_host_load1_per_cpu:ratio).",
               targets((f"instance:vitals_host_load1_per_cpu:ratio{{{SEL}}}", "{{instance}}")),
               decimals=2, th=thresholds((None, "green"), (0.8, "orange"), (1.5, "red"))), 4, 4)
    L.newline()
    L.add(timeseries("CPU by mode", "Share of the host's CPU time in each mode except idle, stacked.",
                     targets((f'sum without (cpu) (rate(node_cpu_seconds_total{{{SEL}, mode!="idle"}}[$__rate_interval])) '
                              f"/ on (job, instance) group_left () {cpus}", "{{instance}} {{mode}}")),
                     unit="percentunit", stack=True, min_=0), 12, 8)
    L.add(timeseries("Memory", "Used (MemTotal - MemAvailable), page cache and buffers, free, and swap in use.",
                     targets((f"node_memory_MemTotal_bytes{{{SEL}}} - node_memory_MemAvailable_bytes{{{SEL}}}", "{{instance}} used"),
                             (f"node_memory_Cached_bytes{{{SEL}}} + node_memory_Buffers_bytes{{{SEL}}}", "{{instance}} cache and buffers"),
                             (f"node_memory_MemFree_bytes{{{SEL}}}", "{{instance}} free"),
                             (f"node_memory_SwapTotal_bytes{{{SEL}}} - node_memory_SwapFree_bytes{{{SEL}}}", "{{instance}} swap used")),
                     unit="bytes", min_=0), 12, 8)
    L.add(timeseries("Load average", "1, 5 and 15-minute load averages beside the CPU count.",
                     targets((f"node_load1{{{SEL}}}", "{{instance}} 1m"),
                             (f"node_load5{{{SEL}}}", "{{instance}} 5m"),
                             (f"node_load15{{{SEL}}}", "{{instance}} 15m"),
                             (cpus, "{{instance}} CPUs")), min_=0), 12, 8)
    L.add(timeseries("File handles", "File handles the kernel has allocated, and as a share of fs.file-max "
                     "(recording rule instance:vitals_host_filefd:ratio, right axis).",
                     targets((f"node_filefd_allocated{{{SEL}}}", "{{instance}} allocated"),
                             (f"instance:vitals_host_filefd:ratio{{{SEL}}}", "{{instance}} ratio")), min_=0)
          | {"fieldConfig": {"defaults": {"unit": "short", "min": 0, "custom": {"fillOpacity": 10}},
                             "overrides": [{"matcher": {"id": "byFrameRefID", "options": "B"},
                                            "properties": [{"id": "unit", "value": "percentunit"},
                                                           {"id": "custom.axisPlacement", "value": "right"}]}]}},
          12, 8)
    L.add(timeseries("Processes", "Runnable and blocked (uninterruptible) processes, and all threads.",
                     targets((f"node_procs_running{{{SEL}}}", "{{instance}} running"),
                             (f"node_procs_blocked{{{SEL}}}", "{{instance}} blocked"),
                             (f"node_processes_threads{{{SEL}}}", "{{instance}} threads")), min_=0), 12, 8)
    L.add(timeseries("Processes by state", "Processes in each scheduler state (R, S, D, Z, ...).",
                     targets((f"node_processes_state{{{SEL}}}", "{{instance}} {{state}}")), min_=0), 12, 8)
    L.add(timeseries("Forks and context switches", "Processes created and context switches per second.",
                     targets((f"rate(node_forks_total{{{SEL}}}[$__rate_interval])", "{{instance}} forks"),
                             (f"rate(node_context_switches_total{{{SEL}}}[$__rate_interval])", "{{instance}} context switches")),
                     unit="ops", min_=0), 12, 8)
    L.add(timeseries("Pressure", "Share of wall time in which some tasks waited for a CPU, for memory "
                     "or for I/O (some), and in which every non-idle task stalled on memory or I/O at "
                     "once (full), from /proc/pressure. A rising `some` is the first sign that a "
                     "resource is short.",
                     targets((f"rate(node_pressure_cpu_waiting_seconds_total{{{SEL}}}[$__rate_interval])", "{{instance}} cpu some"),
                             (f"rate(node_pressure_memory_waiting_seconds_total{{{SEL}}}[$__rate_interval])", "{{instance}} memory some"),
                             (f"rate(node_pressure_memory_stalled_seconds_total{{{SEL}}}[$__rate_interval])", "{{instance}} memory full"),
                             (f"rate(node_pressure_io_waiting_seconds_total{{{SEL}}}[$__rate_interval])", "{{instance}} io some"),
                             (f"rate(node_pressure_io_stalled_seconds_total{{{SEL}}}[$__rate_interval])", "{{instance}} io full")),
                     unit="percentunit", min_=0), 12, 8)
    def used_share(title, description, free, total):
        return bargauge(title, description, targets((f"1 - {free} / {total}", "{{instance}} {{mountpoint}}"),
                                                    instant=True), unit="percentunit", th=PCT, max_=1)
    L.add(used_share("Filesystem space used", "Share of each filesystem's space unprivileged users can no "
                     "longer write, as df's Use% (alert VitalsHostFilesystemAlmostFull above 95 %).",
                     f"node_filesystem_avail_bytes{{{FS}}}", f"node_filesystem_size_bytes{{{FS}}}"), 8, 8)
    L.add(used_share("Inodes used", "Share of each filesystem's inodes in use (alert "
                     "VitalsHostFilesystemInodesAlmostExhausted above 95 %); filesystems without a fixed "
                     "inode count are left out.",
                     f"node_filesystem_files_free{{{FS}}}", f"(node_filesystem_files{{{FS}}} > 0)"), 8, 8)
    L.add(timeseries("Filesystem space available", "Space unprivileged users can still write on each "
                     "filesystem (what df shows as Avail); a steady fall is what alert "
                     "VitalsHostFilesystemFillingUp extrapolates.",
                     targets((f"node_filesystem_avail_bytes{{{FS}}}", "{{instance}} {{mountpoint}}")),
                     unit="bytes", min_=0), 8, 8)
    L.add(timeseries("Disk throughput", "Bytes read from and written to each disk per second.",
                     targets((f"rate(node_disk_read_bytes_total{{{SEL}}}[$__rate_interval])", "{{instance}} {{device}} read"),
                             (f"rate(node_disk_written_bytes_total{{{SEL}}}[$__rate_interval])", "{{instance}} {{device}} written")),
                     unit="Bps", min_=0), 6, 8)
    L.add(timeseries("Disk operations", "Reads and writes each disk completed per second.",
                     targets((f"rate(node_disk_reads_completed_total{{{SEL}}}[$__rate_interval])", "{{instance}} {{device}} reads"),
                             (f"rate(node_disk_writes_completed_total{{{SEL}}}[$__rate_interval])", "{{instance}} {{device}} writes")),
                     unit="iops", min_=0), 6, 8)
    L.add(timeseries("Disk latency", "Average time a read or a write took on each disk, queueing included.",
                     targets((f"rate(node_disk_read_time_seconds_total{{{SEL}}}[$__rate_interval]) / "
                              f"rate(node_disk_reads_completed_total{{{SEL}}}[$__rate_interval])", "{{instance}} {{device}} read"),
                             (f"rate(node_disk_write_time_seconds_total{{{SEL}}}[$__rate_interval]) / "
                              f"rate(node_disk_writes_completed_total{{{SEL}}}[$__rate_interval])", "{{instance}} {{device}} write")),
                     unit="s", min_=0), 6, 8)
    L.add(timeseries("Disk busy", "Share of time each disk had I/O in flight; near 1 it is saturated "
                     "and requests queue (alert VitalsHostDiskSaturated above 0.9).",
                     targets((f"rate(node_disk_io_time_seconds_total{{{SEL}}}[$__rate_interval])", "{{instance}} {{device}}")),
                     unit="percentunit", min_=0, max_=1, th=PCT), 6, 8)
    L.add(timeseries("Network traffic", "Bytes received and transmitted per second on each interface "
                     "but loopback.",
                     targets((f"rate(node_network_receive_bytes_total{{{NET}}}[$__rate_interval])", "{{instance}} {{device}} received"),
                             (f"rate(node_network_transmit_bytes_total{{{NET}}}[$__rate_interval])", "{{instance}} {{device}} transmitted")),
                     unit="Bps", min_=0), 8, 8)
    L.add(timeseries("Network packets", "Packets received and transmitted per second on each interface "
                     "but loopback.",
                     targets((f"rate(node_network_receive_packets_total{{{NET}}}[$__rate_interval])", "{{instance}} {{device}} received"),
                             (f"rate(node_network_transmit_packets_total{{{NET}}}[$__rate_interval])", "{{instance}} {{device}} transmitted")),
                     unit="pps", min_=0), 8, 8)
    L.add(timeseries("Network errors and drops", "Packets per second each interface counted as errors "
                     "(alerts VitalsHostNetworkReceiveErrors and VitalsHostNetworkTransmitErrors above 1 % "
                     "of its packets) or dropped (a full ring buffer or backlog, or no one to deliver to).",
                     targets((f"rate(node_network_receive_errs_total{{{NET}}}[$__rate_interval])", "{{instance}} {{device}} receive errors"),
                             (f"rate(node_network_transmit_errs_total{{{NET}}}[$__rate_interval])", "{{instance}} {{device}} transmit errors"),
                             (f"rate(node_network_receive_drop_total{{{NET}}}[$__rate_interval])", "{{instance}} {{device}} receive drops"),
                             (f"rate(node_network_transmit_drop_total{{{NET}}}[$__rate_interval])", "{{instance}} {{device}} transmit drops")),
                     unit="pps", min_=0), 8, 8)
    L.add(timeseries("Collectors", "How long each vitals collector took per scrape; a failing collector "
                     "(vitals_scrape_collector_success 0) is listed in the table beside.",
                     targets((f"vitals_scrape_collector_duration_seconds{{{SEL}}}", "{{instance}} {{collector}}")),
                     unit="s", min_=0), 8, 8)
    L.add(table("Failing collectors", "Collectors whose last scrape failed; empty when all work.",
                targets((f"vitals_scrape_collector_success{{{SEL}}} == 0", ""), instant=True, fmt="table")),
          4, 8)
    return dashboard("vitals-host", "vitals / Host", "CPU, memory, load, file handles, processes, pressure, "
                     "filesystems, disks and network of the hosts running vitals (node_exporter-compatible "
                     "metrics).", ["vitals", "host"],
                     common_vars(), L, LINKS)


# --------------------------------------------------------- process groups

def groups():
    L = Layout()
    G = f'{SEL}, groupname=~"$groupname"'
    L.add(table("Groups", "Processes, threads, open fds and the worst fd ratio of each group now.",
                targets((f"namedprocess_namegroup_num_procs{{{G}}}", ""),
                        (f"namedprocess_namegroup_num_threads{{{G}}}", ""),
                        (f"namedprocess_namegroup_open_filedesc{{{G}}}", ""),
                        (f"namedprocess_namegroup_worst_fd_ratio{{{G}}}", ""),
                        instant=True, fmt="table")), 16, 8)
    L.add(table("Missing groups", "Declared groups with no process. vitals reports a declared group "
                "from the first scrape, with 0 processes when nothing matches (alert VitalsProcessGroupMissing).",
                targets((f"namedprocess_namegroup_num_procs{{{G}}} == 0", ""), instant=True, fmt="table"),
                th=thresholds((None, "red"))), 8, 8)
    L.add(timeseries("CPU", "CPU seconds per second of each group, user and system together (1 = one CPU).",
                     targets((f"sum without (mode) (rate(namedprocess_namegroup_cpu_seconds_total{{{G}}}[$__rate_interval]))",
                              "{{instance}} {{groupname}}")), unit="short", min_=0), 12, 8)
    L.add(bargauge("Top groups by CPU (5m)", "The ten busiest groups over the last 5 minutes "
                   "(recording rule groupname:vitals_group_cpu_seconds:rate5m).",
                   targets((f"topk(10, groupname:vitals_group_cpu_seconds:rate5m{{{G}}})",
                            "{{instance}} {{groupname}}"), instant=True)), 12, 8)
    L.add(timeseries("Resident memory", "Resident set size of each group (sum over its processes).",
                     targets((f'namedprocess_namegroup_memory_bytes{{{G}, memtype="resident"}}',
                              "{{instance}} {{groupname}}")), unit="bytes", min_=0), 12, 8)
    L.add(timeseries("Swapped memory", "Memory of each group that is swapped out.",
                     targets((f'namedprocess_namegroup_memory_bytes{{{G}, memtype="swapped"}}',
                              "{{instance}} {{groupname}}")), unit="bytes", min_=0), 12, 8)
    L.add(timeseries("Threads", "Threads of each group.",
                     targets((f"namedprocess_namegroup_num_threads{{{G}}}", "{{instance}} {{groupname}}")),
                     min_=0), 8, 8)
    L.add(timeseries("Open file descriptors", "Open fds of each group (sum over its processes).",
                     targets((f"namedprocess_namegroup_open_filedesc{{{G}}}", "{{instance}} {{groupname}}")),
                     min_=0), 8, 8)
    L.add(timeseries("Worst fd ratio", "Open fds / soft limit of the group's process closest to its limit "
                     "(alert VitalsProcessGroupFdRatioHigh above 0.8).",
                     targets((f"namedprocess_namegroup_worst_fd_ratio{{{G}}}", "{{instance}} {{groupname}}")),
                     unit="percentunit", min_=0, max_=1, th=PCT), 8, 8)
    L.add(timeseries("Processes by state", "Processes of each group in each state.",
                     targets((f"namedprocess_namegroup_states{{{G}}}", "{{instance}} {{groupname}} {{state}}")),
                     min_=0), 12, 8)
    L.add(timeseries("Age of the oldest process", "Time since the oldest process of each group started; "
                     "it drops when the group's service restarts.",
                     targets((f"time() - (namedprocess_namegroup_oldest_start_time_seconds{{{G}}} > 0)",
                              "{{instance}} {{groupname}}")), unit="s", min_=0), 12, 8)
    L.add(timeseries("Disk I/O", "Bytes read and written per second by each group (storage layer, "
                     "from /proc/<pid>/io).",
                     targets((f"rate(namedprocess_namegroup_read_bytes_total{{{G}}}[$__rate_interval])",
                              "{{instance}} {{groupname}} read"),
                             (f"rate(namedprocess_namegroup_write_bytes_total{{{G}}}[$__rate_interval])",
                              "{{instance}} {{groupname}} written")), unit="Bps", min_=0), 12, 8)
    L.add(timeseries("Page faults and context switches", "Major page faults (disk reads) and context "
                     "switches per second of each group.",
                     targets((f"rate(namedprocess_namegroup_major_page_faults_total{{{G}}}[$__rate_interval])",
                              "{{instance}} {{groupname}} major faults"),
                             (f"sum without (ctxswitchtype) (rate(namedprocess_namegroup_context_switches_total{{{G}}}[$__rate_interval]))",
                              "{{instance}} {{groupname}} context switches")), unit="ops", min_=0), 12, 8)
    L.add(timeseries("Read errors and folded processes", "Processes vitals could not read in full "
                     "(permission: fd/ or io unreadable; vanished: exited mid-read; error: alive, a file "
                     "missing or malformed), processes whose stat could not be read (no group), and "
                     "processes put into the _overflow group past process_collector.max_groups.",
                     targets((f"rate(namedprocess_namegroup_read_errors_total{{{G}}}[$__rate_interval])",
                              "{{instance}} {{groupname}} {{reason}}"),
                             (f"rate(vitals_process_groups_unreadable_total{{{SEL}}}[$__rate_interval])",
                              "{{instance}} unreadable, no group"),
                             (f"rate(vitals_process_groups_folded_total{{{SEL}}}[$__rate_interval])",
                              "{{instance}} folded")), unit="ops", min_=0), 12, 8)
    variables = common_vars() + [query_var(
        "groupname", "Group",
        'label_values(namedprocess_namegroup_num_procs{job="$job", instance=~"$instance"}, groupname)', True)]
    return dashboard("vitals-process-groups", "vitals / Process groups", "Per process group CPU, memory, "
                     "threads, fds and missing groups (process-exporter-compatible metrics).",
                     ["vitals", "processes"], variables, L, LINKS)


# ------------------------------------------------------------------ health

def health():
    L = Layout()
    C = f'{SEL}, check=~"$check"'
    status_expr = (f'sum without (status) (vitals_check_status{{{C}, status="Healthy"}}) * 2 + '
                   f'sum without (status) (vitals_check_status{{{C}, status="Degraded"}})')
    L.add(stat("Health", "Worst status of all checks on each instance (vitals_health_status{group=\"all\"}).",
               targets((f'vitals_health_status{{{SEL}, group="all"}}', "{{instance}}")),
               mappings=STATUS_MAPPINGS, th=thresholds((None, "red"), (1, "orange"), (2, "green"))), 6, 5)
    L.add(stat("Checks by status", "How many checks are in each status (recording rule "
               "instance:vitals_checks:count_by_status).",
               targets((f"sum by (status) (instance:vitals_checks:count_by_status{{{SEL}}})", "{{status}}")),
               decimals=0), 10, 5)
    L.add(stat("Config reload", "Whether the last configuration reload worked (0: vitals kept the old "
               "config; alert VitalsConfigReloadFailed).",
               targets((f"vitals_config_last_reload_successful{{{SEL}}}", "{{instance}}")),
               mappings=[{"type": "value", "options": {"0": {"text": "failed", "color": "red", "index": 0},
                                                       "1": {"text": "ok", "color": "green", "index": 1}}}],
               th=thresholds((None, "red"), (1, "green"))), 4, 5)
    L.add(stat("Last good reload", "Time since the configuration was last loaded successfully.",
               targets((f"time() - vitals_config_last_reload_success_timestamp_seconds{{{SEL}}}", "{{instance}}")),
               unit="s", decimals=0), 4, 5)
    L.add(state_timeline("Status of every check", "Each check's status over time, after hysteresis.",
                         targets((status_expr, "{{instance}} {{check}}"))), 24, 9)
    L.add(timeseries("Transitions", "Status changes of each check (after hysteresis) per interval.",
                     targets((f"increase(vitals_check_transitions_total{{{C}}}[$__rate_interval])",
                              "{{instance}} {{check}}")), min_=0), 12, 8)
    L.add(timeseries("Consecutive failures", "Results in a row that were not Healthy; the check turns "
                     "Unhealthy at its failures_before_unhealthy.",
                     targets((f"vitals_check_consecutive_failures{{{C}}}", "{{instance}} {{check}}")),
                     min_=0), 12, 8)
    L.add(timeseries("Check duration", "How long the last run of each check took.",
                     targets((f"vitals_check_duration_seconds{{{C}}}", "{{instance}} {{check}}")),
                     unit="s", min_=0), 8, 8)
    L.add(timeseries("Time since last result", "Age of each check's last result; it grows past the "
                     "check's interval only when the scheduler falls behind (alert VitalsCheckStale).",
                     targets((f"time() - vitals_check_last_run_timestamp_seconds{{{C}}}", "{{instance}} {{check}}")),
                     unit="s", min_=0), 8, 8)
    L.add(timeseries("Threshold values", "The value each threshold check evaluated last.",
                     targets((f"vitals_check_value{{{C}}}", "{{instance}} {{check}}"))), 8, 8)
    L.add(timeseries("Probe latency", "Duration of each dependency probe (TCP, HTTP, PostgreSQL, Redis, ...).",
                     targets((f"vitals_probe_duration_seconds{{{C}}}", "{{instance}} {{check}}")),
                     unit="s", min_=0), 12, 8)
    L.add(state_timeline("Probe success", "1 when the probe's last attempt succeeded.",
                         targets((f"vitals_probe_success{{{C}}}", "{{instance}} {{check}}")))
          | {"fieldConfig": {"defaults": {"color": {"mode": "thresholds"},
                                          "mappings": [{"type": "value", "options": {
                                              "0": {"text": "failed", "color": "red", "index": 0},
                                              "1": {"text": "ok", "color": "green", "index": 1}}}],
                                          "thresholds": thresholds((None, "red"), (1, "green")),
                                          "custom": {"fillOpacity": 80, "lineWidth": 0}},
                             "overrides": []}}, 12, 8)
    L.add(timeseries("Actions", "Self-healing actions run per interval, by result (alert VitalsActionStorm).",
                     targets((f"sum by (instance, check, action, result) (increase(vitals_actions_total{{{C}}}[$__rate_interval]))",
                              "{{instance}} {{check}} {{action}} {{result}}")), min_=0), 8, 8)
    L.add(timeseries("Suppressed actions", "Actions not run because their burst limit was reached "
                     "(alert VitalsActionsSuppressed).",
                     targets((f"sum by (instance, check, action) (increase(vitals_actions_suppressed_total{{{C}}}[$__rate_interval]))",
                              "{{instance}} {{check}} {{action}}")), min_=0), 8, 8)
    L.add(table("Last action", "Time since each action last ran (actions that never ran are left out).",
                targets((f"time() - (vitals_action_last_timestamp_seconds{{{C}}} > 0)", ""), instant=True, fmt="table"),
                unit="s"), 8, 8)
    L.add(timeseries("Heartbeat age", "Time since each heartbeat check last heard from its worker or job "
                     "(checks that never had a beat are left out: their status says so).",
                     targets((f"time() - (vitals_heartbeat_last_timestamp_seconds{{{C}}} > 0)", "{{instance}} {{check}}")),
                     unit="s", min_=0), 8, 8)
    L.add(timeseries("Heartbeat job duration", "Run time of the last job that reported /start and then success.",
                     targets((f"vitals_heartbeat_job_duration_seconds{{{C}}}", "{{instance}} {{check}}")),
                     unit="s", min_=0), 8, 8)
    L.add(timeseries("Heartbeat requests", "Accepted heartbeat requests by type (success, start, fail) and "
                     "refused ones by reason (a wrong or missing token, an unknown check) per interval.",
                     targets((f"sum by (instance, check, type) (increase(vitals_heartbeat_pings_total{{{C}}}[$__rate_interval]))",
                              "{{instance}} {{check}} {{type}}"),
                             (f'sum by (instance, check, reason) (increase(vitals_heartbeat_rejected_total{{{SEL}, check=~"$check|"}}[$__rate_interval]))',
                              "{{instance}} {{check}} refused: {{reason}}")), min_=0), 8, 8)
    variables = common_vars() + [query_var(
        "check", "Check", 'label_values(vitals_check_status{job="$job", instance=~"$instance"}, check)', True)]
    return dashboard("vitals-health", "vitals / Health", "Status of every vitals check over time, "
                     "transitions, probe latency, self-healing actions and heartbeats.",
                     ["vitals", "health"], variables, L, LINKS)


DASHBOARDS = {"vitals-host.json": host, "vitals-process-groups.json": groups,
              "vitals-health.json": health}


def render(build):
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for name, build in DASHBOARDS.items():
        path = os.path.join(HERE, name)
        text = render(build)
        if check:
            try:
                with open(path) as f:
                    if f.read() != text:
                        stale.append(name)
            except FileNotFoundError:
                stale.append(name)
        else:
            with open(path, "w") as f:
                f.write(text)
    if stale:
        print(f"stale dashboards (run {sys.argv[0]}): {', '.join(stale)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
