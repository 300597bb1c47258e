"""The landing page in a real browser: headless Chromium, checked with axe-core.

axe-core (Deque Systems, MPL-2.0, vendored unchanged in ``tests/vendor/``; see
its README there) is injected into the page served by a real local server and
must find no violation of the WCAG 2.1 A and AA rules. Skipped when Debian's
chromium and chromium-driver are missing (.ci/run installs them).
"""

from datetime import date, timedelta
from pathlib import Path

import pytest
from support import chromium, needs_chromium

from service import codes, events, institutions, landing, visits
from service.targets import LANDING

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
pytestmark = needs_chromium


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium as a phone would show it: 360 px wide."""
    driver = chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


@pytest.fixture
def plaque(store):
    """A landing code with a visit, an event now and one next, and contacts."""
    place = institutions.register(store, "Pemerintah Kota Surabaya", "regency")
    visit = visits.create(store, place.id, date(2026, 5, 4), "studi tiru",
                          "https://baliprov.go.id/dokumentasi/sby")  # fmt: skip
    today = landing.today(store)
    events.create(store, "Pesta Kesenian Bali", "Bali Arts Festival", today,
                  today + timedelta(days=3), "https://baliprov.go.id/pkb")  # fmt: skip
    events.create(store, "Hari Suci Nyepi", "Nyepi Day", today + timedelta(days=9),
                  today + timedelta(days=9), "")  # fmt: skip
    landing.set_override(store, "office", "", {
        "email": "humas@baliprov.go.id", "phone": "+62 361 227000",
        "postal_address": "Jl. Basuki Rahmat No. 1, Denpasar",
        "links": [{"id": "tour", "url": "https://baliprov.go.id/tur",
                   "label_id": "Tur virtual", "label_en": "Virtual tour"}],
    })  # fmt: skip
    return codes.create(store, LANDING, place.id, slug="SBY-1", visit=visit.id)


def _axe(browser) -> dict:
    """axe-core's verdict on the page: the violations, and how many rules passed."""
    browser.execute_script(AXE.read_text())
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done({passes: r.passes.length, violations: r.violations.map("
        "v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.html)}))}))"
        ".catch(e => done({passes: 0, violations: [String(e)]}));",
        WCAG,
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_landing_page_has_no_wcag_21_aa_violations(browser, server, plaque, lang):
    browser.set_script_timeout(30)
    browser.get(f"{server}/SBY-1?lang={lang}")

    verdict = _axe(browser)

    assert browser.find_element("tag name", "html").get_attribute("lang") == lang
    assert verdict["violations"] == []
    assert verdict["passes"] > 10  # contrast, landmarks, names, lang and more ran
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    )


def test_a_guest_switches_language_and_follows_a_link(browser, server, plaque, store):
    # the link leads back to this server: the test sends no traffic elsewhere
    landing.set_override(store, "code", "SBY-1", {"links": [
        {"id": "tour", "url": f"{server}/?tour", "label_en": "Virtual tour"},
    ]})  # fmt: skip
    browser.get(f"{server}/SBY-1?lang=id")

    browser.find_element("css selector", "nav a[lang=en]").click()
    heading = browser.find_element("tag name", "h1").text
    browser.find_element("link text", "Virtual tour").click()

    assert heading == "Welcome back, Pemerintah Kota Surabaya"
    assert browser.current_url == f"{server}/?tour"
    # headless Chromium says so in its user agent: a bot's click, counted apart
    assert landing.clicks(store, "SBY-1") == {"total": 0, "links": {}, "bots": 1}
