"""Headless Chromium over the rendered site: the browser tests and the README screenshot.

Uses the system's Chromium and chromedriver (Debian's `chromium` and `chromium-driver`),
never a downloaded browser or driver, and serves the pages from a loopback-only HTTP
server. selenium is a test dependency, imported only when a browser is started.
"""

import contextlib
import functools
import http.server
import os
import shutil
import tempfile
import threading
from pathlib import Path

from newsspans.errors import BrowserUnavailable, RenderError
from newsspans.store.writing import atomic_write

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-extensions", "--disable-default-apps", "--hide-scrollbars",
                  "--force-device-scale-factor=1", "--lang=en-US")


def missing_browser() -> str:
    """Why no browser can be started here, or '' when one can."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is missing (install Debian's chromium and chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the Python package selenium is missing (pip install 'newsspans[browser]')"
    return ""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(folder):
    """An HTTP server for `folder` on 127.0.0.1 and a free port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.contextmanager
def chromium(width=1400, height=1000):
    """A headless Chromium WebDriver with a fresh profile, its console log readable."""
    why = missing_browser()
    if why:
        raise BrowserUnavailable(why)
    # Selenium Manager must never fetch a driver or a browser: both are given explicitly.
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="newsspans-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = None
    try:
        driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
        # The window size includes the browser's own frame; the page should get exactly
        # width x height, so that screenshots and scroll checks do not depend on it.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        yield driver
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(site, page, png, width=1400, height=1000):
    """Load `page` (a path inside the rendered `site` folder) and save a PNG of it to `png`."""
    if not (Path(site) / page).is_file():
        raise RenderError(f"{Path(site) / page}: no such page (run `newsspans render` first)")
    with serve(site) as base, chromium(width, height) as driver:
        driver.get(base + page)
        data = driver.get_screenshot_as_png()
    atomic_write(Path(png), data)
    return Path(png)
