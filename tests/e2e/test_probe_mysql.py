"""mysql probe against a real MariaDB server (mariadb-server) the test starts
on 127.0.0.1 in a temporary datadir: healthy with the server version and the
password from ${ENV}, refused with a wrong one from a password_file, the
server stopped mid-run (Unhealthy after the hysteresis) and started again
(Healthy after it), and a black hole that accepts and never answers (given up
at the timeout, within 10 %). The passwords appear nowhere in /health,
/metrics or the log."""

import json
import os
import tempfile
import time

import probe_peers as pp
import vitals_harness as vh

GOOD = "Maria-Secret-42"
BAD = "wr0ng-Secret-99"


def main():
    with pp.MariaDB(GOOD) as db, pp.BlackHole() as hole, tempfile.TemporaryDirectory() as tmp:
        bad_file = pp.write_secret(tmp, "bad-password", BAD)
        config = pp.write_config(tmp, [
            pp.probe("db", "mysql", address=f"127.0.0.1:{db.port}", user="vitals",
                     password="${MYSQL_PW}", database="mysql", query="SELECT user FROM user"),
            pp.probe("db-badpw", "mysql", address=f"127.0.0.1:{db.port}", user="vitals",
                     password_file=bad_file),
            pp.probe("db-hole", "mysql", address=f"127.0.0.1:{hole.port}", user="vitals",
                     password="${MYSQL_PW}", interval="2s", timeout="1s"),
        ])
        env = dict(os.environ, MYSQL_PW=GOOD)
        with vh.Vitals(f"--config.file={config}", env=env) as v:
            e = pp.wait_for(v, lambda e: all(e[n]["description"] != "pending: no result yet"
                                             for n in ("db", "db-badpw", "db-hole")),
                            15, "mysql checks' first results")
            for name in ("db", "db-badpw", "db-hole"):
                print(f"{name}:", json.dumps(e[name]))
            db_entry = e["db"]
            if db_entry["status"] != "Healthy" or not db_entry["description"].startswith(
                    f"mysql vitals@127.0.0.1:{db.port}/mysql (server 10."):
                vh.fail(f"healthy: {db_entry}")
            if "MariaDB" not in db_entry["data"].get("server_version", "") or \
                    db_entry["data"].get("rows", 0) < 1:
                vh.fail(f"server_version and rows in data: {db_entry['data']}")
            bad = e["db-badpw"]
            if bad["status"] != "Unhealthy" or "Access denied for user 'vitals'" not in \
                    bad["description"]:
                vh.fail(f"wrong password: {bad}")
            hole_entry = e["db-hole"]
            took = float(hole_entry["duration"].rstrip("s"))
            want = f"mysql vitals@127.0.0.1:{hole.port}: connect: no answer within the 1s timeout"
            if hole_entry["status"] != "Unhealthy" or hole_entry["description"] != want or \
                    not 0.9 <= took <= 1.1:
                vh.fail(f"black hole: {hole_entry} (want {want!r} after 1s +- 10 %)")
            print(f"black hole: given up after {took:.3f}s")
            series = pp.probe_series(v)
            print("series:", json.dumps(series))
            if series["vitals_probe_success"] != {"db": 1.0, "db-badpw": 0.0, "db-hole": 0.0}:
                vh.fail(f"vitals_probe_success: {series['vitals_probe_success']}")

            # Stopped mid-run: failures_before_unhealthy=2 at a 1s interval.
            db.stop()
            t0 = time.monotonic()
            e = pp.wait_for(v, lambda e: e["db"]["status"] == "Unhealthy", 15,
                            "db Unhealthy after the server stopped")
            print(f"stopped: Unhealthy after {time.monotonic() - t0:.1f}s:", e["db"]["description"])
            if "Can't connect to server on '127.0.0.1'" not in e["db"]["description"]:
                vh.fail(f"description after stop: {e['db']}")
            db.start()
            t0 = time.monotonic()
            e = pp.wait_for(v, lambda e: e["db"]["status"] == "Healthy", 20,
                            "db Healthy after the server came back")
            print(f"started again: Healthy after {time.monotonic() - t0:.1f}s:",
                  e["db"]["description"])
            for where in pp.places_showing(v, (GOOD, BAD)):
                vh.fail(f"a password appears in {where}")
    print("ok")


if __name__ == "__main__":
    main()
