"""The local code table: coherent with Redis, and enough to serve without it."""

import time

from service import codes, create_app
from service.store import open_store

PHONE = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X)"}


def test_a_change_made_elsewhere_reaches_the_table_within_two_seconds(app, settings):
    store = app.extensions["ciberq"]
    codes.create(store, "https://example.org/before", slug="FAR")
    client = app.test_client()
    assert client.get("/FAR", headers=PHONE).headers["Location"].endswith("/before")
    elsewhere = open_store(settings)  # another process's store: no shared table

    codes.retarget(elsewhere, "FAR", "https://example.org/after")
    changed = time.monotonic()
    while client.get("/FAR", headers=PHONE).headers["Location"].endswith("/before"):
        assert time.monotonic() - changed < 2.0
        time.sleep(0.005)


def test_a_change_made_here_shows_on_the_very_next_request(app):
    store = app.extensions["ciberq"]
    codes.create(store, "https://example.org/before", slug="NEAR")
    client = app.test_client()
    client.get("/NEAR", headers=PHONE)

    codes.retarget(store, "NEAR", "https://example.org/after")

    assert client.get("/NEAR", headers=PHONE).headers["Location"] == (
        "https://example.org/after"
    )


def test_a_disabled_code_stops_redirecting_at_once(app):
    store = app.extensions["ciberq"]
    codes.create(store, "https://example.org/", slug="OFF")
    client = app.test_client()
    client.get("/OFF", headers=PHONE)

    codes.disable(store, "OFF")

    assert client.get("/OFF", headers=PHONE).status_code == 410


def test_a_worker_started_during_an_outage_serves_from_the_snapshot(
    own_redis, tmp_path
):
    config = {"REDIS_URL": own_redis.url, "DATA_DIR": str(tmp_path / "var"),
              "SECRET_KEY": "t", "SCAN_FLUSH_MS": 20}  # fmt: skip
    first = create_app(config)
    codes.create(first.extensions["ciberq"], "https://example.org/snap", slug="SNAP")
    first.test_client().get("/SNAP", headers=PHONE)  # loads the table, saves it
    first.extensions["ciberq.redirector"].close()
    own_redis.stop()

    later = create_app(config)
    answer = later.test_client().get("/snap", headers=PHONE)

    assert (answer.status_code, answer.headers["Location"]) == (
        302,
        "https://example.org/snap",
    )
    assert later.test_client().get("/NOSUCH", headers=PHONE).status_code == 404
    later.extensions["ciberq.redirector"].close()


def test_non_ascii_targets_leave_as_a_valid_location_header(app):
    store = app.extensions["ciberq"]
    codes.create(store, "https://example.org/pura-tanah-lot/ᬩᬮᬶ", slug="AKSARA")

    answer = app.test_client().get("/AKSARA", headers=PHONE)

    assert answer.headers["Location"] == (
        "https://example.org/pura-tanah-lot/%E1%AC%A9%E1%AC%AE%E1%AC%B6"
    )
