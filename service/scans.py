"""Scans: deciding what one request of a short URL was, and recording it.

:func:`observe` decides (guest or bot, device, language, QR or typed, the
guest's keyed hash); :func:`prepare` turns scans into a :class:`Batch` and
:func:`write` runs it as one Lua script (``lua/record_scans.lua``): the raw
stream entries, the per-day counters of their dimensions, the codes' totals
and the unique-guest estimates, exactly once per batch. No raw address is kept: a guest
is a keyed hash of address and user agent whose key changes every day.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from urllib.parse import urlsplit

import msgpack
import redis

from . import agents, clock
from .agents import Agent
from .store import Store

REDIRECTED = "redirected"
GONE = "gone"
UNKNOWN = "unknown"

# the order of the dimensions in a per-day counter's field, joined by "|"
DIMENSIONS = (
    "code", "institution", "event", "status", "bot", "device", "os", "browser",
    "language", "hour", "channel",
)  # fmt: skip

# the dimensions whose values get a daily unique-guest estimate of their own
# (with "channel"); a code's is kept apart, and a kind of institution is the
# union of its institutions'
GUEST_DIMENSIONS = ("institution", "event", "device", "os", "browser", "language")

# a day's guest key lives a little longer than the day, for clocks at its edge
GUEST_KEY_TTL = 2 * 24 * 3600
# how long a written batch is remembered, so that a replay of it does nothing
BATCH_MARKER_TTL = 7 * 24 * 3600
# the most scans in one batch, and values one Lua unpack() is given
MAX_BATCH = 500
UNPACK = 500


@dataclass(frozen=True, slots=True)
class Shape:
    """What a scan says apart from when and whose: shared by identical requests.

    Shapes repeat (one plaque, a few phone models), so each distinct request is
    worked out once (:func:`shape_of`), with its stream entry and counter field
    ready but for the time.
    """

    slug: str
    status: str
    method: str
    agent: Agent
    user_agent: str
    institution: str
    event: str
    target: str
    referrer_host: str
    language: str
    channel: str
    bot: bool
    total: str  # the running total of its code it adds to: guest, bot or gone
    entry: tuple[str, ...]  # the stream entry, its time left empty
    texts: tuple[tuple[str, str], ...]  # (reference, text) its entry refers to
    fields: tuple[str, ...]  # the per-day counter field of each local hour
    values: tuple[tuple[str, str], ...]  # (dimension, value) with a guest estimate


@dataclass(slots=True)
class Scan:
    """One request of a code's short URL, as recorded."""

    at: datetime
    shape: Shape
    guest: str = ""  # the day's keyed hash of address and user agent; '' for bots


# ISO 639-1 (two letters), and the three-letter ISO 639-3 codes of languages
# a guest in Bali may well ask for: every other tag counts as "other", so a
# client cannot mint a new counter field and estimate per request
LANGUAGES = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co
    cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn
    gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj
    kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr
    ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn
    ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk
    tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    ban bug ceb fil haw mad min sas yue""".split()
)
# codes some systems send for a language the list has: withdrawn ones (Java's
# "in") and three-letter ISO 639-2 ones
OLD_LANGUAGES = {"in": "id", "iw": "he", "ji": "yi", "ind": "id", "eng": "en"}
OTHER_LANGUAGE = "other"
BOT_BROWSER = "bot"


@lru_cache(maxsize=1024)
def language_of(accept_language: str) -> str:
    """The primary language a browser asks for first ('id', 'en'), 'other' for
    a tag outside :data:`LANGUAGES`, or '' when it asks for none."""
    first = accept_language.split(",", 1)[0].split(";", 1)[0]
    primary = first.replace("_", "-").split("-", 1)[0].strip().lower()
    primary = OLD_LANGUAGES.get(primary, primary)
    if not primary or primary == "*":
        return ""
    return primary if primary in LANGUAGES else OTHER_LANGUAGE


@lru_cache(maxsize=1024)
def referrer_host(referrer: str) -> str:
    """The host of a Referer header, or '' (the path may be private)."""
    try:
        return (urlsplit(referrer).hostname or "")[:253]
    except ValueError:
        return ""


def channel_of(requested_slug: str) -> str:
    """'qr' when the slug came in upper case as the QR code holds it, else 'typed'."""
    return "qr" if requested_slug == requested_slug.upper() else "typed"


class GuestKeys:
    """The day's secret for hashing guests, shared through Redis, cached here.

    The cache is re-read now and then, so that every process agrees on the key
    again soon after Redis lost it (a flush, a restart without persistence).
    """

    REFRESH = 300.0

    def __init__(self):
        self._cached: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    def for_day(self, store: Store, day: str) -> bytes:
        """The key of ``day``, created in Redis by whichever process needs it first."""
        name = store.keys.guest_key(day)
        cached = self._cached.get(name)
        if cached and time.monotonic() < cached[1]:
            return cached[0]
        with self._lock:
            try:
                pipe = store.redis.pipeline()
                pipe.set(name, secrets.token_hex(32), nx=True, ex=GUEST_KEY_TTL)
                pipe.get(name)
                key = pipe.execute()[1].encode()
            except redis.RedisError:
                if cached:
                    return cached[0]
                # Redis is away before this process learnt the day's key: a key
                # of its own keeps hashing (guests may count twice across workers)
                key = secrets.token_hex(32).encode()
            # keep only the newest day's keys: older ones are not needed here
            fresh = {
                k: v for k, v in self._cached.items() if k.rsplit(":", 1)[1] >= day
            }
            fresh[name] = (key, time.monotonic() + self.REFRESH)
            self._cached = fresh
            return key

    def forget(self) -> None:
        """Drop the cached keys (after the data they came from was removed)."""
        self._cached = {}


guest_keys = GuestKeys()


def guest_hash(key: bytes, address: str, user_agent: str) -> str:
    """The keyed hash that stands for a guest for one day."""
    # BLAKE2b in keyed mode is a MAC in its own right (RFC 7693, 2.9), and
    # several times cheaper than HMAC-SHA256 on the flusher's path
    message = f"{address}\n{user_agent}".encode()
    return hashlib.blake2b(message, key=key[:64], digest_size=16).hexdigest()


def observe(
    store: Store,
    *,
    slug: str,
    requested: str,
    method: str,
    status: str,
    address: str,
    user_agent: str,
    accept_language: str = "",
    referrer: str = "",
    institution: str = "",
    event: str = "",
    target: str = "",
    at: datetime | None = None,
) -> Scan:
    """Decide what a request was: who (coarsely), from where, counted or not."""
    at = at or clock.now()
    user_agent = user_agent[: agents.MAX_LENGTH]
    shape = shape_of(
        slug, channel_of(requested), method, status, user_agent, accept_language,
        referrer, institution, event, target,
    )  # fmt: skip
    scan = Scan(at, shape)
    if not shape.bot:
        day, _ = clock.local_day_hour(at, store.settings["TIMEZONE"])
        scan.guest = guest_hash(guest_keys.for_day(store, day), address, user_agent)
    return scan


@lru_cache(maxsize=4096)
def shape_of(
    slug: str,
    channel: str,
    method: str,
    status: str,
    user_agent: str,
    accept_language: str,
    referrer: str,
    institution: str,
    event: str,
    target: str,
) -> Shape:
    """Work out everything about a request but its time and its guest, once."""
    agent = agents.classify(user_agent)
    language = language_of(accept_language) if accept_language else ""
    host = referrer_host(referrer) if referrer else ""
    bot = agent.bot or method == "HEAD"
    if bot:
        total = "bot"
    else:
        total = "guest" if status == REDIRECTED else "gone"
    entry = (
        "at", "",
        "code", slug,
        "status", status,
        "method", method,
        "bot", "1" if bot else "0",
        "bot_name", agent.bot_name,
        "institution", institution,
        "event", event,
        "target_ref", text_ref(target),
        "user_agent_ref", text_ref(user_agent),
        "referrer_host", host,
        "language", language,
        "device", agent.device,
        "channel", channel,
    )  # fmt: skip
    # an unknown slug is counted under "?" so that junk requests cannot grow the
    # day's hash without bound; the stream keeps the exact slug
    parts = (
        slug if status != UNKNOWN else "?", institution or "-", event or "-",
        status, "1" if bot else "0", agent.device, _clean(agent.os),
        # a crawler's "browser" is whatever name it gives itself: one field for
        # all of them, or any client could mint counters (the stream keeps it)
        BOT_BROWSER if bot else _clean(agent.browser), language or "-",
    )  # fmt: skip
    head = "|".join(parts)
    fields = tuple(f"{head}|{hour:02d}|{channel}" for hour in range(24))
    values = tuple(
        (dimension, parts[DIMENSIONS.index(dimension)])
        for dimension in GUEST_DIMENSIONS
    ) + (("channel", channel),)
    texts = tuple((text_ref(t), t) for t in (target, user_agent) if t)
    return Shape(
        slug, status, method, agent, user_agent, institution, event, target, host,
        language, channel, bot, total, entry, texts, fields, values,
    )  # fmt: skip


@lru_cache(maxsize=4096)
def text_ref(text: str) -> str:
    """The short reference a stream entry holds for a long, repeated text.

    A user agent or a target is written once into the texts hash and each scan
    carries 11 characters instead (64 bits of BLAKE2b: no two of the few
    thousand texts a year brings will share one); it more than halved the
    stream's memory per scan.
    """
    if not text:
        return ""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _clean(value: str) -> str:
    return value.replace("|", "/") or "-"


ENTRY_WIDTH = 28  # values in one stream entry: 14 fields and their values
# the entry fields that hold a reference into the texts hash, and the field a
# reader gets the text back in
REFERENCES = {"target_ref": "target", "user_agent_ref": "user_agent"}


@dataclass
class Batch:
    """Scans ready for one scripted write: key names and packed values.

    It holds no raw address, so it may wait in the spool while Redis is away.
    """

    id: str
    keys: list[str]
    aggregates: bytes  # MessagePack: counters, totals, guests; indexes into keys
    entries: bytes  # MessagePack: the stream entries' values, ENTRY_WIDTH a scan
    size: int

    def to_json(self) -> str:
        """The batch as one line of the spool."""
        packed = [self.aggregates.hex(), self.entries.hex()]
        return json.dumps([self.id, self.keys, *packed, self.size])

    @classmethod
    def from_json(cls, line: str) -> "Batch":
        """The batch written by :meth:`to_json`."""
        batch_id, keys, aggregates, entries, size = json.loads(line)
        packed = bytes.fromhex(aggregates), bytes.fromhex(entries)
        return cls(batch_id, keys, *packed, size)


def prepare(store: Store, scans: list[Scan], batch_id: str | None = None) -> Batch:
    """Turn scans into one batch, adding up counters that repeat within it."""
    keys = store.keys
    names = [keys.scans(), keys.batch(batch_id or uuid.uuid4().hex)]
    index: dict[str, int] = {}

    def slot(name: str) -> int:
        found = index.get(name)
        if found is None:
            names.append(name)
            found = index[name] = len(names)  # Lua counts from 1
        return found

    @cache
    def day_slots(day: str) -> tuple[int, int]:
        return slot(keys.day_scans(day)), slot(keys.day_guests(day))

    @cache
    def code_slots(code: str, day: str) -> tuple[int, int]:
        return slot(keys.totals(code)), slot(keys.code_guests(code, day))

    @cache
    def value_slot(day: str, dimension: str, value: str) -> int:
        return slot(keys.day_dimension_guests(day, dimension, value))

    days = slot(keys.days())
    texts_key = slot(keys.texts())
    texts: dict[str, str] = {}
    entries: list[str] = []
    counters: Counter = Counter()
    totals: Counter = Counter()
    latest: dict[int, str] = {}
    guests: dict[int, list[str]] = {}
    zone = store.settings["TIMEZONE"]
    for scan in scans:
        shape = scan.shape
        day, hour = clock.local_day_hour(scan.at, zone)
        at = clock.iso(scan.at)
        # the stream keeps milliseconds since the epoch: Redis stores a number
        # in 9 bytes where the ISO text took 25; read() gives the text back
        entries += ("at", str(round(scan.at.timestamp() * 1000)))
        entries += shape.entry[2:]  # all but the entry's empty time
        texts.update(shape.texts)
        day_counter, day_guests = day_slots(day)
        counters[day_counter, shape.fields[hour]] += 1
        counters[days, day] += 1
        if shape.status == UNKNOWN:
            continue
        total, code_guests = code_slots(shape.slug, day)
        totals[total, shape.total] += 1
        if at > latest.get(total, ""):
            latest[total] = at
        if scan.guest and shape.status == REDIRECTED:
            guests.setdefault(day_guests, []).append(scan.guest)
            guests.setdefault(code_guests, []).append(scan.guest)
            for dimension, value in shape.values:
                guests.setdefault(value_slot(day, dimension, value), []).append(
                    scan.guest
                )

    aggregates = {
        "texts": [texts_key, [v for pair in texts.items() for v in pair]],
        "counters": [[k, f, n] for (k, f), n in counters.items()],
        "totals": [[k, kind, n, latest[k]] for (k, kind), n in totals.items()],
        # Lua unpacks at most a few thousand values at once: PFADD in slices
        "guests": [
            [k, members[start : start + UNPACK]]
            for k, members in guests.items()
            for start in range(0, len(members), UNPACK)
        ],
    }
    batch_id = names[1].rsplit(":", 1)[1]
    packed = msgpack.packb(aggregates), msgpack.packb(entries)
    return Batch(batch_id, names, *packed, len(scans))


def write(store: Store, batch: Batch) -> bool:
    """Write a batch exactly once; False when it had been written already."""
    cap = store.settings.get("SCAN_STREAM_MAXLEN") or 0
    args = [cap, BATCH_MARKER_TTL, batch.aggregates, ENTRY_WIDTH, batch.entries]
    written = store.scripts["record_scans"](keys=batch.keys, args=args)
    return bool(written) or batch.size == 0


def record(store: Store, scan: Scan) -> None:
    """Write one scan at once (the command line and tests; the redirect buffers)."""
    write(store, prepare(store, [scan]))


MAX_KNOWN_TEXTS = 10_000  # texts a reader keeps between chunks: about 10 MB


def read(
    store: Store, start: str = "-", end: str = "+", count: int = 2000
) -> Iterator[tuple[str, dict]]:
    """The raw scans between two stream ids, oldest first, with their texts.

    Read ``count`` at a time; ``target`` and ``user_agent`` come back in place of
    the references the stream holds, and ``at`` as ISO 8601 in UTC.
    """
    known: dict[str, str] = {"": ""}
    cursor = start
    while True:
        entries = store.redis.xrange(store.keys.scans(), cursor, end, count=count)
        if len(known) > MAX_KNOWN_TEXTS:
            # user agents are whatever clients send: keep the memory of a long
            # export bounded, at the cost of reading some texts again
            known = {"": ""}
        wanted = {
            ref for _, scan in entries for field in REFERENCES
            if (ref := scan.get(field, "")) not in known
        }  # fmt: skip
        if wanted:
            found = store.redis.hmget(store.keys.texts(), sorted(wanted))
            known.update(zip(sorted(wanted), (f or "" for f in found), strict=True))
        for entry_id, scan in entries:
            for field, name in REFERENCES.items():
                scan[name] = known.get(scan.pop(field, ""), "")
            scan["at"] = _iso_ms(scan.get("at", "0"))
            yield entry_id, scan
        if len(entries) < count:
            return
        cursor = "(" + entries[-1][0]


def _iso_ms(milliseconds: str) -> str:
    return clock.iso(datetime.fromtimestamp(int(milliseconds) / 1000, UTC))


def totals(store: Store, slug: str) -> dict[str, int | str]:
    """A code's running counts: guest and bot scans, scans while disabled."""
    data = store.redis.hgetall(store.keys.totals(slug))
    return {
        "scans": int(data.get("guest", 0)),
        "bot_scans": int(data.get("bot", 0)),
        "scans_while_disabled": int(data.get("gone", 0)),
        "last_scan_at": data.get("last_scan_at", ""),
    }


def guest_scans(store: Store, slugs: list[str]) -> list[int]:
    """Guests' scans of many codes in one round trip, in the order given."""
    pipe = store.redis.pipeline(transaction=False)
    for slug in slugs:
        pipe.hget(store.keys.totals(slug), "guest")
    return [int(count or 0) for count in pipe.execute()]


def unique_guests(store: Store, slug: str, day: str) -> int:
    """Estimated unique guests of a code on one local day."""
    return store.redis.pfcount(store.keys.code_guests(slug, day))
