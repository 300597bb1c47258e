"""API tokens: bearer secrets for other systems, each with a role.

The raw token is shown once, when it is created; Redis keeps only its
sha256, and a request's token is found by that digest, so no secret is ever
compared character by character. Creating and revoking are audited.
"""

import hashlib
import hmac
import logging
import secrets
from dataclasses import asdict, dataclass

import redis

from . import audit, clock
from .accounts import ROLES
from .errors import InvalidInput, StateConflict, TokenNotFound
from .store import Store

log = logging.getLogger(__name__)

PREFIX = "cq_"
# "cq_" and 43 characters of URL-safe base 64 (32 random bytes)
RAW_LENGTH = len(PREFIX) + 43
MAX_NAME = 64
TOUCH_EVERY = 60  # seconds between two writes of last_used_at
ID_ATTEMPTS = 8


@dataclass
class Token:
    """An API token as stored, without its secret."""

    id: str
    name: str
    role: str
    created_at: str = ""
    created_by: str = ""
    revoked: bool = False
    last_used_at: str = ""

    @classmethod
    def from_hash(cls, data: dict) -> "Token":
        """A token from its Redis hash; the digest stays behind."""
        return cls(
            id=data["id"],
            name=data.get("name", ""),
            role=data.get("role", "viewer"),
            created_at=data.get("created_at", ""),
            created_by=data.get("created_by", ""),
            revoked=data.get("revoked", "0") == "1",
            last_used_at=data.get("last_used_at", ""),
        )

    def to_dict(self) -> dict:
        """The token as plain JSON-ready data, never its secret or digest."""
        return asdict(self)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _clean_name(name: str) -> str:
    text = " ".join((name or "").split())
    if not text or len(text) > MAX_NAME or not text.isprintable():
        raise InvalidInput(f"token name must be 1 to {MAX_NAME} printable characters")
    return text


def create_token(
    store: Store, name: str, role: str, *, by: str = ""
) -> tuple[Token, str]:
    """A new token and its raw secret, which is never shown again."""
    name = _clean_name(name)
    if role not in ROLES:
        raise InvalidInput(f"role {role!r} is unknown; use one of {', '.join(ROLES)}")
    raw = PREFIX + secrets.token_urlsafe(32)
    digest = _digest(raw)

    for _ in range(ID_ATTEMPTS):
        token = Token(secrets.token_hex(4), name, role, clock.iso(clock.now()), by)
        if _claim(store, token, digest):
            break
    else:  # 8 collisions in 2^32 ids: something is wrong with the store
        raise StateConflict("could not find a free token id; try again")

    pipe = store.redis.pipeline(transaction=False)
    pipe.hset(store.keys.token_hashes(), digest, token.id)
    pipe.zadd(store.keys.tokens(), {token.id: clock.now().timestamp()})
    audit.record(store, by, "token.created", f"token:{token.id}",
                 after=token.to_dict(), pipe=pipe)  # fmt: skip
    pipe.execute()
    log.info("token %s (%s) created as %s by %s", token.id, name, role, by)
    return token, raw


def _claim(store: Store, token: Token, digest: str) -> bool:
    """Write the token's hash unless its id is taken; True when written."""
    key = store.keys.token(token.id)
    fields = {**asdict(token), "revoked": "0", "hash": digest}
    try:
        with store.redis.pipeline() as pipe:
            pipe.watch(key)
            if pipe.exists(key):
                return False
            pipe.multi()
            pipe.hset(key, mapping=fields)
            pipe.execute()
    except redis.WatchError:
        return False
    return True


def verify(store: Store, raw: str) -> Token | None:
    """The live token whose secret this is, or None."""
    if not isinstance(raw, str) or len(raw) != RAW_LENGTH or not raw.startswith(PREFIX):
        return None
    digest = _digest(raw)
    token_id = store.redis.hget(store.keys.token_hashes(), digest)
    if not token_id:
        return None
    data = store.redis.hgetall(store.keys.token(token_id))
    # the index and the record must agree: a stale index entry grants nothing
    if not data or not hmac.compare_digest(data.get("hash", ""), digest):
        return None
    token = Token.from_hash(data)
    if token.revoked:
        return None

    now = clock.now()
    if not token.last_used_at or (
        (now - clock.parse_iso(token.last_used_at)).total_seconds() >= TOUCH_EVERY
    ):
        token.last_used_at = clock.iso(now)
        store.redis.hset(store.keys.token(token.id), "last_used_at", token.last_used_at)
    return token


def get_token(store: Store, token_id: str) -> Token | None:
    """The token with this id (revoked or not), or None."""
    data = store.redis.hgetall(store.keys.token(token_id.strip().lower()))
    return Token.from_hash(data) if data else None


def list_tokens(store: Store) -> list[Token]:
    """Every token, revoked ones too, oldest first."""
    ids = store.redis.zrange(store.keys.tokens(), 0, -1)
    pipe = store.redis.pipeline(transaction=False)
    for token_id in ids:
        pipe.hgetall(store.keys.token(token_id))
    return [Token.from_hash(data) for data in pipe.execute() if data]


def revoke(store: Store, token_id: str, *, by: str = "") -> Token:
    """Revoke a token for good; revoking it again changes nothing."""
    token = get_token(store, token_id)
    if token is None:
        raise TokenNotFound(token_id)
    if token.revoked:
        return token
    digest = store.redis.hget(store.keys.token(token.id), "hash") or ""

    pipe = store.redis.pipeline(transaction=False)
    pipe.hset(store.keys.token(token.id), "revoked", "1")
    pipe.hdel(store.keys.token_hashes(), digest)
    audit.record(store, by, "token.revoked", f"token:{token.id}",
                 {"revoked": False}, {"revoked": True}, pipe=pipe)  # fmt: skip
    pipe.execute()
    log.info("token %s revoked by %s", token.id, by)
    token.revoked = True
    return token
