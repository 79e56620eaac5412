"""The Prometheus rules in dashboards/prometheus/ pass `promtool check rules`
and their unit tests (`promtool test rules`), and those unit tests cover every
alert well enough to fail when the alert is broken:

- every alert has a severity label, a summary and a description, and a test
  that expects it firing (with its labels and rendered annotations) and a test
  that expects it silent one evaluation earlier;
- in the group where it fires, at least one input series is healthy and must
  not fire (promtool compares the exact set of alerts);
- mutation: the alert's expression replaced by one that never matches makes
  its tests fail, and so does dropping its `for` (the "not yet" test bites);
- every recording rule has a promql_expr_test;
- packaging/kubernetes/prometheusrule.yaml is the generated copy of the rules.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

from vitals_harness import SOURCE_DIR, fail, skip, which

RULES_DIR = os.path.join(SOURCE_DIR, "dashboards", "prometheus")
ALERTS = os.path.join(RULES_DIR, "alerts.yml")
RECORDING = os.path.join(RULES_DIR, "recording.yml")
ALERT_TESTS = os.path.join(RULES_DIR, "tests", "alerts_test.json")
RECORDING_TESTS = os.path.join(RULES_DIR, "tests", "recording_test.json")
SEVERITIES = {"critical", "warning", "info"}


def duration_seconds(text):
    total, pos = 0, 0
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
    for m in re.finditer(r"(\d+)(ms|s|m|h|d|w|y)", text):
        if m.start() != pos:
            raise ValueError(f"bad duration {text!r}")
        total += int(m.group(1)) * units[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise ValueError(f"bad duration {text!r}")
    return total


def parse_rules(path, kind):
    """Line-based reader for our own rule files' layout (one key per line,
    single-line exprs): [{name, expr, expr_line, for, for_line, labels, annotations}]."""
    with open(path) as f:
        lines = f.read().splitlines()
    rules, current, section = [], None, None
    for i, line in enumerate(lines):
        m = re.match(r"^      - (alert|record): (\S+)\s*$", line)
        if m:
            if m.group(1) != kind:
                fail(f"{path}:{i + 1}: expected only {kind} rules, got {m.group(1)}")
            current = {"name": m.group(2), "expr": None, "expr_line": None, "for": 0,
                       "for_line": None, "labels": {}, "annotations": {}}
            rules.append(current)
            section = None
            continue
        if current is None:
            continue
        m = re.match(r"^        (expr|for|labels|annotations):\s*(.*)$", line)
        if m:
            key, value = m.groups()
            if key == "expr":
                if value in ("", "|", "|-", ">", ">-"):
                    fail(f"{path}:{i + 1}: keep exprs on one line (the mutation tests edit them)")
                current["expr"], current["expr_line"] = value, i
            elif key == "for":
                current["for"], current["for_line"] = duration_seconds(value), i
            section = key if key in ("labels", "annotations") else None
            continue
        m = re.match(r"^          ([a-z_]+):\s*(.*)$", line)
        if m and section:
            current[section][m.group(1)] = m.group(2).strip('"')
    for rule in rules:
        if rule["expr"] is None:
            fail(f"{path}: {rule['name']} has no expr")
    return rules, lines


def promtool(*args, timeout=60):
    return subprocess.run(["promtool", *args], capture_output=True, text=True, timeout=timeout)


def run_tests_against(rule_text, test_doc, tmp, tag):
    """promtool test rules with `test_doc` pointing at a copy holding `rule_text`."""
    rules_path = os.path.join(tmp, f"{tag}.yml")
    with open(rules_path, "w") as f:
        f.write(rule_text)
    doc = dict(test_doc, rule_files=[rules_path])
    test_path = os.path.join(tmp, f"{tag}_test.json")
    with open(test_path, "w") as f:
        json.dump(doc, f)
    return promtool("test", "rules", test_path)


def groups_testing(doc, name):
    """`doc` with only the test groups that have a case for alert `name`."""
    return dict(doc, tests=[g for g in doc["tests"]
                            if any(c["alertname"] == name for c in g.get("alert_rule_test", []))])


def labels_of(series):
    m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?$", series)
    if not m:
        fail(f"cannot read input series {series!r}")
    labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
    return m.group(1), labels


def main():
    if not which("promtool"):
        skip("promtool not installed (Debian package prometheus)")

    alerts, alert_lines = parse_rules(ALERTS, "alert")
    records, _ = parse_rules(RECORDING, "record")

    # 1. promtool check rules, and our reader saw every rule promtool saw.
    for path, rules in ((ALERTS, alerts), (RECORDING, records)):
        r = promtool("check", "rules", path)
        if r.returncode != 0:
            fail(f"promtool check rules {path}:\n{r.stdout}{r.stderr}")
        m = re.search(r"SUCCESS: (\d+) rules found", r.stdout)
        if not m or int(m.group(1)) != len(rules):
            fail(f"promtool found {m and m.group(1)} rules in {path}, this test read {len(rules)}")
        print(f"promtool check rules {os.path.relpath(path, SOURCE_DIR)}: {len(rules)} rules, SUCCESS")

    # 2. The unit tests pass as committed.
    for path in (ALERT_TESTS, RECORDING_TESTS):
        r = promtool("test", "rules", path)
        if r.returncode != 0:
            fail(f"promtool test rules {path}:\n{r.stdout}{r.stderr}")
        print(f"promtool test rules {os.path.relpath(path, SOURCE_DIR)}: SUCCESS")

    with open(ALERT_TESTS) as f:
        alert_doc = json.load(f)
    with open(RECORDING_TESTS) as f:
        recording_doc = json.load(f)
    step = duration_seconds(alert_doc.get("evaluation_interval", "1m"))

    # 3. Each alert: labels and annotations, and what its tests cover.
    problems = []
    for alert in alerts:
        name = alert["name"]
        if alert["labels"].get("severity") not in SEVERITIES:
            problems.append(f"{name}: severity label must be one of {sorted(SEVERITIES)}")
        for key in ("summary", "description"):
            if not alert["annotations"].get(key):
                problems.append(f"{name}: no {key} annotation")
        if "$labels.instance" not in alert["annotations"].get("description", ""):
            problems.append(f"{name}: the description does not name the instance")
        metrics = set(re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{|\[|\s|\)|$)", alert["expr"]))
        firing = silent_before = healthy = False
        for group in alert_doc["tests"]:
            cases = [c for c in group.get("alert_rule_test", []) if c["alertname"] == name]
            fired = [c for c in cases if c["exp_alerts"]]
            for case in fired:
                firing = True
                when = duration_seconds(case["eval_time"])
                for exp in case["exp_alerts"]:
                    if exp.get("exp_labels", {}).get("severity") != alert["labels"].get("severity"):
                        problems.append(f"{name}: a firing test at {case['eval_time']} does not check severity")
                    if set(exp.get("exp_annotations", {})) != {"summary", "description"}:
                        problems.append(f"{name}: a firing test at {case['eval_time']} does not check the rendered summary and description")
                if alert["for"]:
                    earlier = [c for c in cases if not c["exp_alerts"]
                               and duration_seconds(c["eval_time"]) == when - step]
                    silent_before = silent_before or bool(earlier)
                # A series of the alert's metrics in this group that must not fire.
                expected = [exp.get("exp_labels", {}) for exp in case["exp_alerts"]]
                for series in group["input_series"]:
                    metric, labels = labels_of(series["series"])
                    if metric not in metrics:
                        continue
                    if not any(all(labels.get(k) == v for k, v in exp.items() if k in labels)
                               for exp in expected):
                        healthy = True
        if not firing:
            problems.append(f"{name}: no test expects it to fire")
        if alert["for"] and not silent_before:
            problems.append(f"{name}: no test expects it silent one evaluation before its for ({alert['for']}s) elapses")
        if not healthy:
            problems.append(f"{name}: no healthy input series beside the firing one")
    if problems:
        fail("alert tests are incomplete:\n  " + "\n  ".join(problems))

    # 4. Mutations: each alert's tests must fail when the alert is broken (only the
    # groups with its cases are run: the others cannot notice).
    mutations = 0
    with tempfile.TemporaryDirectory(prefix="vitals-rules-") as tmp:
        for alert in alerts:
            its_tests = groups_testing(alert_doc, alert["name"])
            never = list(alert_lines)
            never[alert["expr_line"]] = "        expr: vector(0) > 1"
            r = run_tests_against("\n".join(never) + "\n", its_tests, tmp, "never")
            mutations += 1
            if r.returncode == 0 or alert["name"] not in r.stdout + r.stderr:
                fail(f"{alert['name']}: its tests still pass when it can never fire")
            if alert["for"]:
                no_for = [l for i, l in enumerate(alert_lines) if i != alert["for_line"]]
                r = run_tests_against("\n".join(no_for) + "\n", its_tests, tmp, "nofor")
                mutations += 1
                if r.returncode == 0 or alert["name"] not in r.stdout + r.stderr:
                    fail(f"{alert['name']}: its tests still pass without its for: {alert['for']}s")
    print(f"mutations: {mutations}, each made promtool test rules fail on the mutated alert")

    # 5. Recording rules: each has an expression test.
    tested = {c["expr"].strip() for g in recording_doc["tests"] for c in g.get("promql_expr_test", [])}
    missing = [r["name"] for r in records if r["name"] not in tested]
    if missing:
        fail(f"recording rules without a promql_expr_test: {missing}")

    # 6. The Kubernetes PrometheusRule is the generated copy, and is valid rules.
    gen = os.path.join(SOURCE_DIR, "packaging", "kubernetes", "generate_prometheusrule.py")
    r = subprocess.run([sys.executable, gen, "--check"], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        fail(f"PrometheusRule: {r.stdout}{r.stderr}")
    with open(os.path.join(SOURCE_DIR, "packaging", "kubernetes", "prometheusrule.yaml")) as f:
        lines = f.read().splitlines()
    spec = lines[lines.index("spec:") + 1:]
    rules_text = "\n".join(l[2:] for l in spec) + "\n"
    with tempfile.TemporaryDirectory(prefix="vitals-rules-") as tmp:
        path = os.path.join(tmp, "from_prometheusrule.yml")
        with open(path, "w") as f:
            f.write(rules_text)
        r = promtool("check", "rules", path)
        m = re.search(r"SUCCESS: (\d+) rules found", r.stdout)
        if r.returncode != 0 or not m or int(m.group(1)) != len(alerts) + len(records):
            fail(f"the PrometheusRule's spec is not the {len(alerts) + len(records)} rules:\n{r.stdout}{r.stderr}")

    print(f"alerts: {len(alerts)} ({', '.join(a['name'] for a in alerts)})")
    print(f"recording rules: {len(records)} ({', '.join(r['name'] for r in records)})")
    print("PrometheusRule: up to date, promtool check rules SUCCESS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
