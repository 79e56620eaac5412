"""A "disk almost full" check on a real filesystem, in a private mount and
PID namespace the test creates (unshare; the test re-runs itself there as
PID 1, so that /proc/1/mounts, which the filesystem collector reads, is the
namespace's table).

A 1 MiB tmpfs with 64 inodes; threshold checks every 200 ms:
  disk    host.filesystem_free_ratio, "mountpoint": the tmpfs (degraded below
          0.5, unhealthy below 0.2)
  worst   the same on "mountpoints": a regex matching the tmpfs and a second,
          empty one: the worst of the two, named in the description
  inodes  host.filesystem_free_inodes_ratio (degraded below 0.5)
  ro      host.filesystem_readonly on a tmpfs mounted read-only (unhealthy at 1)
  nowhere a mount point that does not exist: an error naming the known ones
Files written into the tmpfs turn disk Degraded (about 0.41 free), then
Unhealthy (about 0.12 free, /health/disk 503), and removing them turns it Healthy
again. At each stage the sampled value (vitals_sample_host_filesystem_free_ratio
on /metrics) equals statvfs's f_bavail / f_blocks.

Needs root, unshare and the filesystem collector (vitals --help lists it);
skips without them, saying which."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from vitals_harness import (VITALS_BIN, Vitals, fail, parse_exposition,
                            rerun_in_mount_namespace, skip)

NAMESPACE_ENV = "VITALS_HEALTH_DISK_FULL_NS"
POLL = 0.05
STAGE_TIMEOUT = 10.0
CODES = {"Healthy": 200, "Degraded": 200, "Unhealthy": 503}


def threshold(name, **keys):
    return dict({"name": name, "kind": "threshold", "interval": "200ms", "timeout": "150ms",
                 "jitter": "0s", "failures_before_unhealthy": 1, "successes_before_healthy": 1},
                **keys)


def report(vi, path="/health"):
    status, _, body = vi.get(path)
    return status, json.loads(body)


def wait_status(vi, check, want):
    deadline = time.monotonic() + STAGE_TIMEOUT
    seen = []
    while time.monotonic() < deadline:
        code, body = report(vi)
        entry = body["entries"][check]
        if (entry["status"], entry["description"]) not in seen:
            seen.append((entry["status"], entry["description"]))
        if entry["status"] == want:
            return code, body, entry
        time.sleep(POLL)
    fail(f"{check} never became {want} within {STAGE_TIMEOUT}s; seen: {seen}")


def sampled(vi, mountpoint):
    fams = parse_exposition(vi.metrics())
    for _, labels, value in fams.get("vitals_sample_host_filesystem_free_ratio",
                                     {"samples": []})["samples"]:
        if labels.get("mountpoint") == mountpoint:
            return value
    return None


def stage(vi, name, disk, want):
    wait_status(vi, "disk", want)
    code, body = report(vi, "/health/disk")  # the check alone: the others stay as they are
    entry = body["entries"]["disk"]
    st = os.statvfs(disk)
    exact = st.f_bavail / st.f_blocks
    got = sampled(vi, disk)
    if got is None or abs(got - exact) > 1e-9:
        fail(f"{name}: vitals_sample_host_filesystem_free_ratio{{mountpoint={disk!r}}} is {got}, "
             f"statvfs says {exact}")
    if abs(entry["data"].get("value", -1) - exact) > 1e-9:
        fail(f"{name}: the check's value {entry['data']}, statvfs says {exact}")
    if body["status"] != want or code != CODES[want]:
        fail(f"{name}: /health/disk {body['status']} {code}, want {want} {CODES[want]}")
    print(f"{name}: disk {entry['status']} (HTTP {code}), free ratio {got:.4f} "
          f"(statvfs {st.f_bavail}/{st.f_blocks} blocks): {entry['description']}")
    return entry


def fill(path, size):
    with open(path, "wb") as f:
        f.write(b"\xa5" * size)


def in_namespace():
    base = tempfile.mkdtemp(prefix="vitals-diskfull-")
    disk, empty, ro = (os.path.join(base, n) for n in ("disk", "empty", "ro"))
    try:
        for path, opts in ((disk, "size=1m,nr_inodes=64"), (empty, "size=1m"),
                           (ro, "ro,size=1m")):
            os.mkdir(path)
            subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", path], check=True)
        config = {"checks": [
            threshold("disk", value="host.filesystem_free_ratio", mountpoint=disk,
                      degraded=0.5, unhealthy=0.2),
            threshold("worst", value="host.filesystem_free_ratio",
                      mountpoints="^" + re.escape(base) + "/(disk|empty)",
                      degraded=0.5, unhealthy=0.2),
            threshold("inodes", value="host.filesystem_free_inodes_ratio", mountpoint=disk,
                      degraded=0.5),
            threshold("ro", value="host.filesystem_readonly", mountpoint=ro, unhealthy=1),
            threshold("nowhere", value="host.filesystem_free_ratio",
                      mountpoint="/no/such/mount", degraded=0.5),
        ]}
        path = os.path.join(base, "config.json")  # on the namespace's /tmp, not a mount
        with open(path, "w") as f:
            json.dump(config, f)
        with Vitals(f"--config.file={path}") as vi:
            stage(vi, "empty", disk, "Healthy")
            _, body = report(vi)
            entries = body["entries"]
            if entries["ro"]["status"] != "Unhealthy" or entries["ro"]["data"].get("value") != 1:
                fail(f"the read-only mount: {entries['ro']}")
            print(f"read-only tmpfs: ro {entries['ro']['status']}: {entries['ro']['description']}")
            nowhere = entries["nowhere"]
            if (nowhere["status"] != "Unhealthy" or nowhere["error"] is None
                    or 'no mountpoint "/no/such/mount" (known: ' not in nowhere["error"]
                    or disk not in nowhere["error"]):
                fail(f"an unknown mount point must be an error naming the known ones: {nowhere}")
            print(f"unknown mount point: nowhere {nowhere['status']}: {nowhere['error'][:160]}...")

            fill(os.path.join(disk, "a"), 600 * 1024)
            stage(vi, "600 KiB written", disk, "Degraded")
            fill(os.path.join(disk, "b"), 300 * 1024)
            stage(vi, "900 KiB written", disk, "Unhealthy")
            _, _, worst = wait_status(vi, "worst", "Unhealthy")
            if not worst["description"].endswith(f"(mountpoint {disk})"):
                fail(f"the regex check does not name the fullest mount: {worst}")
            print(f"regex over both tmpfs: worst {worst['status']}: {worst['description']}")

            for i in range(40):  # 40 of 64 inodes used: about 0.36 free
                open(os.path.join(disk, f"f{i}"), "w").close()
            _, _, inodes = wait_status(vi, "inodes", "Degraded")
            print(f"40 empty files: inodes {inodes['status']}: {inodes['description']}")

            for name in os.listdir(disk):
                os.remove(os.path.join(disk, name))
            stage(vi, "files removed", disk, "Healthy")
            wait_status(vi, "inodes", "Healthy")
            wait_status(vi, "worst", "Healthy")
    finally:
        subprocess.run(["umount", "-R", "-l", base], stderr=subprocess.DEVNULL)
        for path in (disk, empty, ro):
            subprocess.run(["umount", "-l", path], stderr=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)
    print("PASS")


def main():
    if os.environ.get(NAMESPACE_ENV) == "1":
        in_namespace()
        return
    helped = subprocess.run([VITALS_BIN, "--help"], capture_output=True, text=True)
    if "--[no-]collector.filesystem " not in helped.stdout + helped.stderr:
        skip("the filesystem collector is not in this build (vitals --help does not list it); "
             "this test runs by itself once it is")
    rerun_in_mount_namespace(__file__, NAMESPACE_ENV)

if __name__ == "__main__":
    main()
