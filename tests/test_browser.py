"""The public pages in a real browser: headless Chromium through Selenium.

Skipped when Debian's chromium and chromium-driver are missing (.ci/run
installs them).
"""

import pytest
from support import chromium, needs_chromium

from service import codes

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium as a phone would show it: 360 px wide."""
    driver = chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


def _fits_the_phone(browser) -> bool:
    return browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    )


def test_a_scan_lands_on_the_target(browser, server, store):
    codes.create(store, f"{server}/", slug="LAND")  # our own home page as target

    browser.get(f"{server}/LAND")

    assert browser.current_url == f"{server}/"
    assert "CIBER Q CODE" in browser.title


def test_unknown_code_page_speaks_both_languages(browser, server, tmp_path):
    browser.get(f"{server}/NOSUCH")

    text = browser.find_element("tag name", "body").text
    assert "Kode tidak ditemukan" in text and "Code not found" in text
    assert _fits_the_phone(browser)
    browser.save_screenshot(str(tmp_path / "not_found.png"))


def test_disabled_code_page_links_to_the_office(browser, server, store):
    codes.create(store, "https://example.org/", slug="GONE")
    codes.disable(store, "GONE")

    browser.get(f"{server}/GONE")

    text = browser.find_element("tag name", "body").text
    assert "tidak aktif" in text and "not active right now" in text
    link = browser.find_element("css selector", "a.button")
    assert link.get_attribute("href").startswith("https://q.example.go.id")
    assert _fits_the_phone(browser)


def test_staff_log_in_create_retarget_and_the_next_scan_follows(
    browser, server, store, tmp_path
):
    from service import accounts

    accounts.add_user(store, "wayan", "staff", "pura-besakih-2026")
    browser.get(f"{server}/admin/login")
    browser.find_element("id", "name").send_keys("wayan")
    browser.find_element("id", "password").send_keys("pura-besakih-2026")
    browser.find_element("id", "password").submit()
    assert browser.current_url == f"{server}/admin/"

    browser.get(f"{server}/admin/codes/new")
    browser.find_element("id", "target").send_keys(f"{server}/?plaque=first")
    browser.find_element("id", "institution").send_keys("Universitas Udayana")
    browser.find_element("id", "slug").send_keys("E2E-1")
    browser.find_element("id", "slug").submit()
    assert browser.current_url == f"{server}/admin/codes/E2E-1"
    browser.save_screenshot(str(tmp_path / "code_page.png"))

    browser.get(f"{server}/E2E-1")
    assert browser.current_url == f"{server}/?plaque=first"

    browser.get(f"{server}/admin/codes/E2E-1")
    field = browser.find_element("id", "target")
    field.clear()
    field.send_keys(f"{server}/?plaque=second")
    browser.find_element("id", "reason").send_keys("Pesta Kesenian Bali")
    field.submit()
    page = browser.find_element("tag name", "body").text
    assert "Pesta Kesenian Bali" in page and "user:wayan" in page

    browser.get(f"{server}/e2e-1")
    assert browser.current_url == f"{server}/?plaque=second"
