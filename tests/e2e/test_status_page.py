"""The status page at / in a real headless browser (chromium through
chromium-driver and python3-selenium) against the real binary.

Checks in each status: a redis probe against a real redis-server (Healthy),
a threshold that is always Degraded, a process check on a declared group with
no process (Unhealthy). The test asserts the DOM shows each check's status and
description, the group that stands out and the host rows; stops Redis and
asserts the row turns Unhealthy within a few seconds without a reload; loads
the page with scripts off and finds the same table; looks at it on a phone in
dark mode; and with basic auth on finds every path of the page 401 without
credentials, and the recent actions with them. The browser console shows no
Content-Security-Policy violation, and the Redis password is nowhere on the
page. A screenshot of each state is kept under <build>/test-artifacts/status_page/
(their paths are printed)."""
# ctest-labels: sanitize

import json
import os
import tempfile
import time
import urllib.parse

import browser as br
import probe_peers as pp
import vitals_harness as vh

PASSWORD = "r3dis-Page-Secret-7"
# admin / admin-secret, bcrypt cost 10 (as in test_web_auth.py).
ADMIN_HASH = "$2b$10$VFPsSHSP2Oud9vZl7tmCYejIZDqhzvcIRFD1zkXJYzJetDhdHr7z6"
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(vh.VITALS_BIN))),
                         "test-artifacts", "status_page")


def expect(cond, what):
    if not cond:
        vh.fail(what)
    print("ok:", what)


def config(tmp, redis_port):
    path = os.path.join(tmp, "agent.json")
    with open(path, "w") as f:
        json.dump({
            "process_groups": [{"name": "ghost", "comm": "^vitals-no-such-process$", "min": 1}],
            "health": {"debug_state": True},
            "checks": [
                pp.probe("cache", "redis", interval="500ms", timeout="400ms",
                         address=f"127.0.0.1:{redis_port}", password="${REDIS_PW}",
                         failures_before_unhealthy=1, successes_before_healthy=1,
                         tags=["ready"]),
                {"name": "memory-low", "kind": "threshold", "value": "host.memory_available_ratio",
                 "direction": "below", "degraded": 2, "interval": "1s", "timeout": "1s", "jitter": "0s",
                 "tags": ["live"]},
                {"name": "ghost-procs", "kind": "process", "group": "ghost", "interval": "1s", "timeout": "1s",
                 "jitter": "0s", "failures_before_unhealthy": 1,
                 "actions": [{"type": "exec", "command": ["/bin/true", PASSWORD]}]},
            ]}, f)
    return path


def row_cells(driver, row_id):
    """The texts of a row's cells: its header, then each <td>."""
    from selenium.webdriver.common.by import By
    row = driver.find_element(By.ID, row_id)
    return [c.text for c in row.find_elements(By.CSS_SELECTOR, "th, td")]


def screenshot(browser, name, what):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    browser.screenshot(path)
    print(f"screenshot: {path} ({what})")


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    vh.fail(f"{what}: not within {timeout}s")


def check_table(driver, label):
    """The three checks, the empty group and the host rows, as the first paint
    and the script both must show them."""
    from selenium.webdriver.common.by import By
    overall = driver.find_element(By.ID, "overall")
    expect(overall.text == "✖ Unhealthy" and "st-unhealthy" in overall.get_attribute("class"),
           f"{label}: the overall status is ✖ Unhealthy (got {overall.text!r})")
    cache = row_cells(driver, "check:cache")
    expect(cache[0] == "cache" and cache[1] == "✔ Healthy" and "PONG" in cache[2],
           f"{label}: cache is ✔ Healthy, PONG (got {cache[:3]})")
    memory = row_cells(driver, "check:memory-low")
    expect(memory[1] == "▲ Degraded" and "host.memory_available_ratio" in memory[2],
           f"{label}: memory-low is ▲ Degraded with its rule (got {memory[:3]})")
    ghost = row_cells(driver, "check:ghost-procs")
    expect(ghost[1] == "✖ Unhealthy" and "fewer than the minimum 1" in ghost[2],
           f"{label}: ghost-procs is ✖ Unhealthy, fewer than the minimum (got {ghost[:3]})")
    headings = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "#checks tr.heading th")]
    expect(headings == ["tags: live", "tags: ready", "no tags"],
           f"{label}: checks grouped by tags (got {headings})")
    group = driver.find_element(By.ID, "group:ghost/0")
    expect(group.text == "⚠ none running (1–∞)" and "alert" in group.get_attribute("class"),
           f"{label}: the declared empty group stands out (got {group.text!r})")
    host = [r.get_attribute("id") for r in driver.find_elements(By.CSS_SELECTOR, "#host-now tbody tr")]
    expect(host == ["host:cpu", "host:memory", "host:load", "host:swap", "host:filefd"],
           f"{label}: host rows (got {host})")


def open_page(v, tmp, redis):
    from selenium.webdriver.common.by import By
    with br.Browser() as b:
        d = b.driver
        d.get(v.url + "/")
        check_table(d, "scripts on")
        expect("live" in d.find_element(By.TAG_NAME, "body").get_attribute("class"),
               "scripts on: the page's script runs (body.live)")
        strip = d.find_elements(By.CSS_SELECTOR, "#check\\:cache\\/7 span.mk")
        expect(len(strip) >= 1 and all(s.text == "✔" for s in strip),
               f"the strip of cache's recent results: {len(strip)} ✔ marks")
        note = d.find_element(By.CSS_SELECTOR, "#actions p.note").text
        expect("basic_auth_users" in note, f"no users: the actions section says how ({note!r})")
        screenshot(b, "1-each-status.png", "Healthy, Degraded and Unhealthy checks, the empty "
                   "group ghost standing out, host rows")

        d.execute_script("window.vitalsMarker = 42;")  # gone if the page reloads
        redis.stop()
        stopped = time.monotonic()
        wait_until(lambda: row_cells(d, "check:cache")[1] == "✖ Unhealthy", 8,
                   "cache row turns ✖ Unhealthy after Redis stopped")
        took = time.monotonic() - stopped
        cache = row_cells(d, "check:cache")
        expect(took < 6, f"the cache row turned ✖ Unhealthy {took:.1f} s after Redis stopped, "
               f"without a reload: {cache[2]!r}")
        expect(d.execute_script("return window.vitalsMarker;") == 42,
               "the page was not reloaded (its script updated the cells)")
        expect("Connection refused" in cache[2], "the row says why: Connection refused")
        expect(row_cells(d, "check:cache")[5] != "0", "consecutive failures counted")
        marks = [s.text for s in d.find_elements(By.CSS_SELECTOR, "#check\\:cache\\/7 span.mk")]
        expect(marks[-1] == "✖", f"the strip ends in ✖ (got {marks})")
        screenshot(b, "2-redis-stopped.png", "cache ✖ Unhealthy, updated in place")
        html = d.page_source
        expect(PASSWORD not in html and "/bin/true" not in html,
               "neither the Redis password nor the action's command is on the page")
        errors = b.console_errors()
        expect(not errors, f"browser console: no CSP violation or error ({errors})")

    with br.Browser(scripts=False) as b:
        d = b.driver
        d.get(v.url + "/")
        expect("live" not in (d.find_element(By.TAG_NAME, "body").get_attribute("class") or ""),
               "scripts off: the page's script did not run")
        # Redis is down now: the same table with cache Unhealthy.
        cache = row_cells(d, "check:cache")
        expect(cache[1] == "✖ Unhealthy", f"scripts off: cache ✖ Unhealthy (got {cache[:3]})")
        for name, status in (("memory-low", "▲ Degraded"), ("ghost-procs", "✖ Unhealthy")):
            expect(row_cells(d, "check:" + name)[1] == status, f"scripts off: {name} {status}")
        expect(d.find_element(By.ID, "group:ghost/0").text == "⚠ none running (1–∞)",
               "scripts off: the empty group stands out")
        screenshot(b, "3-scripts-off.png", "the first paint without scripts: the same table")

    with br.Browser(phone=(390, 844), dark=True) as b:
        d = b.driver
        d.get(v.url + "/")
        width = d.execute_script("return document.documentElement.scrollWidth;")
        hidden = d.execute_script(
            "return [...document.querySelectorAll('th.wide')].every("
            "e => getComputedStyle(e).display === 'none');")
        background = d.execute_script("return getComputedStyle(document.body).backgroundColor;")
        expect(hidden, "phone: the wide columns are left out")
        expect(width <= 390, f"phone: the page fits 390 px (scrollWidth {width})")
        expect(background == "rgb(21, 21, 21)", f"dark: dark background ({background})")
        screenshot(b, "4-phone-dark.png", "a 390 px phone in dark mode")
    redis.start()


def with_auth(tmp, cfg, env):
    from selenium.webdriver.common.by import By
    web = os.path.join(tmp, "web.json")
    with open(web, "w") as f:
        json.dump({"basic_auth_users": {"admin": ADMIN_HASH}}, f)  # protects "/" and all below
    with vh.Vitals(f"--config.file={cfg}", f"--web.config.file={web}", env=env) as v:
        for path in ("/", "/status.json", "/static/status.js", "/static/status.css", "/?signin"):
            status, headers, _ = v.get(path)
            expect(status == 401 and headers.get("www-authenticate", "").startswith("Basic"),
                   f"basic auth on: {path} is 401 without credentials")
        with br.Browser() as b:
            d = b.driver
            host = urllib.parse.urlsplit(v.url).netloc
            d.get(f"http://admin:admin-secret@{host}/")
            wait_until(lambda: row_cells(d, "action:ghost-procs/exec")[4] == "success", 8,
                       "signed in: the exec action ran and the page shows it")
            action = row_cells(d, "action:ghost-procs/exec")
            expect(action[1] == "run a command" and action[2] in ("ready", "backoff"),
                   f"signed in: recent actions shown, the command not (got {action})")
            first = d.find_element(By.ID, "updated").text
            wait_until(lambda: d.find_element(By.ID, "updated").text != first, 6,
                       "signed in: the script updates the page")
            expect(d.find_element(By.ID, "conn").text == "",
                   "signed in: the script's polls pass basic auth")
            expect(PASSWORD not in d.page_source, "signed in: no password on the page")
            screenshot(b, "5-signed-in-actions.png", "signed in: recent actions")


def main():
    br.require_selenium()
    with pp.Redis(PASSWORD) as redis, tempfile.TemporaryDirectory(prefix="vitals-page-") as tmp:
        cfg = config(tmp, redis.port)
        env = dict(os.environ, REDIS_PW=PASSWORD)
        with vh.Vitals(f"--config.file={cfg}", env=env) as v:
            pp.wait_for(v, lambda e: e["cache"]["status"] == "Healthy"
                        and e["memory-low"]["status"] == "Degraded"
                        and e["ghost-procs"]["status"] == "Unhealthy", 10, "checks in each status")
            open_page(v, tmp, redis)
            status, _, body = v.get("/status.json")
            expect(status == 200 and PASSWORD.encode() not in body, "/status.json has no password")
        with_auth(tmp, cfg, env)
    print("PASS")


if __name__ == "__main__":
    main()
