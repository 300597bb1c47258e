"""Accounts: roles, password hashing, throttled logins, and their audit."""

import threading

import pytest

from service import accounts, audit
from service.errors import (
    InvalidInput,
    LoginRefused,
    LoginThrottled,
    StateConflict,
    UserNotFound,
    UserTaken,
)

PASSWORD = "Sanur-Beach-1978"
ADDRESS = "192.0.2.7"


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """Cheaper scrypt parameters: the throttling tests hash dozens of times."""
    monkeypatch.setattr(accounts, "HASH_METHOD", "scrypt:1024:8:1")
    accounts._decoy_hash.cache_clear()
    yield
    accounts._decoy_hash.cache_clear()


@pytest.fixture
def wayan(store):
    """An active staff user."""
    return accounts.add_user(store, "wayan", "staff", PASSWORD, by="admin")


def _everything(redis) -> str:
    """Every key and value in Redis as one string."""
    dump = []
    for key in redis.keys("*"):
        kind = redis.type(key)
        if kind == "string":
            dump.append(redis.get(key))
        elif kind == "hash":
            dump.append(repr(redis.hgetall(key)))
        elif kind == "zset":
            dump.append(repr(redis.zrange(key, 0, -1)))
        elif kind == "stream":
            dump.append(repr(redis.xrange(key)))
        dump.append(key)
    return "\n".join(dump)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", {"manage_users", "audit", "change", "read"}),
        ("staff", {"change", "read"}),
        ("viewer", {"read"}),
        ("root", set()),
    ],
)
def test_roles_allow_their_actions_only(role, allowed):
    actions = {"manage_users", "audit", "change", "read", "launch"}

    assert {action for action in actions if accounts.can(role, action)} == allowed


def test_add_user_keeps_a_scrypt_hash_and_never_the_password(store, redis, wayan):
    stored = redis.hgetall("ciberq:v1:user:{wayan}")

    assert stored["password"].startswith("scrypt:")
    assert PASSWORD not in _everything(redis)
    assert "password" not in wayan.to_dict()
    assert wayan.to_dict() == {
        "name": "wayan",
        "role": "staff",
        "active": True,
        "created_at": wayan.created_at,
        "created_by": "admin",
    }
    assert redis.zrange("ciberq:v1:users", 0, -1) == ["wayan"]


def test_the_default_hash_is_a_strong_scrypt(store, redis, monkeypatch):
    monkeypatch.undo()  # the real parameters, this once

    accounts.add_user(store, "made", "viewer", PASSWORD)

    assert redis.hget("ciberq:v1:user:{made}", "password").startswith("scrypt:32768:")


def test_names_are_unique_regardless_of_case(store, wayan):
    with pytest.raises(UserTaken, match="wayan"):
        accounts.add_user(store, "WAYAN", "viewer", PASSWORD)

    assert accounts.get_user(store, "Wayan") == wayan


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("ab", "staff", PASSWORD, "3 to 64"),
        ("a" * 65, "staff", PASSWORD, "3 to 64"),
        ("i nyoman", "staff", PASSWORD, "3 to 64"),
        ("nyoman", "root", PASSWORD, "role"),
        ("nyoman", "staff", "short", "at least 10"),
    ],
)
def test_bad_users_are_refused(store, redis, name, role, password, message):
    with pytest.raises(InvalidInput, match=message):
        accounts.add_user(store, name, role, password)

    assert redis.keys("ciberq:v1:user*") == []


def test_two_additions_of_one_name_at_once_have_one_winner(store):
    barrier = threading.Barrier(8)
    outcomes = []

    def attempt(number):
        barrier.wait()
        try:
            accounts.add_user(store, "ketut", "staff", f"{PASSWORD}-{number}")
            outcomes.append("won")
        except UserTaken:
            outcomes.append("taken")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["taken"] * 7 + ["won"]
    assert [user.name for user in accounts.list_users(store)] == ["ketut"]
    assert [e["action"] for e in audit.entries(store)] == ["user.added"]


def test_changes_are_audited_with_before_and_after(store, wayan):
    accounts.set_role(store, "wayan", "viewer", by="admin")
    accounts.set_password(store, "wayan", "another-long-one", by="admin")
    accounts.disable_user(store, "wayan", by="admin")
    accounts.enable_user(store, "wayan", by="admin")

    found = audit.entries(store)

    assert [e["action"] for e in reversed(found)] == [
        "user.added",
        "user.role_changed",
        "user.password_changed",
        "user.disabled",
        "user.enabled",
    ]
    assert {e["subject"] for e in found} == {"user:wayan"}
    assert found[3]["before"] == {"role": "staff"}
    assert found[3]["after"] == {"role": "viewer"}
    assert found[2]["before"] is None and found[2]["after"] is None
    assert "another-long-one" not in audit.export_csv(store)
    assert accounts.get_user(store, "wayan").role == "viewer"


def test_changing_an_unknown_user_is_not_found(store):
    with pytest.raises(UserNotFound, match="nobody"):
        accounts.disable_user(store, "nobody")


def test_the_last_active_admin_stays(store):
    accounts.add_user(store, "root", "admin", PASSWORD)

    with pytest.raises(StateConflict, match="last active admin"):
        accounts.disable_user(store, "root")
    with pytest.raises(StateConflict):
        accounts.set_role(store, "root", "staff")
    accounts.add_user(store, "second", "admin", PASSWORD)
    accounts.disable_user(store, "root")

    assert accounts.get_user(store, "root").active is False


def test_authenticate_answers_the_user_and_audits_it(store, wayan):
    found = accounts.authenticate(store, " Wayan ", PASSWORD, ADDRESS)

    assert found == wayan
    last = audit.entries(store, limit=1)[0]
    assert (last["who"], last["action"], last["subject"]) == (
        "wayan",
        "login.succeeded",
        "user:wayan",
    )


def test_unknown_user_and_wrong_password_look_the_same(store, wayan, monkeypatch):
    checked = []
    real = accounts.check_password_hash
    monkeypatch.setattr(
        accounts,
        "check_password_hash",
        lambda hashed, password: checked.append(hashed) or real(hashed, password),
    )

    with pytest.raises(LoginRefused) as wrong:
        accounts.authenticate(store, "wayan", "wrong-password", ADDRESS)
    with pytest.raises(LoginRefused) as unknown:
        accounts.authenticate(store, "nobody", "wrong-password", ADDRESS)

    assert str(wrong.value) == str(unknown.value)
    assert wrong.value.http_status == unknown.value.http_status == 401
    assert wrong.value.code == unknown.value.code == "login_refused"
    # the unknown name spent one scrypt hash too, with the same parameters
    assert len(checked) == 2
    assert [h.split("$")[0] for h in checked] == ["scrypt:1024:8:1"] * 2


def test_a_disabled_user_is_refused_like_a_wrong_password(store, wayan):
    accounts.add_user(store, "root", "admin", PASSWORD)
    accounts.disable_user(store, "wayan")

    with pytest.raises(LoginRefused):
        accounts.authenticate(store, "wayan", PASSWORD, ADDRESS)


def test_failed_logins_are_audited_without_unknown_names(store, wayan):
    for name in ("wayan", "Sanur-Beach-1978x"):
        with pytest.raises(LoginRefused):
            accounts.authenticate(store, name, "wrong-password", ADDRESS)

    unknown, known = audit.entries(store, limit=2)

    assert (known["action"], known["subject"]) == ("login.failed", "user:wayan")
    assert (unknown["action"], unknown["subject"]) == ("login.failed", "user:?")
    assert "sanur" not in audit.export_csv(store).lower()


def test_an_account_is_throttled_after_five_failures(store, redis, wayan):
    for _ in range(accounts.MAX_ACCOUNT_FAILURES):
        with pytest.raises(LoginRefused):
            accounts.authenticate(store, "wayan", "wrong-password", ADDRESS)

    # even the right password, and from anywhere
    with pytest.raises(LoginThrottled) as refused:
        accounts.authenticate(store, "wayan", PASSWORD, "198.51.100.1")

    assert refused.value.http_status == 429
    assert refused.value.code == "login_throttled"
    assert 0 < refused.value.retry_after <= accounts.WINDOW
    assert [e["action"] for e in audit.entries(store, limit=1)] == ["login.throttled"]
    assert ADDRESS not in _everything(redis)
    for key in redis.keys("ciberq:v1:logins:*"):
        assert 0 < redis.ttl(key) <= accounts.WINDOW


def test_throttled_attempts_are_audited_once(store, wayan):
    for _ in range(accounts.MAX_ACCOUNT_FAILURES):
        with pytest.raises(LoginRefused):
            accounts.authenticate(store, "wayan", "wrong-password", ADDRESS)
    for _ in range(3):
        with pytest.raises(LoginThrottled):
            accounts.authenticate(store, "wayan", PASSWORD, ADDRESS)

    actions = [e["action"] for e in audit.entries(store)]

    assert actions.count("login.throttled") == 1


def test_an_address_is_throttled_after_twenty_failures(store, wayan):
    for number in range(accounts.MAX_ADDRESS_FAILURES):
        with pytest.raises(LoginRefused):
            accounts.authenticate(store, f"guess{number}", "wrong-password", ADDRESS)

    with pytest.raises(LoginThrottled):
        accounts.authenticate(store, "wayan", PASSWORD, ADDRESS)
    assert accounts.authenticate(store, "wayan", PASSWORD, "198.51.100.1") == wayan


def test_a_login_resets_the_account_failures(store, wayan):
    for _ in range(accounts.MAX_ACCOUNT_FAILURES - 1):
        with pytest.raises(LoginRefused):
            accounts.authenticate(store, "wayan", "wrong-password", ADDRESS)
    accounts.authenticate(store, "wayan", PASSWORD, ADDRESS)

    for _ in range(accounts.MAX_ACCOUNT_FAILURES - 1):
        with pytest.raises(LoginRefused):
            accounts.authenticate(store, "wayan", "wrong-password", ADDRESS)
    assert accounts.authenticate(store, "wayan", PASSWORD, ADDRESS) == wayan


def test_the_window_ends(store, redis, wayan):
    for _ in range(accounts.MAX_ACCOUNT_FAILURES):
        with pytest.raises(LoginRefused):
            accounts.authenticate(store, "wayan", "wrong-password", ADDRESS)

    for key in redis.keys("ciberq:v1:logins:*"):
        redis.delete(key)  # as if 15 minutes had passed

    assert accounts.authenticate(store, "wayan", PASSWORD, ADDRESS) == wayan
