"""Redis probe against a real redis-server with requirepass, on 127.0.0.1:
healthy with the password from ${ENV}, refused with a wrong one from a
password_file, then the server stopped mid-run (the check goes Unhealthy after
its hysteresis) and started again (Healthy after its hysteresis). The
passwords appear nowhere in /health, /metrics or the log."""

import json
import os
import tempfile
import time

import probe_peers as pp
import vitals_harness as vh

GOOD = "r3dis-Secret-42"
BAD = "wr0ng-Secret-99"


def main():
    with pp.Redis(GOOD) as redis, tempfile.TemporaryDirectory() as tmp:
        bad_file = pp.write_secret(tmp, "bad-password", BAD)
        config = pp.write_config(tmp, [
            pp.probe("cache", "redis", address=f"127.0.0.1:{redis.port}", password="${REDIS_PW}"),
            pp.probe("cache-badpw", "redis", address=f"127.0.0.1:{redis.port}",
                     password_file=bad_file),
        ])
        env = dict(os.environ, REDIS_PW=GOOD)
        with vh.Vitals(f"--config.file={config}", env=env) as v:
            e = pp.wait_for(v, lambda e: e["cache"]["status"] == "Healthy"
                            and e["cache-badpw"]["description"] != "pending: no result yet",
                            10, "redis checks first results")
            print("healthy:", json.dumps(e["cache"]))
            print("wrong password:", json.dumps(e["cache-badpw"]))
            if not e["cache"]["description"].startswith(f"redis 127.0.0.1:{redis.port}: PONG in "):
                vh.fail(f"description: {e['cache']['description']}")
            if e["cache"]["data"].get("server_version", "").split(".")[0] not in ("6", "7", "8"):
                vh.fail(f"server_version in data: {e['cache']['data']}")
            bad = e["cache-badpw"]
            if bad["status"] != "Unhealthy" or "AUTH refused: WRONGPASS" not in bad["description"]:
                vh.fail(f"wrong password: {bad}")
            series = pp.probe_series(v)
            print("series:", json.dumps(series))
            if series["vitals_probe_success"] != {"cache": 1.0, "cache-badpw": 0.0}:
                vh.fail(f"vitals_probe_success: {series['vitals_probe_success']}")

            # Stopped mid-run: failures_before_unhealthy=2 at a 1s interval.
            redis.stop()
            t0 = time.monotonic()
            e = pp.wait_for(v, lambda e: e["cache"]["status"] == "Unhealthy", 10,
                            "cache Unhealthy after the server stopped")
            print(f"stopped: Unhealthy after {time.monotonic() - t0:.1f}s:", e["cache"]["description"])
            if e["cache"]["description"] != f"redis: connect to 127.0.0.1:{redis.port}: Connection refused":
                vh.fail(f"description after stop: {e['cache']}")
            redis.start()
            t0 = time.monotonic()
            e = pp.wait_for(v, lambda e: e["cache"]["status"] == "Healthy", 10,
                            "cache Healthy after the server came back")
            print(f"started again: Healthy after {time.monotonic() - t0:.1f}s")
            metrics = v.metrics()
            if pp.probe_series(v)["vitals_probe_success"]["cache"] != 1.0:
                vh.fail("vitals_probe_success{check=cache} is not 1 after recovery")
            transitions = [s for s in vh.parse_exposition(metrics)["vitals_check_transitions_total"]
                           ["samples"] if s[1]["check"] == "cache"]
            if transitions[0][2] != 2:
                vh.fail(f"transitions of cache: {transitions} (want Healthy->Unhealthy->Healthy)")
            for where in pp.places_showing(v, (GOOD, BAD)):
                vh.fail(f"a password appears in {where}")
    print("ok")


if __name__ == "__main__":
    main()
