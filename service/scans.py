"""Scans: deciding what one request of a short URL was, and recording it.

:func:`observe` decides (guest or bot, device, language, QR or typed, the
guest's keyed hash); :func:`prepare` turns scans into a :class:`Batch` and
:func:`write` runs it as one Lua script (``lua/record_scans.lua``): the raw
stream entries, the per-day counters of their dimensions, the codes' totals
and the unique-guest estimates, exactly once per batch. No raw address is kept: a guest
is a keyed hash of address and user agent whose key changes every day.
"""

import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

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

# a day's guest key lives a little longer than the day, for clocks at its edge
GUEST_KEY_TTL = 2 * 24 * 3600
# how long a written batch is remembered, so that a replay of it does nothing
BATCH_MARKER_TTL = 7 * 24 * 3600


@dataclass
class Scan:
    """One request of a code's short URL, as recorded."""

    at: datetime
    slug: str
    status: str
    method: str
    agent: Agent
    user_agent: str = ""
    institution: str = ""
    event: str = ""
    target: str = ""
    referrer_host: str = ""
    language: str = ""
    channel: str = "qr"
    guest: str = ""

    @property
    def bot(self) -> bool:
        """True when this is not a guest's scan (a bot, a preview, a HEAD)."""
        return self.agent.bot or self.method == "HEAD"


def language_of(accept_language: str) -> str:
    """The primary language a browser asks for first ('id', 'en'), or ''."""
    first = accept_language.split(",", 1)[0].split(";", 1)[0]
    primary = first.split("-", 1)[0].strip().lower()
    return primary if primary.isalpha() and len(primary) <= 8 else ""


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
    message = f"{address}\n{user_agent}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


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
    scan = Scan(
        at=at,
        slug=slug,
        status=status,
        method=method,
        agent=agents.classify(user_agent),
        user_agent=user_agent,
        institution=institution,
        event=event,
        target=target,
        referrer_host=referrer_host(referrer) if referrer else "",
        language=language_of(accept_language) if accept_language else "",
        channel=channel_of(requested),
    )
    if not scan.bot:
        day, _ = clock.local_day_hour(at, store.settings["TIMEZONE"])
        scan.guest = guest_hash(guest_keys.for_day(store, day), address, user_agent)
    return scan


def _clean(value: str) -> str:
    return value.replace("|", "/") or "-"


def counter_field(scan: Scan, hour: int) -> str:
    """The per-day counter field of a scan: its dimensions in DIMENSIONS order."""
    # an unknown slug is counted under "?" so that junk requests cannot grow the
    # day's hash without bound; the stream keeps the exact slug
    code = scan.slug if scan.status != UNKNOWN else "?"
    values = (
        code, scan.institution, scan.event, scan.status, "1" if scan.bot else "0",
        scan.agent.device, scan.agent.os, scan.agent.browser, scan.language,
        f"{hour:02d}", scan.channel,
    )  # fmt: skip
    return "|".join(_clean(value) for value in values)


def stream_fields(scan: Scan) -> list[str]:
    """The raw stream entry of a scan, as field, value, field, value, ..."""
    fields = {
        "at": clock.iso(scan.at),
        "code": scan.slug,
        "status": scan.status,
        "method": scan.method,
        "bot": "1" if scan.bot else "0",
        "bot_name": scan.agent.bot_name,
        "institution": scan.institution,
        "event": scan.event,
        "target": scan.target,
        "user_agent": scan.user_agent,
        "referrer_host": scan.referrer_host,
        "language": scan.language,
        "device": scan.agent.device,
        "channel": scan.channel,
    }
    return [item for pair in fields.items() for item in pair]


def total_kind(scan: Scan) -> str:
    """Which running total of its code a scan adds to: guest, bot or gone."""
    if scan.bot:
        return "bot"
    return "guest" if scan.status == REDIRECTED else "gone"


@dataclass
class Batch:
    """Scans ready for one scripted write: key names and a JSON payload.

    It holds no raw address, so it may wait in the spool while Redis is away.
    """

    id: str
    keys: list[str]
    payload: str
    size: int

    def to_json(self) -> str:
        """The batch as one line of the spool."""
        return json.dumps([self.id, self.keys, self.payload, self.size])

    @classmethod
    def from_json(cls, line: str) -> "Batch":
        """The batch written by :meth:`to_json`."""
        batch_id, keys, payload, size = json.loads(line)
        return cls(batch_id, keys, payload, size)


def prepare(store: Store, scans: list[Scan], batch_id: str | None = None) -> Batch:
    """Turn scans into one batch, adding up counters that repeat within it."""
    keys = store.keys
    names = [keys.scans(), keys.batch(batch_id or uuid.uuid4().hex)]
    index: dict[str, int] = {}

    def slot(name: str) -> int:
        if name not in index:
            names.append(name)
            index[name] = len(names)  # Lua counts from 1
        return index[name]

    counters: Counter = Counter()
    totals: Counter = Counter()
    latest: dict[int, str] = {}
    guests: dict[int, list[str]] = {}
    zone = store.settings["TIMEZONE"]
    for scan in scans:
        day, hour = clock.local_day_hour(scan.at, zone)
        counters[slot(keys.day_scans(day)), counter_field(scan, hour)] += 1
        if scan.status != UNKNOWN:
            kind = (
                "bot"
                if scan.bot
                else ("guest" if scan.status == REDIRECTED else "gone")
            )
            total = slot(keys.totals(scan.slug))
            totals[total, kind] += 1
            latest[total] = max(latest.get(total, ""), clock.iso(scan.at))
        if scan.guest and scan.status == REDIRECTED:
            guests.setdefault(slot(keys.day_guests(day)), []).append(scan.guest)
            guests.setdefault(slot(keys.code_guests(scan.slug, day)), []).append(
                scan.guest
            )

    payload = {
        "entries": [stream_fields(scan) for scan in scans],
        "counters": [[k, f, n] for (k, f), n in counters.items()],
        "totals": [[k, kind, n, latest[k]] for (k, kind), n in totals.items()],
        "guests": [[k, members] for k, members in guests.items()],
    }
    batch_id = names[1].rsplit(":", 1)[1]
    return Batch(batch_id, names, json.dumps(payload, ensure_ascii=False), len(scans))


def write(store: Store, batch: Batch) -> bool:
    """Write a batch exactly once; False when it had been written already."""
    cap = store.settings.get("SCAN_STREAM_MAXLEN") or 0
    written = store.scripts["record_scans"](
        keys=batch.keys, args=[batch.payload, cap, BATCH_MARKER_TTL]
    )
    return bool(written) or batch.size == 0


def record(store: Store, scan: Scan) -> None:
    """Write one scan at once (the command line and tests; the redirect buffers)."""
    write(store, prepare(store, [scan]))


def totals(store: Store, slug: str) -> dict[str, int | str]:
    """A code's running counts: guest and bot scans, scans while disabled."""
    data = store.redis.hgetall(store.keys.totals(slug))
    return {
        "scans": int(data.get("guest", 0)),
        "bot_scans": int(data.get("bot", 0)),
        "scans_while_disabled": int(data.get("gone", 0)),
        "last_scan_at": data.get("last_scan_at", ""),
    }


def unique_guests(store: Store, slug: str, day: str) -> int:
    """Estimated unique guests of a code on one local day."""
    return store.redis.pfcount(store.keys.code_guests(slug, day))
