"""Campaigns: a window of time in which a set of codes points at an event.

A campaign names an event, a window (stored in UTC, entered in the office's
zone), the codes it covers (all, those of one kind of institution, of one
visit, or a list of slugs) and where they point meanwhile (the event's page
unless given). Outside every window a code falls back to its own target.
Scans inside a window count for the campaign's event. Each process's code
table holds the windows of every code (:mod:`service.table`), so honouring a
campaign costs the redirect no Redis round trip.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import datetime

import redis

from . import audit, clock, events, institutions, slugs, targets, visits
from .errors import InvalidInput, StateConflict
from .store import Store

log = logging.getLogger(__name__)

SCOPES = ("all", "kind", "visit", "codes")
# the slug announced on the change stream when a campaign changes: every
# process then reloads its whole code table
EVERY_CODE = "*"


@dataclass(frozen=True)
class Window:
    """When a code points elsewhere: a campaign as one code's table sees it."""

    starts: float  # UTC seconds since the epoch
    ends: float
    target: str
    event: str


@dataclass
class Campaign:
    """A campaign as stored."""

    id: str
    event: str
    starts: str
    ends: str
    scope: str
    value: str = ""
    target: str = ""
    created_by: str = ""
    created_at: str = ""
    cancelled: str = "0"

    def to_dict(self) -> dict:
        """The campaign as plain JSON-ready data."""
        return asdict(self)

    def covers(self, slug: str, visit: str, kind: str) -> bool:
        """True when the campaign includes the code with these properties."""
        if self.scope == "all":
            return True
        if self.scope == "kind":
            return kind == self.value
        if self.scope == "visit":
            return visit == self.value
        return slug in self.value.split(",")

    def window(self) -> Window:
        """The campaign's window for a code's table entry."""
        return Window(
            clock.parse_iso(self.starts).timestamp(),
            clock.parse_iso(self.ends).timestamp(),
            self.target,
            self.event,
        )


def create(
    store: Store,
    event_id: str,
    starts: datetime,
    ends: datetime,
    scope: str,
    value: str = "",
    *,
    target: str = "",
    by: str = "",
) -> Campaign:
    """Point the codes in ``scope`` at an event from ``starts`` to ``ends``."""
    event = events.get(store, event_id)
    if event is None:
        raise InvalidInput(f"event {event_id} does not exist; see ciberq event list")
    if ends <= starts:
        raise InvalidInput("a campaign must end after it starts")
    if scope not in SCOPES:
        raise InvalidInput(f"scope {scope!r} is unknown; use {', '.join(SCOPES)}")
    if scope == "codes":
        value = ",".join(slugs.normalize(slug) for slug in value.split(",") if slug)
    if scope != "all" and not value:
        raise InvalidInput(f"a campaign for {scope} needs its value")
    if scope == "kind" and value not in institutions.KINDS:
        raise InvalidInput(
            f"institution kind {value!r} is unknown; use one of "
            f"{', '.join(institutions.KINDS)}"
        )
    if scope == "visit" and visits.get(store, value) is None:
        raise InvalidInput(f"visit {value} does not exist")
    target = target or event.page
    if not target:
        raise InvalidInput(f"event {event_id} has no page; give the campaign a target")
    targets.validate_url(target, store.settings.get("ALLOWED_TARGET_HOSTS", ()))

    new_id = str(store.redis.hincrby(store.keys.ids(), "campaign", 1))
    campaign = Campaign(
        new_id, event_id, clock.iso(starts), clock.iso(ends), scope, value, target,
        by, clock.iso(clock.now()),
    )  # fmt: skip
    store.redis.hset(store.keys.campaign(new_id), mapping=campaign.to_dict())
    store.redis.zadd(store.keys.campaigns(), {new_id: starts.timestamp()})
    audit.record(store, by or "-", "campaign.created", f"campaign:{new_id}",
                 None, campaign.to_dict())  # fmt: skip
    _announce(store)
    log.info("campaign %s for event %s created by %s", new_id, event_id, by or "-")
    return campaign


def get(store: Store, campaign_id: str) -> Campaign | None:
    """The campaign with this id, or None."""
    data = store.redis.hgetall(store.keys.campaign(campaign_id))
    return Campaign(**data) if data else None


def list_all(store: Store, *, include_cancelled: bool = False) -> list[Campaign]:
    """Every campaign, by start."""
    ids = store.redis.zrange(store.keys.campaigns(), 0, -1)
    pipe = store.redis.pipeline(transaction=False)
    for campaign_id in ids:
        pipe.hgetall(store.keys.campaign(campaign_id))
    found = [Campaign(**data) for data in pipe.execute() if data]
    return [c for c in found if include_cancelled or c.cancelled != "1"]


def cancel(store: Store, campaign_id: str, *, by: str = "") -> Campaign:
    """End a campaign now: its codes fall back to their own targets."""
    campaign = get(store, campaign_id)
    if campaign is None:
        raise InvalidInput(f"campaign {campaign_id} does not exist")
    if campaign.cancelled == "1":
        raise StateConflict(f"campaign {campaign_id} is already cancelled")
    store.redis.hset(store.keys.campaign(campaign_id), "cancelled", "1")
    audit.record(store, by or "-", "campaign.cancelled", f"campaign:{campaign_id}",
                 {"cancelled": "0"}, {"cancelled": "1"})  # fmt: skip
    _announce(store)
    campaign.cancelled = "1"
    return campaign


def windows(
    campaigns: list[Campaign], slug: str, visit: str, kind: str
) -> tuple[Window, ...]:
    """The windows of every campaign that covers a code, earliest first."""
    found = [c.window() for c in campaigns if c.covers(slug, visit, kind)]
    return tuple(sorted(found, key=lambda window: window.starts))


def pointing(found: tuple[Window, ...], target: str, at: float) -> tuple[str, str]:
    """Where a code points at ``at`` and the event a scan then counts for."""
    for window in found:
        if window.starts <= at < window.ends:
            return window.target, window.event
    return target, ""


def _announce(store: Store) -> None:
    for listener in store.listeners:
        listener(EVERY_CODE)
    try:
        store.redis.xadd(store.keys.code_changes(), {"slug": EVERY_CODE},
                         maxlen=10_000, approximate=True)  # fmt: skip
    except redis.RedisError as exc:
        log.warning("campaign change not announced: %s", exc)


def preview(store: Store, code, at: datetime) -> tuple[str, str]:
    """What a code opens at ``at``, and the event a scan then counts for."""
    found = institutions.get(store, code.institution) if code.institution else None
    kind = found.kind if found else ""
    covering = windows(list_all(store), code.slug, code.visit, kind)
    return pointing(covering, code.target, at.timestamp())
