"""Sign-in sessions kept in Redis, so that signing out really ends them.

The staff pages' cookie is signed by Flask and carries only a random session
id; Redis keeps, under the id's SHA-256, whose session it is and the user's
session epoch at sign-in, for a number of idle hours that each request renews
(``CIBERQ_SESSION_HOURS``). Signing out deletes the session, so a copied
cookie is worth nothing afterwards; a new password, a disabled account or a
new role raises the user's epoch, which ends every session of that user, even
one signed in at that very moment; and a Redis dump holds no id that a cookie
could use.
"""

import hashlib
import secrets

from .store import Store


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


def _usable(session_id) -> bool:
    # a cookie is signed, but its id may still be of an older or odd shape
    return isinstance(session_id, str) and 0 < len(session_id) <= 128


def open_session(store: Store, name: str, epoch: int) -> str:
    """A new session for user ``name`` at the user's session ``epoch`` (as read
    when the password was checked); the id goes into the cookie."""
    session_id = secrets.token_urlsafe(32)
    digest = _digest(session_id)
    seconds = _lifetime(store)
    pipe = store.redis.pipeline(transaction=False)
    pipe.set(store.keys.session(digest), f"{epoch}|{name}", ex=seconds)
    # the list only tidies up (the epoch ends sessions): it may expire before a
    # session that pages keep renewing, which then simply runs out on its own
    pipe.sadd(store.keys.user_sessions(name), digest)
    pipe.expire(store.keys.user_sessions(name), seconds)
    pipe.execute()
    return session_id


def session_user(store: Store, session_id) -> tuple[str, int] | None:
    """The user name and session epoch of a live session, its idle time
    renewed; None for an unknown, ended or expired session. The caller checks
    the epoch against the user's."""
    if not _usable(session_id):
        return None
    key = store.keys.session(_digest(session_id))
    seconds = _lifetime(store)
    pipe = store.redis.pipeline(transaction=False)
    pipe.get(key)
    pipe.expire(key, seconds)
    value, _ = pipe.execute()
    epoch, _, name = (value or "").partition("|")
    if not name or not epoch.isdigit():
        return None
    return name, int(epoch)


def close_session(store: Store, session_id) -> None:
    """End one session (signing out); an unknown id is a no-op."""
    if not _usable(session_id):
        return
    digest = _digest(session_id)
    key = store.keys.session(digest)
    name = (store.redis.get(key) or "").partition("|")[2]
    pipe = store.redis.pipeline(transaction=False)
    pipe.delete(key)
    if name:
        pipe.srem(store.keys.user_sessions(name), digest)
    pipe.execute()


def close_all(store: Store, name: str, pipe=None) -> None:
    """Delete every listed session of user ``name``: in ``pipe`` when one is
    given, so that it happens with the change that asks for it. Raising the
    user's epoch is what makes it certain (``accounts``)."""
    sessions = store.keys.user_sessions(name)
    digests = store.redis.smembers(sessions)
    own = pipe is None
    pipe = store.redis.pipeline(transaction=False) if own else pipe
    for digest in digests:
        pipe.delete(store.keys.session(digest))
    pipe.delete(sessions)
    if own:
        pipe.execute()


def _lifetime(store: Store) -> int:
    return store.settings["SESSION_HOURS"] * 3600
