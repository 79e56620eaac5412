"""PostgreSQL probe against a real cluster (initdb into a temp dir, run as
`postgres` when the tests run as root): healthy with the password from
${ENV}, refused with a wrong one from a password_file (and one inside a DSN
URI), then the server stopped mid-run and started again (Unhealthy, then
Healthy after the hysteresis). No password appears in any output."""

import json
import os
import tempfile
import time

import probe_peers as pp
import vitals_harness as vh

GOOD = "pg-Secret-4711"
BAD = "pg-Wrong-0815"
IN_DSN = "dsn-Secret-2024"


def main():
    with pp.Postgres(GOOD) as pg, tempfile.TemporaryDirectory() as tmp:
        bad_file = pp.write_secret(tmp, "bad-password", BAD)
        dsn = f"host=127.0.0.1 port={pg.port} user=vitals dbname=postgres"
        config = pp.write_config(tmp, [
            pp.probe("db", "postgres", dsn=dsn, password="${PG_PASSWORD}"),
            pp.probe("db-badpw", "postgres", dsn=dsn, password_file=bad_file),
            pp.probe("db-uri", "postgres",
                     dsn=f"postgresql://vitals:{IN_DSN}@localhost:{pg.port}/postgres"),
            pp.probe("db-query", "postgres", dsn=dsn, password="${PG_PASSWORD}",
                     query="SELECT * FROM no_such_table"),
        ])
        env = dict(os.environ, PG_PASSWORD=GOOD)
        with vh.Vitals(f"--config.file={config}", env=env) as v:
            e = pp.wait_for(v, lambda e: e["db"]["status"] == "Healthy" and all(
                e[n]["description"] != "pending: no result yet" for n in e), 15,
                "postgres checks first results")
            for name in ("db", "db-badpw", "db-uri", "db-query"):
                print(f"{name}:", json.dumps(e[name]))
            if not e["db"]["description"].startswith(
                    f"postgres vitals@127.0.0.1:{pg.port}/postgres: query ok in "):
                vh.fail(f"description: {e['db']['description']}")
            if not e["db"]["data"].get("server_version", "").startswith("15."):
                vh.fail(f"server_version: {e['db']['data']}")
            for name in ("db-badpw", "db-uri"):
                if e[name]["status"] != "Unhealthy" or \
                        'password authentication failed for user "vitals"' not in e[name]["description"]:
                    vh.fail(f"{name}: {e[name]}")
            if 'relation "no_such_table" does not exist' not in e["db-query"]["description"]:
                vh.fail(f"db-query: {e['db-query']}")
            series = pp.probe_series(v)
            print("series:", json.dumps(series))
            if series["vitals_probe_success"] != {"db": 1.0, "db-badpw": 0.0, "db-uri": 0.0,
                                                  "db-query": 0.0}:
                vh.fail(f"vitals_probe_success: {series['vitals_probe_success']}")

            pg.stop()
            t0 = time.monotonic()
            e = pp.wait_for(v, lambda e: e["db"]["status"] == "Unhealthy", 10,
                            "db Unhealthy after the server stopped")
            print(f"stopped: Unhealthy after {time.monotonic() - t0:.1f}s:", e["db"]["description"])
            if "Connection refused" not in e["db"]["description"]:
                vh.fail(f"after stop: {e['db']}")
            pg.start()
            t0 = time.monotonic()
            pp.wait_for(v, lambda e: e["db"]["status"] == "Healthy", 15,
                        "db Healthy after the server came back")
            print(f"started again: Healthy after {time.monotonic() - t0:.1f}s")
            for where in pp.places_showing(v, (GOOD, BAD, IN_DSN)):
                vh.fail(f"a password appears in {where}")
    print("ok")


if __name__ == "__main__":
    main()
