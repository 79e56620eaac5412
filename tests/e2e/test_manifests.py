"""The Dockerfile and Kubernetes manifests in packaging/ agree with the agent
(a cluster is not available to the tests, so this is what can be proved
here; e2e.container builds and runs the image itself): the ConfigMap's agent.json passes `vitals --config.check`; the
DaemonSet runs with hostPID, mounts the host's /proc read-only where its
--path.procfs points, and the host's / read-only where --path.rootfs points
(with HostToContainer propagation), as a non-root numeric user, with the port and probe
paths the agent serves (checked against a running vitals started with the
DaemonSet's own args); Service and ServiceMonitor use the same port name; the
Dockerfile is multi-stage on debian:bookworm, ends as a numeric non-root
user and points --path.procfs and --path.rootfs at the mounts documented in
it."""

import os
import re
import subprocess
import sys
import tempfile

from vitals_harness import SOURCE_DIR, VITALS_BIN, Vitals, fail

K8S = os.path.join(SOURCE_DIR, "packaging", "kubernetes")


def read(*parts):
    with open(os.path.join(SOURCE_DIR, *parts)) as f:
        return f.read()


def block_scalar(text, key):
    """The literal block `key: |` of a YAML file, dedented."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == f"{key}: |")
    indent = len(lines[start]) - len(lines[start].lstrip()) + 2
    out = []
    for line in lines[start + 1:]:
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            break
        out.append(line[indent:])
    return "\n".join(out) + "\n"


def main():
    problems = []
    ds = read("packaging", "kubernetes", "daemonset.yaml")
    args = re.findall(r"^\s+- (--[a-z.\-]+=\S+)$", ds, re.M)
    flags = dict(a[2:].split("=", 1) for a in args)
    if not re.search(r"^\s+hostPID: true$", ds, re.M):
        problems.append("daemonset: no hostPID: true")
    procfs = flags.get("path.procfs")
    m = re.search(r"- name: proc\n\s+mountPath: (\S+)\n\s+readOnly: true", ds)
    if not m or m.group(1) != procfs:
        problems.append(f"daemonset: /proc volume not mounted read-only at --path.procfs ({procfs})")
    if not re.search(r"- name: proc\n\s+hostPath:\n\s+path: /proc\n", ds):
        problems.append("daemonset: the proc volume is not the host's /proc")
    rootfs = flags.get("path.rootfs")
    m = re.search(r"- name: root\n\s+mountPath: (\S+)\n\s+readOnly: true\n"
                  r"\s+mountPropagation: HostToContainer\n", ds)
    if not m or m.group(1) != rootfs:
        problems.append(f"daemonset: / not mounted read-only with HostToContainer at --path.rootfs "
                        f"({rootfs})")
    if not re.search(r"- name: root\n\s+hostPath:\n\s+path: /\n", ds):
        problems.append("daemonset: the root volume is not the host's /")
    if not re.search(r"runAsNonRoot: true", ds) or not re.search(r"runAsUser: [1-9]\d*", ds):
        problems.append("daemonset: not runAsNonRoot with a numeric runAsUser")
    for want in ("allowPrivilegeEscalation: false", "readOnlyRootFilesystem: true", 'drop: ["ALL"]'):
        if want not in ds:
            problems.append(f"daemonset: no {want}")
    port = re.search(r"name: metrics\n\s+containerPort: (\d+)", ds)
    if not port or not flags.get("web.listen-address", "").endswith(f":{port.group(1)}"):
        problems.append("daemonset: containerPort differs from --web.listen-address")
    probe_paths = re.findall(r"httpGet:\n\s+path: (\S+)\n\s+port: metrics", ds)
    if len(probe_paths) != 2:
        problems.append(f"daemonset: want liveness and readiness probes on port metrics, got {probe_paths}")
    svc, sm = read("packaging", "kubernetes", "service.yaml"), read("packaging", "kubernetes", "servicemonitor.yaml")
    if "name: metrics" not in svc or "- port: metrics" not in sm:
        problems.append("service/servicemonitor: port name metrics not used by both")
    kust = read("packaging", "kubernetes", "kustomization.yaml")
    for name in sorted(os.listdir(K8S)):
        if name.endswith(".yaml") and name != "kustomization.yaml" and f"- {name}" not in kust:
            problems.append(f"kustomization.yaml does not list {name}")

    docker = read("packaging", "Dockerfile")
    froms = re.findall(r"^FROM (\S+)", docker, re.M)
    if len(froms) < 2 or not all(f.startswith("debian:bookworm") for f in froms):
        problems.append(f"Dockerfile: want a multi-stage build on debian:bookworm, got {froms}")
    user = re.findall(r"^USER (\S+)", docker, re.M)
    if not user or not re.match(r"^[1-9]\d*(:\d+)?$", user[-1]):
        problems.append(f"Dockerfile: the final USER must be a numeric non-root id, got {user}")
    if "--path.procfs=/host/proc" not in docker or "-v /proc:/host/proc:ro" not in docker:
        problems.append("Dockerfile: --path.procfs=/host/proc and the documented mount disagree")
    if '"--path.rootfs=/host/root"' not in docker or "-v /:/host/root:ro,rslave" not in docker:
        problems.append("Dockerfile: --path.rootfs=/host/root and the documented mount disagree")

    with tempfile.TemporaryDirectory(prefix="vitals-k8s-") as tmp:
        config = os.path.join(tmp, "agent.json")
        with open(config, "w") as f:
            f.write(block_scalar(read("packaging", "kubernetes", "configmap.yaml"), "agent.json"))
        r = subprocess.run([VITALS_BIN, "--config.check", f"--config.file={config}"],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            problems.append(f"configmap agent.json: {r.stdout}{r.stderr}")
        # The DaemonSet's own args (but loopback and an ephemeral port, and this host's /proc).
        run_args = [f"--{k}={v}" for k, v in flags.items()
                    if k not in ("web.listen-address", "path.procfs", "path.sysfs", "path.rootfs",
                                 "config.file")]
        with Vitals(f"--config.file={config}", "--path.procfs=/proc", "--path.sysfs=/sys", *run_args) as v:
            for path in probe_paths:
                status, _, _ = v.get(path)
                if status != 200:
                    problems.append(f"daemonset probe {path}: the agent answers {status}")
            if "node_cpu_seconds_total" not in v.metrics():
                problems.append("the agent with the ConfigMap's config serves no host metrics")

    if problems:
        fail("packaging manifests:\n  " + "\n  ".join(problems))
    print(f"daemonset: hostPID, /proc at {procfs} and / at {rootfs} read-only, non-root, probes {probe_paths} answer 200; "
          f"configmap config valid; Dockerfile stages {froms}, USER {user[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
