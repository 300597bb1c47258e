"""The dashboard and the stats call: numbers against the raw scans, days in
WITA, bots apart, empty ranges, filters, exports and who may look."""

import csv
import io
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import cube, figures, page, query
from service import agents, clock, codes, demo, events, institutions, scans
from service import tokens as tokens_

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36"
)
TELEGRAM = "TelegramBot (like TwitterBot)"
DAYS = 200
TILE = re.compile(r'data-tile="(\w+)">([\d.]+)<')


@pytest.fixture
def bearer(store):
    """Authorization headers of a viewer token."""
    _, raw = tokens_.create_token(store, "reports", "viewer", by="test")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def seeded(store):
    """Demo data: 3,000 scans over 200 days, through the real scan path."""
    demo.seed(store, scans=3000, days=DAYS, seed=11)
    return store


def today(store) -> date:
    return query.today(store)


def raw_rows(store) -> list[dict]:
    """Every raw scan with its local day, read straight from the stream."""
    found = []
    for _, scan in scans.read(store):
        local = clock.parse_iso(scan["at"]).astimezone(clock.zone("Asia/Makassar"))
        agent = agents.classify(scan["user_agent"])
        found.append(dict(scan, day=local.date(), os=agent.os or "-",
                          browser=agent.browser or "-"))  # fmt: skip
    return found


def independent(store, group: str, first: date, last: date, bots=False) -> dict:
    """Scans per group computed from the raw stream, apart from the cube."""
    kinds = {i.id: i.kind for i in institutions.list_all(store)}
    counted = Counter()
    for row in raw_rows(store):
        if row["status"] != scans.REDIRECTED or not first <= row["day"] <= last:
            continue
        if row["bot"] == "1" and not bots:
            continue
        key = {
            "kind": kinds.get(row["institution"], "-"),
            "day": row["day"].isoformat(),
            "origin": row["channel"],
        }.get(group, row.get(group))
        counted[key or "-"] += 1
    return counted


def fetch(client, path: str, **args):
    """A download's response, read and closed (files are sent as they are read)."""
    response = client.get(path, **args)
    response.get_data()
    response.close()
    return response


def stats(client, headers, **args) -> list[dict]:
    response = client.get("/api/v1/stats", query_string=args, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["rows"]


def tiles(client, **args) -> dict[str, int]:
    response = client.get("/dashboard/", query_string=args)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    return {name: int(value.replace(".", "")) for name, value in TILE.findall(body)}


@pytest.mark.parametrize("group", query.GROUPS)
def test_stats_equal_the_raw_scans(seeded, client, bearer, group):
    last = today(seeded)
    first = last - timedelta(days=DAYS - 1)

    rows = stats(client, bearer, group_by=group, **{"from": first, "to": last})

    found = {row["key"] or "-": row["scans"] for row in rows}
    assert found == dict(independent(seeded, group, first, last))
    assert all(0 < row["unique"] <= row["scans"] for row in rows)


@pytest.mark.parametrize("group", query.GROUPS)
def test_unique_guests_in_the_stats_honour_the_filters(store, client, bearer, group):
    udayana = institutions.register(store, "Universitas Udayana", "university")
    jabar = institutions.register(store, "Pemerintah Provinsi Jawa Barat", "province")
    codes.create(store, "https://baliprov.go.id/a", udayana.id, slug="AAA")
    codes.create(store, "https://baliprov.go.id/b", jabar.id, slug="BBB")
    for _ in range(3):  # one guest, three scans
        client.get("/AAA", headers={"User-Agent": PHONE},
                   environ_base={"REMOTE_ADDR": "192.0.2.1"})  # fmt: skip
    for n in range(10):  # ten guests of another plaque
        client.get("/BBB", headers={"User-Agent": PHONE},
                   environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"})  # fmt: skip
    day = today(store)

    rows = stats(client, bearer, group_by=group, code="AAA",
                 **{"from": day, "to": day})  # fmt: skip

    assert [(row["scans"], row["unique"]) for row in rows] == [(3, 1)]


def test_institutions_without_a_kind_count_under_none(store, client, bearer):
    kindless = institutions.register(store, "Tanpa Jenis")  # as the new-code form does
    codes.create(store, "https://baliprov.go.id/", kindless.id, slug="NOKIND")
    codes.create(store, "https://baliprov.go.id/", slug="NOBODY")
    for n, slug in enumerate(["NOKIND"] * 3 + ["NOBODY"] * 2):
        client.get(f"/{slug}", headers={"User-Agent": PHONE},
                   environ_base={"REMOTE_ADDR": f"192.0.2.{n + 1}"})  # fmt: skip
    day = today(store)

    rows = stats(client, bearer, group_by="kind", **{"from": day, "to": day})

    assert [(r["key"], r["scans"], r["unique"]) for r in rows] == [(None, 5, 5)]


def test_stats_with_bots_and_a_shorter_range(seeded, client, bearer):
    last = today(seeded) - timedelta(days=3)
    first = last - timedelta(days=9)
    dates = {"from": first, "to": last}

    guests = stats(client, bearer, group_by="code", **dates)
    everyone = stats(client, bearer, group_by="code", include_bots=1, **dates)

    assert {r["key"]: r["scans"] for r in guests} == independent(
        seeded, "code", first, last
    )
    assert {r["key"]: r["scans"] for r in everyone} == independent(
        seeded, "code", first, last, bots=True
    )
    assert sum(r["scans"] for r in everyone) > sum(r["scans"] for r in guests)
    # the words marshmallow reads as yes mean yes to the filters too
    said_t = stats(client, bearer, group_by="code", include_bots="t", **dates)
    assert said_t == everyone


@pytest.mark.parametrize("narrow", ["institution", "kind", "event", "code"])
def test_page_tiles_equal_the_raw_scans_under_each_filter(seeded, viewer, narrow):
    last = today(seeded)
    first = last - timedelta(days=DAYS - 1)
    rows = [
        r for r in raw_rows(seeded)
        if r["status"] == scans.REDIRECTED and r["bot"] == "0"
        and first <= r["day"] <= last
    ]  # fmt: skip
    kinds = {i.id: i.kind for i in institutions.list_all(seeded)}
    for row in rows:
        row["kind"] = kinds.get(row["institution"], "")
    value = Counter(r[narrow] for r in rows if r[narrow]).most_common(1)[0][0]

    shown = tiles(viewer, **{"from": first, "to": last, narrow: value})

    kept = [r for r in rows if r[narrow] == value]
    assert shown["scans"] == len(kept)
    assert shown["scanned"] == len({r["code"] for r in kept})
    assert shown["active"] <= shown["issued"] and shown["scanned"] <= shown["issued"]
    assert 0 < shown["unique"] <= len(kept)


def test_seven_phone_scans_and_three_telegram_previews_count_seven(
    app, client, bearer, store
):
    place = institutions.register(store, "Pemerintah Kota Denpasar", "regency")
    codes.create(store, "https://baliprov.go.id/", place.id, slug="DPS-7")
    for number in range(7):
        environ = {"REMOTE_ADDR": f"198.51.100.{number}"}
        answer = client.get("/DPS-7", headers={"User-Agent": PHONE},
                            environ_base=environ)  # fmt: skip
        assert answer.status_code == 302
    for _ in range(3):
        assert client.get("/DPS-7", headers={"User-Agent": TELEGRAM}).status_code == 302

    guests = stats(client, bearer, group_by="institution")
    everyone = stats(client, bearer, group_by="institution", include_bots="1")

    assert guests == [{"key": place.id, "name": "Pemerintah Kota Denpasar",
                       "kind": "regency", "scans": 7, "unique": 7}]  # fmt: skip
    assert everyone[0]["scans"] == 10


def test_a_scan_at_1630_utc_counts_on_the_next_wita_day(store, client, bearer):
    codes.create(store, "https://baliprov.go.id/", slug="MALAM")
    at = datetime(2026, 7, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2 July in WITA
    seen = scans.observe(
        store, slug="MALAM", requested="MALAM", method="GET",
        status=scans.REDIRECTED, address="192.0.2.9", user_agent=PHONE, at=at,
    )  # fmt: skip
    scans.record(store, seen)

    rows = stats(
        client, bearer, group_by="day", **{"from": "2026-06-30", "to": "2026-07-03"}
    )

    assert rows == [{"key": "2026-07-02", "scans": 1, "unique": 1}]


def test_a_disabled_plaque_is_issued_and_scanned_but_not_active(client, viewer, store):
    for slug in ("AKTIF-1", "MATI-1"):
        codes.create(store, "https://baliprov.go.id/", slug=slug)
        assert client.get(f"/{slug}", headers={"User-Agent": PHONE}).status_code == 302
    codes.disable(store, "MATI-1", by="test")

    shown = tiles(viewer)

    assert (shown["active"], shown["issued"], shown["scanned"]) == (1, 2, 2)


def test_an_empty_range_says_so(seeded, viewer, client, bearer):
    dates = {"from": "2020-01-01", "to": "2020-01-31"}

    body = viewer.get("/dashboard/", query_string=dates).get_data(as_text=True)

    assert "Belum ada pindaian" in body and "No scans for this selection" in body
    assert "data-figure" not in body
    assert stats(client, bearer, group_by="institution", **dates) == []


def test_the_viewer_sees_every_chart_drawn_from_its_own_host(seeded, viewer):
    response = viewer.get("/dashboard/")

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    for key, _, _ in page.SECTIONS:
        assert f'data-figure="fig-{key}"' in body
    sources = re.findall(r'<script[^>]+src="([^"]+)"', body)
    assert sources and all(s.startswith("/dashboard/static/") for s in sources)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "http" not in " ".join(sources)


def test_every_figure_is_a_valid_plotly_figure(seeded):
    store = seeded
    view = page.build(
        cube.Cube(store), query.parse_filters({}, today(store)),
        query.Catalog.read(store), "en", "",
    )  # fmt: skip

    for section in view.sections:
        go.Figure(figures.parse(section.figure))  # raises on a wrong property
    assert view.section("bots").table["label"].tolist() == ["Guests", "Bots & previews"]


def test_plotly_is_served_by_the_service_compressed(viewer):
    path = "/dashboard/static/plotly-cartesian-4.1.1.min.js"

    packed = viewer.get(path, headers={"Accept-Encoding": "gzip, br"})
    plain = viewer.get(path)

    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.data) < len(plain.data) / 2
    assert b"plotly.js" in plain.data[:200]
    assert "immutable" in plain.headers["Cache-Control"]


@pytest.mark.parametrize(
    "path", ["/dashboard/", "/dashboard/report", "/dashboard/event",
             "/dashboard/export.csv", "/dashboard/export.xlsx"],
)  # fmt: skip
def test_an_anonymous_visitor_is_sent_to_the_login(client, path):
    response = client.get(path, query_string={"from": "2026-01-01"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=/dashboard/")


def test_the_stats_call_needs_a_token(client):
    response = client.get("/api/v1/stats", query_string={"group_by": "day"})

    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize(
    ("args", "status"),
    [
        ({"group_by": "planet"}, 422),
        ({"group_by": "day", "from": "2026-13-01"}, 422),
        ({"group_by": "day", "from": "2026-05-02", "to": "2026-05-01"}, 400),
        ({"group_by": "day", "from": "2020-01-01", "to": "2026-01-01"}, 400),
        ({"group_by": "day", "from": "9999-12-29", "to": "9999-12-31"}, 400),
        ({"group_by": "day", "from": "0001-01-01", "to": "0001-01-03"}, 400),
        ({"group_by": "day", "include_bots": "maybe"}, 422),
        ({"group_by": "day", "from": "2026W011"}, 400),
    ],
)
def test_bad_stats_questions_get_a_json_error(client, bearer, args, status):
    response = client.get("/api/v1/stats", query_string=args, headers=bearer)

    assert response.status_code == status
    assert response.get_json()["error"] in ("invalid_input", "bad_request")


@pytest.mark.parametrize(
    ("path", "args"),
    [
        ("/dashboard/", {"from": "kemarin"}),
        ("/dashboard/", {"from": "0001-01-01", "to": "0001-01-03"}),
        ("/dashboard/", {"from": "9999-12-29", "to": "9999-12-31"}),
        ("/dashboard/", {"from": "2026W011"}),
        ("/dashboard/", {"include_bots": "maybe"}),
        ("/dashboard/export.csv", {"from": "9999-12-29", "to": "9999-12-31"}),
        ("/dashboard/export.csv", {"rows": "scans", "to": "0001-01-01"}),
        ("/dashboard/export.xlsx", {"from": "0001-01-01", "to": "0001-01-03"}),
        ("/dashboard/report", {"from": "9999-12-29"}),
        ("/dashboard/event", {"event": "1", "to": "0001-01-01"}),
    ],
)
def test_bad_filters_get_a_page_in_both_languages(viewer, path, args):
    response = viewer.get(path, query_string=args)

    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Saringan tidak dapat dipakai" in body and "cannot be used" in body
    assert "Traceback" not in body


def test_the_view_exports_as_csv_and_excel_with_the_page_numbers(seeded, viewer):
    args = {"from": today(seeded) - timedelta(days=13), "kind": "ministry"}
    shown = tiles(viewer, **args)

    as_csv = fetch(viewer, "/dashboard/export.csv", query_string=args)
    as_xlsx = fetch(viewer, "/dashboard/export.xlsx", query_string=args)

    assert as_csv.mimetype == "text/csv"
    assert "attachment" in as_csv.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    summary = {r["key"]: int(r["scans"]) for r in rows if r["section"] == "summary"}
    assert summary["scans"] == shown["scans"]
    by_kind = [r for r in rows if r["section"] == "kind"]
    assert [r["key"] for r in by_kind] == ["ministry"]
    assert sum(int(r["scans"]) for r in by_kind) == shown["scans"]
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.data), read_only=True)
    assert book.sheetnames[0] == "Ringkasan"
    cells = {r[0]: r[1] for r in book["Ringkasan"].iter_rows(values_only=True)}
    assert cells["scans"] == shown["scans"] and cells["kind"] == "ministry"


def test_raw_scans_export_holds_each_scan_of_the_range_once(seeded, viewer):
    first = today(seeded) - timedelta(days=6)
    expected = [r for r in raw_rows(seeded) if r["day"] >= first and r["bot"] == "0"]

    as_csv = viewer.get("/dashboard/export.csv",
                        query_string={"from": first, "rows": "scans"})  # fmt: skip
    as_xlsx = fetch(viewer, "/dashboard/export.xlsx",
                    query_string={"from": first, "rows": "scans"})  # fmt: skip

    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert len(rows) == len(expected) > 0
    assert sorted(r["at"] for r in rows) == sorted(r["at"] for r in expected)
    assert all(r["local_time"] >= first.isoformat() for r in rows)
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.data), read_only=True).active
    assert sheet.max_row == len(expected) + 1


def test_exports_never_hand_a_formula_to_the_spreadsheet(store, viewer):
    codes.create(store, "https://baliprov.go.id/", slug="FORMULA")
    seen = scans.observe(
        store, slug="FORMULA", requested="FORMULA", method="GET",
        status=scans.REDIRECTED, address="192.0.2.1",
        user_agent="=HYPERLINK(\"https://evil.example\")",
    )  # fmt: skip
    scans.record(store, seen)

    body = viewer.get("/dashboard/export.csv", query_string={"rows": "scans"})

    row = next(csv.DictReader(io.StringIO(body.get_data(as_text=True))))
    assert row["user_agent"].startswith("'=")


def test_a_cached_day_is_read_again_when_it_gets_a_scan(store):
    codes.create(store, "https://baliprov.go.id/", slug="CACHE")
    data = cube.Cube(store)
    now = today(store)
    catalog = query.Catalog.read(store)
    view = query.parse_filters({}, now)

    def count() -> int:
        daily = data.part(view.start, view.end).daily
        return int(query.keep(daily, view, catalog)["n"].sum())

    for expected in (1, 2):
        seen = scans.observe(
            store, slug="CACHE", requested="CACHE", method="GET",
            status=scans.REDIRECTED, address=f"192.0.2.{expected}", user_agent=PHONE,
        )  # fmt: skip
        scans.record(store, seen)
        assert count() == expected


def test_the_event_view_splits_before_during_and_after(store, viewer):
    now = today(store)
    event = events.create(
        store, "Pesta Kesenian Bali", "Bali Arts Festival",
        now - timedelta(days=20), now - timedelta(days=10),
    )  # fmt: skip
    codes.create(store, "https://baliprov.go.id/", slug="PKB-TEST")
    zone = clock.zone("Asia/Makassar")
    for days_ago, event_id in ((25, ""), (15, event.id), (14, event.id), (5, "")):
        at = datetime.combine(now - timedelta(days=days_ago), datetime.min.time(), zone)
        seen = scans.observe(
            store, slug="PKB-TEST", requested="PKB-TEST", method="GET",
            status=scans.REDIRECTED, address="192.0.2.7", user_agent=PHONE,
            event=event_id, at=at.replace(hour=10).astimezone(UTC),
        )  # fmt: skip
        scans.record(store, seen)

    body = viewer.get("/dashboard/event", query_string={"event": event.id}).get_data(
        as_text=True
    )

    for phase, expected in (("before", 1), ("during", 2), ("after", 1)):
        assert f'data-phase="{phase}">{expected}<' in body
    assert 'data-figure="fig-phases"' in body


def test_the_report_view_prints_and_speaks_english_on_request(seeded, viewer):
    indonesian = viewer.get("/dashboard/report").get_data(as_text=True)
    english = viewer.get("/dashboard/report?lang=en").get_data(as_text=True)

    assert "Laporan keterlibatan plakat" in indonesian and "data-print" in indonesian
    assert "<h2>By institution</h2>" in english
    assert "<h2>Per institusi" in indonesian
    css = fetch(viewer, "/dashboard/static/dashboard.css").get_data(as_text=True)
    assert "@media print" in css


def test_institutions_table_lists_first_and_last_scan(seeded, viewer):
    body = viewer.get("/dashboard/").get_data(as_text=True)
    last = max(
        r["day"] for r in raw_rows(seeded)
        if r["bot"] == "0" and r["status"] == scans.REDIRECTED and r["institution"]
    )  # fmt: skip

    assert "Who still looks at us" in body
    assert last.isoformat() in body


def test_links_guests_open_on_a_landing_page_are_charted(store, client, viewer):
    place = institutions.register(store, "Universitas Udayana", "university")
    codes.create(store, "landing", place.id, slug="UNUD-1")
    for number in range(2):
        environ = {"REMOTE_ADDR": f"198.51.100.{number}"}
        gone = client.get("/UNUD-1/go/profile", headers={"User-Agent": PHONE},
                          environ_base=environ)  # fmt: skip
        assert gone.status_code == 302
    assert (
        client.get("/UNUD-1/go/profile", headers={"User-Agent": TELEGRAM}).status_code
        == 302
    )

    guests = fetch(viewer, "/dashboard/export.csv", query_string={"lang": "en"})
    everyone = fetch(
        viewer, "/dashboard/export.csv", query_string={"include_bots": "1"}
    )
    for_event = fetch(viewer, "/dashboard/export.csv", query_string={"event": "1"})

    def links(response) -> dict:
        rows = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
        return {
            (r["key"], r["label"]): int(r["scans"])
            for r in rows
            if r["section"] == "links"
        }

    assert links(guests) == {("profile", "Office profile"): 2}
    assert links(everyone) == {("profile", "Profil kantor"): 3}
    assert links(for_event) == {}


def test_an_ended_month_is_read_back_from_its_roll_up(store, redis):
    codes.create(store, "https://baliprov.go.id/", slug="ROLL")
    zone = clock.zone("Asia/Makassar")
    month = (today(store).replace(day=1) - timedelta(days=1)).replace(day=1)
    for day in (month, month + timedelta(days=9)):
        at = datetime.combine(day, datetime.min.time(), zone).replace(hour=9)
        seen = scans.observe(
            store, slug="ROLL", requested="ROLL", method="GET",
            status=scans.REDIRECTED, address="192.0.2.3", user_agent=PHONE,
            at=at.astimezone(UTC),
        )  # fmt: skip
        scans.record(store, seen)
    view = query.parse_filters(
        {"from": (month - timedelta(days=40)).isoformat()}, today(store)
    )
    catalog = query.Catalog.read(store)

    def count(data) -> int:
        daily = data.part(view.start, view.end).daily
        return int(query.keep(daily, view, catalog)["n"].sum())

    assert count(cube.Cube(store)) == 2
    assert redis.exists(store.keys.rollup(month.strftime("%Y-%m")))
    # a new process reads the roll-up, not the days' counters: a counter changed
    # behind the days hash's back does not show
    (field,) = redis.hkeys(store.keys.day_scans(month.isoformat()))
    redis.hincrby(store.keys.day_scans(month.isoformat()), field, 100)
    assert count(cube.Cube(store)) == 2
    # a scan that reaches the month late (from a spool) moves its day's count:
    # the roll-up is made again from the days
    late = scans.observe(
        store, slug="ROLL", requested="ROLL", method="GET",
        status=scans.REDIRECTED, address="192.0.2.4", user_agent=PHONE,
        at=datetime.combine(month + timedelta(days=3), datetime.min.time(), UTC),
    )  # fmt: skip
    scans.record(store, late)
    assert count(cube.Cube(store)) == 103


def test_names_that_shorten_alike_keep_a_bar_each():
    frame = pd.DataFrame({"key": ["1", "2"], "scans": [5, 3]})
    names = [
        "Dinas Kebudayaan Provinsi Jawa Barat",
        "Dinas Kebudayaan Provinsi Jawa Timur",
    ]

    drawn = figures.ranking(frame, names)

    (bar,) = drawn["data"]
    ticks = drawn["layout"]["yaxis"]
    assert len(set(bar["y"])) == 2 and list(ticks["tickvals"]) == list(bar["y"])
    assert ticks["ticktext"][0] == ticks["ticktext"][1]  # both shortened alike
    assert sorted(bar["customdata"]) == sorted(names)
    go.Figure(figures.parse(figures.as_script(drawn)))
