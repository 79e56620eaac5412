"""The filesystem collector on real mounts, in a private mount and PID
namespace the test creates (unshare; the test re-runs itself there as PID 1,
so that /proc/1/mounts, which both exporters read, is the namespace's table):

  1. Odd mount points: tmpfs mounts named with a space, a tab, a newline and
     a backslash (the kernel writes them as \\040, \\011, \\012 and \\134).
     vitals and node_exporter give the same series (labels and every value)
     for the space and the tab. For the newline and the backslash,
     node_exporter calls statfs on the escaped name, which does not exist,
     and reports node_filesystem_device_error 1; vitals decodes the escape
     and reports the filesystem: the same labels, device_error 0, and the
     size os.statvfs gives.
  2. A hung FUSE filesystem: bindfs whose daemon is stopped (SIGSTOP). With
     --collector.filesystem.mount-timeout=1s the first scrape answers within
     the timeout plus HUNG_SLACK with device_error 1 for it and values for
     every other mount; the next scrapes answer within QUICK (the mount is
     not asked again while the call is out); after SIGCONT the call returns
     and a scrape reports the mount's values again.

Needs root, unshare, /dev/fuse and bindfs (packaging/quickstart.sh test_deps);
skips without them. One line per step is printed with its figures."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from vitals_harness import Vitals, fail, parse_exposition, rerun_in_mount_namespace, skip, which

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_node_exporter_parity import NodeExporter  # noqa: E402

TIMEOUT = 1.0     # --collector.filesystem.mount-timeout
HUNG_SLACK = 1.5  # the first scrape with the hung mount: TIMEOUT + this at most
QUICK = 0.5       # every later scrape
NAMESPACE_ENV = "VITALS_FILESYSTEM_MOUNTS_NS"
ODD = {"space": "with space", "tab": "with\ttab", "newline": "with\nnewline",
       "backslash": "with\\backslash"}
DECODED_ONLY_BY_VITALS = ("newline", "backslash")
FAMILIES = ("size_bytes", "free_bytes", "avail_bytes", "files", "files_free", "readonly",
            "device_error")


def escaped(path):
    """The mount point as the kernel writes it in /proc/*/mounts."""
    return (path.replace("\\", "\\134").replace(" ", "\\040").replace("\t", "\\011")
            .replace("\n", "\\012"))


def label(path):
    """The mountpoint label both exporters give (space and tab decoded), as
    parse_exposition returns it (the text format's escapes kept)."""
    return escaped(path).replace("\\040", " ").replace("\\011", "\t").replace("\\", "\\\\")


def under(families, base):
    """{(family, mountpoint): value} for the mounts under `base`."""
    out = {}
    for fam in FAMILIES:
        for _, labels, value in families.get(f"node_filesystem_{fam}", {"samples": []})["samples"]:
            if labels["mountpoint"].startswith(base):
                out[(fam, labels["mountpoint"])] = value
    return out


def timed_metrics(vi):
    start = time.monotonic()
    text = vi.metrics()
    return time.monotonic() - start, parse_exposition(text)


def check_odd_names(base, flags):
    mounts = {}
    for what, name in ODD.items():
        path = os.path.join(base, name)
        os.mkdir(path)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,nr_inodes=1000", "tmpfs", path],
                       check=True)
        mounts[what] = path
    with open("/proc/1/mounts") as f:
        table = f.read()
    for what, path in mounts.items():
        if f" {escaped(path)} tmpfs " not in table:
            fail(f"/proc/1/mounts does not show the {what} mount as {escaped(path)!r}:\n{table}")
    ne_binary = which("prometheus-node-exporter", "node_exporter")
    if not ne_binary:
        skip("node_exporter is not installed (prometheus-node-exporter)")
    with NodeExporter(ne_binary, flags) as ne, Vitals(*flags) as vi:
        ne_series = under(parse_exposition(ne.metrics()), base)
        vi_series = under(parse_exposition(vi.metrics()), base)
    for what, path in mounts.items():
        mp = label(path)
        want = {fam: ne_series.get((fam, mp)) for fam in FAMILIES}
        got = {fam: vi_series.get((fam, mp)) for fam in FAMILIES}
        if what in DECODED_ONLY_BY_VITALS:
            st = os.statvfs(path)
            if want["device_error"] != 1:
                fail(f"{what}: node_exporter now finds {path!r} ({want}): drop the exception")
            want = {"size_bytes": st.f_blocks * st.f_bsize, "free_bytes": st.f_bfree * st.f_bsize,
                    "avail_bytes": st.f_bavail * st.f_bsize, "files": st.f_files,
                    "files_free": st.f_ffree, "readonly": 0, "device_error": 0}
        if got != want:
            fail(f"{what} mount {mp!r}: vitals {got}, expected {want}")
        shown = mp.replace("\\\\", "\\")  # the label's value, not its text-format escape
        print(f"odd name, {what}: mountpoint {shown!r}, size {got['size_bytes']:.0f} bytes, "
              f"device_error {got['device_error']:.0f} "
              f"(node_exporter: device_error {ne_series.get(('device_error', mp))})")
    if len(ne_series) < len(FAMILIES) * 2:
        fail(f"node_exporter reported too little under {base}: {ne_series}")


def check_hung_fuse(base, flags):
    source, mount_point = os.path.join(base, "fuse-source"), os.path.join(base, "fuse")
    os.mkdir(source)
    os.mkdir(mount_point)
    bindfs = subprocess.Popen(["bindfs", "-f", source, mount_point])
    try:
        deadline = time.monotonic() + 10
        while f" {mount_point} fuse" not in open("/proc/1/mounts").read():
            if bindfs.poll() is not None or time.monotonic() > deadline:
                fail(f"bindfs did not mount {mount_point} (exit {bindfs.poll()})")
            time.sleep(0.05)
        with Vitals(*flags, f"--collector.filesystem.mount-timeout={TIMEOUT:g}s") as vi:
            took, fams = timed_metrics(vi)
            healthy = under(fams, base)
            if healthy.get(("device_error", mount_point)) != 0:
                fail(f"the FUSE mount before the hang: {healthy}")
            print(f"FUSE mount answering: scrape {took:.3f} s, device_error 0")

            bindfs.send_signal(signal.SIGSTOP)
            took, fams = timed_metrics(vi)
            hung = under(fams, base)
            if took > TIMEOUT + HUNG_SLACK:
                fail(f"the first scrape with the hung mount took {took:.3f} s")
            if hung.get(("device_error", mount_point)) != 1 or ("size_bytes", mount_point) in hung:
                fail(f"the hung FUSE mount is not device_error 1 without values: {hung}")
            tmpfs_size = [v for (fam, mp), v in hung.items() if fam == "size_bytes" and mp == base]
            if not tmpfs_size:
                fail(f"the other mounts lost their values while one hangs: {hung}")
            print(f"FUSE daemon stopped: first scrape {took:.3f} s (timeout {TIMEOUT:g} s), "
                  f"device_error 1, other mounts reported")
            for i in range(3):
                took, fams = timed_metrics(vi)
                if took > QUICK or under(fams, base).get(("device_error", mount_point)) != 1:
                    fail(f"scrape {i + 2} with the hung mount: {took:.3f} s, {under(fams, base)}")
                print(f"FUSE daemon stopped: scrape {i + 2} {took:.3f} s, device_error 1")

            bindfs.send_signal(signal.SIGCONT)
            deadline = time.monotonic() + 10
            while True:
                took, fams = timed_metrics(vi)
                back = under(fams, base)
                if back.get(("device_error", mount_point)) == 0 and ("size_bytes", mount_point) in back:
                    break
                if time.monotonic() > deadline:
                    fail(f"the FUSE mount did not come back after SIGCONT: {back}")
                time.sleep(0.05)
            print(f"FUSE daemon continued: scrape {took:.3f} s, device_error 0, size "
                  f"{back[('size_bytes', mount_point)]:.0f} bytes")
            if "statfs" not in vi.log_text() or mount_point not in vi.log_text():
                fail(f"the log does not name the hung mount:\n{vi.log_text()}")
    finally:
        if bindfs.poll() is None:
            bindfs.send_signal(signal.SIGCONT)
            bindfs.terminate()
            try:
                bindfs.wait(5)
            except subprocess.TimeoutExpired:
                bindfs.kill()
                bindfs.wait()
        subprocess.run(["umount", "-l", mount_point], stderr=subprocess.DEVNULL)


def in_namespace():
    base = tempfile.mkdtemp(prefix="vitals-fs-")
    try:
        # Everything the test mounts is under a tmpfs of its own.
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", base], check=True)
        flags = ["--collector.disable-defaults", "--collector.filesystem"]
        check_odd_names(base, flags)
        check_hung_fuse(base, flags)
    finally:
        subprocess.run(["umount", "-R", "-l", base], stderr=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)
    print("PASS")


def main():
    if os.environ.get(NAMESPACE_ENV) == "1":
        in_namespace()
        return
    if not which("bindfs"):
        skip("bindfs is not installed (packaging/quickstart.sh test_deps)")
    if not os.path.exists("/dev/fuse"):
        skip("no /dev/fuse")
    rerun_in_mount_namespace(__file__, NAMESPACE_ENV)


if __name__ == "__main__":
    main()
