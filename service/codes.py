"""Codes: one plaque's short link, its target, its state and its history.

Every change goes through a Lua script that changes the code and appends to
its history in one step (``lua/*.lua``), so the history is complete even when
two people change one code at the same moment.
"""

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime

import redis

from . import audit, clock, institutions, landing, scans, slugs, targets
from .errors import CodeNotFound, InvalidInput, SlugTaken, StateConflict
from .store import Store

log = logging.getLogger(__name__)

ACTIVE = "active"
DISABLED = "disabled"
MAX_REASON = 500
# a generated slug collides with odds of codes/32^6; a few tries are plenty
GENERATE_ATTEMPTS = 8
# how many recent changes the change stream keeps for processes catching up
CHANGES_KEPT = 10_000


@dataclass
class Code:
    """A plaque's short link as stored."""

    slug: str
    target: str
    state: str
    institution: str = ""
    visit: str = ""
    event: str = ""
    created_at: str = ""
    created_by: str = ""
    updated_at: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_hash(cls, data: dict) -> "Code":
        """A code from its Redis hash (unknown fields are kept in ``extra``)."""
        known = {k: data.pop(k) for k in list(data) if k in cls.__dataclass_fields__}
        return cls(**known, extra=data)

    @property
    def active(self) -> bool:
        """True when scans are redirected."""
        return self.state == ACTIVE

    def short_url(self, base_url: str) -> str:
        """The URL printed on the plaque, in upper case (DESIGN.md)."""
        return f"{base_url}/{self.slug}".upper()

    def to_dict(self) -> dict:
        """The code as plain JSON-ready data."""
        data = asdict(self)
        data.pop("extra")
        return data


def _entry(
    action: str, by: str, reason: str = "", at: datetime | None = None, **more
) -> str:
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"reason is longer than {MAX_REASON} characters")
    entry = {"at": clock.iso(at or clock.now()), "by": by, "action": action}
    if reason:
        entry["reason"] = reason
    entry.update(more)
    return json.dumps(entry, ensure_ascii=False)


def check(store: Store, target: str, slug: str | None = None) -> None:
    """Refuse a target or custom slug before anything is written for it."""
    targets.validate(target, store.settings.get("ALLOWED_TARGET_HOSTS", ()))
    if slug:
        slugs.normalize(slug)


def create(
    store: Store,
    target: str,
    institution: str = "",
    *,
    slug: str | None = None,
    visit: str = "",
    by: str = "",
    reason: str = "",
    at: datetime | None = None,
) -> Code:
    """Create a code pointing at ``target``, with a custom or generated slug.

    A custom slug that is taken raises :class:`SlugTaken`; a generated one is
    drawn again. Creation is atomic, so two creators never share a slug.
    ``at`` is when the code was issued, now unless given (the demo seeds
    plaques of past visits); the audit log still says when it was written.
    """
    settings = store.settings
    targets.validate(target, settings.get("ALLOWED_TARGET_HOSTS", ()))
    custom = slugs.normalize(slug) if slug else None

    for _ in range(1 if custom else GENERATE_ATTEMPTS):
        chosen = custom or slugs.generate(settings.get("SLUG_LENGTH", 6))
        issued = at or clock.now()
        moment = clock.iso(issued)
        code = Code(chosen, target, ACTIVE, institution, visit, "", moment, by, moment)
        fields = [item for pair in code.to_dict().items() for item in pair]
        entry = _entry("created", by, reason, issued, to=target)
        # index first (NX keeps an existing entry): a crash between the two
        # writes then leaves an index entry without a code, which lists skip,
        # never a code missing from the index
        store.redis.zadd(store.keys.codes(), {chosen: issued.timestamp()}, nx=True)
        created = store.scripts["create_code"](
            keys=[store.keys.code(chosen), store.keys.history(chosen)],
            args=[entry, *fields],
        )
        if created:
            _announce(store, chosen)
            audit.record(store, by or "-", "code.created", f"code:{chosen}",
                         None, code.to_dict())  # fmt: skip
            log.info("code %s created for %s by %s", chosen, target, by or "-")
            return code
        if custom:
            raise SlugTaken(custom)
    raise StateConflict("could not find a free slug; raise CIBERQ_SLUG_LENGTH")


def get(store: Store, slug: str) -> Code:
    """The code with this slug (any case); raises :class:`CodeNotFound`."""
    canonical = slugs.normalize(slug)
    data = store.redis.hgetall(store.keys.code(canonical))
    if not data:
        raise CodeNotFound(canonical)
    return Code.from_hash(data)


def find(store: Store, slug: str) -> Code | None:
    """The code with this slug, or None (for the redirect path)."""
    data = store.redis.hgetall(store.keys.code(slug))
    return Code.from_hash(data) if data else None


def list_slugs(store: Store) -> list[str]:
    """Every slug, oldest first."""
    return store.redis.zrange(store.keys.codes(), 0, -1)


def list_codes(store: Store) -> list[Code]:
    """Every code, oldest first."""
    slugs_found = list_slugs(store)
    pipe = store.redis.pipeline(transaction=False)
    for slug in slugs_found:
        pipe.hgetall(store.keys.code(slug))
    return [Code.from_hash(data) for data in pipe.execute() if data]


def _change(
    store: Store,
    slug: str,
    field_name: str,
    value: str,
    action: str,
    by: str,
    reason: str,
) -> str:
    """Run one change through the script; return the old value."""
    canonical = slugs.normalize(slug)
    status, old = store.scripts["change_code"](
        keys=[store.keys.code(canonical), store.keys.history(canonical)],
        args=[field_name, value, clock.iso(clock.now()), _entry(action, by, reason)],
    )
    if status == "missing":
        raise CodeNotFound(canonical)
    if status == "same":
        raise StateConflict(
            f"code {canonical} is already {_described(field_name, old)}"
        )
    _announce(store, canonical)
    audit.record(store, by or "-", f"code.{action}", f"code:{canonical}",
                 {field_name: old}, {field_name: value})  # fmt: skip
    return old


def _announce(store: Store, slug: str) -> None:
    """Tell this process at once, and the others through Redis, that a code changed."""
    for listener in store.listeners:
        listener(slug)
    try:
        store.redis.xadd(
            store.keys.code_changes(),
            {"slug": slug},
            maxlen=CHANGES_KEPT,
            approximate=True,
        )
    except redis.RedisError as exc:
        # the change itself is stored; other processes see it at their next
        # full reload of the code table
        log.warning("code %s changed but was not announced: %s", slug, exc)


def _described(field_name: str, value: str) -> str:
    if field_name == "target":
        return f"pointed at {targets.describe(value)}"
    return value


def retarget(
    store: Store, slug: str, target: str, *, by: str = "", reason: str = ""
) -> Code:
    """Point a code at a URL or its landing page; the next scan lands there."""
    targets.validate(target, store.settings.get("ALLOWED_TARGET_HOSTS", ()))
    old = _change(store, slug, "target", target, "retargeted", by, reason)
    log.info("code %s retargeted from %s to %s by %s", slug.upper(), old, target, by)
    return get(store, slug)


def disable(store: Store, slug: str, *, by: str = "", reason: str = "") -> Code:
    """Stop redirecting a code; scans then get a page that links to the office."""
    _change(store, slug, "state", DISABLED, "disabled", by, reason)
    log.info("code %s disabled by %s", slug.upper(), by)
    return get(store, slug)


def enable(store: Store, slug: str, *, by: str = "", reason: str = "") -> Code:
    """Redirect a disabled code again."""
    _change(store, slug, "state", ACTIVE, "enabled", by, reason)
    log.info("code %s enabled by %s", slug.upper(), by)
    return get(store, slug)


def history(store: Store, slug: str) -> list[dict]:
    """Every change of a code, oldest first; raises :class:`CodeNotFound`."""
    canonical = slugs.normalize(slug)
    entries = store.redis.lrange(store.keys.history(canonical), 0, -1)
    if not entries and not store.redis.exists(store.keys.code(canonical)):
        raise CodeNotFound(canonical)
    return [json.loads(entry) for entry in entries]


def summary(store: Store, code: Code, with_history: bool = True) -> dict:
    """A code as people and programs see it: with its institution and its counts."""
    data = code.to_dict()
    data["short_url"] = code.short_url(store.settings["BASE_URL"])
    found = institutions.get(store, code.institution) if code.institution else None
    data["institution_id"] = code.institution
    data["institution"] = found.name if found else ""
    data["institution_kind"] = found.kind if found else ""
    data.update(scans.totals(store, code.slug))
    data["clicks"] = landing.clicks(store, code.slug)
    today, _ = clock.local_day_hour(clock.now(), store.settings["TIMEZONE"])
    data["unique_guests_today"] = scans.unique_guests(store, code.slug, today)
    if with_history:
        data["history"] = history(store, code.slug)
    return data
