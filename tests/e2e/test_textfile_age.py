"""A textfile that stopped being written turns the health Degraded, then
Unhealthy: the README's recipe, a `file_age` check on the .prom file the
textfile collector serves (`degraded_age`, `max_age`), run against the real
binary. The file's age is set with utime(2), so no test waits for it.

Also shows what the metrics alone say in each case: node_textfile_mtime_seconds
follows the file, and a deleted file is simply no longer exported (no
scrape error), which the health check reports as Unhealthy.
"""

import json
import os
import sys
import tempfile
import time

from vitals_harness import Vitals, fail, parse_exposition

CHECK = "nightly-backup"


def status(vitals):
    doc = json.loads(vitals.get(f"/health/{CHECK}")[2])
    entry = doc["entries"][CHECK]
    return entry["status"], entry.get("description", "")


def wait_status(vitals, want, what):
    deadline = time.monotonic() + 10
    while True:
        got, description = status(vitals)
        if got == want:
            print(f"ok: {what}: {got} ({description})")
            return description
        if time.monotonic() > deadline:
            fail(f"{what}: expected {want}, got {got} ({description})")
        time.sleep(0.1)


def mtime_series(vitals, path):
    fam = parse_exposition(vitals.metrics()).get("node_textfile_mtime_seconds", {"samples": []})
    return [v for _, labels, v in fam["samples"] if labels.get("file") == path]


def main():
    with tempfile.TemporaryDirectory(prefix="vitals-textfile-age-") as tmp:
        path = os.path.join(tmp, "backup.prom")
        with open(path, "w") as f:
            f.write("# HELP backup_last_success_timestamp_seconds Last good backup.\n"
                    "# TYPE backup_last_success_timestamp_seconds gauge\n"
                    f"backup_last_success_timestamp_seconds {int(time.time())}\n")
        config = os.path.join(tmp, "agent.json")
        with open(config, "w") as f:
            json.dump({"checks": [{"name": CHECK, "kind": "file_age", "path": path,
                                   "degraded_age": "26h", "max_age": "50h",
                                   "interval": "200ms", "timeout": "100ms", "jitter": "0s",
                                   "failures_before_unhealthy": 1,
                                   "successes_before_healthy": 1}]}, f)
        with Vitals(f"--config.file={config}", f"--collector.textfile.directory={tmp}") as vitals:
            wait_status(vitals, "Healthy", "written just now")
            if mtime_series(vitals, path) != [float(int(os.stat(path).st_mtime))]:
                fail(f"node_textfile_mtime_seconds for {path}: {mtime_series(vitals, path)}")
            now = time.time()
            os.utime(path, (now - 27 * 3600, now - 27 * 3600))
            wait_status(vitals, "Degraded", "last written 27 h ago")
            os.utime(path, (now - 51 * 3600, now - 51 * 3600))
            wait_status(vitals, "Unhealthy", "last written 51 h ago")
            os.utime(path, None)
            wait_status(vitals, "Healthy", "written again")
            os.remove(path)
            description = wait_status(vitals, "Unhealthy", "deleted")
            if "does not exist" not in description:
                fail(f"a deleted file should say so: {description}")
            text = vitals.metrics()
            if mtime_series(vitals, path) or "\nnode_textfile_scrape_error 0\n" not in text:
                fail("a deleted textfile: expected no mtime series and node_textfile_scrape_error 0")
            print("ok: deleted: no node_textfile_mtime_seconds series, node_textfile_scrape_error 0")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
