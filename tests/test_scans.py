import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from werkzeug.serving import make_server

from service import codes, scans

ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.144 Mobile Safari/537.36"
)


@pytest.fixture
def server(app):
    """The application behind a real threaded HTTP server on loopback."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    thread.join()


def _get(port: int, path: str, user_agent: str = ANDROID) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"User-Agent": user_agent})
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_thousand_concurrent_scans_are_counted_exactly(store, redis, server):
    codes.create(store, "https://example.org/", slug="BUSY")

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(lambda _: _get(server, "/BUSY"), range(1000)))

    assert statuses == [302] * 1000
    assert scans.totals(store, "BUSY")["scans"] == 1000
    assert redis.xlen(store.keys.scans()) == 1000
    day_counts = sum(
        int(count)
        for key in redis.keys("ciberq:v1:day:*:scans")
        for count in redis.hvals(key)
    )
    assert day_counts == 1000


def test_days_and_hours_are_counted_in_wita(store, redis):
    codes.create(store, "https://example.org/", slug="WITA")
    # 16:30 UTC is 00:30 the next day in Asia/Makassar (UTC+8)
    moment = datetime(2026, 12, 3, 16, 30, tzinfo=UTC)
    seen = scans.observe(
        store,
        slug="WITA",
        requested="WITA",
        method="GET",
        status=scans.REDIRECTED,
        address="192.0.2.9",
        user_agent=ANDROID,
        accept_language="en-GB,en;q=0.8",
        at=moment,
    )

    scans.record(store, seen)

    counters = redis.hgetall("ciberq:v1:day:{2026-12-04}:scans")
    ((field, count),) = counters.items()
    values = dict(zip(scans.DIMENSIONS, field.split("|"), strict=True))
    assert count == "1"
    assert values["hour"] == "00"
    assert values["language"] == "en"
    assert values["bot"] == "0"
    assert values["device"] == "mobile"
    assert values["channel"] == "qr"
    assert redis.xrange(store.keys.scans())[0][1]["at"] == "1796315400000"
    assert next(scans.read(store))[1]["at"] == "2026-12-03T16:30:00.000Z"


def _scan(store, slug: str, user_agent: str = ANDROID, number: int = 7, **more):
    """Record one answered scan of ``slug``, from address 192.0.2.``number``."""
    seen = scans.observe(
        store, slug=slug, requested=slug, method="GET", status=scans.REDIRECTED,
        address=f"192.0.2.{number}", user_agent=user_agent, **more,
    )  # fmt: skip
    scans.record(store, seen)


def test_the_stream_keeps_long_texts_once_and_read_gives_them_back(store, redis):
    agents_seen = [ANDROID, "curl/8.5.0", ANDROID, "TelegramBot (like TwitterBot)"]
    for number, user_agent in enumerate(agents_seen * 2):
        _scan(store, "TEXTS", user_agent, number, target="https://example.org/acara")

    read = [entry for _, entry in scans.read(store, count=3)]

    assert [e["user_agent"] for e in read] == agents_seen * 2
    assert {e["target"] for e in read} == {"https://example.org/acara"}
    assert not any(name.endswith("_ref") for e in read for name in e)
    assert redis.hlen(store.keys.texts()) == 4  # three agents and one target
    raw = redis.xrange(store.keys.scans(), count=1)[0][1]
    assert ANDROID not in raw.values() and len(raw["user_agent_ref"]) == 11


def test_a_long_read_forgets_texts_and_still_fills_every_scan(store, monkeypatch):
    monkeypatch.setattr(scans, "MAX_KNOWN_TEXTS", 3)  # as after a long export
    agents_seen = [f"Mozilla/5.0 (Phone {n})" for n in range(9)] * 2
    for number, user_agent in enumerate(agents_seen):
        _scan(store, "MANY", user_agent, number, target="https://example.org/")

    read = [entry for _, entry in scans.read(store, count=2)]

    assert [e["user_agent"] for e in read] == agents_seen
    assert {e["target"] for e in read} == {"https://example.org/"}


def test_guest_hash_key_changes_every_day(store):
    first = scans.guest_keys.for_day(store, "2026-12-03")
    again = scans.guest_keys.for_day(store, "2026-12-03")
    second = scans.guest_keys.for_day(store, "2026-12-04")

    assert first == again
    assert first != second
    assert scans.guest_hash(first, "192.0.2.1", "ua") != scans.guest_hash(
        second, "192.0.2.1", "ua"
    )
    assert store.redis.ttl(store.keys.guest_key("2026-12-04")) > 24 * 3600


@pytest.mark.parametrize(
    ("header", "language"),
    [("id-ID,id;q=0.9", "id"), ("en-US", "en"), ("*", ""), ("", ""), ("JA", "ja"),
     ("ban-ID", "ban"), ("in-ID", "id"), ("qwzrtyxp", "other"),
     ("x-pig-latin", "other"), ("1234", "other"), ("en_US", "en"), ("ind", "id")],
)  # fmt: skip
def test_language_is_the_first_primary_tag(header, language):
    assert scans.language_of(header) == language


@pytest.mark.parametrize(("typed", "channel"), [("K7F2X9", "qr"), ("k7f2x9", "typed")])
def test_upper_case_requests_came_through_the_qr_code(typed, channel):
    assert scans.channel_of(typed) == channel


def test_made_up_languages_cannot_mint_counters(client, store, redis):
    from service import codes

    codes.create(store, "https://example.org/", slug="K7F2X9")
    for word in ("qwzrtyxp", "abcdefgh", "zzzzzz", "xq"):
        client.get("/K7F2X9", headers={"Accept-Language": word})

    (counter,) = redis.keys("ciberq:v1:day:*:scans")
    languages = {field.split("|")[8] for field in redis.hkeys(counter)}
    assert languages == {"other"}
    assert len(redis.keys("ciberq:v1:day:*:guests:language:*")) == 1


def test_a_late_batch_never_moves_the_last_scan_back(store):
    from datetime import UTC, datetime

    _scan(store, "LATE", at=datetime(2026, 12, 3, 12, tzinfo=UTC))
    # written late, e.g. from the spool after an outage
    _scan(store, "LATE", at=datetime(2026, 12, 1, 12, tzinfo=UTC))

    assert scans.totals(store, "LATE")["last_scan_at"] == "2026-12-03T12:00:00.000Z"
    assert scans.totals(store, "LATE")["scans"] == 2


def test_crawlers_naming_themselves_cannot_mint_counters(client, store, redis):
    from service import codes

    codes.create(store, "https://example.org/", slug="K7F2X9")
    for name in ("Fooqbot/2.1", "AbcdeSpider/1.0", "Xyzzy Archiver/3.0"):
        client.get(
            "/K7F2X9", headers={"User-Agent": f"Mozilla/5.0 (compatible; {name})"}
        )

    (counter,) = redis.keys("ciberq:v1:day:*:scans")
    browsers = {field.split("|")[7] for field in redis.hkeys(counter)}
    assert browsers == {scans.BOT_BROWSER}
    assert scans.totals(store, "K7F2X9")["bot_scans"] == 3
    assert {scan["bot_name"] for _, scan in scans.read(store)} != {""}  # kept raw
