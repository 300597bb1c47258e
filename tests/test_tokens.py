"""API tokens: shown once, kept as a hash, verified by it, revocable."""

import hashlib
from datetime import timedelta

import pytest

from service import audit, clock, tokens
from service.errors import InvalidInput, TokenNotFound


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


def test_create_returns_the_raw_token_once_and_keeps_its_hash(store, redis):
    made, raw = tokens.create_token(store, "SIMDA Bali", "staff", by="admin")

    assert raw.startswith("cq_") and len(raw) == tokens.RAW_LENGTH
    assert len(made.id) == 8 and int(made.id, 16) >= 0
    assert (made.name, made.role, made.created_by) == ("SIMDA Bali", "staff", "admin")
    digest = hashlib.sha256(raw.encode()).hexdigest()
    assert redis.hget(f"ciberq:v1:token:{{{made.id}}}", "hash") == digest
    assert redis.hget("ciberq:v1:tokens:hashes", digest) == made.id
    assert raw not in _everything(redis)
    assert raw[3:] not in _everything(redis)


def test_verify_finds_the_token_by_its_secret(store):
    made, raw = tokens.create_token(store, "dashboard", "viewer")

    found = tokens.verify(store, raw)

    assert found.id == made.id
    assert found.role == "viewer"


@pytest.mark.parametrize(
    "raw", ["", "cq_", "cq_" + "A" * 43, "xx_" + "A" * 43, "cq_" + "A" * 500, None]
)
def test_verify_refuses_unknown_secrets(store, raw):
    tokens.create_token(store, "dashboard", "viewer")

    assert tokens.verify(store, raw) is None


def test_revoked_tokens_no_longer_verify(store, redis):
    made, raw = tokens.create_token(store, "old system", "staff")

    revoked = tokens.revoke(store, made.id, by="admin")

    assert revoked.revoked is True
    assert tokens.verify(store, raw) is None
    assert redis.hlen("ciberq:v1:tokens:hashes") == 0
    assert [t.revoked for t in tokens.list_tokens(store)] == [True]
    assert tokens.revoke(store, made.id).revoked is True  # again: no change


def test_revoking_an_unknown_token_is_not_found(store):
    with pytest.raises(TokenNotFound, match="deadbeef"):
        tokens.revoke(store, "deadbeef")


def test_list_never_shows_the_secret_or_its_hash(store):
    _, raw = tokens.create_token(store, "a", "staff")
    tokens.create_token(store, "b", "admin")

    listed = [token.to_dict() for token in tokens.list_tokens(store)]

    assert [item["name"] for item in listed] == ["a", "b"]
    assert set(listed[0]) == {
        "id", "name", "role", "created_at", "created_by", "revoked", "last_used_at"
    }  # fmt: skip
    digest = hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in repr(listed) and digest not in repr(listed)


def test_last_use_is_written_at_most_once_a_minute(store, redis, monkeypatch):
    made, raw = tokens.create_token(store, "poller", "viewer")
    start = clock.now()
    key = f"ciberq:v1:token:{{{made.id}}}"

    monkeypatch.setattr(clock, "now", lambda: start)
    tokens.verify(store, raw)
    first = redis.hget(key, "last_used_at")
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=30))
    tokens.verify(store, raw)
    unchanged = redis.hget(key, "last_used_at")
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=61))
    tokens.verify(store, raw)

    assert first == clock.iso(start)
    assert unchanged == first
    assert redis.hget(key, "last_used_at") == clock.iso(start + timedelta(seconds=61))


@pytest.mark.parametrize(("name", "role"), [("", "staff"), ("x" * 65, "staff"),
                                            ("ok", "root")])  # fmt: skip
def test_bad_names_and_roles_are_refused(store, name, role):
    with pytest.raises(InvalidInput):
        tokens.create_token(store, name, role)


def test_create_and_revoke_are_audited_without_the_secret(store):
    made, raw = tokens.create_token(store, "SIMDA", "staff", by="admin")
    tokens.revoke(store, made.id, by="made")

    revoked, created = audit.entries(store)

    assert (created["who"], created["action"], created["subject"]) == (
        "admin",
        "token.created",
        f"token:{made.id}",
    )
    assert created["after"]["role"] == "staff"
    assert (revoked["who"], revoked["action"]) == ("made", "token.revoked")
    assert revoked["before"] == {"revoked": False}
    assert revoked["after"] == {"revoked": True}
    assert raw not in audit.export_csv(store)
