"""What management asks, answered from the cube: filters in, pandas frames out.

Shaping only: :mod:`dashboard.figures` draws what this module shapes. A guest's
scan is a scan of a known code that was answered (``status`` redirected) and
not made by a bot or a link preview; "with bots" adds the bots' scans of known
codes. Unique guests are counted per day (the key that hashes guests changes
every day, DESIGN.md "Privacy"), so a range's unique guests are guest-days.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd

from service import clock, codes, events, institutions, landing
from service.errors import InvalidInput
from service.store import Store

from .cube import Cube, Range, days_between

ANSWERED = "redirected"
NONE = "-"  # how the counters write "no institution" or "no event"
DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366 + 1
GROUPS = (
    "institution", "kind", "event", "code", "day", "device", "os", "browser",
    "language", "origin",
)  # fmt: skip
# the facet each stats group reads, where it is one
FACET_OF = {
    "device": "device", "os": "os", "browser": "browser", "language": "language",
    "origin": "channel",
}  # fmt: skip
EVERY = ("day", "week", "month")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# days a view may ask about: far enough either way for any plaque, near enough
# that a period before, a week or a month around it is still a date
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2199, 12, 31)
# what marshmallow's Boolean (the stats call) reads as yes or no, too
YES = frozenset(("1", "true", "t", "yes", "y", "on"))
NO = frozenset(("", "0", "false", "f", "no", "n", "off"))


@dataclass(frozen=True)
class Filters:
    """A view of the dashboard: a date range in local days and what to keep."""

    start: date
    end: date
    kind: str = ""
    institution: str = ""
    event: str = ""
    code: str = ""
    bots: bool = False

    @property
    def days(self) -> int:
        """How many days the range holds."""
        return (self.end - self.start).days + 1

    def previous(self) -> "Filters":
        """The same view over the period of the same length just before."""
        end = self.start - timedelta(days=1)
        return replace(self, start=end - timedelta(days=self.days - 1), end=end)

    def query(self) -> dict[str, str]:
        """The view as query parameters (for links, bookmarks and exports)."""
        found = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for name in ("kind", "institution", "event", "code"):
            if getattr(self, name):
                found[name] = getattr(self, name)
        if self.bots:
            found["include_bots"] = "1"
        return found

    @property
    def narrowed(self) -> bool:
        """True when any filter beyond the dates is set."""
        return bool(self.kind or self.institution or self.event or self.code)


def today(store: Store) -> date:
    """Today in the office's zone."""
    return clock.now().astimezone(clock.zone(store.settings["TIMEZONE"])).date()


def parse_day(text: str, name: str) -> date:
    """A ``YYYY-MM-DD`` query parameter as a date, or a clear refusal."""
    try:
        if not DAY.fullmatch(text):
            raise ValueError(text)  # fromisoformat also reads 2026W011 and 20261203
        found = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{name} must be a date as YYYY-MM-DD, not {text[:40]!r}"
        ) from None
    if not FIRST_DAY <= found <= LAST_DAY:
        raise InvalidInput(
            f"{name} must lie between {FIRST_DAY} and {LAST_DAY}, not {found}"
        )
    return found


def parse_flag(text: str, name: str) -> bool:
    """A yes/no query parameter (1, true, yes, on; 0, false, no, off, or empty)."""
    word = text.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise InvalidInput(f"{name} must be 1 or 0, not {text[:40]!r}")


def parse_filters(args, now: date) -> Filters:
    """The filters of a query string; a bad value is refused with its reason."""
    end = parse_day(args["to"], "to") if args.get("to") else now
    if args.get("from"):
        start = parse_day(args["from"], "from")
    else:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise InvalidInput("from must not be after to")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(f"a range may hold at most {MAX_DAYS} days")
    kind = args.get("kind", "").strip()
    if kind and kind not in institutions.KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(institutions.KINDS)}")
    bots = parse_flag(args.get("include_bots", ""), "include_bots")
    return Filters(
        start, end, kind, args.get("institution", "").strip(),
        args.get("event", "").strip(), args.get("code", "").strip().upper(), bots,
    )  # fmt: skip


@dataclass
class Catalog:
    """Names for the ids the counters hold: institutions, events, codes."""

    institutions: dict[str, institutions.Institution]
    events: dict[str, events.Event]
    codes: dict[str, codes.Code]

    @classmethod
    def read(cls, store: Store) -> "Catalog":
        """Everything the charts name, read once per page."""
        return cls(
            {i.id: i for i in institutions.list_all(store)},
            {e.id: e for e in events.list_all(store)},
            {c.slug: c for c in codes.list_codes(store)},
        )

    def kind_of(self, institution_id: str) -> str:
        """The kind of an institution, or '-' for none."""
        found = self.institutions.get(institution_id)
        return found.kind or NONE if found else NONE

    def institution_name(self, institution_id: str) -> str:
        """An institution's name, or '' for none."""
        found = self.institutions.get(institution_id)
        return found.name if found else ""

    def event_name(self, event_id: str, lang: str = "id") -> str:
        """An event's name in the language asked for, or ''."""
        found = self.events.get(event_id)
        if not found:
            return ""
        return found.name_en if lang == "en" else found.name_id

    def of_kind(self, kind: str) -> set[str]:
        """The ids of every institution of one kind."""
        return {i.id for i in self.institutions.values() if i.kind == kind}


def keep(frame: pd.DataFrame, filters: Filters, catalog: Catalog) -> pd.DataFrame:
    """The rows of a cube frame the filters keep: known codes, guests or bots."""
    mask = frame["status"] == ANSWERED
    if not filters.bots:
        mask &= frame["bot"] == "0"
    if filters.code:
        mask &= frame["code"] == filters.code
    if filters.institution:
        mask &= frame["institution"] == filters.institution
    if filters.kind:
        mask &= frame["institution"].isin(catalog.of_kind(filters.kind))
    if filters.event:
        mask &= frame["event"] == filters.event
    return frame[mask]


def kept(part: Range, name: str, filters: Filters, catalog: Catalog) -> pd.DataFrame:
    """:func:`keep` on one of a range's frames, worked out once per range and view."""
    kinds = frozenset(catalog.of_kind(filters.kind)) if filters.kind else None
    return part.memo(
        (name, filters, kinds), lambda: keep(part.frame(name), filters, catalog)
    )


def answered(part: Range, name: str, filters: Filters, catalog: Catalog):
    """Like :func:`kept`, with bots and guests both (for bots against guests)."""
    return kept(part, name, replace(filters, bots=True), catalog)


def _sum_by(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(
            {"key": pd.Series(dtype=object), "scans": pd.Series(dtype="int64")}
        )
    grouped = frame.groupby(column, as_index=False, sort=False, observed=True)[
        "n"
    ].sum()
    grouped = grouped.rename(columns={column: "key", "n": "scans"})
    return grouped.sort_values(
        ["scans", "key"], ascending=[False, True], ignore_index=True
    )


def scans_by(
    part: Range, group: str, filters: Filters, catalog: Catalog
) -> pd.DataFrame:
    """Scans per value of ``group`` (one of :data:`GROUPS`): columns key, scans."""
    if group in FACET_OF:
        facets = kept(part, "facets", filters, catalog)
        facets = facets[facets["facet"] == FACET_OF[group]]
        return _sum_by(facets, "value")
    daily = kept(part, "daily", filters, catalog)
    if group == "kind":
        daily = daily.assign(kind=daily["institution"].map(catalog.kind_of))
    if group == "day":
        daily = daily.assign(day=daily["day"].dt.strftime("%Y-%m-%d"))
    found = _sum_by(daily, group)
    if group == "day":
        found = found.sort_values("key", ignore_index=True)
    return found


def over_time(
    part: Range, filters: Filters, catalog: Catalog, every: str
) -> pd.DataFrame:
    """Guests' (and bots') scans per day, week or month over the whole range."""
    rows = answered(part, "daily", filters, catalog)
    rows = rows.assign(who=rows["bot"].map({"0": "guest", "1": "bot"}))
    table = rows.pivot_table(
        index="day", columns="who", values="n", aggfunc="sum", observed=True
    )
    days = pd.date_range(filters.start, filters.end, freq="D", name="day")
    table = table.reindex(index=days, columns=["guest", "bot"], fill_value=0).fillna(0)
    if every == "week":
        table = table.resample("W-MON", label="left", closed="left").sum()
    elif every == "month":
        table = table.resample("MS").sum()
    return table.astype("int64").reset_index().rename(columns={"day": "period"})


def heatmap(part: Range, filters: Filters, catalog: Catalog) -> pd.DataFrame:
    """Guests' scans by weekday (rows, Monday first) and local hour (columns)."""
    rows = kept(part, "hourly", filters, catalog)
    table = rows.pivot_table(
        index="weekday", columns="hour", values="n", aggfunc="sum", observed=True
    )
    return (
        table.reindex(index=range(7), columns=range(24), fill_value=0)
        .fillna(0)
        .astype("int64")
    )


def bots_and_guests(part: Range, filters: Filters, catalog: Catalog) -> pd.DataFrame:
    """Scans by guests and by bots or link previews: columns key, scans."""
    rows = answered(part, "daily", filters, catalog)
    found = _sum_by(rows.assign(who=rows["bot"].map({"0": "guest", "1": "bot"})), "who")
    return found.set_index("key").reindex(["guest", "bot"], fill_value=0).reset_index()


def first_and_last(part: Range, filters: Filters, catalog: Catalog) -> pd.DataFrame:
    """Each institution's guests' scans, first and last day with one, latest first."""
    rows = kept(part, "daily", filters, catalog)
    rows = rows[rows["institution"] != NONE]
    if rows.empty:
        return pd.DataFrame(
            columns=["institution", "name", "kind", "scans", "first", "last"]
        )
    table = rows.groupby("institution", observed=True).agg(
        scans=("n", "sum"), first=("day", "min"), last=("day", "max")
    )
    table = table.reset_index()
    table.insert(1, "name", table["institution"].map(catalog.institution_name))
    table.insert(2, "kind", table["institution"].map(catalog.kind_of))
    return table.sort_values(["last", "scans"], ascending=False, ignore_index=True)


def clicks_by_link(store: Store, filters: Filters, catalog: Catalog) -> pd.DataFrame:
    """Clicks on landing-page links per link id (guests', with bots' when asked).

    A click belongs to a code, not to an event: an event filter leaves none.
    """
    if filters.event:
        return _sum_by(pd.DataFrame(columns=["link", "n"]), "link")
    kept = {code.slug for code in codes_in_view(filters, catalog)}
    days = [day.isoformat() for day in days_between(filters.start, filters.end)]
    rows = [
        (link, count)
        for _, slug, link, bot, count in landing.day_clicks(store, days)
        if slug in kept and (filters.bots or not bot)
    ]
    return _sum_by(pd.DataFrame(rows, columns=["link", "n"]), "link")


def codes_in_view(filters: Filters, catalog: Catalog) -> list[codes.Code]:
    """The codes the view's code, institution and kind filters leave."""
    found = []
    kinds = catalog.of_kind(filters.kind) if filters.kind else None
    for code in catalog.codes.values():
        if filters.code and code.slug != filters.code:
            continue
        if filters.institution and code.institution != filters.institution:
            continue
        if kinds is not None and code.institution not in kinds:
            continue
        found.append(code)
    return found


def _narrowed(filters: Filters) -> bool:
    return bool(filters.code or filters.institution or filters.kind)


def _view_slugs(filters: Filters, catalog: Catalog) -> list[str] | None:
    """The codes a code, institution or kind filter keeps; None without one."""
    if not _narrowed(filters):
        return None
    return [code.slug for code in codes_in_view(filters, catalog)]


def _view_guest_keys(
    keys, filters: Filters, slugs: list[str] | None, day: str
) -> tuple[str, ...]:
    """The HyperLogLogs whose union estimates the view's guests on one day.

    A code, institution or kind filter (``slugs``) reads the union of the
    codes' daily estimates; an event filter alone reads the event's; with both,
    the codes' (an upper bound: a guest of those codes may have come for
    another event).
    """
    if slugs is not None:
        return tuple(keys.code_guests(slug, day) for slug in slugs)
    if filters.event:
        return (keys.day_dimension_guests(day, "event", filters.event),)
    return (keys.day_guests(day),)


def unique_guests(cube: Cube, filters: Filters, catalog: Catalog, counts) -> int:
    """Guest-days of the view: each day's estimate, added up over the range."""
    slugs = _view_slugs(filters, catalog)
    if slugs == []:
        return 0  # the filters leave no code
    keys = cube.store.keys
    asked = [(day, _view_guest_keys(keys, filters, slugs, day.isoformat()))
             for day in counts]  # fmt: skip
    return sum(cube.pfcounts(asked))


@dataclass
class Tiles:
    """The headline numbers of a view, and the same for the period before."""

    scans: int
    unique: int
    active: int
    scanned: int
    issued: int = 0  # every plaque in the view, disabled ones too
    before: dict[str, int] = field(default_factory=dict)

    def change(self, name: str) -> float | None:
        """The change against the period before, as a fraction, or None."""
        earlier = self.before.get(name, 0)
        if not earlier:
            return None
        return (getattr(self, name) - earlier) / earlier


def tiles(cube: Cube, store: Store, filters: Filters, catalog: Catalog) -> Tiles:
    """Guests' scans, unique guests, active and issued plaques, plaques scanned."""
    guests_only = replace(filters, bots=False)

    def measure(view: Filters) -> tuple[int, int, int]:
        counts = cube.counts(view.start, view.end)
        rows = kept(cube.part(view.start, view.end), "daily", guests_only, catalog)
        scanned = rows.loc[rows["n"] > 0, "code"].nunique()
        return (
            int(rows["n"].sum()),
            unique_guests(cube, view, catalog, counts),
            scanned,
        )

    now = measure(filters)
    before = measure(filters.previous())
    plaques = codes_in_view(filters, catalog)
    active = sum(c.active for c in plaques)
    return Tiles(
        now[0], now[1], active, now[2], len(plaques),
        {"scans": before[0], "unique": before[1], "scanned": before[2]},
    )  # fmt: skip


def stats(
    cube: Cube, store: Store, group: str, filters: Filters, catalog: Catalog
) -> list[dict]:
    """The stats API's rows: scans and unique guests per value of ``group``."""
    if group not in GROUPS:
        raise InvalidInput(f"group_by must be one of {', '.join(GROUPS)}")
    part = cube.part(filters.start, filters.end)
    found = scans_by(part, group, filters, catalog)
    unique = _unique_per_key(cube, part, group, filters, catalog)
    rows = []
    for key, scans in zip(found["key"], found["scans"], strict=True):
        # an estimate may overshoot a little; guests never outnumber their scans
        row = {"key": None if key == NONE else key, "scans": int(scans),
               "unique": min(unique.get(key, 0), int(scans))}  # fmt: skip
        if group == "institution":
            row["name"] = catalog.institution_name(key)
            row["kind"] = catalog.kind_of(key)
        elif group == "event":
            row["name"] = catalog.event_name(key)
        rows.append(row)
    return rows


def _unique_per_key(cube, part, group, filters, catalog) -> dict[str, int]:
    """Guest-days per key: each day's estimate of the key, where it had guests.

    Codes and days, and under a code, institution or kind filter institutions
    and kinds too, are estimated from the codes the view keeps, so they honour
    those filters. Otherwise a value has an estimate for the whole office only:
    under a filter, each day takes the smaller of the value's and the view's
    estimate, an upper bound.
    """
    keys = cube.store.keys
    daily = kept(part, "daily", filters, catalog)
    if group in FACET_OF:
        facets = kept(part, "facets", filters, catalog)
        values = set(facets.loc[facets["facet"] == FACET_OF[group], "value"])
        pairs = [(value, day) for value in values for day in set(daily["day"])]
    else:
        if group == "kind":
            daily = daily.assign(kind=daily["institution"].map(catalog.kind_of))
        column = "day_key" if group == "day" else group
        if group == "day":
            daily = daily.assign(day_key=daily["day"].dt.strftime("%Y-%m-%d"))
        pairs = list(daily[[column, "day"]].drop_duplicates().itertuples(
            index=False, name=None))  # fmt: skip
    # institutions and kinds read the filtered codes' estimates only when a
    # code, institution or kind filter is set; else their own (cheaper)
    slugs = _view_slugs(filters, catalog)
    by_codes = group in ("institution", "kind") and slugs is not None
    owned: dict[str, list[str]] = {}
    if by_codes:
        for code in codes_in_view(filters, catalog):
            owned.setdefault(_owner(code, group, catalog), []).append(code.slug)
    # the code's own estimate knows nothing of events, the others nothing of
    # codes: where a filter says what they cannot, the view's estimate bounds
    bounded = group != "day" and not by_codes
    bounded = bounded and (slugs is not None or bool(filters.event))
    asked, owners = [], []
    for key, day in pairs:
        text = day.date().isoformat()
        view = _view_guest_keys(keys, filters, slugs, text)
        if group == "day":
            names = view
        elif group == "code":
            names = (keys.code_guests(key, text),)
        elif by_codes:
            names = tuple(keys.code_guests(slug, text) for slug in owned.get(key, ()))
        elif group == "kind":
            # "none" is both a code given to no institution and an institution
            # registered without a kind
            ids = sorted(catalog.of_kind(key if key != NONE else ""))
            ids += [NONE] if key == NONE else []
            names = tuple(
                keys.day_dimension_guests(text, "institution", i) for i in ids
            )
        else:
            dimension = FACET_OF.get(group, group)
            names = (keys.day_dimension_guests(text, dimension, key),)
        if not names:
            continue
        asked.append((day.date(), names))
        if bounded and view:
            asked.append((day.date(), view))
            owners.append((key, len(asked) - 2, len(asked) - 1))
        else:
            owners.append((key, len(asked) - 1, None))
    counted = cube.pfcounts(asked)
    totals: dict[str, int] = {}
    for key, own, view_at in owners:
        count = counted[own]
        if view_at is not None:
            count = min(count, counted[view_at])
        totals[key] = totals.get(key, 0) + count
    return totals


def _owner(code, group: str, catalog: Catalog) -> str:
    """The institution (or its kind) a code counts under, as the counters write it."""
    institution = code.institution or NONE
    return catalog.kind_of(institution) if group == "kind" else institution


def event_phases(
    cube: Cube, filters: Filters, catalog: Catalog, event: events.Event
) -> pd.DataFrame:
    """Guests' scans of the codes that ever counted for ``event``, per day, with
    the phase (before, during, after) against the event's dates."""
    starts, ends = date.fromisoformat(event.starts), date.fromisoformat(event.ends)
    margin = max((ends - starts).days + 1, 14)
    first, last = starts - timedelta(days=margin), ends + timedelta(days=margin)
    part = cube.part(first, last)
    view = replace(filters, start=first, end=last, event="")
    rows = kept(part, "daily", view, catalog)
    drew = set(rows.loc[rows["event"] == event.id, "code"])
    rows = rows[rows["code"].isin(drew)]
    per_day = rows.groupby("day")["n"].sum()
    days = pd.DatetimeIndex(
        [pd.Timestamp(d) for d in days_between(first, last)], name="day"
    )
    table = (
        per_day.reindex(days, fill_value=0).astype("int64").reset_index(name="scans")
    )
    table["phase"] = [
        "before" if d.date() < starts else "after" if d.date() > ends else "during"
        for d in table["day"]
    ]
    table["for_event"] = (
        rows[rows["event"] == event.id]
        .groupby("day")["n"]
        .sum()
        .reindex(days, fill_value=0)
        .astype("int64")
        .values
    )
    return table
