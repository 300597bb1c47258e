"""Helpers several test modules share: signing in, and a headless Chromium.

Chromium and its driver are Debian's (``.ci/run`` installs them); the
browser tests are skipped without them (:data:`needs_chromium`).
"""

import re
import shutil

import pytest

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
needs_chromium = pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver"
)


def token(client, path: str = "/admin/login") -> str:
    """The CSRF token of the first form on a page."""
    found = TOKEN.search(client.get(path).get_data(as_text=True))
    assert found, f"no csrf_token on {path}"
    return found.group(1)


def sign_in(client, name: str, password: str = PASSWORD):
    """Post the login form the way a browser does."""
    data = {"csrf_token": token(client), "name": name, "password": password}
    return client.post("/admin/login", data=data)


def chromium(profile, width: int = 360, height: int = 740, console: bool = False):
    """Headless Chromium at the given window size, its profile in ``profile``.

    With ``console``, the page's console messages are kept (``get_log``).
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", f"--window-size={width},{height}",
                 f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(flag)
    if console:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=options)
