"""Scans queued in memory, written in batches, spooled while Redis is away."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import codes, create_app, scans
from service.spool import Spool

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36"
)


def _wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def _guest_scans(store, slug):
    return scans.totals(store, slug)["scans"]


@pytest.fixture
def buffered(settings):
    """An application that writes scans every 50 ms, as in production."""
    app = create_app({**settings, "SCAN_FLUSH_MS": 50})
    yield app
    app.extensions["ciberq.redirector"].close()


def test_buffered_scans_reach_redis_within_moments(buffered):
    store = buffered.extensions["ciberq"]
    codes.create(store, "https://example.org/", slug="BUF")
    client = buffered.test_client()

    for _ in range(25):
        assert client.get("/BUF", headers={"User-Agent": PHONE}).status_code == 302

    assert _wait_for(lambda: _guest_scans(store, "BUF") == 25, timeout=2)
    assert store.redis.xlen(store.keys.scans()) == 25


def test_close_flushes_what_is_queued(settings):
    app = create_app({**settings, "SCAN_FLUSH_MS": 60_000})  # never on its own
    store = app.extensions["ciberq"]
    codes.create(store, "https://example.org/", slug="LAST")
    client = app.test_client()
    for _ in range(7):
        client.get("/LAST", headers={"User-Agent": PHONE})
    assert _guest_scans(store, "LAST") == 0

    app.extensions["ciberq.redirector"].close()

    assert _guest_scans(store, "LAST") == 7


def test_a_batch_written_twice_counts_once(store):
    codes.create(store, "https://example.org/", slug="TWICE")
    seen = scans.observe(
        store, slug="TWICE", requested="TWICE", method="GET",
        status=scans.REDIRECTED, address="192.0.2.1", user_agent=PHONE,
    )  # fmt: skip
    batch = scans.prepare(store, [seen, seen, seen])

    assert scans.write(store, batch) is True
    assert scans.write(store, batch) is False
    assert _guest_scans(store, "TWICE") == 3
    assert store.redis.xlen(store.keys.scans()) == 3


def test_outage_keeps_redirecting_spools_and_replays_exactly_once(own_redis, tmp_path):
    app = create_app({
        "REDIS_URL": own_redis.url, "DATA_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "t", "SCAN_FLUSH_MS": 20,
    })  # fmt: skip
    store = app.extensions["ciberq"]
    codes.create(store, "https://example.org/kept", slug="OUTAGE")
    client = app.test_client()
    for _ in range(10):
        client.get("/OUTAGE", headers={"User-Agent": PHONE})
    assert _wait_for(lambda: _guest_scans(store, "OUTAGE") == 10)

    own_redis.stop()
    answers = [client.get("/OUTAGE", headers={"User-Agent": PHONE}) for _ in range(300)]
    assert {(a.status_code, a.headers["Location"]) for a in answers} == {
        (302, "https://example.org/kept")
    }
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200
    assert _wait_for(lambda: list((tmp_path / "var" / "spool").glob("*.spool")))

    own_redis.start()

    assert _wait_for(lambda: _guest_scans(store, "OUTAGE") == 310, timeout=10)
    time.sleep(0.3)
    assert _guest_scans(store, "OUTAGE") == 310
    assert store.redis.xlen(store.keys.scans()) == 310
    app.extensions["ciberq.redirector"].close()


def test_spool_of_an_ended_process_is_claimed_and_replayed(store, tmp_path):
    codes.create(store, "https://example.org/", slug="ORPHAN")
    seen = scans.observe(
        store, slug="ORPHAN", requested="ORPHAN", method="GET",
        status=scans.REDIRECTED, address="192.0.2.1", user_agent=PHONE,
    )  # fmt: skip
    ended = tmp_path / "spool" / "999999-dead.spool"
    ended.parent.mkdir()
    ended.write_text(scans.prepare(store, [seen] * 4).to_json() + "\n" + '["cut sh')

    replayed = Spool(tmp_path / "spool", 1 << 20).replay(
        lambda batch: scans.write(store, batch)
    )

    assert replayed == 4
    assert _guest_scans(store, "ORPHAN") == 4
    assert not ended.exists()


def test_full_spool_refuses_and_says_so(store, tmp_path, caplog):
    seen = scans.observe(
        store, slug="FULL", requested="FULL", method="GET",
        status=scans.REDIRECTED, address="192.0.2.1", user_agent=PHONE,
    )  # fmt: skip
    line = len(scans.prepare(store, [seen]).to_json()) + 1
    spool = Spool(tmp_path / "spool", 3 * line)

    results = [spool.append(scans.prepare(store, [seen])) for _ in range(5)]

    assert results[0] is True
    assert results[-1] is False
    assert spool.size() <= 3 * line
    assert "spool" in caplog.text and "full" in caplog.text
    spool.close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=1, max_size=8),
    replays=st.integers(1, 3),
    fail_after=st.integers(0, 8),
)
def test_replay_counts_every_spooled_scan_exactly_once(
    store, tmp_path_factory, sizes, replays, fail_after
):
    """However often a spool is replayed, and wherever a replay breaks off,
    every spooled scan is counted once."""
    store.redis.delete(store.keys.totals("PROP"), store.keys.scans())
    seen = scans.observe(
        store, slug="PROP", requested="PROP", method="GET",
        status=scans.REDIRECTED, address="192.0.2.1", user_agent=PHONE,
    )  # fmt: skip
    spool = Spool(tmp_path_factory.mktemp("spool"), 1 << 20)
    for size in sizes:
        spool.append(scans.prepare(store, [seen] * size))
    written = []

    def flaky(batch):
        if len(written) == fail_after:
            written.append(None)
            raise scans.redis.ConnectionError("redis went away mid-replay")
        written.append(batch.id)
        return scans.write(store, batch)

    for _ in range(replays):
        try:
            spool.replay(flaky)
        except scans.redis.ConnectionError:
            pass
    spool.replay(lambda batch: scans.write(store, batch))

    assert _guest_scans(store, "PROP") == sum(sizes)
    assert store.redis.xlen(store.keys.scans()) == sum(sizes)
    spool.close()
