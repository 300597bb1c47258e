"""The dashboard in a real browser: headless Chromium draws every chart.

Skipped when Debian's chromium and chromium-driver are missing (.ci/run
installs them). The screenshot is kept under ``artifacts/`` (or
``$CIBERQ_ARTIFACTS``) for a person to look at.
"""

import os
from pathlib import Path

import pytest
from support import chromium, needs_chromium

from dashboard.words import SECTIONS
from service import accounts, demo

pytestmark = needs_chromium
ARTIFACTS = Path(os.environ.get("CIBERQ_ARTIFACTS", "artifacts"))
PASSWORD = "bukit-jati-2026"


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium at a laptop's width, keeping the console's messages."""
    driver = chromium(tmp_path / "chromium", 1280, 900, console=True)
    yield driver
    driver.quit()


def _all_drawn(driver) -> bool:
    return driver.execute_script(
        "const boxes = document.querySelectorAll('[data-figure]');"
        "return boxes.length > 0 && [...boxes].every("
        "  b => b.dataset.drawn === '1' && b.querySelector('svg.main-svg'));"
    )


def test_a_viewer_signs_in_and_every_chart_draws_without_errors(browser, server, store):
    from selenium.webdriver.support.ui import WebDriverWait

    demo.seed(store, scans=3000, days=120, seed=5)
    accounts.add_user(store, "made", "viewer", PASSWORD)

    browser.get(f"{server}/dashboard/")
    assert "/admin/login" in browser.current_url
    browser.find_element("id", "name").send_keys("made")
    browser.find_element("id", "password").send_keys(PASSWORD)
    browser.find_element("id", "password").submit()
    WebDriverWait(browser, 20).until(_all_drawn)

    assert browser.current_url == f"{server}/dashboard/"
    figures = browser.find_elements("css selector", "[data-figure]")
    assert len(figures) == len(SECTIONS)
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    hosts = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).host)"
    )
    assert set(hosts) == {server.removeprefix("http://")}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(height + 120, 6000))
    WebDriverWait(browser, 20).until(_all_drawn)
    browser.save_screenshot(str(ARTIFACTS / "dashboard.png"))


def test_the_dashboard_fits_a_phone(browser, server, store):
    from selenium.webdriver.support.ui import WebDriverWait

    demo.seed(store, scans=500, days=30, seed=3)
    accounts.add_user(store, "made", "viewer", PASSWORD)
    browser.set_window_size(390, 844)

    browser.get(f"{server}/admin/login?next=/dashboard/report")
    browser.find_element("id", "name").send_keys("made")
    browser.find_element("id", "password").send_keys(PASSWORD)
    browser.find_element("id", "password").submit()
    WebDriverWait(browser, 20).until(_all_drawn)

    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1"
    )
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    browser.save_screenshot(str(ARTIFACTS / "dashboard-report-phone.png"))
