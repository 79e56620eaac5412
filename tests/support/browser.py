"""A real headless browser for the e2e tests: Debian's chromium driven by
chromium-driver through python3-selenium, in a fresh profile in a temporary
folder, with the flags that work in containers (no sandbox, no GPU, no
background networking).

A test skips (exit 77, with the reason) only where the browser truly cannot
run: the packages are missing, or chromium cannot start a session here."""

import os
import shutil
import sys
import tempfile

import vitals_harness as vh

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SYSTEM_PYTHON = "/usr/bin/python3"


def require_selenium():
    """Imports selenium, from Debian's python3-selenium. When this interpreter
    is not the system's (a pyenv python on a developer machine cannot see
    /usr/lib/python3/dist-packages), the test runs again under the system's
    python3; without the package it skips."""
    try:
        import selenium  # noqa: F401
        return
    except ImportError:
        pass
    if (os.path.exists(SYSTEM_PYTHON) and os.path.realpath(sys.executable) !=
            os.path.realpath(SYSTEM_PYTHON) and not os.environ.get("VITALS_BROWSER_REEXEC")):
        os.environ["VITALS_BROWSER_REEXEC"] = "1"
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON] + sys.argv)
    vh.skip("python3-selenium is not installed (Debian packages chromium, chromium-driver, "
            "python3-selenium)")


class Browser:
    """A chromium session. scripts=False turns JavaScript off for every page;
    dark=True asks pages for their dark colour scheme; phone=(width, height)
    emulates a phone's screen in CSS pixels (a headless window is at least
    500 px wide)."""

    def __init__(self, scripts=True, dark=False, phone=None):
        self.scripts = scripts
        self.size = (1280, 1000)
        self.dark = dark
        self.phone = phone
        self.driver = None
        self.profile = None

    def __enter__(self):
        require_selenium()
        for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
            if not os.access(path, os.X_OK):
                vh.skip(f"{path} is missing (Debian package {package})")
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
        self.profile = tempfile.mkdtemp(prefix="vitals-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--user-data-dir={self.profile}",
                     f"--window-size={self.size[0]},{self.size[1]}"):
            options.add_argument(flag)
        if not self.scripts:
            options.add_experimental_option(
                "prefs", {"profile.managed_default_content_settings.javascript": 2})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        try:
            self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        except WebDriverException as e:
            shutil.rmtree(self.profile, ignore_errors=True)
            vh.skip(f"chromium cannot start a session here: {str(e).strip()[:500]}")
        if self.phone:
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": self.phone[0], "height": self.phone[1], "deviceScaleFactor": 2,
                "mobile": True})
        if self.dark:
            self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
                "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        return self

    def __exit__(self, *exc):
        if self.driver is not None:
            self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    def screenshot(self, path):
        """Saves the whole page, not only the window, as a PNG."""
        import base64
        width, height = self.driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];")
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def console_errors(self):
        """The browser console's SEVERE entries since the last call (CSP
        violations, failed loads, script errors)."""
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]
