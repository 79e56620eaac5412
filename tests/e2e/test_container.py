"""The container image: packaging/Dockerfile built unchanged by podman, run,
scraped, and its HEALTHCHECK run.

1. Base image: no registry is reachable here, Debian's mirrors are, so
   `mmdebstrap --variant=minbase bookworm` is imported as debian:bookworm and
   tagged debian:bookworm-slim (the tarball is kept in the build folder for
   the next run; nothing else is kept, and podman's storage lives there too).
2. `podman build --format docker` (the docker format keeps HEALTHCHECK) of
   packaging/Dockerfile with the source tree as context: a failure fails the
   test. The image's HEALTHCHECK is exactly ["vitals", "status", "--quiet"],
   it runs as 9810:9810, every library the binary links resolves, the ones it
   loads on demand are there, and it adds less than 50 MB to the base.
3. The image run with the host's /proc, /sys and / (--pid=host, read-only
   mounts, / at /host/root as --path.rootfs expects) in a network namespace of its own (--network=none: with the
   host's network it would bind the host's port 9810, which another agent
   may hold, and its HEALTHCHECK would ask that one); /metrics is scraped
   inside that namespace (nsenter + curl): node_boot_time_seconds is the
   host's btime, each collector succeeds or not as the same build does
   on the host (a collector whose files the kernel lacks reports 0), and
   node_filesystem_size_bytes is the host's for "/" and for a 7 MiB tmpfs the
   test mounted on the host before (in the container, without the host's
   root, that mount point does not exist and statfs fails).
4. Its HEALTHCHECK (`podman healthcheck run`, and the same command through
   `podman exec`): exit 0 with the shipped config (no checks: Healthy); with
   a mounted config whose exec check exits 1 (Degraded), exit 1, and a
   process group that counts one process the test started on the host.

Skipped (77, with the reason) when not root, when podman, runc or
mmdebstrap is missing, when mmdebstrap cannot reach Debian's mirrors, or when
podman cannot run a container of the bare base image here."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from vitals_harness import SOURCE_DIR, Vitals, fail, skip, which

BUILD_DIR = os.environ.get("VITALS_BUILD_DIR", os.path.join(SOURCE_DIR, "build", "ci"))
WORK = os.path.join(BUILD_DIR, "container")
BASE_TAR = os.path.join(WORK, "debian-bookworm-minbase.tar")
IMAGE = "localhost/vitals:e2e"
HEALTHCHECK = ["CMD", "vitals", "status", "--quiet"]
# No network but the container's own loopback (podman's default bridge would
# add a bridge and firewall rules to the host), and ulimits this machine lets
# a container set (podman's defaults are above them).
ISOLATED = ["--network=none", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]
RUN_FLAGS = ["--pid=host", *ISOLATED, "-v", "/proc:/host/proc:ro", "-v", "/sys:/host/sys:ro",
             "-v", "/:/host/root:ro,rslave"]
TMPFS_BYTES = 7 << 20


def expect(cond, what, detail=""):
    if not cond:
        fail(what + ("\n" + detail if detail else ""))
    print("ok:", what)


def podman(*args, timeout=120, check=True):
    """podman with its storage, run state and temporary files under WORK;
    runc, as crun fails on this machine's cgroups; no systemd, no journald."""
    cmd = [which("podman"), "--root", os.path.join(WORK, "storage"),
           "--runroot", os.path.join(WORK, "run"), "--tmpdir", os.path.join(WORK, "libpod"),
           "--runtime", which("runc"), "--cgroup-manager=cgroupfs", "--events-backend=none", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, TMPDIR=os.path.join(WORK, "tmp")))
    if check and r.returncode != 0:
        fail(f"podman {' '.join(args)} exited {r.returncode}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r


def mounts_under(directory):
    """Mount points at or under `directory`, deepest first (/proc/self/mountinfo)."""
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4].replace("\\040", " ") for line in f]
    return sorted((p for p in points if p == directory or p.startswith(directory + "/")),
                  key=len, reverse=True)


def reset_storage():
    """Removes podman's storage of an earlier run (images are not kept),
    with the mounts it leaves behind (the overlay driver bind-mounts its own
    folder onto itself)."""
    if os.path.isdir(os.path.join(WORK, "storage")):
        podman("rm", "--all", "--force", check=False)
    for point in mounts_under(WORK):
        subprocess.run(["umount", point], capture_output=True, timeout=30)
    for name in ("storage", "run", "libpod", "tmp"):
        shutil.rmtree(os.path.join(WORK, name), ignore_errors=True)
    os.makedirs(os.path.join(WORK, "tmp"))


def base_image():
    if not os.path.exists(BASE_TAR):
        # mmdebstrap picks its output format from the name's suffix: .partial
        # would make a directory, so the format is named.
        partial = BASE_TAR + ".partial"
        shutil.rmtree(partial, ignore_errors=True)
        if os.path.exists(partial):
            os.remove(partial)
        r = subprocess.run([which("mmdebstrap"), "--variant=minbase", "--format=tar", "bookworm",
                            partial],
                           capture_output=True, text=True, timeout=900)
        if r.returncode != 0:
            skip("mmdebstrap could not make a bookworm base image (are Debian's mirrors "
                 f"reachable?):\n{r.stderr[-1500:]}")
        os.replace(partial, BASE_TAR)
    podman("import", BASE_TAR, "debian:bookworm")
    podman("tag", "debian:bookworm", "debian:bookworm-slim")
    r = podman("run", "--rm", *ISOLATED, "debian:bookworm", "true", check=False)
    if r.returncode != 0:
        skip(f"podman cannot run a container here:\n{r.stderr[-1500:]}")


def build():
    start = time.monotonic()
    r = podman("build", "--format", "docker", "--network=host", "--pull=never",
               "--isolation=chroot", "-f", os.path.join(SOURCE_DIR, "packaging", "Dockerfile"),
               "-t", IMAGE, SOURCE_DIR, timeout=1500, check=False)
    took = time.monotonic() - start
    with open(os.path.join(WORK, "build.log"), "w") as f:
        f.write(r.stdout + r.stderr)
    expect(r.returncode == 0, f"podman build of packaging/Dockerfile, unchanged: {took:.0f} s",
           f"exit {r.returncode}; the log is in {WORK}/build.log:\n{(r.stdout + r.stderr)[-4000:]}")


def inspect_image():
    info = json.loads(podman("image", "inspect", IMAGE).stdout)[0]
    base = json.loads(podman("image", "inspect", "debian:bookworm-slim").stdout)[0]
    test = (info.get("Healthcheck") or {}).get("Test")
    expect(test == HEALTHCHECK, f"HEALTHCHECK is {HEALTHCHECK} ({test})")
    expect(info["Config"].get("User") == "9810:9810", "runs as 9810:9810")
    added = (info["Size"] - base["Size"]) / 1e6
    print(f"image {info['Size'] / 1e6:.1f} MB, base {base['Size'] / 1e6:.1f} MB, added {added:.1f} MB")
    expect(added < 50, f"the runtime stage adds {added:.1f} MB to the base (under 50 MB)")
    script = ("ldd /usr/bin/vitals; for so in libcurl.so.4 libssl.so.3 libpq.so.5 libcares.so.2; "
              "do ldconfig -p | grep -qE \"^[[:space:]]$so \" && echo \"loadable $so\"; done; true")
    out = podman("run", "--rm", *ISOLATED, "--entrypoint", "sh", IMAGE, "-c", script).stdout
    expect("not found" not in out and out.count("loadable ") == 4,
           "every linked library resolves; libcurl, libssl, libpq, c-ares are there to load", out)


def metrics(container):
    pid = podman("inspect", container, "--format", "{{.State.Pid}}").stdout.strip()
    r = subprocess.run(["nsenter", f"--net=/proc/{pid}/ns/net", which("curl"), "-sS", "-m", "5",
                        "http://127.0.0.1:9810/metrics"], capture_output=True, text=True, timeout=10)
    return r.stdout if r.returncode == 0 else None


def host_metrics():
    """/metrics of the same build run on the host's own /proc and /sys."""
    with Vitals() as v:
        return v.metrics()


def collector_success(text):
    """{collector: "1" or "0"} from vitals_scrape_collector_success: a
    collector whose files this kernel lacks reports 0 (as node_exporter)."""
    return dict(re.findall(r'^vitals_scrape_collector_success\{collector="([^"]+)"\} (\S+)$', text, re.M))


def filesystem_sizes(text):
    """{mountpoint: node_filesystem_size_bytes}."""
    return {m: float(v) for m, v in re.findall(
        r'^node_filesystem_size_bytes\{[^}]*mountpoint="([^"]*)"[^}]*\} (\S+)$', text, re.M)}


def sample(text, name, labels=""):
    m = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def run_container(name, *args):
    """Starts the image; returns when its /health has no check without a result."""
    podman("run", "-d", "--name", name, *RUN_FLAGS, *args)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r = podman("exec", name, "vitals", "status", "--json", check=False)
        if r.returncode != 3 and '"pending: no result yet"' not in r.stdout:
            return
        if podman("inspect", name, "--format", "{{.State.Running}}").stdout.strip() != "true":
            break
        time.sleep(0.2)
    fail(f"{name}: no settled /health within 30 s:\n" + podman("logs", name, check=False).stderr)


def healthcheck(name):
    """(exit code of `podman healthcheck run`, its output, exit code of the same command by exec)."""
    hc = podman("healthcheck", "run", name, check=False)
    ex = podman("exec", name, *HEALTHCHECK[1:], check=False)
    return hc.returncode, hc.stdout.strip(), ex.returncode


def shipped_config(tmp):
    mount_point = os.path.join(tmp, "fs")
    os.mkdir(mount_point)
    os.chmod(tmp, 0o755)  # the agent runs as 9810: statfs needs the path searchable
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "vitals-e2e", mount_point],
                   check=True, timeout=30)
    try:
        shipped_config_with(mount_point)
    finally:
        subprocess.run(["umount", mount_point], timeout=30)


def shipped_config_with(mount_point):
    run_container("vitals-e2e-shipped", IMAGE)
    text = metrics("vitals-e2e-shipped")
    expect(text is not None, "/metrics answers inside the container's network namespace")
    with open("/proc/stat") as f:
        btime = float(next(line.split()[1] for line in f if line.startswith("btime ")))
    expect(sample(text, "node_boot_time_seconds") == btime,
           f"node_boot_time_seconds is the host's btime {btime:.0f} (read from /host/proc)")
    on_host = host_metrics()
    inside, outside = collector_success(text), collector_success(on_host)
    expect(inside and inside == outside,
           f"each collector succeeds in the container as on the host ({inside})",
           f"on the host: {outside}")
    inside, outside = filesystem_sizes(text), filesystem_sizes(on_host)
    for point, want in (("/", outside.get("/")), (mount_point, TMPFS_BYTES)):
        expect(want is not None and inside.get(point) == want == outside.get(point),
               f"node_filesystem_size_bytes{{mountpoint={point!r}}} in the container is the "
               f"host's ({inside.get(point)} = {outside.get(point)})",
               f"in the container: {inside}\non the host: {outside}")
    uid = podman("exec", "vitals-e2e-shipped", "id", "-u").stdout.strip()
    expect(uid == "9810", f"the agent's user is 9810 ({uid})")
    code, out, exec_code = healthcheck("vitals-e2e-shipped")
    expect(code == 0 and exec_code == 0, f"shipped config: HEALTHCHECK healthy ({code} {out!r}, exec {exec_code})")


def degraded_config(tmp):
    # A process on the host that the containerised agent must find in /host/proc.
    marker = os.path.join(tmp, "vtctrprobe")
    shutil.copy(shutil.which("sleep"), marker)
    with open(os.path.join(tmp, "agent.json"), "w") as f:
        json.dump({"process_groups": [{"name": "probe", "comm": "^vtctrprobe$"}],
                   "checks": [{"name": "backup", "kind": "exec", "interval": "1s", "timeout": "500ms",
                               "command": ["sh", "-c", "echo 'WARNING - disk 91% full'; exit 1"]}]}, f)
    os.chmod(tmp, 0o755)
    os.chmod(os.path.join(tmp, "agent.json"), 0o644)
    helper = subprocess.Popen([marker, "300"])
    try:
        run_container("vitals-e2e-degraded", "-v", f"{tmp}:/config:ro", IMAGE,
                      "--config.file=/config/agent.json")
        code, out, exec_code = healthcheck("vitals-e2e-degraded")
        expect(code == 1 and out == "unhealthy" and exec_code == 1,
               f"Degraded config: HEALTHCHECK fails, the command exits 1 ({code} {out!r}, exec {exec_code})")
        table = podman("exec", "vitals-e2e-degraded", "vitals", "status", check=False)
        print(f"--- podman exec vitals-e2e-degraded vitals status (exit {table.returncode})\n{table.stdout}---")
        text = metrics("vitals-e2e-degraded") or ""
        procs = sample(text, "namedprocess_namegroup_num_procs", '{groupname="probe"}')
        expect(procs == 1, f"the host process started by the test is counted ({procs})")
    finally:
        helper.kill()
        helper.wait()


def main():
    if os.geteuid() != 0:
        skip("needs root (podman build --isolation=chroot and runc as root, as on CI)")
    missing = [tool for tool in ("podman", "runc", "mmdebstrap", "curl", "nsenter") if not which(tool)]
    if missing:
        skip(f"needs {', '.join(missing)} (Debian packages podman, runc, mmdebstrap, curl, util-linux)")
    start = time.monotonic()
    os.makedirs(WORK, exist_ok=True)
    reset_storage()
    try:
        base_image()
        print(f"base image ready: {time.monotonic() - start:.0f} s")
        build()
        inspect_image()
        with tempfile.TemporaryDirectory(prefix="vitals-ctr-") as tmp:
            shipped_config(tmp)
        with tempfile.TemporaryDirectory(prefix="vitals-ctr-") as tmp:
            degraded_config(tmp)
    finally:
        reset_storage()
    print(f"PASS in {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
