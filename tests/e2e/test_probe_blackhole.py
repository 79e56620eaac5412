"""Black holes: servers that accept (or, for DNS, receive) and never answer.
Every probe kind that talks to a server fails AT its timeout (within 10 %),
while /metrics and /health answer as fast as with no probes at all; then 100
probes against a black hole at once do not exhaust the agent's threads, fds
or memory (measured from /proc/<pid>)."""

import json
import os
import statistics
import tempfile
import time

import probe_peers as pp
import vitals_harness as vh

TIMEOUT = 1.0


def latencies(v, path, n=15):
    out = []
    for _ in range(n):
        t0 = time.monotonic()
        status, _, _ = v.get(path)
        out.append(time.monotonic() - t0)
        if status not in (200, 503):
            vh.fail(f"{path}: HTTP {status}")
        time.sleep(0.05)
    return out


def proc_stats(pid):
    with open(f"/proc/{pid}/status") as f:
        status = dict(line.split(":", 1) for line in f if ":" in line)
    return {"threads": int(status["Threads"]), "fds": len(os.listdir(f"/proc/{pid}/fd")),
            "rss_kb": int(status["VmRSS"].split()[0])}


def seconds(text):
    return float(text.rstrip("s"))


def main():
    with pp.BlackHole() as hole, tempfile.TemporaryDirectory() as tmp:
        addr = f"127.0.0.1:{hole.port}"
        # Baseline: the agent with no probes.
        with vh.Vitals() as v:
            base = {p: statistics.median(latencies(v, p)) for p in ("/metrics", "/health")}
            idle = proc_stats(v.proc.pid)
        print("baseline median latency:", json.dumps(base), "idle agent:", idle)

        P = pp.probe
        kinds = [
            P("tcp-hole", "tcp", interval="2s", address=addr, send="PING\r\n", expect="PONG"),
            P("http-hole", "http", interval="2s", url=f"http://{addr}/"),
            P("https-hole", "http", interval="2s", url=f"https://{addr}/"),
            P("redis-hole", "redis", interval="2s", address=addr, password="x-y-z"),
            P("postgres-hole", "postgres", interval="2s",
              dsn=f"host=127.0.0.1 port={hole.port} user=u dbname=d"),
            P("tls-hole", "tls_expiry", interval="2s", address=addr),
            P("dns-hole", "dns", interval="2s", query_name="db.test",
              server=f"127.0.0.1:{hole.udp_port}"),
        ]
        config = pp.write_config(tmp, kinds, {"max_concurrency": 16})
        with vh.Vitals(f"--config.file={config}") as v:
            pp.wait_for(v, lambda e: all(x["description"] != "pending: no result yet"
                                         for x in e.values()), 10, "black-hole results")
            time.sleep(0.5)
            during = {p: latencies(v, p) for p in ("/metrics", "/health")}
            _, report = pp.health(v)
            problems = []
            for name, e in report["entries"].items():
                took = seconds(e["duration"])
                print(f"{name}: {e['status']} after {e['duration']}: {e['description']}")
                if not TIMEOUT * 0.95 <= took <= TIMEOUT * 1.1:
                    problems.append(f"{name} took {took}s, want {TIMEOUT}s within 10 %")
                # The probe's own account (it gives up 2 % early to be the one recorded).
                if e["status"] != "Unhealthy" or "within the 1s timeout" not in e["description"]:
                    problems.append(f"{name}: {e['status']} {e['description']}")
            series = pp.probe_series(v)
            print("vitals_probe_duration_seconds:", json.dumps(series["vitals_probe_duration_seconds"]))
            for name, value in series["vitals_probe_success"].items():
                if value != 0:
                    problems.append(f"vitals_probe_success{{check={name}}} = {value}")
            for path, values in during.items():
                med, worst = statistics.median(values), max(values)
                print(f"{path} with black holes: median {med * 1000:.1f}ms, max {worst * 1000:.1f}ms "
                      f"(baseline median {base[path] * 1000:.1f}ms)")
                if med > base[path] * 3 + 0.02 or worst > 0.5:
                    problems.append(f"{path} slowed down: median {med:.3f}s, max {worst:.3f}s")
            pp.fail_on("black holes:", problems)

        # 100 probes against the black hole at once.
        many = [P(f"hole-{i:03d}", "tcp", interval="2s", address=addr, expect="x")
                for i in range(100)]
        config = pp.write_config(tmp, many, {"max_concurrency": 64})
        with vh.Vitals(f"--config.file={config}") as v:
            before = proc_stats(v.proc.pid)
            peak = dict(before)
            deadline = time.monotonic() + 8
            while time.monotonic() < deadline:
                s = proc_stats(v.proc.pid)
                peak = {k: max(peak[k], s[k]) for k in peak}
                time.sleep(0.1)
            _, report = pp.health(v)
            results = [e for e in report["entries"].values()
                       if e["description"] != "pending: no result yet"]
            after = proc_stats(v.proc.pid)
            print(f"100 probes: idle agent {idle}, first look {before}, peak {peak}, after {after}; "
                  f"{len(results)} of 100 have results; black hole accepted {hole.accepted}")
            t0 = time.monotonic()
            v.get("/metrics")
            scrape = time.monotonic() - t0
            problems = []
            if len(results) != 100:
                problems.append(f"only {len(results)} of 100 probes have a result after 8s")
            bad = [e for e in results
                   if not TIMEOUT * 0.95 <= seconds(e["duration"]) <= TIMEOUT * 1.1]
            if bad:
                problems.append(f"{len(bad)} probes not at {TIMEOUT}s within 10 %, e.g. {bad[0]}")
            # At most 64 runs at a time (max_concurrency): a thread and a socket
            # each, on top of the idle agent; nothing grows with time.
            if peak["threads"] > idle["threads"] + 64 + 2:
                problems.append(f"threads peaked at {peak['threads']} (idle {idle['threads']})")
            if peak["fds"] > idle["fds"] + 64 + 8:
                problems.append(f"fds peaked at {peak['fds']} (idle {idle['fds']})")
            if peak["rss_kb"] > idle["rss_kb"] + 32 * 1024:
                problems.append(f"RSS grew to {peak['rss_kb']} kB (idle {idle['rss_kb']} kB)")
            if after["rss_kb"] > before["rss_kb"] + 4 * 1024:
                problems.append(f"RSS kept growing: {before['rss_kb']} -> {after['rss_kb']} kB")
            if scrape > 0.5:
                problems.append(f"/metrics took {scrape:.3f}s during the flood")
            pp.fail_on("100 probes:", problems)
    print("ok")


if __name__ == "__main__":
    main()
