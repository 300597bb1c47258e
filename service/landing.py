"""Landing pages: what a code whose target is its own page shows, and its clicks.

A landing page (issue 7) greets the visiting institution, links to the
documentation of its visit, the office's profile and the events happening now
and next, and gives the office's contact details, in Indonesian and English.
Its content comes in three layers: office-wide (settings, then a stored
document), per visit and per code. A later layer wins field by field, and
links merge by id: a link with an empty URL removes the one it inherits.

Every link of a page is reached through ``/<SLUG>/go/<LINK>``, which finds the
link id among that page's own links, never a URL from the request, so the short
domain cannot become an open redirect. Clicks are counted per code and link,
guests apart from bots, and per day for the dashboard.
"""

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from . import audit, clock, events, institutions, slugs, targets, visits
from .errors import CodeNotFound, InvalidInput, InvalidTarget
from .store import Store

log = logging.getLogger(__name__)

PROFILE = "profile"
VISIT = "visit"
EVENT = "event-"
LINK_ID = re.compile(r"[a-z0-9-]{1,32}")
SCOPES = ("office", "visit", "code")
FIELDS = ("message_id", "message_en", "profile_url", "email", "phone",
          "postal_address")  # fmt: skip
MAX_TEXT = 500
MAX_LABEL = 200
MAX_LINKS = 12  # per document, and on one page once the layers are merged
NOW_EVENTS = 4  # events happening now that one page shows
NEXT_EVENTS = 3
# loose on purpose: the address is shown, never mailed to by the service
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}")
_PHONE = re.compile(r"[0-9+() .-]{3,32}")
_MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
           "Agustus", "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December"),
}  # fmt: skip


@dataclass(frozen=True)
class Link:
    """One link of a landing page, labelled in both languages."""

    id: str
    url: str
    label_id: str
    label_en: str
    starts: str = ""  # an event's dates, ISO
    ends: str = ""

    def label(self, language: str) -> str:
        """The link's text in ``language``, or in the other one if it has none."""
        first, other = (self.label_en, self.label_id)[:: 1 if language == "en" else -1]
        return first or other


@dataclass
class Page:
    """Everything a landing page shows, before it is put into words."""

    slug: str
    institution: str
    visit_date: date | None
    texts: dict
    documentation: Link | None = None
    profile: Link | None = None
    now: list[Link] = field(default_factory=list)
    upcoming: list[Link] = field(default_factory=list)
    extra: list[Link] = field(default_factory=list)

    def links(self) -> dict[str, Link]:
        """Every link that a guest can open, by id."""
        every = [self.documentation, self.profile, *self.now, *self.upcoming,
                 *self.extra]  # fmt: skip
        return {link.id: link for link in every if link is not None and link.url}


def local_date(on: date, language: str) -> str:
    """A date as a guest reads it: '12 Maret 2026', '12 March 2026'."""
    return f"{on.day} {_MONTHS[language][on.month - 1]} {on.year}"


def _text(document: dict, name: str, limit: int = MAX_TEXT) -> str:
    value = document.get(name, "")
    if not isinstance(value, str):
        raise InvalidInput(f"landing field {name} must be text")
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"landing field {name} is longer than {limit} characters")
    return value


def _check_link(raw, allowed: tuple[str, ...]) -> dict:
    if not isinstance(raw, dict):
        raise InvalidInput("each landing link must be an object with id and url")
    link_id = _text(raw, "id", 32)
    if not LINK_ID.fullmatch(link_id):
        raise InvalidInput(f"link id {link_id!r} must be 1 to 32 of a-z 0-9 -")
    if link_id in (PROFILE, VISIT) or link_id.startswith(EVENT):
        raise InvalidInput(f"link id {link_id!r} is reserved; choose another")
    url = _text(raw, "url", targets.MAX_LENGTH)
    if url:
        targets.validate_url(url, allowed)
    label_id, label_en = (
        _text(raw, "label_id", MAX_LABEL),
        _text(raw, "label_en", MAX_LABEL),
    )
    if url and not (label_id or label_en):
        raise InvalidInput(f"link {link_id} needs a label_id or a label_en")
    return {"id": link_id, "url": url, "label_id": label_id, "label_en": label_en}


def check(store: Store, document) -> dict:
    """The landing content of ``document``, checked and trimmed; refuse bad input.

    Known fields: ``message_id``, ``message_en``, ``profile_url``, ``email``,
    ``phone``, ``postal_address`` and ``links`` (a list of ``{id, url,
    label_id, label_en}``). An empty value leaves the inherited one.
    """
    if not isinstance(document, dict):
        raise InvalidInput("landing content must be a JSON object")
    unknown = set(document) - {*FIELDS, "links"}
    if unknown:
        raise InvalidInput(
            f"landing content has unknown fields {', '.join(sorted(unknown))}; "
            f"use {', '.join(FIELDS)}, links"
        )
    allowed = store.settings.get("ALLOWED_TARGET_HOSTS", ())
    checked = {name: _text(document, name) for name in FIELDS if name in document}
    if checked.get("profile_url"):
        targets.validate_url(checked["profile_url"], allowed)
    if checked.get("email") and not _EMAIL.fullmatch(checked["email"]):
        raise InvalidInput(f"email {checked['email']!r} is not an e-mail address")
    if checked.get("phone") and not _PHONE.fullmatch(checked["phone"]):
        raise InvalidInput(f"phone {checked['phone']!r} may hold digits, + ( ) - only")
    links = document.get("links", [])
    if not isinstance(links, list) or len(links) > MAX_LINKS:
        raise InvalidInput(f"links must be a list of at most {MAX_LINKS}")
    if links:
        checked["links"] = [_check_link(link, allowed) for link in links]
        ids = [link["id"] for link in checked["links"]]
        if len(set(ids)) != len(ids):
            raise InvalidInput("each link id may appear once")
    return checked


def _key(store: Store, scope: str, key: str) -> str:
    if scope == "office":
        return store.keys.office_landing()
    if scope == "visit":
        if not key or visits.get(store, key) is None:
            raise InvalidInput(f"visit {key} does not exist")
        return store.keys.visit_landing(key)
    if scope == "code":
        slug = slugs.normalize(key)
        if not store.redis.exists(store.keys.code(slug)):
            raise CodeNotFound(slug)
        return store.keys.code_landing(slug)
    raise InvalidInput(f"landing scope {scope!r} is unknown; use {', '.join(SCOPES)}")


def override(store: Store, scope: str, key: str = "") -> dict:
    """The landing content stored for the office, a visit or a code ({} if none)."""
    stored = store.redis.get(_key(store, scope, key))
    return json.loads(stored) if stored else {}


def set_override(
    store: Store, scope: str, key: str, document: dict, *, by: str = ""
) -> dict:
    """Replace the landing content of the office, a visit or a code; audited."""
    name = _key(store, scope, key)
    checked = check(store, document)
    before = store.redis.get(name)

    if checked:
        store.redis.set(name, json.dumps(checked, ensure_ascii=False))
    else:
        store.redis.delete(name)
    subject = f"landing:{scope}" + (f":{key.upper()}" if key else "")
    audit.record(store, by or "-", "landing.changed", subject,
                 json.loads(before) if before else None, checked)  # fmt: skip
    log.info("landing content of %s changed by %s", subject, by or "-")
    return checked


def content(store: Store, code) -> dict:
    """The content a code's page shows: the office's settings, then the office's,
    the visit's and the code's documents, merged."""
    settings = store.settings
    merged = {
        "profile_url": settings.get("OFFICE_URL") or settings["BASE_URL"],
        "email": settings.get("OFFICE_EMAIL", ""),
        "phone": settings.get("OFFICE_PHONE", ""),
        "postal_address": settings.get("OFFICE_ADDRESS", ""),
    }
    links: dict[str, dict] = {}
    names = [store.keys.office_landing(), store.keys.code_landing(code.slug)]
    if code.visit:
        names.insert(1, store.keys.visit_landing(code.visit))
    for stored in store.redis.mget(names):
        layer = json.loads(stored) if stored else {}
        merged.update({k: v for k, v in layer.items() if k != "links" and v})
        for link in layer.get("links", ()):
            links[link["id"]] = link
    merged["links"] = [link for link in links.values() if link["url"]]
    return merged


def _safe(store: Store, url: str) -> str:
    """``url`` if guests may be sent there, else '' (it is then shown unlinked).

    Every URL is checked again when the page is drawn and when a link is
    followed, not only when it was saved: event pages and visit documentation
    may come from older records, and the allowed hosts may have narrowed since.
    """
    try:
        return targets.validate_url(url, store.settings.get("ALLOWED_TARGET_HOSTS", ()))
    except InvalidTarget:
        return ""


def _event_link(store: Store, event: events.Event) -> Link:
    return Link(f"{EVENT}{event.id}", _safe(store, event.page), event.name_id,
                event.name_en, event.starts, event.ends)  # fmt: skip


def page(store: Store, code, today: date) -> Page:
    """What the landing page of ``code`` shows on ``today`` (a local date)."""
    merged = content(store, code)
    visit = visits.get(store, code.visit) if code.visit else None
    institution_id = code.institution or (visit.institution if visit else "")
    visit_date = date.fromisoformat(visit.date) if visit else None
    office = store.settings["OFFICE_NAME"]

    name = institutions.name_of(store, institution_id)
    shown = Page(code.slug, name, visit_date, merged)
    if visit is not None and visit.documentation:
        shown.documentation = Link(
            VISIT, _safe(store, visit.documentation),
            f"Dokumentasi kunjungan {local_date(visit_date, 'id')}",
            f"Documentation of the visit on {local_date(visit_date, 'en')}",
        )  # fmt: skip
    shown.profile = Link(PROFILE, _safe(store, merged["profile_url"]),
                         f"Profil {office}", f"About {office}")  # fmt: skip
    day = today.isoformat()
    for event in events.list_all(store):
        if event.starts <= day <= event.ends and len(shown.now) < NOW_EVENTS:
            shown.now.append(_event_link(store, event))
        elif event.starts > day and len(shown.upcoming) < NEXT_EVENTS:
            shown.upcoming.append(_event_link(store, event))
    shown.extra = [
        Link(link["id"], _safe(store, link["url"]), link["label_id"], link["label_en"])
        # past the cap, the links of the nearer layers (code, visit) are kept
        for link in merged["links"][-MAX_LINKS:]
    ]
    return shown


def today(store: Store) -> date:
    """Today's date in the office's time zone."""
    day, _ = clock.local_day_hour(clock.now(), store.settings["TIMEZONE"])
    return date.fromisoformat(day)


def record_click(
    store: Store, slug: str, link: str, bot: bool, at: datetime | None = None
) -> None:
    """Count one click of a landing page's link: per code, and per day."""
    day, _ = clock.local_day_hour(at or clock.now(), store.settings["TIMEZONE"])
    # two keys in two hash slots: a pipeline, not a transaction (Redis Cluster)
    pipe = store.redis.pipeline(transaction=False)
    pipe.hincrby(store.keys.clicks(slug), f"bot:{link}" if bot else link, 1)
    pipe.hincrby(store.keys.day_clicks(day), f"{slug}|{link}|{int(bot)}", 1)
    pipe.execute()


def clicks(store: Store, slug: str) -> dict:
    """A code's clicks: guests' ``total`` and per link, and bots' apart."""
    counted = store.redis.hgetall(store.keys.clicks(slug))
    links = {k: int(v) for k, v in counted.items() if not k.startswith("bot:")}
    bots = sum(int(v) for k, v in counted.items() if k.startswith("bot:"))
    return {"total": sum(links.values()), "links": links, "bots": bots}


def day_clicks(store: Store, days: list[str]) -> list[tuple[str, str, str, bool, int]]:
    """Clicks on the given local days as (day, slug, link, bot, count) rows."""
    pipe = store.redis.pipeline(transaction=False)
    for day in days:
        pipe.hgetall(store.keys.day_clicks(day))
    rows = []
    for day, counted in zip(days, pipe.execute(), strict=True):
        for name, count in counted.items():
            slug, link, bot = name.split("|")
            rows.append((day, slug, link, bot == "1", int(count)))
    return rows
