"""The aggregates the dashboard reads, as pandas frames (shaping only, no drawing).

:mod:`service.scans` counts every scan into one hash per local day whose field
joins the scan's dimensions. A day is read once, reduced to three small frames
(a :class:`Part`) and kept in the process; a whole month is combined once more.
A cached day is read again only when its count in the ``days`` hash moved, so a
year of ten million scans costs twelve cached month parts and one fresh day,
not a scan of the raw stream.
"""

import calendar
import json
import threading
from collections import Counter
from datetime import date, timedelta

import pandas as pd
from pandas.api.types import union_categoricals

from service import clock, scans
from service.store import Store

# a scan's cell: what every filter and the guest/bot split need
CELL = ["code", "institution", "event", "status", "bot"]
# the dimensions charted on their own, each against the cell
FACETS = ["device", "os", "browser", "language", "channel"]
COLUMNS = list(scans.DIMENSIONS)
# how many days one pipeline reads at once: bounds the reply in memory
READ_CHUNK = 31


class Part:
    """The counters of one day or more, reduced for the charts.

    Counters add up cheaply (a month is the sum of its days); the frames are
    built once, the first time a chart needs them.
    """

    def __init__(self, daily: Counter, hourly: Counter, facets: Counter):
        self.daily = daily  # (day, *cell) -> n
        self.hourly = hourly  # (weekday, hour, *cell) -> n
        self.facets = facets  # (*cell, facet, value) -> n
        self._frames: dict[str, pd.DataFrame] = {}

    @classmethod
    def empty(cls) -> "Part":
        """A part without scans."""
        return cls(Counter(), Counter(), Counter())

    def frame(self, name: str) -> pd.DataFrame:
        """``daily``, ``hourly`` or ``facets`` as a frame with a column ``n``."""
        found = self._frames.get(name)
        if found is None:
            counts = getattr(self, name)
            found = pd.DataFrame(list(counts), columns=SHAPES[name])
            found["n"] = pd.array(list(counts.values()), dtype="int64")
            if name == "daily":
                found["day"] = pd.to_datetime(found["day"])
            found = self._frames[name] = found
        return found


SHAPES = {
    "daily": ["day", *CELL],
    "hourly": ["weekday", "hour", *CELL],
    "facets": [*CELL, "facet", "value"],
}


def parse_day(day: date, counters: dict[str, str]) -> Part:
    """Reduce one day's counter hash (field: the dimensions joined by '|')."""
    daily: Counter = Counter()
    hourly: Counter = Counter()
    facets: Counter = Counter()
    text, weekday = day.isoformat(), day.weekday()
    for field, value in counters.items():
        parts = field.split("|")
        if len(parts) != len(COLUMNS):
            continue  # not a counter this version writes
        n = int(value)
        (
            code,
            institution,
            event,
            status,
            bot,
            device,
            os,
            browser,
            language,
            hour,
            channel,
        ) = parts
        cell = (code, institution, event, status, bot)
        daily[(text, *cell)] += n
        hourly[(weekday, int(hour), *cell)] += n
        for facet, found in (
            ("device", device), ("os", os), ("browser", browser),
            ("language", language), ("channel", channel),
        ):  # fmt: skip
            facets[(*cell, facet, found)] += n
    return Part(daily, hourly, facets)


def combine(parts: list[Part]) -> Part:
    """One part for several: days stay apart, hours and facets add up."""
    if len(parts) == 1:
        return parts[0]
    daily: Counter = Counter()
    hourly: Counter = Counter()
    facets: Counter = Counter()
    for part in parts:
        daily.update(part.daily)
        hourly.update(part.hourly)
        facets.update(part.facets)
    return Part(daily, hourly, facets)


class Range:
    """The frames of a date range: its months' and days' frames, one after another.

    Rows may repeat a key (one per month); every chart adds rows up anyway. A
    range may stand on a ``base``, the range of its months that have ended: the
    base's frames are made once and kept, and only this range's own parts (the
    current month, days at the edges) are added to them when a scan comes in.
    """

    def __init__(self, parts: list[Part], base: "Range | None" = None):
        self.parts = parts
        self.base = base
        self._frames: dict[str, pd.DataFrame] = {}
        self._memo: dict = {}

    def frame(self, name: str) -> pd.DataFrame:
        """``daily``, ``hourly`` or ``facets`` over the whole range."""
        found = self._frames.get(name)
        if found is None:
            frames = [part.frame(name) for part in self.parts]
            if not frames and self.base is None:
                frames = [Part.empty().frame(name)]
            own = _categories(pd.concat(frames, ignore_index=True)) if frames else None
            if self.base is None:
                found = own
            elif own is None:
                found = self.base.frame(name)
            else:
                found = _stack(self.base.frame(name), own)
            self._frames[name] = found
        return found

    def memo(self, key, make):
        """What ``make()`` gives, worked out once for this range and ``key``."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    @property
    def daily(self) -> pd.DataFrame:
        """day, CELL, n."""
        return self.frame("daily")

    @property
    def hourly(self) -> pd.DataFrame:
        """weekday (0 is Monday), hour, CELL, n."""
        return self.frame("hourly")

    @property
    def facets(self) -> pd.DataFrame:
        """CELL, facet, value, n."""
        return self.frame("facets")


def _categories(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its text columns as categories.

    A few distinct values repeat down every column: as categories the filters
    compare small integers instead of strings.
    """
    for column in (*CELL, "facet", "value"):
        if column in frame.columns:
            frame[column] = frame[column].astype("category")
    return frame


def _stack(base: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
    """``base`` with ``more`` below it, categories merged rather than lost."""
    if base.empty or more.empty:
        return more if base.empty else base
    columns = {}
    for column in base.columns:
        if isinstance(base[column].dtype, pd.CategoricalDtype):
            both = [base[column], more[column]]
            try:
                columns[column] = union_categoricals(both, ignore_order=True)
            except TypeError:  # categories of different dtypes (text and numbers)
                mixed = pd.concat([b.astype(object) for b in both], ignore_index=True)
                columns[column] = mixed.astype("category")
        else:
            columns[column] = pd.concat([base[column], more[column]], ignore_index=True)
    return pd.DataFrame(columns)


ROLLUP_FORMAT = 1  # raise when the packed counters change shape
RANGES = 16  # ranges (with their filtered frames) kept, oldest dropped first


def _months(first: date, last: date):
    """(first day, last day) of every month the range touches."""
    month = date(first.year, first.month, 1)
    while month <= last:
        end = date(
            month.year, month.month, calendar.monthrange(month.year, month.month)[1]
        )
        yield month, end
        month = end + timedelta(days=1)


def _version(start: date, end: date, counts: dict[date, int]) -> tuple:
    """What a month's part was made from: each day's scan count."""
    return tuple(
        (d.isoformat(), counts[d]) for d in days_between(start, end) if d in counts
    )


def _pack(part: Part) -> dict:
    return {
        name: [[*key, n] for key, n in getattr(part, name).items()]
        for name in ("daily", "hourly", "facets")
    }


def _unpack(found: dict) -> Part:
    counters = [
        Counter({tuple(row[:-1]): row[-1] for row in found[name]})
        for name in ("daily", "hourly", "facets")
    ]
    return Part(*counters)


def days_between(first: date, last: date) -> list[date]:
    """Every date from ``first`` to ``last``, both included."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


class Cube:
    """Reads and caches the parts of days and months, per process and in Redis.

    A whole month that has ended is also kept in Redis as a roll-up (its
    counters as JSON, with the day counts it was made from), so a new
    process reads twelve roll-ups for a year instead of every counter of every
    day: at ten million scans a year that is 1.4 million fields.
    """

    def __init__(self, store: Store):
        self.store = store
        self._days: dict[date, tuple[int, Part]] = {}
        self._months: dict[date, tuple[tuple, Part]] = {}
        self._lock = threading.Lock()
        self._estimates: dict[tuple[str, ...], tuple[int, int]] = {}
        self._ranges: dict[tuple, Range] = {}

    def counts(self, first: date, last: date) -> dict[date, int]:
        """Scans recorded on each day of the range that has any."""
        wanted = days_between(first, last)
        found = self.store.redis.hmget(
            self.store.keys.days(), [d.isoformat() for d in wanted]
        )
        return {day: int(n) for day, n in zip(wanted, found, strict=True) if n}

    def part(self, first: date, last: date) -> Range:
        """The reduced counters of every day from ``first`` to ``last``."""
        counts = self.counts(first, last)
        today = clock.now().astimezone(clock.zone(self.store.settings["TIMEZONE"]))
        known = (first, last, today.date(), tuple(counts.items()))
        with self._lock:
            found = self._ranges.get(known)
            if found is not None:
                return found
            whole, loose = [], []
            for month, end in _months(first, last):
                if first <= month and end <= last:
                    whole.append((month, end))
                else:
                    inside = days_between(max(first, month), min(last, end))
                    loose += [d for d in inside if d in counts]
            missing = [
                m for m in whole if not self._cached_month(m, counts, today.date())
            ]
            needed = loose + [
                d
                for month, end in missing
                for d in days_between(month, end)
                if d in counts
            ]
            self._read_missing({d: counts[d] for d in needed})
            for month, end in missing:
                self._build_month(month, end, counts, closed=end < today.date())
            ended = [(m, e) for m, e in whole if e < today.date()]
            base = self._ended_range(ended) if ended else None
            parts = [self._months[m][1] for m, e in whole if (m, e) not in ended]
            parts += [self._days[d][1] for d in loose]
            found = Range([p for p in parts if p.daily], base)
            self._keep_range(known, found)
            return found

    def _ended_range(self, months: list[tuple[date, date]]) -> Range:
        """The range of months that have ended, made once while they stay the same."""
        known = ("ended", tuple((m, self._months[m][0]) for m, _ in months))
        found = self._ranges.get(known)
        if found is None:
            parts = [self._months[m][1] for m, _ in months]
            found = Range([p for p in parts if p.daily])
            self._keep_range(known, found)
        return found

    def _keep_range(self, known: tuple, found: Range) -> None:
        if len(self._ranges) >= RANGES:
            self._ranges.pop(next(iter(self._ranges)))
        self._ranges[known] = found

    def _cached_month(self, month: tuple[date, date], counts, today: date) -> bool:
        """True when the month's part is here or in Redis for the same day counts."""
        start, end = month
        version = _version(start, end, counts)
        cached = self._months.get(start)
        if cached and cached[0] == version:
            return True
        if end >= today:
            return False  # still filling up: built from its days
        packed = self.store.redis.get(self.store.keys.rollup(start.strftime("%Y-%m")))
        if not packed:
            return False
        found = json.loads(packed)
        if found.get("format") != ROLLUP_FORMAT or found["version"] != [
            list(pair) for pair in version
        ]:
            return False
        self._months[start] = (version, _unpack(found))
        return True

    def _build_month(self, start: date, end: date, counts, closed: bool) -> None:
        inside = [d for d in days_between(start, end) if d in counts]
        version = _version(start, end, counts)
        part = combine([self._days[d][1] for d in inside]) if inside else Part.empty()
        self._months[start] = (version, part)
        if closed:
            blob = {"format": ROLLUP_FORMAT, "version": [list(p) for p in version],
                    **_pack(part)}  # fmt: skip
            key = self.store.keys.rollup(start.strftime("%Y-%m"))
            self.store.redis.set(key, json.dumps(blob, separators=(",", ":")))
            for day in inside:  # the month's part stands for them from now on
                self._days.pop(day, None)

    def _read_missing(self, counts: dict[date, int]) -> None:
        stale = [d for d, n in counts.items() if self._days.get(d, (None,))[0] != n]
        for start in range(0, len(stale), READ_CHUNK):
            chunk = stale[start : start + READ_CHUNK]
            pipe = self.store.redis.pipeline(transaction=False)
            for day in chunk:
                pipe.hgetall(self.store.keys.day_scans(day.isoformat()))
            for day, counters in zip(chunk, pipe.execute(), strict=True):
                self._days[day] = (counts[day], parse_day(day, counters))

    def pfcounts(self, asked: list[tuple[date, tuple[str, ...]]]) -> list[int]:
        """The unique-guest estimate of each (day, HyperLogLog keys) asked for.

        An estimate is kept while its day's scan count stays the same.
        """
        versions = (
            self.counts(min(d for d, _ in asked), max(d for d, _ in asked))
            if asked
            else {}
        )
        answers: list[int | None] = []
        missing = []
        for day, names in asked:
            cached = self._estimates.get(names)
            if cached and cached[0] == versions.get(day, 0):
                answers.append(cached[1])
            else:
                answers.append(None)
                missing.append(len(answers) - 1)
        pipe = self.store.redis.pipeline(transaction=False)
        for at in missing:
            pipe.pfcount(*asked[at][1])
        for at, count in zip(missing, pipe.execute() if missing else [], strict=True):
            day, names = asked[at]
            answers[at] = int(count)
            self._estimates[names] = (versions.get(day, 0), int(count))
        return answers
