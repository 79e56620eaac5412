"""Bad input: broken copies of the fixture tree make exactly the affected
collectors fail (success 0, no families, an error log naming collector and
file) while /metrics stays 200 with every other collector; bad flags exit 2
with one line; a port in use is named as such; SIGTERM/SIGINT exit 0 fast."""
# ctest-labels: sanitize

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from vitals_harness import VITALS_BIN, Vitals, copy_fixture_proc, fail, parse_exposition

# The host collectors that can be switched one by one, each with a file to break.
SWITCHABLE = ["cpu", "filefd", "loadavg", "meminfo", "processes", "stat"]
# The agent's own families, always there (with the exporter identity's,
# which scrape_collectable.cpp adds whatever the collectors do).
OWN_PREFIXES = ("vitals_", "process_", "node_exporter_build_info", "namedprocess_scrape_errors",
                "node_scrape_collector_")


def host_families(metrics_text):
    return {name for name in parse_exposition(metrics_text) if not name.startswith(OWN_PREFIXES)}


def collector_success(metrics_text):
    fam = parse_exposition(metrics_text).get("vitals_scrape_collector_success", {"samples": []})
    return {labels["collector"]: value for _, labels, value in fam["samples"]}


def families_by_collector(proc):
    """Each collector's families, measured on the intact tree rather than
    hard-coded: a switchable collector's are what it adds to a run with
    --collector.disable-defaults; the collectors that cannot be switched off
    (self, process groups, http) share key ALWAYS_ON: the non-own families of
    that baseline run (the others export only vitals_* and process_*)."""
    with Vitals(SYSFS[0], "--path.procfs=" + proc, "--collector.disable-defaults") as v:
        baseline_text = v.metrics()
    baseline = host_families(baseline_text)
    out = {ALWAYS_ON: baseline}
    always_on = set(collector_success(baseline_text))
    for name in SWITCHABLE:
        with Vitals(SYSFS[0], "--path.procfs=" + proc, "--collector.disable-defaults",
                    "--collector." + name) as v:
            out[name] = host_families(v.metrics()) - baseline
        if not out[name]:
            fail(f"collector {name} exported nothing on the intact fixture tree")
    return out, always_on


ALWAYS_ON = "<always on>"
# --path.sysfs of a copy of tests/fixtures/sys, with its symlinks (set in
# main): the collectors of hardware this machine lacks (bonds, InfiniBand,
# Fibre Channel, hwmon, power supplies, ...) have data there, where /sys would
# give them none (NoData, success 0).
SYSFS = []


def truncate_stat(proc):
    path = os.path.join(proc, "stat")
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    cut = len(b"\n".join(lines[:2])) + 1 + len(lines[2]) // 2  # mid third line (cpu1)
    with open(path, "wb") as f:
        f.write(data[:cut])


def garble_meminfo(proc):
    path = os.path.join(proc, "meminfo")
    with open(path) as f:
        lines = f.read().splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("MemFree:"):
            lines[i] = "MemFree:        12x45 kB\n"
            break
    else:
        fail("fixture meminfo has no MemFree line")
    with open(path, "w") as f:
        f.writelines(lines)


def empty_loadavg(proc):
    open(os.path.join(proc, "loadavg"), "w").close()


def remove_file_nr(proc):
    os.remove(os.path.join(proc, "sys/fs/file-nr"))


def unreadable_threads_max(proc):
    path = os.path.join(proc, "sys/kernel/threads-max")
    if os.geteuid() == 0:
        # root reads through chmod 000, so make the read itself fail (EISDIR).
        os.remove(path)
        os.mkdir(path)
    else:
        os.chmod(path, 0)


# (what, breaks the tree, collectors that must fail, file their error names)
CASES = [
    ("truncated stat", truncate_stat, {"cpu", "stat"}, "stat"),
    ("garbled meminfo", garble_meminfo, {"meminfo"}, "meminfo"),
    ("empty loadavg", empty_loadavg, {"loadavg"}, "loadavg"),
    ("missing sys/fs/file-nr", remove_file_nr, {"filefd"}, "sys/fs/file-nr"),
    ("unreadable sys/kernel/threads-max", unreadable_threads_max, {"processes"},
     "sys/kernel/threads-max"),
]


def check_case(tmp, what, breaker, failing, file, families, always_on, collectors):
    proc = copy_fixture_proc(os.path.join(tmp, what.replace(" ", "_").replace("/", "_")))
    breaker(proc)
    with Vitals(SYSFS[0], "--path.procfs=" + proc) as v:
        status, _, body = v.get("/metrics")
        text = body.decode()
        log = v.log_lines()
    if status != 200:
        fail(f"{what}: /metrics answered {status}")
    # Affected: the collectors named in the case, plus any other that reads
    # the same file and says so (the process groups read /proc/stat's btime).
    errors = {}
    for line in log:
        if line.get("level") == "error" and file in line.get("err", "") and line.get("collector"):
            errors.setdefault(line["collector"], line["err"])
    affected = set(failing) | set(errors)
    success = collector_success(text)
    if set(success) != collectors:
        fail(f"{what}: success is reported for {sorted(success)}, want {sorted(collectors)}")
    for name in sorted(collectors):
        want = 0 if name in affected else 1
        if success[name] != want:
            fail(f"{what}: vitals_scrape_collector_success{{collector=\"{name}\"}} is "
                 f"{success[name]}, want {want}\nlog: {log}\n{text}")
    present = host_families(text)
    for name, fams in families.items():
        hit = name in affected if name != ALWAYS_ON else bool(affected & always_on)
        if hit and fams & present:
            fail(f"{what}: failed collector {name} still exported {sorted(fams & present)}")
        if not hit and not fams <= present:
            fail(f"{what}: unaffected collector {name} lost {sorted(fams - present)}")
    for name in sorted(affected):
        if name not in errors:
            fail(f"{what}: no error log line naming collector {name} and file {file}; "
                 f"log was:\n" + "\n".join(map(str, log)))
        print(f"ok: {what}: {name} failed and logged: {errors[name]}")


def run(args, timeout=10):
    return subprocess.run([VITALS_BIN] + args, capture_output=True, timeout=timeout, text=True)


def check_flags():
    r = run(["--no-such-flag"])
    lines = r.stderr.splitlines()
    if r.returncode != 2 or len(lines) != 1 or "--no-such-flag" not in lines[0] or r.stdout:
        fail(f"unknown flag: exit {r.returncode}, stdout {r.stdout!r}, stderr {r.stderr!r}")
    print(f"ok: unknown flag exits 2: {lines[0]}")

    for bad in ("127.0.0.1", "127.0.0.1:99999", "300.1.1.1:9810", "[::1:9810", "host:port"):
        r = run(["--web.listen-address=" + bad])
        lines = r.stderr.splitlines()
        if (r.returncode != 2 or len(lines) != 1 or "--web.listen-address" not in lines[0]
                or bad not in lines[0]):
            fail(f"listen address {bad!r}: exit {r.returncode}, stderr {r.stderr!r}")
        print(f"ok: bad listen address exits 2: {lines[0]}")

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = run([f"--web.listen-address=127.0.0.1:{port}"])
    if r.returncode == 0 or "address already in use" not in r.stderr.lower():
        fail(f"port in use: exit {r.returncode}, stderr {r.stderr!r}")
    print(f"ok: port in use exits {r.returncode}: {r.stderr.strip()}")

    # A malformed IPv6 literal says so, not "invalid port" (e2e.hostile_http_ipv6 serves IPv6).
    r = run(["--web.listen-address=[::zz]:0"])
    if r.returncode == 0 or "ipv6" not in r.stderr.lower():
        fail(f"bad IPv6 listen address: exit {r.returncode}, stderr {r.stderr!r}")
    print(f"ok: bad IPv6 listen address exits {r.returncode}: {r.stderr.strip()}")


def check_signals(proc):
    for sig in (signal.SIGTERM, signal.SIGINT):
        v = Vitals(SYSFS[0], "--path.procfs=" + proc)
        v.start()
        try:
            v.metrics()
            start = time.monotonic()
            v.proc.send_signal(sig)
            try:
                code = v.proc.wait(2.0)
            except subprocess.TimeoutExpired:
                fail(f"{sig.name}: still running 2 s after the signal")
            took = time.monotonic() - start
            if code != 0:
                fail(f"{sig.name}: exit {code}\n{v.log_text()}")
            if not any(l.get("msg") == "shutting down" and l.get("signal") == sig.name
                       for l in v.log_lines()):
                fail(f"{sig.name}: no 'shutting down' log line\n{v.log_text()}")
            print(f"ok: {sig.name} exits 0 in {took:.3f} s")
        finally:
            v.stop()


def main():
    with tempfile.TemporaryDirectory(prefix="vitals-bad-") as tmp:
        SYSFS.append("--path.sysfs=" + copy_fixture_proc(os.path.join(tmp, "sys"), "sys"))
        intact = copy_fixture_proc(os.path.join(tmp, "intact"))
        families, always_on = families_by_collector(intact)
        with Vitals(SYSFS[0], "--path.procfs=" + intact) as v:
            collectors = set(collector_success(v.metrics()))
        if not set(SWITCHABLE) | {"self"} <= collectors:
            fail(f"the intact run reports only collectors {sorted(collectors)}")
        for what, breaker, failing, file in CASES:
            check_case(tmp, what, breaker, failing, file, families, always_on, collectors)
        check_flags()
        check_signals(intact)
        # chmod 000 leftovers would make the cleanup fail for non-root (the
        # sysfs copy's symlinks, one dangling, are left alone).
        for root, dirs, files in os.walk(tmp):
            for name in dirs + files:
                if not os.path.islink(os.path.join(root, name)):
                    os.chmod(os.path.join(root, name), 0o700)
    print("PASS")


if __name__ == "__main__":
    main()
