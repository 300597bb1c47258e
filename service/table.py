"""The local code table: every code's target and state, held in each process.

The redirect resolves a slug here, with no Redis round trip, and keeps
answering from here while Redis is away. The table stays coherent through
the change stream that :mod:`service.codes` appends to: a watcher thread
blocks on ``XREAD`` and reloads each code that changed, so a retarget reaches
every process within milliseconds (DESIGN.md allows 2 s), and the process
that made the change updates its own table at once. A full reload runs every
``FULL_RELOAD`` seconds and after Redis comes back, and is saved to a snapshot
file so that a worker started during an outage still knows every code.
"""

import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

import redis

from . import campaigns, clock, institutions
from .campaigns import Window
from .store import Store
from .targets import LANDING, LOCATION_SAFE

log = logging.getLogger(__name__)

FULL_RELOAD = 60.0
WAIT = 500  # ms that XREAD blocks for
RETRY = 0.5  # s between attempts while Redis is away


@dataclass(frozen=True)
class Entry:
    """What a redirect needs of one code."""

    slug: str
    target: str
    active: bool
    institution: str = ""
    event: str = ""
    visit: str = ""
    windows: tuple[Window, ...] = ()  # campaigns that point it elsewhere for a while
    location: str = field(default="", compare=False)
    landing: bool = field(default=False, compare=False)

    def __post_init__(self):
        # worked out once: the Location header value (ASCII, RFC 9110, 10.2.2),
        # and the entry each campaign window turns this one into; a landing
        # page has no Location, which sends it past the fast path to Flask
        landing = self.target == LANDING
        location = "" if landing else quote(self.target, safe=LOCATION_SAFE)
        object.__setattr__(self, "landing", landing)
        object.__setattr__(self, "location", location)
        during = tuple(
            (window.starts, window.ends,
             Entry(self.slug, window.target, self.active, self.institution,
                   window.event or self.event, self.visit))
            for window in self.windows
        )  # fmt: skip
        object.__setattr__(self, "_during", during)

    def at(self, moment: float) -> "Entry":
        """The entry as it points at ``moment``: a campaign's target and event."""
        for starts, ends, pointed in self._during:
            if starts <= moment < ends:
                return pointed
        return self


def entry_from_hash(data: dict, windows: tuple[Window, ...] = ()) -> Entry:
    """The table entry of a code's Redis hash."""
    return Entry(
        data["slug"],
        data["target"],
        data.get("state") == "active",
        data.get("institution", ""),
        data.get("event", ""),
        data.get("visit", ""),
        windows,
    )


class CodeTable:
    """Slug to :class:`Entry` for every code, kept fresh by a watcher thread."""

    def __init__(self, store: Store, snapshot: Path | None = None):
        self.store = store
        self.snapshot = snapshot
        self.entries: dict[str, Entry] = {}
        self.loaded_at = 0.0
        self.from_snapshot = False
        self.healthy = False
        self._last_change = "0-0"
        self._campaigns: list = []
        self._kinds: dict[str, str] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._start_lock = threading.Lock()
        store.listeners.append(self.refresh)

    @property
    def loaded(self) -> bool:
        """True once the table holds every code, from Redis or the snapshot."""
        return self.loaded_at > 0 or self.from_snapshot

    def get(self, slug: str) -> Entry | None:
        """The entry of an upper-case slug, or None when the table has none."""
        return self.entries.get(slug)

    def put(self, entry: Entry) -> None:
        """Add or replace one entry (a code found in Redis after a miss)."""
        self.entries = {**self.entries, entry.slug: entry}

    def load(self) -> None:
        """Read every code from Redis; fall back to the snapshot if it is away."""
        try:
            self._load_from_redis()
        except redis.RedisError as exc:
            self.healthy = False
            if not self.entries and self._load_snapshot():
                log.warning(
                    "redis is away (%s); serving %s codes from the snapshot",
                    exc,
                    len(self.entries),
                )
            elif not self.entries:
                log.warning("redis is away (%s) and there is no snapshot", exc)

    def _load_from_redis(self) -> None:
        client, keys = self.store.redis, self.store.keys
        # the position in the change stream first: nothing after it is missed
        last = client.xrevrange(keys.code_changes(), count=1)
        slugs = client.zrange(keys.codes(), 0, -1)
        pipe = client.pipeline(transaction=False)
        for slug in slugs:
            pipe.hgetall(keys.code(slug))
        hashes = [data for data in pipe.execute() if data]
        now = time.time()
        self._campaigns = [
            campaign
            for campaign in campaigns.list_all(self.store)
            if clock.parse_iso(campaign.ends).timestamp() > now
        ]
        self._kinds = {i.id: i.kind for i in institutions.list_all(self.store)}
        found = [entry_from_hash(data, self._windows(data)) for data in hashes]

        self.entries = {entry.slug: entry for entry in found}
        self._last_change = last[0][0] if last else "0-0"
        self.loaded_at = time.monotonic()
        self.healthy = True
        self._save_snapshot()

    def _windows(self, data: dict) -> tuple[Window, ...]:
        """The campaign windows of the code with this hash."""
        if not self._campaigns:
            return ()
        institution = data.get("institution", "")
        if institution and institution not in self._kinds:
            found = institutions.get(self.store, institution)
            self._kinds[institution] = found.kind if found else ""
        kind = self._kinds.get(institution, "")
        return campaigns.windows(
            self._campaigns, data["slug"], data.get("visit", ""), kind
        )

    def refresh(self, slug: str) -> None:
        """Reload one code from Redis (after it changed); '*' reloads them all."""
        if slug == campaigns.EVERY_CODE:
            self._load_from_redis()
            return
        data = self.store.redis.hgetall(self.store.keys.code(slug))
        entries = dict(self.entries)
        if data:
            entries[slug] = entry_from_hash(data, self._windows(data))
        else:
            entries.pop(slug, None)
        self.entries = entries

    def _save_snapshot(self) -> None:
        if self.snapshot is None:
            return
        rows = [asdict(entry) for entry in self.entries.values()]
        temporary = self.snapshot.with_suffix(f".{os.getpid()}.tmp")
        try:
            self.snapshot.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(rows))
            temporary.replace(self.snapshot)  # atomic: readers see old or new
        except OSError as exc:
            log.warning("code table snapshot %s not saved: %s", self.snapshot, exc)

    def _load_snapshot(self) -> bool:
        if self.snapshot is None:
            return False
        try:
            rows = json.loads(self.snapshot.read_text())
        except (OSError, ValueError):
            return False
        self.entries = {}
        for row in rows:
            row["windows"] = tuple(Window(**w) for w in row.get("windows", ()))
            self.entries[row["slug"]] = Entry(**row)
        self.from_snapshot = True
        return True

    def start(self) -> None:
        """Start the watcher thread once per process (after a fork too)."""
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._watch, name="ciberq-code-table", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Ask the watcher thread to stop (it ends within one XREAD wait)."""
        self._stop.set()

    def _watch(self) -> None:
        # a client of its own: XREAD BLOCK holds its connection while it waits
        client = redis.Redis.from_url(
            self.store.url,
            decode_responses=True,
            socket_connect_timeout=2,
            socket_timeout=WAIT / 1000 + 5,
        )
        stream = self.store.keys.code_changes()
        while not self._stop.is_set():
            try:
                if not self.healthy or time.monotonic() - self.loaded_at > FULL_RELOAD:
                    self._load_from_redis()
                answer = client.xread({stream: self._last_change}, block=WAIT)
                for _, changes in answer or ():
                    for change_id, fields in changes:
                        self.refresh(fields.get("slug", ""))
                        self._last_change = change_id
            except redis.RedisError as exc:
                if self.healthy:
                    log.warning("code table lost redis: %s", exc)
                self.healthy = False
                self._stop.wait(RETRY)
            except Exception:  # the watcher must outlive any surprise
                log.exception("code table watcher failed; retrying")
                self.healthy = False
                self._stop.wait(RETRY)
        client.close()
