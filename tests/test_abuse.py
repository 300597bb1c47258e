"""Rate limits on unknown slugs, refused oversized requests, trusted proxies."""

from service import codes, create_app, scans

PHONE = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X)"}


def test_unknown_slugs_are_rate_limited_per_address(settings):
    app = create_app({**settings, "UNKNOWN_LIMIT": "5 per minute"})
    store = app.extensions["ciberq"]
    codes.create(store, "https://example.org/", slug="REAL")
    client = app.test_client()
    prober = {"REMOTE_ADDR": "203.0.113.66"}

    answers = [
        client.get(f"/GUESS{n}", environ_base=prober).status_code for n in range(7)
    ]

    assert answers == [404] * 5 + [429] * 2
    counters = app.extensions["ciberq"].redis.keys("*")
    assert any(key.startswith("ciberq:v1:limits") for key in counters)
    assert all(key.startswith("ciberq:") for key in counters)
    limited = client.get("/GUESS9", environ_base=prober)
    assert "Terlalu banyak" in limited.get_data(as_text=True)
    assert limited.headers["Retry-After"] == "60"
    assert (
        client.get("/GUESS9", environ_base={"REMOTE_ADDR": "192.0.2.5"}).status_code
        == 404
    )
    assert client.get("/REAL", environ_base=prober).status_code == 302
    app.extensions["ciberq.redirector"].close()


def test_known_codes_never_use_up_the_allowance(settings):
    app = create_app({**settings, "UNKNOWN_LIMIT": "3 per minute"})
    codes.create(app.extensions["ciberq"], "https://example.org/", slug="OFTEN")
    client = app.test_client()

    answers = {client.get("/often", headers=PHONE).status_code for _ in range(20)}

    assert answers == {302}
    app.extensions["ciberq.redirector"].close()


def test_oversized_query_and_path_are_refused(client, store):
    codes.create(store, "https://example.org/", slug="BIG")

    assert client.get("/BIG?x=" + "a" * 2000).status_code == 414
    assert client.get("/" + "a" * 600).status_code == 414
    assert client.get("/BIG?utm_source=plaque").status_code == 302


def test_forwarded_address_is_ignored_unless_the_proxy_is_trusted(settings, redis):
    forwarded = {"X-Forwarded-For": "198.51.100.9", **PHONE}
    for trusted, expected_guests in ((0, 1), (1, 2)):
        redis.flushdb()
        scans.guest_keys.forget()
        app = create_app({**settings, "TRUSTED_PROXIES": trusted})
        store = app.extensions["ciberq"]
        codes.create(store, "https://example.org/", slug="PROXY")
        client = app.test_client()

        client.get("/PROXY", headers=PHONE, environ_base={"REMOTE_ADDR": "10.0.0.1"})
        client.get(
            "/PROXY", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.1"}
        )

        day, _ = scans.clock.local_day_hour(scans.clock.now(), "Asia/Makassar")
        assert scans.unique_guests(store, "PROXY", day) == expected_guests
        app.extensions["ciberq.redirector"].close()
