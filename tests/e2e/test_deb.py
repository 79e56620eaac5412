"""The .deb: CPack makes it from the build tree the tests run from (into a
temporary folder), `dpkg -i` installs it on this machine, the installed agent
runs (`--version`, `--config.check` on the shipped config, and /metrics as the
`vitals` user with the shipped config), the config is in place and so is the
hardened unit at /lib/systemd/system/vitals.service (running as the package's
`vitals` user: User=vitals with DynamicUser=yes), the system user exists;
`dpkg -r` removes everything but the conffile (Debian policy), the unit
included, and `dpkg --purge` removes the config, the user and the group, and
leaves no unit.

Needs root and dpkg; skips (77) when either is missing, when a vitals package
is already installed, or when a `vitals` user exists that the package did not
create (the purge would delete it). With systemd running the postinst would
start the service on the default port: skipped then too.
"""

import json
import os
import pwd
import grp
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request

from vitals_harness import SOURCE_DIR, VITALS_BIN, fail, skip, which

UNIT_SOURCE = os.path.join(SOURCE_DIR, "packaging", "vitals.service")
UNIT = "/lib/systemd/system/vitals.service"  # Debian 12's place for packaged units
UNIT_PATHS = [UNIT, "/usr/lib/systemd/system/vitals.service"]  # the same file on merged /usr
CONFIG = "/etc/vitals/agent.json"
SHARED = "/usr/share/vitals"


def run(*args, check=True, timeout=300, **kw):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        fail(f"{' '.join(args)} exited {r.returncode}:\n{r.stdout}{r.stderr}")
    return r


def dpkg_status():
    r = run("dpkg-query", "-W", "-f=${Status}", "vitals", check=False)
    return r.stdout.strip() if r.returncode == 0 else "not-installed"


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def group_exists(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def installed_agent_serves_metrics():
    """Starts /usr/bin/vitals as the vitals user on the shipped config; returns the /metrics size."""
    log = tempfile.NamedTemporaryFile(prefix="vitals-deb-", suffix=".log", delete=False)
    log.close()
    os.chmod(log.name, 0o666)
    proc = subprocess.Popen(["runuser", "-u", "vitals", "--", "/usr/bin/vitals",
                             "--web.listen-address=127.0.0.1:0", "--log.format=json",
                             f"--config.file={CONFIG}"],
                            stdout=open(log.name, "w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        port = None
        while time.monotonic() < deadline and port is None:
            with open(log.name) as f:
                for line in f:
                    try:
                        doc = json.loads(line)
                    except ValueError:
                        continue
                    if doc.get("msg") == "listening":
                        port = int(doc["address"].rsplit(":", 1)[1])
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        if port is None:
            with open(log.name) as f:
                fail(f"installed vitals did not start as user vitals:\n{f.read()}")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as resp:
            body = resp.read().decode()
        if "node_cpu_seconds_total" not in body or "namedprocess_namegroup_num_procs" not in body:
            fail("installed vitals' /metrics lacks host or process-group families")
        return len(body)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.unlink(log.name)


def main():
    if os.geteuid() != 0:
        skip("installing a .deb needs root (dpkg -i); run the tests as root")
    for tool in ("dpkg", "dpkg-deb", "cpack", "runuser"):
        if not which(tool):
            skip(f"{tool} not found")
    if dpkg_status() != "not-installed":
        skip(f"a vitals package is already installed ({dpkg_status()}); not touching it")
    if user_exists("vitals") or group_exists("vitals"):
        skip("a vitals user or group already exists and was not made by this test; purging would delete it")
    if os.path.isdir("/run/systemd/system"):
        skip("systemd is running: installing would start the service on this machine's port 9810")

    build_dir = os.path.dirname(os.path.dirname(os.path.abspath(VITALS_BIN)))
    cpack_config = os.path.join(build_dir, "CPackConfig.cmake")
    if not os.path.exists(cpack_config):
        fail(f"{cpack_config} missing: the top-level CMakeLists.txt must include packaging/cpack.cmake")

    tmp = tempfile.mkdtemp(prefix="vitals-deb-")
    try:
        # Build the package.
        t0 = time.monotonic()
        run("cpack", "--config", cpack_config, "-B", tmp, cwd=tmp)
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        if len(debs) != 1:
            fail(f"expected one .deb in {tmp}, found {debs}")
        deb = os.path.join(tmp, debs[0])
        print(f"built {debs[0]} ({os.path.getsize(deb)} bytes) in {time.monotonic() - t0:.1f} s")

        contents = run("dpkg-deb", "-c", deb).stdout
        paths = {line.split()[-1].lstrip(".") for line in contents.splitlines()}
        for want in ("/usr/bin/vitals", CONFIG, UNIT, f"{SHARED}/grafana/vitals-host.json",
                     f"{SHARED}/prometheus/alerts.yml"):
            if want not in paths:
                fail(f"{want} is not in the package:\n{contents}")
        if any(p.startswith("/usr/etc") for p in paths):
            fail("the package installs under /usr/etc")
        if any(p.startswith("/usr/lib/systemd") for p in paths):
            fail("the package ships the unit under /usr/lib/systemd (Debian 12: /lib/systemd/system)")
        if run("dpkg-deb", "-f", deb, "Package").stdout.strip() != "vitals":
            fail("package name is not vitals")
        depends = run("dpkg-deb", "-f", deb, "Depends").stdout
        if "libprometheus-cpp-core" not in depends or "libre2" not in depends:
            fail(f"Depends lacks the shared libraries: {depends}")
        if "civetweb" in depends or any(p.startswith("/usr/lib/vitals") for p in paths):
            fail(f"the package still carries CivetWeb or its shims: {depends}")
        # Loaded with dlopen (agent/platform/dynlib.h), so named by hand.
        for lib in ("libcurl4", "libpq5", "libc-ares2", "libmariadb3", "libssl3"):
            if lib not in depends:
                fail(f"Depends lacks {lib}, which vitals loads at run time: {depends}")
        control = os.path.join(tmp, "control")
        run("dpkg-deb", "-e", deb, control)
        with open(os.path.join(control, "conffiles")) as f:
            if CONFIG not in f.read().split():
                fail(f"{CONFIG} is not a conffile")
        for script in ("postinst", "prerm", "postrm"):
            if not os.access(os.path.join(control, script), os.X_OK):
                fail(f"maintainer script {script} missing or not executable")
            run("sh", "-n", os.path.join(control, script))

        # Install.
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("dpkg", "-i", deb, env=env)
        if dpkg_status() != "install ok installed":
            fail(f"after dpkg -i: {dpkg_status()}")
        version = run("/usr/bin/vitals", "--version").stdout
        if "vitals, version" not in version:
            fail(f"vitals --version printed {version!r}")
        print(f"installed: {version.splitlines()[0]}")
        run("/usr/bin/vitals", "--config.check", f"--config.file={CONFIG}")
        user = pwd.getpwnam("vitals")
        if user.pw_uid >= 1000 or not user.pw_shell.endswith("nologin") or os.path.exists(user.pw_dir):
            fail(f"vitals is not a system user without a login or home: {user}")
        st = os.stat(CONFIG)
        if st.st_uid != 0 or st.st_gid != grp.getgrnam("vitals").gr_gid or stat.S_IMODE(st.st_mode) != 0o640:
            fail(f"{CONFIG}: owner {st.st_uid}:{st.st_gid} mode {oct(st.st_mode)}, want root:vitals 0640")
        with open(CONFIG) as f, open(os.path.join(SOURCE_DIR, "config", "examples", "agent.json")) as g:
            if f.read() != g.read():
                fail(f"{CONFIG} is not config/examples/agent.json")
        if not os.path.isfile(UNIT):
            fail(f"the unit is not installed at {UNIT}")
        with open(UNIT) as f, open(UNIT_SOURCE) as g:
            unit_text = f.read()
            if unit_text != g.read():
                fail(f"{UNIT} is not packaging/vitals.service")
        # The unit runs as the user the package made (a static user of that name wins
        # over DynamicUser=), who can read the root:vitals 0640 config.
        settings = dict(line.split("=", 1) for line in unit_text.splitlines()
                        if line and not line.startswith(("#", "[")) and "=" in line)
        if settings.get("User") != "vitals" or settings.get("Group") != "vitals":
            fail(f"{UNIT}: User={settings.get('User')} Group={settings.get('Group')}, "
                 "want the package's vitals user and group")
        if f"--config.file={CONFIG}" not in settings.get("ExecStart", ""):
            fail(f"{UNIT}: ExecStart does not read {CONFIG}: {settings.get('ExecStart')}")
        if which("systemd-analyze"):
            r = run("systemd-analyze", "verify", "--man=no", UNIT, check=False)
            problems = [l for l in (r.stdout + r.stderr).splitlines() if "vitals.service" in l]
            if problems:
                fail(f"systemd-analyze verify {UNIT}:\n" + "\n".join(problems))
        size = installed_agent_serves_metrics()
        print(f"user vitals uid {user.pw_uid}, {CONFIG} root:vitals 0640, unit {UNIT} "
              f"(User=vitals, DynamicUser=yes); /metrics as user vitals: {size} bytes")

        # Remove: everything but the conffile; the user stays until purge.
        run("dpkg", "-r", "vitals", env=env)
        if dpkg_status() != "deinstall ok config-files":
            fail(f"after dpkg -r: {dpkg_status()}")
        left = [p for p in ["/usr/bin/vitals", SHARED, "/usr/lib/vitals"] + UNIT_PATHS if os.path.exists(p)]
        if left:
            fail(f"dpkg -r left {left}")
        if not os.path.exists(CONFIG):
            fail(f"dpkg -r removed the conffile {CONFIG} (only purge should)")
        print("dpkg -r: binary, libraries, unit and shared files gone; conffile kept")

        # Purge: config, user and group go.
        run("dpkg", "--purge", "vitals", env=env)
        if dpkg_status() != "not-installed":
            fail(f"after dpkg --purge: {dpkg_status()}")
        if os.path.exists("/etc/vitals"):
            fail("dpkg --purge left /etc/vitals")
        if user_exists("vitals") or group_exists("vitals"):
            fail("dpkg --purge left the vitals user or group")
        left = [p for p in UNIT_PATHS if os.path.exists(p)]
        if left:
            fail(f"dpkg --purge left {left}")
        print(f"dpkg --purge: /etc/vitals, {UNIT}, user and group gone")
    finally:
        if dpkg_status() != "not-installed":
            subprocess.run(["dpkg", "--purge", "vitals"], capture_output=True, timeout=120)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
