"""OpenSSL is loaded only when TLS is needed (agent/platform/openssl.h).

1. An agent without TLS serves scrapes without libssl or libcrypto mapped;
   a tls_expiry probe then loads them.
2. With libssl.so.3 unloadable (/dev/null bind-mounted over it in a private
   mount namespace: needs root and unshare, else skipped) a TLS web config
   stops the agent with one line naming the library, and a TLS probe fails
   with that reason while /metrics keeps serving."""
# ctest-labels: sanitize

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from vitals_harness import VITALS_BIN, Vitals, fail, skip, which


def mapped_openssl(pid):
    """Paths of libssl/libcrypto mapped by `pid`."""
    with open(f"/proc/{pid}/maps") as f:
        return {line.split()[-1] for line in f
                if "/libssl.so" in line or "/libcrypto.so" in line}


def write_json(directory, name, doc):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def tls_probe_config(directory, port):
    return write_json(directory, "agent.json", {"checks": [{
        "name": "tls-x", "kind": "tls_expiry", "address": f"127.0.0.1:{port}",
        "interval": "1s", "timeout": "1s", "jitter": "0s"}]})


def listener():
    """A TCP port that accepts connections (in the backlog) and never answers."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    return s


def health_description(v, check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, _, body = v.get("/health")
        entry = json.loads(body).get("entries", {}).get(check)
        description = (entry or {}).get("description", "")
        if description and not description.startswith("pending"):
            return description
        time.sleep(0.1)
    fail(f"check {check} reported nothing within {timeout}s")


def on_demand(tmp):
    with Vitals("--collector.disable-defaults") as v:
        for _ in range(5):
            v.metrics()
        if mapped := mapped_openssl(v.proc.pid):
            fail(f"an agent without TLS maps {sorted(mapped)}")
    with listener() as s, Vitals("--collector.disable-defaults",
                                 "--config.file=" + tls_probe_config(tmp, s.getsockname()[1])) as v:
        deadline = time.monotonic() + 10
        while not (mapped := mapped_openssl(v.proc.pid)):
            if time.monotonic() > deadline:
                fail("a tls_expiry probe ran without loading OpenSSL")
            time.sleep(0.1)
    libssl = [p for p in mapped if "/libssl.so" in p]
    if not libssl:
        fail(f"OpenSSL loaded without libssl: {sorted(mapped)}")
    return os.path.realpath(libssl[0])


def without_libssl(tmp):
    """Runs inside the namespace where libssl.so.3 cannot be loaded."""
    web = write_json(tmp, "web.json", {"tls_server_config": {
        "cert_file": write_json(tmp, "server.crt", {}), "key_file": write_json(tmp, "server.key", {})}})
    r = subprocess.run([VITALS_BIN, "--web.listen-address=127.0.0.1:0", "--collector.disable-defaults",
                        "--web.config.file=" + web], capture_output=True, text=True, timeout=30)
    out = r.stdout + r.stderr
    if r.returncode == 0 or "TLS needs OpenSSL 3" not in out or "libssl.so.3" not in out:
        fail(f"a TLS web config without libssl: exit {r.returncode}, wanted one line naming it:\n{out}")
    if len(out.strip().splitlines()) != 1:
        fail(f"wanted one line:\n{out}")
    print("TLS web config:", out.strip())

    with listener() as s, Vitals("--collector.disable-defaults",
                                 "--config.file=" + tls_probe_config(tmp, s.getsockname()[1])) as v:
        why = health_description(v, "tls-x")
        if "cannot load libssl.so.3" not in why:
            fail(f"the TLS probe's failure does not name libssl.so.3: {why}")
        print("TLS probe:", why)
        if "vitals_check_status" not in v.metrics():
            fail("/metrics lacks the check's status")


def main():
    tmp = tempfile.mkdtemp(prefix="vitals-openssl-")
    try:
        if len(sys.argv) > 1 and sys.argv[1] == "--without-libssl":
            without_libssl(tmp)
            return
        libssl = on_demand(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("loaded on demand:", libssl)
    if os.geteuid() != 0 or not which("unshare"):
        skip("hiding libssl needs root and unshare (a private mount namespace)")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        skip(f"unshare -m is not permitted here: {probe.stderr.decode().strip()}")
    r = subprocess.run(["unshare", "-m", "sh", "-c", 'mount --bind /dev/null "$0" && exec "$@"',
                        libssl, sys.executable, os.path.abspath(__file__), "--without-libssl"],
                       timeout=120)
    sys.exit(r.returncode)


if __name__ == "__main__":
    main()
