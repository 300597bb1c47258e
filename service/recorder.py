"""The recorder: scans leave the request at once and reach Redis in batches.

The redirect only appends a raw tuple to an in-memory queue. A flusher thread
wakes every ``interval`` seconds (50 ms by default), decides what each request
was (:func:`service.scans.observe`, user agents cached), and writes the lot as
one exactly-once batch. When Redis is away the batch goes to the spool and is
replayed when Redis answers again. :meth:`Recorder.close` flushes what is
left on graceful shutdown; a worker killed outright loses at most the scans
of its last interval.
"""

import logging
import threading
import time
from collections import deque
from datetime import UTC, datetime

import redis

from . import scans
from .spool import Spool
from .store import Store

log = logging.getLogger(__name__)

PROBE_EVERY = 1.0  # s between checks that Redis is back
ORPHANS_EVERY = 10.0  # s between looks for spools of ended processes


class Recorder:
    """Buffers raw scans and writes them in batches, spooling during outages."""

    def __init__(
        self, store: Store, spool: Spool, interval: float = 0.05, metrics=None
    ):
        self.store = store
        self.spool = spool
        self.interval = interval
        self.metrics = metrics
        self.redis_ok = True
        self._queue: deque = deque()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._flush_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._spooled = True  # look once for spools left by earlier processes
        self._next_probe = 0.0
        self._next_orphans = 0.0

    def add(self, raw: tuple) -> None:
        """Queue one raw scan: (time, slug, requested, method, status, address,
        user agent, accept-language, referrer, institution, event, target)."""
        self._queue.append(raw)
        if self.interval <= 0:
            self.flush()
        elif self._thread is None or not self._thread.is_alive():
            self.start()

    def start(self) -> None:
        """Start the flusher thread once per process."""
        with self._start_lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="ciberq-recorder", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:  # the flusher must outlive any one bad batch
                log.exception("scan flush failed")

    def flush(self) -> None:
        """Write what is queued (or spool it), and replay the spool if Redis is back."""
        with self._flush_lock:
            while self._queue:
                raws = []
                while self._queue and len(raws) < scans.MAX_BATCH:
                    raws.append(self._queue.popleft())
                observed = [self._observe(raw) for raw in raws]
                self._write(scans.prepare(self.store, observed))
            now = time.monotonic()
            if now >= self._next_orphans:
                self._next_orphans = now + ORPHANS_EVERY
                self._spooled = self._spooled or self.spool.size() > 0
            if self._spooled and (self.redis_ok or now >= self._next_probe):
                self._replay()

    def _observe(self, raw: tuple) -> scans.Scan:
        (at, slug, requested, method, status, address, user_agent, language,
         referrer, institution, event, target) = raw  # fmt: skip
        return scans.observe(
            self.store,
            slug=slug,
            requested=requested,
            method=method,
            status=status,
            address=address,
            user_agent=user_agent,
            accept_language=language,
            referrer=referrer,
            institution=institution,
            event=event,
            target=target,
            at=datetime.fromtimestamp(at, UTC),
        )

    def _write_once(self, batch: scans.Batch) -> bool:
        """Write a batch; True once it is in Redis (now or by an earlier try).

        One that Redis refuses outright is set aside, not retried: False.
        """
        try:
            scans.write(self.store, batch)
            return True
        except redis.ResponseError:
            log.exception("redis refused a batch of %s scans; kept in rejected.jsonl",
                          batch.size)  # fmt: skip
            self.spool.reject(batch)
            return False

    def _write(self, batch: scans.Batch) -> None:
        if self.redis_ok or time.monotonic() >= self._next_probe:
            try:
                if self._write_once(batch):
                    self._count("scans_recorded", batch.size)
                self.redis_ok = True
                return
            except redis.RedisError as exc:
                self._lost_redis(exc)
        if self.spool.append(batch):
            self._spooled = True
            self._count("scans_spooled", batch.size)
            if self.metrics:
                self.metrics.spool_bytes.set(self.spool.own_size())
        else:
            self._count("scans_dropped", batch.size)

    def _replay(self) -> None:
        try:
            replayed = self.spool.replay(self._write_once)
        except redis.RedisError as exc:
            self._lost_redis(exc)
            return
        self.redis_ok = True
        self._spooled = False
        if replayed:
            log.info("replayed %s spooled scans into redis", replayed)
            self._count("scans_recorded", replayed)
        if self.metrics:
            self.metrics.spool_bytes.set(self.spool.own_size())

    def _lost_redis(self, exc: Exception) -> None:
        if self.redis_ok:
            log.warning("redis is away, spooling scans: %s", exc)
        self.redis_ok = False
        self._next_probe = time.monotonic() + PROBE_EVERY
        if self.metrics:
            self.metrics.redis_errors.labels(where="recorder").inc()
            self.metrics.spool_bytes.set(self.spool.own_size())

    def _count(self, name: str, amount: int) -> None:
        if self.metrics and amount:
            getattr(self.metrics, name).inc(amount)

    def close(self) -> None:
        """Stop the flusher and write (or spool) everything still queued."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()
        self.spool.close()
