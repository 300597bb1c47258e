"""Sign-in sessions live in Redis: signing out, a new password, a new role or a
disabled account ends them, and a copied cookie is worth nothing afterwards."""

import hashlib

import pytest
from support import PASSWORD, token

from service import accounts, sessions

HOURS = 12 * 3600  # CIBERQ_SESSION_HOURS by default, in seconds


def _copy(app, signed_in):
    """A second browser holding a copy of ``signed_in``'s session cookie."""
    other = app.test_client()
    other.set_cookie("session", signed_in.get_cookie("session").value)
    return other


def _session_id(app, client) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    content = serializer.loads(client.get_cookie("session").value)
    assert set(content) == {"sid"}  # no name, no role: only the random id
    return content["sid"]


def test_a_copied_cookie_is_worthless_once_its_owner_signs_out(app, staff):
    thief = _copy(app, staff)
    assert thief.get("/admin/").status_code == 200

    staff.post("/admin/logout", data={"csrf_token": token(staff, "/admin/")})

    refused = thief.get("/admin/")
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/admin/login")


@pytest.mark.parametrize(
    "change",
    [
        lambda store: accounts.set_password(store, "wayan", "a new secret 2026"),
        lambda store: accounts.set_role(store, "wayan", "viewer"),
        lambda store: (
            accounts.disable_user(store, "wayan"),
            accounts.enable_user(store, "wayan"),
        ),
    ],
    ids=["new password", "new role", "disabled and enabled again"],
)
def test_a_change_to_the_account_ends_its_sessions(app, store, staff, change):
    elsewhere = app.test_client()
    assert elsewhere.post(
        "/admin/login",
        data={"csrf_token": token(elsewhere), "name": "wayan", "password": PASSWORD},
    ).status_code == 302  # fmt: skip
    accounts.add_user(store, "made", "staff", PASSWORD)
    bystander = app.test_client()
    bystander.post(
        "/admin/login",
        data={"csrf_token": token(bystander), "name": "made", "password": PASSWORD},
    )

    change(store)

    assert staff.get("/admin/").status_code == 302
    assert elsewhere.get("/admin/").status_code == 302
    assert bystander.get("/admin/").status_code == 200  # other users stay in


def test_redis_keeps_a_digest_of_the_id_that_each_page_renews(app, redis, staff):
    session_id = _session_id(app, staff)
    digest = hashlib.sha256(session_id.encode()).hexdigest()
    key = f"ciberq:v1:session:{digest}"
    assert redis.get(key) == "0|wayan"  # the user's session epoch, and name
    everything = [(k, redis.dump(k)) for k in redis.keys("*")]
    assert session_id.encode() not in repr(everything).encode()

    redis.expire(key, 60)
    staff.get("/admin/")

    assert HOURS - 60 < redis.ttl(key) <= HOURS
    assert redis.smembers("ciberq:v1:user:{wayan}:sessions") == {digest}


def test_an_expired_session_signs_in_again_and_comes_back(app, redis, staff):
    digest = hashlib.sha256(_session_id(app, staff).encode()).hexdigest()
    redis.delete(f"ciberq:v1:session:{digest}")  # as when its idle hours run out

    sent = staff.get("/admin/institutions")

    assert sent.status_code == 302
    assert sent.headers["Location"] == "/admin/login?next=/admin/institutions"


def test_signing_in_again_replaces_the_old_session(app, redis, staff):
    before = _session_id(app, staff)
    staff.post(
        "/admin/login",
        data={"csrf_token": token(staff), "name": "wayan", "password": PASSWORD},
    )

    after = _session_id(app, staff)
    assert after != before
    old = hashlib.sha256(before.encode()).hexdigest()
    assert not redis.exists(f"ciberq:v1:session:{old}")
    assert staff.get("/admin/").status_code == 200


def test_a_sign_in_racing_a_new_password_is_born_ended(app, store, client):
    accounts.add_user(store, "wayan", "staff", PASSWORD)
    # the password checked, then changed by an admin, then the session opened
    checked = accounts.authenticate(store, "wayan", PASSWORD, "192.0.2.1")
    accounts.set_password(store, "wayan", "a new secret 2026")
    late = sessions.open_session(store, "wayan", checked.epoch)
    with client.session_transaction() as cookie:
        cookie["sid"] = late

    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    "sid", [123, ["a"], {"a": 1}, None, "é" * 10, "x" * 100_000, "", "0|wayan"]
)
def test_an_odd_cookie_is_sent_to_the_login_not_a_traceback(app, store, client, sid):
    accounts.add_user(store, "wayan", "staff", PASSWORD)
    with client.session_transaction() as cookie:
        cookie["sid"] = sid

    answer = client.get("/admin/")

    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/admin/login")


def test_a_cookie_from_before_sessions_lived_in_redis_is_refused(app, store, client):
    accounts.add_user(store, "wayan", "staff", PASSWORD)
    with client.session_transaction() as cookie:
        cookie["user"] = "wayan"  # what the cookie held before

    assert client.get("/admin/").status_code == 302
