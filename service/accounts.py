"""Accounts: the people who sign in, their roles, passwords and logins.

A password is kept only as a scrypt hash (werkzeug's ``generate_password_hash``)
and is never logged. Logins are throttled per account and per address with
counters that expire; the address is kept only as a sha256 digest. Every
change and every login is written to the audit log.
"""

import hashlib
import logging
import re
from dataclasses import asdict, dataclass
from functools import lru_cache

import redis
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit, clock, sessions
from .errors import (
    InvalidInput,
    LoginRefused,
    LoginThrottled,
    StateConflict,
    UserNotFound,
    UserTaken,
)
from .store import Store

log = logging.getLogger(__name__)

ROLES = ("admin", "staff", "viewer")
ACTIONS = {
    "manage_users": ("admin",),
    "audit": ("admin",),
    "change": ("admin", "staff"),
    "read": ("admin", "staff", "viewer"),
}
NAME = re.compile(r"^[a-z0-9._-]{3,64}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
HASH_METHOD = "scrypt"
WINDOW = 15 * 60  # seconds a failed login counts against its account and address
MAX_ACCOUNT_FAILURES = 5
MAX_ADDRESS_FAILURES = 20


@dataclass
class User:
    """A person who may sign in."""

    name: str
    role: str
    active: bool = True
    created_at: str = ""
    created_by: str = ""
    # raised to end every session of the user at once (see sessions.py); read
    # with the password, so a sign-in that races a new password is born ended
    epoch: int = 0

    @classmethod
    def from_hash(cls, data: dict) -> "User":
        """A user from its Redis hash; the password hash stays behind."""
        return cls(
            name=data["name"],
            role=data.get("role", "viewer"),
            active=data.get("active", "1") == "1",
            created_at=data.get("created_at", ""),
            created_by=data.get("created_by", ""),
            epoch=int(data.get("epoch") or 0),
        )

    def to_dict(self) -> dict:
        """The user as plain JSON-ready data, without any password."""
        found = asdict(self)
        del found["epoch"]
        return found


def can(role: str, action: str) -> bool:
    """True when ``role`` may do ``action`` (manage_users, audit, change, read)."""
    return role in ACTIONS.get(action, ())


def _clean_name(name: str) -> str:
    text = (name or "").strip().lower()
    if not NAME.match(text):
        raise InvalidInput(
            f"user name {name!r} must be 3 to 64 characters: a-z, 0-9, '.', '_', '-'"
        )
    return text


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"role {role!r} is unknown; use one of {', '.join(ROLES)}")
    return role


def _hash_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"password must be at most {MAX_PASSWORD} characters")
    return generate_password_hash(password, method=HASH_METHOD)


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    """A hash to check against for unknown names, so they take as long as known."""
    return generate_password_hash("not a password of anyone", method=HASH_METHOD)


def add_user(
    store: Store, name: str, role: str, password: str, *, by: str = ""
) -> User:
    """Add a user; the name is unique regardless of case."""
    name = _clean_name(name)
    _check_role(role)
    hashed = _hash_password(password)
    user = User(name, role, True, clock.iso(clock.now()), by)
    key = store.keys.user(name)

    # WATCH makes two additions of one name at once end with one winner
    try:
        with store.redis.pipeline() as pipe:
            pipe.watch(key)
            if pipe.exists(key):
                raise UserTaken(name)
            pipe.multi()
            pipe.hset(key, mapping={**_fields(user), "password": hashed})
            pipe.execute()
    except redis.WatchError:
        raise UserTaken(name) from None

    pipe = store.redis.pipeline(transaction=False)
    pipe.zadd(store.keys.users(), {name: clock.now().timestamp()})
    audit.record(
        store, by, "user.added", f"user:{name}", after=user.to_dict(), pipe=pipe
    )
    pipe.execute()
    log.info("user %s added as %s by %s", name, role, by)
    return user


def _fields(user: User) -> dict:
    return {**asdict(user), "active": "1" if user.active else "0"}


def _end_sessions(store: Store, name: str, pipe) -> None:
    """End every session of a user, on ``pipe``: the epoch makes it certain even
    for a sign-in racing the change; deleting the keys tidies up."""
    pipe.hincrby(store.keys.user(name), "epoch", 1)
    sessions.close_all(store, name, pipe)


def get_user(store: Store, name: str) -> User | None:
    """The user with this name (any case), or None."""
    try:
        name = _clean_name(name)
    except InvalidInput:
        return None
    data = store.redis.hgetall(store.keys.user(name))
    return User.from_hash(data) if data else None


def _existing(store: Store, name: str) -> User:
    found = get_user(store, name)
    if found is None:
        raise UserNotFound(name)
    return found


def list_users(store: Store) -> list[User]:
    """Every user, by name."""
    names = store.redis.zrange(store.keys.users(), 0, -1)
    pipe = store.redis.pipeline(transaction=False)
    for name in names:
        pipe.hgetall(store.keys.user(name))
    found = [User.from_hash(data) for data in pipe.execute() if data]
    return sorted(found, key=lambda user: user.name)


def _active_admins(store: Store) -> list[str]:
    return [u.name for u in list_users(store) if u.role == "admin" and u.active]


def _change(store: Store, user: User, action: str, by: str, **changes) -> User:
    """Write ``changes`` to a user and audit them, before and after."""
    before = {field: getattr(user, field) for field in changes}
    changed = User(**{**asdict(user), **changes})
    stored = {k: v for k, v in _fields(changed).items() if k in changes}
    pipe = store.redis.pipeline(transaction=False)
    pipe.hset(store.keys.user(user.name), mapping=stored)
    if "active" in changes or "role" in changes:
        # a disabled user is out at once; a new role starts from a new sign-in
        _end_sessions(store, user.name, pipe)
    audit.record(store, by, action, f"user:{user.name}", before, changes, pipe=pipe)
    pipe.execute()
    log.info("user %s: %s by %s", user.name, action, by)
    return changed


def _keep_an_admin(store: Store, user: User) -> None:
    if user.role == "admin" and user.active and _active_admins(store) == [user.name]:
        raise StateConflict(
            f"user {user.name} is the last active admin; make another admin first"
        )


def set_role(store: Store, name: str, role: str, *, by: str = "") -> User:
    """Give a user another role."""
    _check_role(role)
    user = _existing(store, name)
    if user.role == role:
        return user
    _keep_an_admin(store, user)
    return _change(store, user, "user.role_changed", by, role=role)


def set_password(store: Store, name: str, password: str, *, by: str = "") -> User:
    """Replace a user's password (the log says only that it changed)."""
    user = _existing(store, name)
    hashed = _hash_password(password)
    pipe = store.redis.pipeline(transaction=False)
    pipe.hset(store.keys.user(user.name), "password", hashed)
    pipe.delete(store.keys.login_failures("account", _digest(user.name)))
    _end_sessions(store, user.name, pipe)  # whoever knew the old one is out
    audit.record(store, by, "user.password_changed", f"user:{user.name}", pipe=pipe)
    pipe.execute()
    log.info("user %s: password changed by %s", user.name, by)
    return user


def disable_user(store: Store, name: str, *, by: str = "") -> User:
    """Stop a user from signing in; their past changes stay theirs."""
    user = _existing(store, name)
    if not user.active:
        return user
    _keep_an_admin(store, user)
    return _change(store, user, "user.disabled", by, active=False)


def enable_user(store: Store, name: str, *, by: str = "") -> User:
    """Let a disabled user sign in again."""
    user = _existing(store, name)
    if user.active:
        return user
    return _change(store, user, "user.enabled", by, active=True)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _count_failure(store: Store, keys: tuple[str, ...]) -> list[int]:
    """Add one failed login to each counter; the window opens at the first."""
    pipe = store.redis.pipeline(transaction=False)
    for key in keys:
        pipe.set(key, 0, ex=WINDOW, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
    replies = pipe.execute()
    counts = replies[1::3]
    # a counter that expired between SET and INCR came back without a TTL
    for key, ttl in zip(keys, replies[2::3], strict=True):
        if ttl == -1:
            store.redis.expire(key, WINDOW)
    return counts


def authenticate(store: Store, name: str, password: str, address: str) -> User:
    """The user whose name and password these are; refused or throttled otherwise."""
    typed = (name or "").strip().lower()
    account_key = store.keys.login_failures("account", _digest(typed))
    address_key = store.keys.login_failures("address", _digest(address or ""))
    pipe = store.redis.pipeline(transaction=False)
    pipe.mget(account_key, address_key)
    pipe.ttl(account_key)
    pipe.ttl(address_key)
    pipe.hgetall(store.keys.user(typed if NAME.match(typed) else ""))
    (failures, address_failures), *ttls, data = pipe.execute()
    # a name that is no account is not written down: it may be a mistyped password
    subject = f"user:{typed}" if data else "user:?"

    if (
        int(failures or 0) >= MAX_ACCOUNT_FAILURES
        or int(address_failures or 0) >= MAX_ADDRESS_FAILURES
    ):
        counts = _count_failure(store, (account_key, address_key))
        # one audit entry when a limit is first passed, not one per attempt
        account_count, address_count = counts
        if (
            account_count == MAX_ACCOUNT_FAILURES + 1
            or address_count == MAX_ADDRESS_FAILURES + 1
        ):
            audit.record(store, "anonymous", "login.throttled", subject)
        log.info("login throttled for %s", subject)
        raise LoginThrottled(max(*ttls, 1))

    # an unknown name checks a decoy hash: the answer takes the same time
    matches = check_password_hash(data.get("password") or _decoy_hash(), password or "")
    if not (data and matches and data.get("active") == "1"):
        _count_failure(store, (account_key, address_key))
        audit.record(store, "anonymous", "login.failed", subject)
        log.info("login refused for %s", subject)
        raise LoginRefused()

    user = User.from_hash(data)
    pipe = store.redis.pipeline(transaction=False)
    pipe.delete(account_key)
    audit.record(store, user.name, "login.succeeded", subject, pipe=pipe)
    pipe.execute()
    return user
