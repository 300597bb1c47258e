"""Synthetic scans at scale, written through the same path as real ones.

Seeds the demo's catalogue (institutions, visits, events, codes, a few
retargeted and disabled plaques) and then N scans over the past DAYS local
days, oldest first. Every scan goes through ``scans.observe``; every 500 of
them through ``scans.prepare`` and ``scans.write``, as the redirect's recorder
does. Scans are planned one local hour at a time, so memory stays flat at ten
million scans.

The shape follows the demo: weekdays over weekends, office hours, a burst
after each visit and a long tail; a Zipf weight per code; about 10% bots, a
few misread slugs, some slugs typed in lower case. The same seed gives the
same scans (slugs and the daily guest keys stay random, as in real life).

Usage: ``python scripts/gen_scans.py --redis-url redis://127.0.0.1:PORT/0
--scans N [--days 365] [--seed 7] [--prefix ciberq]``.
"""

import argparse
import math
import queue
import random
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta

from service import clock, config, demo, scans
from service.store import Store, open_store

BATCH = scans.MAX_BATCH
# a code's share of the scans falls with its rank as 1 / rank**ZIPF
ZIPF = 1.0
# how many days of the week count: a weekend day draws about half (demo._moment)
WEEKEND = 0.5
# the share of a code's scans soon after it was handed out (demo._moment)
SOON = 0.7


def catalogue(store: Store, rng: random.Random, days: int) -> list[demo.Plan]:
    """Seed the demo's catalogue and return its plans, one per code.

    These are demo.seed()'s own steps, called one by one because seed() keeps
    its plans to itself; reusing demo's private helpers keeps one definition
    of believable demo data.
    """
    zone = clock.zone(store.settings["TIMEZONE"])
    now = clock.now()
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)

    flagship = demo._events(store, today)
    visited = demo._visits(store, rng, today, days)
    plans = demo._plaques(store, rng, zone, visited)
    plans += demo._event_codes(store, rng, zone, flagship, first, today)
    demo._retarget_some(store, rng, zone, plans, flagship, today)
    demo._disable_some(store, rng, plans, now)

    for rank, plan in enumerate(rng.sample(plans, len(plans)), start=1):
        plan.weight = 1 / rank**ZIPF
    return plans


def shares(weights: list[float], total: int) -> list[int]:
    """``total`` split in proportion to ``weights``, exactly (largest remainder)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    short = total - sum(counts)
    order = sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])
    for i in order[:short]:
        counts[i] += 1
    return counts


def intensity(plan: demo.Plan, day: date, start: date, today: date) -> float:
    """How strongly ``plan`` draws scans on ``day``: soon after handout, or later."""
    if day < start:
        return 0.0
    age = (day - start).days
    span = (today - start).days + 1
    soon = math.exp(-age / plan.decay) / plan.decay
    weekday = 1.0 if day.weekday() < 5 else WEEKEND
    return plan.weight * weekday * (SOON * soon + (1 - SOON) / span)


class Writer:
    """Writes prepared batches on a thread of its own, in order.

    While Redis runs one batch's script, the next batch is observed and
    prepared: the write path is the same, only overlapped.
    """

    def __init__(self, store: Store):
        self.store = store
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.failed: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            try:
                scans.write(self.store, batch)
            except BaseException as exc:  # noqa: B036 - handed to the main thread
                self.failed = exc
                return

    def put(self, batch: scans.Batch) -> None:
        """Queue one batch; raise what the writer met, if anything."""
        if self.failed:
            raise self.failed
        self.queue.put(batch)

    def close(self) -> None:
        """Wait for every queued batch to be written."""
        self.queue.put(None)
        self.thread.join()
        if self.failed:
            raise self.failed


def generate(
    store: Store, scans_wanted: int, days: int = 365, seed: int | None = 7
) -> dict:
    """Seed an empty store's catalogue and write ``scans_wanted`` scans; counts."""
    if days < 7 or scans_wanted < 0:
        raise ValueError("synthetic scans need days >= 7 and scans >= 0")
    if not demo.is_empty(store):
        raise ValueError("the store holds codes already; use an empty one")
    rng = random.Random(seed)
    zone = clock.zone(store.settings["TIMEZONE"])
    now = clock.now()
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    plans = catalogue(store, rng, days)
    starts = [p.start.astimezone(zone).date() for p in plans]
    before = used_memory(store)

    every_day = [first + timedelta(days=i) for i in range(days)]
    per_day = shares(
        [
            sum(intensity(p, d, s, today) for p, s in zip(plans, starts, strict=True))
            for d in every_day
        ],
        scans_wanted,
    )

    began = time.monotonic()
    writer = Writer(store)
    pending: list[scans.Scan] = []
    done, step = 0, max(scans_wanted // 20, 1)
    next_report = step
    for day, count in zip(every_day, per_day, strict=True):
        if not count:
            continue
        weights = [
            intensity(p, day, s, today) for p, s in zip(plans, starts, strict=True)
        ]
        midnight = datetime.combine(day, datetime.min.time(), zone)
        hours = [
            demo.HOURS[h] if midnight + timedelta(hours=h) <= now else 0
            for h in range(24)
        ]
        for hour, n in enumerate(shares(hours, count)):
            if not n:
                continue
            opens = (midnight + timedelta(hours=hour)).astimezone(UTC)
            for at, plan in _hour(rng, plans, weights, opens, n, now):
                pending.append(demo._observe(store, rng, plan, at))
                if len(pending) == BATCH:
                    writer.put(scans.prepare(store, pending))
                    pending = []
            done += n
            if done >= next_report:
                _progress(done, scans_wanted, began, day)
                next_report = (done // step + 1) * step
    if pending:
        writer.put(scans.prepare(store, pending))
    writer.close()

    seconds = time.monotonic() - began
    after = used_memory(store)
    return {
        "codes": len(plans),
        "days": days,
        "scans": scans_wanted,
        "seconds": round(seconds, 1),
        "scans_per_second": round(scans_wanted / seconds) if seconds else 0,
        "memory_before": before,
        "memory_after": after,
        "bytes_per_scan": round((after - before) / scans_wanted) if scans_wanted else 0,
        "shape_cache": scans.shape_of.cache_info()._asdict(),
    }


def used_memory(store: Store) -> int:
    """Bytes Redis holds for data and itself (INFO memory, used_memory)."""
    return int(store.redis.info("memory")["used_memory"])


def _hour(rng, plans, weights, opens: datetime, n: int, now: datetime) -> list:
    """``n`` scans in the hour from ``opens``: (time, plan), oldest first."""
    live = [
        (p, w) for p, w in zip(plans, weights, strict=True) if w and p.start < opens
    ]
    if not live:  # only codes handed out during this hour
        live = [(p, w) for p, w in zip(plans, weights, strict=True) if w]
    chosen = rng.choices([p for p, _ in live], [w for _, w in live], k=n)
    planned = []
    for plan in chosen:
        at = opens + timedelta(seconds=rng.randrange(3600))
        if at < plan.start:
            at = plan.start + timedelta(seconds=rng.randrange(60, 900))
        planned.append((min(at, now), plan))
    planned.sort(key=lambda item: item[0])
    return planned


def _progress(done: int, wanted: int, began: float, day: date) -> None:
    elapsed = time.monotonic() - began
    rate = done / elapsed if elapsed else 0
    print(
        f"{done / wanted:4.0%} {done:>11,} scans  {rate:>8,.0f}/s  up to {day}",
        file=sys.stderr,
        flush=True,
    )


def main() -> None:
    """Parse the options, generate, print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis-url", required=True, help="redis://host:port/db")
    parser.add_argument("--scans", type=int, required=True, metavar="N")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--prefix", default="ciberq", help="key prefix")
    args = parser.parse_args()

    store = open_store(
        config.load({"REDIS_URL": args.redis_url, "KEY_PREFIX": args.prefix})
    )
    try:
        found = generate(store, args.scans, args.days, args.seed)
    except ValueError as exc:
        sys.exit(f"gen_scans: {exc}")
    print(
        f"{found['scans']:,} scans of {found['codes']} codes over {found['days']} "
        f"days in {found['seconds']} s: {found['scans_per_second']:,} scans/s, "
        f"{found['bytes_per_scan']} bytes of Redis memory a scan"
    )


if __name__ == "__main__":
    main()
