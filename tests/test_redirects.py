"""The redirect contract of DESIGN.md, through real HTTP handling."""

import pytest

from service import codes, institutions, scans

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"
)
GUEST = {"User-Agent": IPHONE, "Accept-Language": "id-ID,id;q=0.9,en;q=0.8"}


@pytest.fixture
def code(store):
    place = institutions.register(store, "Pemerintah Provinsi Jawa Barat", "province")
    return codes.create(store, "https://baliprov.go.id/profil", place.id, slug="K7F2X9")


def test_scan_answers_302_to_the_target_and_is_never_cached(client, code):
    response = client.get("/K7F2X9", headers=GUEST)

    assert response.status_code == 302
    assert response.headers["Location"] == "https://baliprov.go.id/profil"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("typed", ["k7f2x9", "K7f2X9"])
def test_slug_is_case_insensitive(client, code, typed):
    response = client.get(f"/{typed}", headers=GUEST)

    assert response.status_code == 302
    assert response.headers["Location"] == code.target


def test_retarget_shows_on_the_next_request(client, store, code):
    client.get("/K7F2X9", headers=GUEST)
    codes.retarget(store, "K7F2X9", "https://baliprov.go.id/pkb")

    assert client.get("/K7F2X9", headers=GUEST).headers["Location"] == (
        "https://baliprov.go.id/pkb"
    )


def test_head_gets_the_same_answer_and_counts_as_a_bot(client, store, code):
    response = client.head("/K7F2X9", headers=GUEST)

    assert response.status_code == 302
    assert response.headers["Location"] == code.target
    assert response.headers["Cache-Control"] == "no-store"
    assert scans.totals(store, "K7F2X9")["scans"] == 0
    assert scans.totals(store, "K7F2X9")["bot_scans"] == 1


def test_guests_and_previews_are_counted_apart(client, store, code):
    for _ in range(3):
        client.get("/K7F2X9", headers=GUEST)
    client.get("/K7F2X9", headers={"User-Agent": "WhatsApp/2.23.20.0 A"})
    client.get("/K7F2X9", headers={"User-Agent": "facebookexternalhit/1.1"})

    counted = scans.totals(store, "K7F2X9")
    assert (counted["scans"], counted["bot_scans"]) == (3, 2)


def test_unknown_slug_answers_a_bilingual_404_and_is_counted(client, store, redis):
    response = client.get("/ZZZ999", headers=GUEST)

    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Kode tidak ditemukan" in page and "Code not found" in page
    entry = redis.xrange(store.keys.scans())[-1][1]
    assert (entry["code"], entry["status"]) == ("ZZZ999", "unknown")
    (counter,) = redis.keys("ciberq:v1:day:*:scans")
    (field,) = redis.hkeys(counter)
    assert field.startswith("?|")  # junk slugs cannot grow the day's hash
    assert redis.keys("*ZZZ999*") == []


@pytest.mark.parametrize("path", ["/robots.txt", "/a", "/" + "x" * 40, "/a%20b"])
def test_paths_that_cannot_be_slugs_answer_404_and_are_not_recorded(
    client, store, redis, path
):
    assert client.get(path).status_code == 404
    assert redis.xlen(store.keys.scans()) == 0


def test_the_favicon_is_served_and_is_not_a_scan(client, store, redis):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    response.close()
    assert redis.xlen(store.keys.scans()) == 0


def test_disabled_code_answers_410_with_a_link_to_the_office(client, store, code):
    codes.disable(store, "K7F2X9")

    response = client.get("/K7F2X9", headers=GUEST)

    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "tidak aktif" in page and "not active right now" in page
    assert 'href="https://q.example.go.id"' in page
    counted = scans.totals(store, "K7F2X9")
    assert (counted["scans"], counted["scans_while_disabled"]) == (0, 1)


def test_scan_records_the_stream_entry_with_its_dimensions(client, store, redis, code):
    client.get(
        "/k7f2x9", headers={**GUEST, "Referer": "https://wa.me/some/private/path"}
    )

    entry = list(scans.read(store))[-1][1]
    assert entry["code"] == "K7F2X9"
    assert entry["institution"] == code.institution
    assert entry["target"] == code.target
    assert entry["status"] == "redirected"
    assert entry["bot"] == "0"
    assert entry["language"] == "id"
    assert entry["referrer_host"] == "wa.me"
    assert entry["channel"] == "typed"
    assert entry["device"] == "mobile"
    assert entry["user_agent"] == IPHONE
    assert "127.0.0.1" not in str(redis.xrange(store.keys.scans()))


def test_no_raw_address_is_stored_anywhere(client, store, redis, code):
    address = "198.51.100.77"
    client.get("/K7F2X9", headers=GUEST, environ_base={"REMOTE_ADDR": address})

    for key in redis.keys("*"):
        dumped = redis.dump(key)
        assert address.encode() not in dumped, key


def test_unique_guests_are_estimated_per_day(client, store, code):
    for number in range(1, 6):
        for _ in range(3):
            client.get(
                "/K7F2X9",
                headers=GUEST,
                environ_base={"REMOTE_ADDR": f"203.0.113.{number}"},
            )

    day, _ = scans.clock.local_day_hour(scans.clock.now(), "Asia/Makassar")
    assert scans.unique_guests(store, "K7F2X9", day) == 5
    assert scans.totals(store, "K7F2X9")["scans"] == 15


def test_health_and_readiness(client):
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json == {"status": "ready"}


def test_readiness_fails_and_names_redis_when_it_is_away(settings, tmp_path):
    from service import create_app

    app = create_app({**settings, "REDIS_URL": f"unix://{tmp_path}/nothing.sock"})
    client = app.test_client()

    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "redis" in response.json["problem"]
    page = client.get("/K7F2X9")
    assert page.status_code == 503
    assert "Traceback" not in page.get_data(as_text=True)


def test_home_page_is_bilingual(client):
    page = client.get("/").get_data(as_text=True)

    assert 'lang="id"' in page and 'lang="en"' in page
