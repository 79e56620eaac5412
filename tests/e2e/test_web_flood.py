"""Connection flood and slowloris on 127.0.0.1: 1,000 idle connections plus
slowloris clients that trickle a request head one byte at a time. While they
hold, a real client must get /metrics within REAL_CLIENT_BOUND_S every time,
and the agent's open descriptors and resident memory must stay bounded
(read from /proc/<pid>). Bounded: IDLE connections, HOLD_S seconds."""

import json
import os
import resource
import socket
import tempfile
import threading
import time
import urllib.request

from vitals_harness import Vitals, fail, parse_exposition, rss_kib

IDLE = 1000
SLOWLORIS = 8              # as many as the agent has handler threads
HOLD_S = 6.0               # how long the flood holds while we measure
HEADER_TIMEOUT_S = 2.0     # limits.header_timeout given to vitals
MAX_CONNECTIONS = 256      # limits.max_connections given to vitals
REAL_CLIENT_BOUND_S = 3.0  # every /metrics under the flood must answer within this
FD_BOUND = MAX_CONNECTIONS + 64   # held connections + workers, listeners, files
RSS_BOUND_KB = 40 * 1024


def proc_figures(pid):
    return len(os.listdir(f"/proc/{pid}/fd")), rss_kib(pid)


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < IDLE + 200:
        fail(f"RLIMIT_NOFILE hard limit {hard} is below the {IDLE + 200} this test needs")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, IDLE + 200), hard))

    with tempfile.TemporaryDirectory(prefix="vitals-flood-") as tmp:
        web = os.path.join(tmp, "web.json")
        with open(web, "w") as f:
            json.dump({"limits": {"max_connections": MAX_CONNECTIONS,
                                  "header_timeout": f"{int(HEADER_TIMEOUT_S * 1000)}ms"}}, f)
        with Vitals("--web.config.file=" + web) as v:
            pid = v.proc.pid
            base_fds, base_rss = proc_figures(pid)
            quiet = []
            for _ in range(5):  # the same scrape without the flood, for comparison
                t = time.monotonic()
                v.metrics()
                quiet.append(time.monotonic() - t)
            stop = threading.Event()
            slow_closed = []

            def slowloris(i):
                s = socket.create_connection(("127.0.0.1", v.port), timeout=HOLD_S + 5)
                s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
                started = time.monotonic()
                try:
                    while not stop.is_set():
                        s.sendall(b"X")  # never the blank line that ends the head
                        try:  # cut: the agent answers 408 and closes
                            if s.recv(64, socket.MSG_DONTWAIT).startswith(b"HTTP/1.1 408"):
                                slow_closed.append(time.monotonic() - started)
                                return
                        except BlockingIOError:
                            pass
                        time.sleep(0.25)
                except OSError:
                    slow_closed.append(time.monotonic() - started)
                finally:
                    s.close()

            idle = []
            t0 = time.monotonic()
            for _ in range(IDLE):
                idle.append(socket.create_connection(("127.0.0.1", v.port), timeout=5))
            connect_s = time.monotonic() - t0
            threads = [threading.Thread(target=slowloris, args=(i,)) for i in range(SLOWLORIS)]
            for t in threads:
                t.start()

            latencies, peak_fds, peak_rss = [], 0, 0
            deadline = time.monotonic() + HOLD_S
            while time.monotonic() < deadline:
                t = time.monotonic()
                try:
                    with urllib.request.urlopen(v.url + "/metrics", timeout=REAL_CLIENT_BOUND_S) as r:
                        body = r.read()
                        if r.status != 200 or b"node_load1" not in body:
                            fail(f"/metrics under the flood: {r.status}")
                except Exception as e:  # noqa: BLE001 - any failure is the finding
                    fail(f"/metrics under the flood did not answer within {REAL_CLIENT_BOUND_S}s: {e}")
                latencies.append(time.monotonic() - t)
                fds, rss = proc_figures(pid)
                peak_fds, peak_rss = max(peak_fds, fds), max(peak_rss, rss)
                time.sleep(0.25)
            stop.set()
            for t in threads:
                t.join(10)
            # Idle sockets that the agent closed read EOF (or a reset) at once.
            evicted = 0
            for s in idle:
                s.setblocking(False)
                try:
                    evicted += s.recv(1) == b""
                except BlockingIOError:
                    pass
                except OSError:
                    evicted += 1
                s.close()

            fams = parse_exposition(v.metrics())
            closed = {l["reason"]: val for n, l, val in
                      fams["vitals_http_connections_closed_total"]["samples"]}
            latencies.sort()
            print(f"flood: {IDLE} idle connections opened in {connect_s:.2f}s, {SLOWLORIS} slowloris, "
                  f"held {HOLD_S}s")
            print(f"real client: {len(latencies)} scrapes, max {latencies[-1]*1000:.1f} ms, "
                  f"median {latencies[len(latencies)//2]*1000:.1f} ms (bound {REAL_CLIENT_BOUND_S}s; "
                  f"without the flood: median {sorted(quiet)[2]*1000:.1f} ms)")
            print(f"agent: fds {base_fds} -> peak {peak_fds} (bound {FD_BOUND}), "
                  f"RSS {base_rss} kB -> peak {peak_rss} kB (bound {RSS_BOUND_KB} kB)")
            print(f"closed by the agent: {closed}; idle sockets found closed: {evicted}; "
                  f"slowloris cut after {sorted(round(x, 2) for x in slow_closed)} s")
            if peak_fds > FD_BOUND:
                fail(f"descriptor count {peak_fds} exceeds {FD_BOUND}")
            if peak_rss > RSS_BOUND_KB:
                fail(f"RSS {peak_rss} kB exceeds {RSS_BOUND_KB} kB")
            if len(slow_closed) != SLOWLORIS or max(slow_closed) > HEADER_TIMEOUT_S + 1.5:
                fail(f"slowloris connections not all cut near header_timeout: {slow_closed}")
            # Every idle and slowloris connection was closed by the agent, by
            # eviction (room for newer ones) or by header_timeout.
            if closed["evicted"] == 0 or closed["evicted"] + closed["header_timeout"] < IDLE + SLOWLORIS:
                fail(f"expected all {IDLE + SLOWLORIS} flood connections closed, got {closed}")
            if v.proc.poll() is not None:
                fail("vitals died:\n" + v.log_text())
    print("PASS")


if __name__ == "__main__":
    main()
