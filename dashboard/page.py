"""What one view of the dashboard shows: its sections as tables and figures.

The page, the report view and the CSV and Excel exports read the same
:class:`Section` tables, so a number in a report is the number on the screen.
"""

from dataclasses import dataclass, field

import pandas as pd

from . import figures, query
from .cube import Cube
from .query import Catalog, Filters
from .words import KINDS, LINKS, SECTIONS, WORDS

TOP = 15


@dataclass
class Section:
    """One chart: its title, its numbers (key, label, scans) and its figure."""

    key: str
    title_id: str
    title_en: str
    table: pd.DataFrame
    figure: str = ""  # plotly JSON, '' when there is nothing to draw

    @property
    def empty(self) -> bool:
        """True when the section has no scan to show."""
        return self.table.empty or not self.table["scans"].any()


@dataclass
class View:
    """Everything one dashboard URL shows."""

    filters: Filters
    lang: str
    every: str
    tiles: query.Tiles
    sections: list[Section] = field(default_factory=list)
    institutions: pd.DataFrame | None = None

    @property
    def empty(self) -> bool:
        """True when the range holds no scan of the filtered codes at all."""
        return all(section.empty for section in self.sections)

    def section(self, key: str) -> Section:
        """The section called ``key``."""
        return next(s for s in self.sections if s.key == key)


def every_for(filters: Filters, asked: str) -> str:
    """The period of the time chart: as asked, else by the length of the range."""
    if asked in query.EVERY:
        return asked
    return "day" if filters.days <= 92 else "week" if filters.days <= 400 else "month"


def build(
    cube: Cube, filters: Filters, catalog: Catalog, lang: str, every: str
) -> View:
    """Shape and draw every section of the view."""
    words = WORDS[lang]
    part = cube.part(filters.start, filters.end)
    every = every_for(filters, every)
    view = View(filters, lang, every, query.tiles(cube, cube.store, filters, catalog))
    titles = {key: (title_id, title_en) for key, title_id, title_en in SECTIONS}

    def add(key: str, table: pd.DataFrame, figure) -> None:
        section = Section(key, *titles[key], table)
        if not section.empty and figure is not None:
            section.figure = figures.as_script(figure)
        view.sections.append(section)

    times = query.over_time(part, filters, catalog, every)
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "key": times["period"].dt.strftime("%Y-%m-%d"),
                    "label": words[who],
                    "scans": times[who],
                }
            )  # fmt: skip
            for who in ("guest", "bot")
            if who == "guest" or filters.bots
        ],
        ignore_index=True,
    )
    add(
        "over_time",
        long,
        figures.over_time(times if filters.bots else times.assign(bot=0), words),
    )

    for group in ("institution", "kind", "event", "code"):
        table = query.scans_by(part, group, filters, catalog)
        table.insert(
            1, "label", [_label(group, key, catalog, lang) for key in table["key"]]
        )
        add(group, table, figures.ranking(table, list(table["label"]), TOP))

    grid = query.heatmap(part, filters, catalog)
    cells = grid.stack().reset_index(name="scans")
    moments = list(zip(cells["weekday"], cells["hour"], strict=True))
    cells = pd.DataFrame({
        "key": [f"{d}-{h:02d}" for d, h in moments],
        "label": [f"{figures.WEEKDAYS[lang][d]} {h:02d}:00" for d, h in moments],
        "scans": cells["scans"],
    })  # fmt: skip
    add("heatmap", cells, figures.heatmap(grid, words, lang))

    for group in ("device", "os", "browser", "language"):
        table = query.scans_by(part, group, filters, catalog)
        table.insert(
            1, "label", [words["none"] if k == "-" else k for k in table["key"]]
        )
        add(group, table, figures.ranking(table, list(table["label"]), 10))

    split = query.bots_and_guests(part, filters, catalog)
    split.insert(1, "label", [words[k] for k in split["key"]])
    add("bots", split, figures.split(split, list(split["label"])))

    origin = query.scans_by(part, "origin", filters, catalog)
    origin = (
        origin.set_index("key").reindex(["qr", "typed"], fill_value=0).reset_index()
    )
    origin.insert(1, "label", [words[k] for k in origin["key"]])
    add("origin", origin, figures.split(origin, list(origin["label"])))

    links = query.clicks_by_link(cube.store, filters, catalog)
    links.insert(1, "label", [_link_label(k, catalog, lang) for k in links["key"]])
    add("links", links, figures.ranking(links, list(links["label"]), 10))

    view.institutions = query.first_and_last(part, filters, catalog)
    return view


def _link_label(link: str, catalog: Catalog, lang: str) -> str:
    if link.startswith("event-"):
        return catalog.event_name(link.removeprefix("event-"), lang) or link
    return LINKS[lang].get(link, link)


def _label(group: str, key: str, catalog: Catalog, lang: str) -> str:
    none = WORDS[lang]["none"]
    if group == "institution":
        return catalog.institution_name(key) or none
    if group == "kind":
        return KINDS[lang].get(key, key)
    if group == "event":
        return catalog.event_name(key, lang) or none
    return key
