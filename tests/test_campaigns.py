"""Campaigns: codes point at an event for a window, then fall back."""

import time
from datetime import date, timedelta

import pytest

from service import campaigns, clock, codes, events, institutions, scans, visits
from service.errors import InvalidInput
from service.store import open_store

PHONE = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X)"}
PKB_PAGE = "https://baliprov.go.id/agenda/pkb-2026"


@pytest.fixture
def pkb(store):
    return events.create(store, "Pesta Kesenian Bali", "Bali Arts Festival",
                         date(2026, 6, 14), date(2026, 7, 13), PKB_PAGE)  # fmt: skip


@pytest.fixture
def plaques(store):
    ministry = institutions.register(store, "Kementerian Dalam Negeri", "ministry")
    campus = institutions.register(store, "Universitas Udayana", "university")
    visit = visits.create(store, campus.id, date(2026, 3, 2), "studi banding")
    return {
        "KMD": codes.create(store, "https://example.org/kmd", ministry.id, slug="KMD"),
        "UNUD": codes.create(
            store, "https://example.org/unud", campus.id, slug="UNUD", visit=visit.id
        ),  # fmt: skip
        "visit": visit,
    }


def _now_window(hours_before=1, hours_after=1):
    now = clock.now()
    return now - timedelta(hours=hours_before), now + timedelta(hours=hours_after)


def test_codes_point_at_the_event_during_the_window_and_scans_count_for_it(
    client, store, redis, pkb, plaques
):
    client.get("/KMD", headers=PHONE)  # the table is loaded before the campaign
    starts, ends = _now_window()

    campaigns.create(store, pkb.id, starts, ends, "all", by="ayu")

    assert client.get("/KMD", headers=PHONE).headers["Location"] == PKB_PAGE
    assert client.get("/unud", headers=PHONE).headers["Location"] == PKB_PAGE
    entry = list(scans.read(store))[-1][1]
    assert (entry["event"], entry["target"]) == (pkb.id, PKB_PAGE)


def test_outside_the_window_codes_keep_their_own_target(client, store, pkb, plaques):
    later = clock.now() + timedelta(days=1)
    campaigns.create(store, pkb.id, later, later + timedelta(days=1), "all")

    answer = client.get("/KMD", headers=PHONE)

    assert answer.headers["Location"] == "https://example.org/kmd"


@pytest.mark.parametrize(
    ("scope", "value", "pointed"),
    [("kind", "ministry", {"KMD"}), ("visit", None, {"UNUD"}),
     ("codes", "unud", {"UNUD"})],
)  # fmt: skip
def test_a_campaign_covers_only_its_codes(client, store, pkb, plaques, scope, value,
                                          pointed):  # fmt: skip
    value = plaques["visit"].id if value is None else value
    campaigns.create(store, pkb.id, *_now_window(), scope, value)

    sent = {
        slug
        for slug in ("KMD", "UNUD")
        if client.get(f"/{slug}", headers=PHONE).headers["Location"] == PKB_PAGE
    }

    assert sent == pointed


def test_cancelling_falls_back_at_once(client, store, pkb, plaques):
    made = campaigns.create(store, pkb.id, *_now_window(), "all")
    assert client.get("/KMD", headers=PHONE).headers["Location"] == PKB_PAGE

    campaigns.cancel(store, made.id, by="ayu")

    assert client.get("/KMD", headers=PHONE).headers["Location"].endswith("/kmd")


def test_a_campaign_made_elsewhere_reaches_the_table_within_two_seconds(
    app, settings, pkb, plaques
):
    client = app.test_client()
    client.get("/KMD", headers=PHONE)
    elsewhere = open_store(settings)

    campaigns.create(elsewhere, pkb.id, *_now_window(), "all")
    made = time.monotonic()
    while client.get("/KMD", headers=PHONE).headers["Location"] != PKB_PAGE:
        assert time.monotonic() - made < 2.0
        time.sleep(0.01)


def test_preview_says_what_a_code_opens_at_a_moment(store, pkb, plaques):
    starts = clock.now() + timedelta(days=10)
    campaigns.create(store, pkb.id, starts, starts + timedelta(days=5), "all")
    code = plaques["KMD"]

    assert campaigns.preview(store, code, clock.now()) == (code.target, "")
    assert campaigns.preview(store, code, starts + timedelta(hours=1)) == (
        PKB_PAGE,
        pkb.id,
    )


@pytest.mark.parametrize(
    ("event_id", "shift", "scope", "value", "says"),
    [
        ("99", 1, "all", "", "does not exist"),
        (None, -1, "all", "", "end after"),
        (None, 1, "kind", "", "needs its value"),
        (None, 1, "planet", "x", "unknown"),
        (None, 1, "kind", "planet", "kind 'planet' is unknown"),
        (None, 1, "visit", "404", "visit 404 does not exist"),
    ],
)
def test_bad_campaigns_are_refused(store, pkb, event_id, shift, scope, value, says):
    starts = clock.now()
    with pytest.raises(InvalidInput, match=says):
        campaigns.create(store, event_id or pkb.id, starts,
                         starts + timedelta(hours=shift), scope, value)  # fmt: skip


def test_command_line_events_campaigns_and_preview(runner, store, plaques):
    names = ("Pesta Kesenian Bali", "Bali Arts Festival")
    runner("event", "add", *names, "--from", "2026-06-14", "--to", "2026-07-13",
           "--page", PKB_PAGE)  # fmt: skip
    made = runner("campaign", "create", "1", "--from", "2030-06-14 00:00",
                  "--to", "2030-07-14 00:00", "--kind", "ministry")  # fmt: skip

    during = runner("code", "preview", "kmd", "--at", "2030-06-20 10:00")
    before = runner("code", "preview", "KMD", "--at", "2030-06-13 23:59")
    other = runner("code", "preview", "UNUD", "--at", "2030-06-20 10:00")

    assert made.exit_code == 0, made.stderr
    assert during.stdout.strip() == f"KMD -> {PKB_PAGE}  (campaign for event 1)"
    assert before.stdout.strip() == "KMD -> https://example.org/kmd"
    assert other.stdout.strip() == "UNUD -> https://example.org/unud"
    bad = runner("campaign", "create", "1", "--from", "soon", "--to", "later", "--all")
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1
