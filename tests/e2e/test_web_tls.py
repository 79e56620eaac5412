"""TLS end to end: certificates made here with the openssl CLI (CA, server,
client, a second CA, expired, wrong name), served by vitals through
--web.config.file, checked with curl, `openssl s_client` and Python's ssl.

Covers: verification and protocol floor, plain HTTP on the TLS port, the
certificate and key replaced on disk (picked up without a restart), a garbage
file (the old pair keeps serving; logged and counted), expired and wrong-name
certificates refused by clients, and client certificates (none, wrong CA,
right CA) with RequireAndVerifyClientCert."""
# ctest-labels: sanitize

import json
import os
import shutil
import ssl
import subprocess
import tempfile
import time

from vitals_harness import Vitals, fail, https_get, parse_exposition, skip, which

CURL = which("curl")
OPENSSL = which("openssl")


def run(*args, check=True, input=None):
    r = subprocess.run(list(args), capture_output=True, text=True, input=input, timeout=30)
    if check and r.returncode != 0:
        fail(f"{' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


class Pki:
    """A throwaway PKI in `dir`."""

    def __init__(self, dir):
        self.dir = dir

    def path(self, name):
        return os.path.join(self.dir, name)

    def ca(self, name):
        run(OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", self.path(name + ".key"), "-out", self.path(name + ".crt"),
            "-days", "2", "-subj", f"/CN={name}")

    def leaf(self, name, ca, cn, san=None, days="2", client=False):
        key, csr, crt = self.path(name + ".key"), self.path(name + ".csr"), self.path(name + ".crt")
        run(OPENSSL, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", csr, "-subj", f"/CN={cn}")
        ext = self.path(name + ".ext")
        with open(ext, "w") as f:
            if san:
                f.write(f"subjectAltName={san}\n")
            f.write("extendedKeyUsage=" + ("clientAuth" if client else "serverAuth") + "\n")
        run(OPENSSL, "x509", "-req", "-in", csr, "-CA", self.path(ca + ".crt"),
            "-CAkey", self.path(ca + ".key"), "-CAcreateserial", "-out", crt, "-days", days,
            "-extfile", ext)
        return crt, key


def der(pem_path):
    with open(pem_path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def replace(src, dst):
    """Atomic replacement, as a certificate manager does it (write, rename)."""
    tmp = dst + ".tmp"
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def curl(port, path, *extra):
    """(exit code, http status or "", stderr) of one curl to https://localhost."""
    r = run(CURL, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
            "--resolve", f"localhost:{port}:127.0.0.1", *extra,
            f"https://localhost:{port}{path}", check=False)
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def s_client(port, *extra):
    return run(OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost",
               *extra, check=False, input="")


def tls_metrics(vitals, ca):
    status, _, body, _ = vitals.get_https("/metrics", ca)
    if status != 200:
        fail(f"/metrics over TLS: {status}")
    fams = parse_exposition(body.decode())
    get = lambda name, **labels: next(
        (v for n, l, v in fams.get(name, {"samples": []})["samples"] if l == labels), None)
    return (get("vitals_http_tls_certificate_reloads_total", result="success"),
            get("vitals_http_tls_certificate_reloads_total", result="error"),
            get("vitals_http_tls_certificate_expiry_timestamp_seconds"))


def expect(cond, what):
    if not cond:
        fail(what)
    print("ok:", what.splitlines()[0] if what else what)


def server_only(pki, work):
    cert, key = os.path.join(work, "server.crt"), os.path.join(work, "server.key")
    shutil.copyfile(pki.path("server.crt"), cert)
    shutil.copyfile(pki.path("server.key"), key)
    web = os.path.join(work, "web.json")
    with open(web, "w") as f:
        json.dump({"tls_server_config": {"cert_file": "server.crt", "key_file": "server.key"}}, f)
    ca = pki.path("ca.crt")
    with Vitals("--web.config.file=" + web) as v:
        code, status, err = curl(v.port, "/metrics", "--cacert", ca)
        expect(code == 0 and status == "200", f"curl --cacert ca.crt /metrics: 200 ({code} {err})")
        code, _, err = curl(v.port, "/metrics")
        expect(code == 60, f"curl without the CA refuses the server (exit 60, got {code}: {err})")

        out = s_client(v.port, "-CAfile", ca, "-verify_return_error")
        expect("Verify return code: 0 (ok)" in out.stdout and "TLSv1.3" in out.stdout,
               "openssl s_client: verified, TLSv1.3")
        out = s_client(v.port, "-CAfile", ca, "-tls1_2")
        expect("Protocol  : TLSv1.2" in out.stdout or "TLSv1.2" in out.stdout,
               "openssl s_client -tls1_2: TLS 1.2 accepted (min_version TLS12)")
        out = s_client(v.port, "-CAfile", ca, "-tls1_1")
        expect(out.returncode != 0 and "Cipher is (NONE)" in out.stdout,
               "openssl s_client -tls1_1: refused")

        status, _, body = v.get("/metrics")  # plain http://
        expect(status == 400 and b"HTTP request to an HTTPS server" in body,
               "plain HTTP to the TLS port: 400 with an explanation")

        ok, errors, expiry = tls_metrics(v, ca)
        expect((ok, errors) == (0, 0) and expiry and expiry > time.time(),
               f"metrics: no reloads yet, expiry in the future ({ok}, {errors}, {expiry})")

        # Rotation on disk: the next connection gets the new certificate.
        time.sleep(0.02)  # distinct mtimes even on coarse clocks
        replace(pki.path("server2.crt"), cert)
        replace(pki.path("server2.key"), key)
        _, _, _, got = v.get_https("/-/healthy", ca)
        expect(got == der(pki.path("server2.crt")), "rotation: server2.crt served without restart")
        ok, errors, _ = tls_metrics(v, ca)
        expect((ok, errors) == (1, 0), f"metrics: one successful reload ({ok}, {errors})")

        # Garbage: the previous pair keeps serving, the error is logged and counted.
        with open(cert + ".tmp", "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
        os.replace(cert + ".tmp", cert)
        for _ in range(3):  # several connections, one error: retried only on the next change
            _, _, _, got = v.get_https("/-/healthy", ca)
            expect(got == der(pki.path("server2.crt")), "garbage cert: server2.crt still served")
        ok, errors, _ = tls_metrics(v, ca)
        expect((ok, errors) == (1, 1), f"metrics: the garbage counted once ({ok}, {errors})")
        expect("does not load" in v.log_text(), "garbage cert: the error is logged")

        # A certificate that does not match the key on disk: refused the same way.
        replace(pki.path("server.crt"), cert)  # key is still server2's
        _, _, _, got = v.get_https("/-/healthy", ca)
        expect(got == der(pki.path("server2.crt")), "mismatched pair: server2.crt still served")
        replace(pki.path("server.key"), key)
        _, _, _, got = v.get_https("/-/healthy", ca)
        expect(got == der(pki.path("server.crt")), "matching pair again: server.crt served")

        # Expired and wrong-name certificates load (they are valid PEM), and
        # clients refuse them.
        replace(pki.path("expired.crt"), cert)
        replace(pki.path("expired.key"), key)
        code, _, err = curl(v.port, "/metrics", "--cacert", ca)
        expect(code == 60 and "expired" in err, f"expired certificate: curl refuses ({err})")
        replace(pki.path("wrongname.crt"), cert)
        replace(pki.path("wrongname.key"), key)
        code, _, err = curl(v.port, "/metrics", "--cacert", ca)
        expect(code == 60 and "localhost" in err, f"wrong name: curl refuses ({err})")
        try:
            v.get_https("/metrics", ca)
            fail("wrong name: Python's ssl accepted it")
        except ssl.SSLCertVerificationError as e:
            expect("localhost" in str(e) or "match" in str(e), "wrong name: Python's ssl refuses")
        if v.proc.poll() is not None:
            fail("vitals died:\n" + v.log_text())


def mutual(pki, work):
    web = os.path.join(work, "mtls.json")
    with open(web, "w") as f:
        json.dump({"tls_server_config": {
            "cert_file": pki.path("server.crt"), "key_file": pki.path("server.key"),
            "client_ca_file": pki.path("ca.crt"),
            "client_auth_type": "RequireAndVerifyClientCert", "min_version": "TLS13"}}, f)
    ca = pki.path("ca.crt")
    with Vitals("--web.config.file=" + web) as v:
        code, status, err = curl(v.port, "/metrics", "--cacert", ca, "--cert", pki.path("client.crt"),
                                 "--key", pki.path("client.key"))
        expect(code == 0 and status == "200", f"client cert from the CA: 200 ({code} {err})")
        code, status, err = curl(v.port, "/metrics", "--cacert", ca)
        expect(code != 0 and status in ("", "000"), f"no client cert: refused (curl {code}: {err})")
        code, status, err = curl(v.port, "/metrics", "--cacert", ca, "--cert", pki.path("rogue.crt"),
                                 "--key", pki.path("rogue.key"))
        expect(code != 0 and status in ("", "000"), f"client cert from another CA: refused ({err})")
        try:
            v.get_https("/metrics", ca)
            fail("no client cert: Python's ssl got an answer")
        except (ssl.SSLError, ConnectionError) as e:
            # TLS 1.3: the client finishes its side first, then reads the
            # server's alert or the close that follows it.
            expect(True, f"no client cert: Python's ssl gets no answer ({e})")
        out = s_client(v.port, "-CAfile", ca, "-cert", pki.path("client.crt"),
                       "-key", pki.path("client.key"), "-tls1_2")
        expect(out.returncode != 0, "TLS 1.2 refused with min_version TLS13")
        if v.proc.poll() is not None:
            fail("vitals died:\n" + v.log_text())


def main():
    if not CURL or not OPENSSL:
        skip("needs curl and openssl (Debian packages curl, openssl)")
    with tempfile.TemporaryDirectory(prefix="vitals-tls-") as tmp:
        pki = Pki(tmp)
        pki.ca("ca")
        pki.ca("rogue-ca")
        san = "DNS:localhost,IP:127.0.0.1"
        pki.leaf("server", "ca", "localhost", san)
        pki.leaf("server2", "ca", "localhost", san)
        pki.leaf("expired", "ca", "localhost", san, days="-1")
        pki.leaf("wrongname", "ca", "wrong.example", "DNS:wrong.example")
        pki.leaf("client", "ca", "prometheus", client=True)
        pki.leaf("rogue", "rogue-ca", "prometheus", client=True)
        work = os.path.join(tmp, "etc")
        os.mkdir(work)
        server_only(pki, work)
        mutual(pki, work)
    print("PASS")


if __name__ == "__main__":
    main()
