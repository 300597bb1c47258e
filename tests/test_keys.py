"""The raw key layout is a contract with operators and with later versions."""

from service import codes, institutions, scans
from service.keys import SCHEMA, Keys


def test_keys_share_a_hash_tag_per_code():
    keys = Keys("ciberq")

    assert keys.code("K7F2X9") == "ciberq:v1:code:{K7F2X9}"
    assert keys.history("K7F2X9") == "ciberq:v1:code:{K7F2X9}:history"
    assert keys.totals("K7F2X9") == "ciberq:v1:code:{K7F2X9}:totals"
    assert keys.day_scans("2026-12-03") == "ciberq:v1:day:{2026-12-03}:scans"


def test_a_scan_writes_exactly_the_documented_keys(store, redis):
    place = institutions.register(store, "Pemerintah Kota Surabaya", "regency")
    code = codes.create(store, "https://example.org/", place.id, slug="ABC-123")
    seen = scans.observe(
        store,
        slug="ABC-123",
        requested="ABC-123",
        method="GET",
        status=scans.REDIRECTED,
        address="192.0.2.1",
        user_agent="Mozilla/5.0 (iPhone)",
        institution=code.institution,
        target=code.target,
    )
    batch = scans.prepare(store, [seen])
    scans.write(store, batch)
    day, _ = scans.clock.local_day_hour(seen.at, "Asia/Makassar")

    assert set(redis.keys("*")) == {
        "ciberq:schema",
        "ciberq:v1:ids",
        "ciberq:v1:institution:{1}",
        "ciberq:v1:institutions",
        "ciberq:v1:codes",
        "ciberq:v1:code:{ABC-123}",
        "ciberq:v1:code:{ABC-123}:history",
        "ciberq:v1:code:{ABC-123}:totals",
        f"ciberq:v1:code:{{ABC-123}}:guests:{day}",
        "ciberq:v1:scans",
        f"ciberq:v1:day:{{{day}}}:scans",
        f"ciberq:v1:day:{{{day}}}:guests",
        f"ciberq:v1:day:{{{day}}}:guests:institution:1",
        f"ciberq:v1:day:{{{day}}}:guests:event:-",
        f"ciberq:v1:day:{{{day}}}:guests:device:mobile",
        f"ciberq:v1:day:{{{day}}}:guests:os:iOS",
        f"ciberq:v1:day:{{{day}}}:guests:browser:Mobile Safari UI/WKWebView",
        f"ciberq:v1:day:{{{day}}}:guests:language:-",
        f"ciberq:v1:day:{{{day}}}:guests:channel:qr",
        "ciberq:v1:days",
        "ciberq:v1:texts",
        f"ciberq:v1:guestkey:{day}",
        "ciberq:v1:codes:changes",
        "ciberq:v1:audit",
        f"ciberq:v1:batch:{batch.id}",
    }
    assert redis.get("ciberq:schema") == str(SCHEMA)
    assert redis.hgetall("ciberq:v1:days") == {day: "1"}
    assert sorted(redis.hvals("ciberq:v1:texts")) == [
        "Mozilla/5.0 (iPhone)",
        "https://example.org/",
    ]
    assert redis.type("ciberq:v1:scans") == "stream"
    assert redis.type(f"ciberq:v1:day:{{{day}}}:guests") == "string"  # a HyperLogLog


def test_prefix_is_configurable(settings, redis):
    from service import create_app

    app = create_app({**settings, "KEY_PREFIX": "bali"})
    codes.create(app.extensions["ciberq"], "https://example.org/", slug="XYZ")

    assert "bali:v1:code:{XYZ}" in redis.keys("*")
    assert not [key for key in redis.keys("*") if key.startswith("ciberq")]
