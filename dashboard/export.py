"""CSV and Excel files of a dashboard view, and of raw scans, written as they stream.

A view is small (its sections' tables). Raw scans are read from the stream a
chunk at a time, so a year of scans never sits in memory: CSV lines go out as
they are made, and an Excel workbook is written row by row to a temporary file
(XlsxWriter's constant-memory mode) that is then sent as it is read.
"""

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import xlsxwriter

from service import clock, scans
from service.store import Store

from .page import View
from .query import Catalog, Filters

CHUNK = 2000
# scans kept in the spool while Redis was away reach the stream late, with
# their own time: read this far past the range so that they are not missed
LATE = timedelta(days=7)
RAW_COLUMNS = (
    "at", "local_time", "code", "status", "method", "bot", "bot_name",
    "institution", "institution_name", "kind", "event", "target", "device",
    "user_agent", "language", "referrer_host", "channel",
)  # fmt: skip
# the tiles, each with the words of the page
SUMMARY = {
    "scans": "Pindaian tamu / Guests' scans",
    "unique": "Tamu unik (tamu-hari) / Unique guests (guest-days)",
    "active": "Plakat aktif / Active plaques",
    "issued": "Plakat diterbitkan / Plaques issued",
    "scanned": "Plakat terpindai / Plaques scanned",
}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> object:
    """A cell that a spreadsheet will not run as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def _csv_line(values) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([safe(v) for v in values])
    return out.getvalue()


def view_rows(view: View) -> Iterator[tuple]:
    """The view as long rows: section, key, label, scans (with a summary first)."""
    tiles = view.tiles
    for name, label in SUMMARY.items():
        yield ("summary", name, label, getattr(tiles, name))
    for section in view.sections:
        for key, label, count in section.table[["key", "label", "scans"]].itertuples(
            index=False, name=None
        ):
            yield (section.key, "" if key is None else str(key), label, int(count))


def view_csv(view: View) -> Iterator[str]:
    """The view as CSV text, line by line."""
    yield _csv_line(("section", "key", "label", "scans"))
    for row in view_rows(view):
        yield _csv_line(row)


def view_xlsx(view: View) -> str:
    """The view as an Excel workbook in a temporary file; returns its path."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
    bold = book.add_format({"bold": True})
    summary = book.add_worksheet("Ringkasan")
    rows = [
        ("from", view.filters.start.isoformat()),
        ("to", view.filters.end.isoformat()),
    ]
    rows += [(k, v) for k, v in view.filters.query().items() if k not in ("from", "to")]
    rows += [(name, getattr(view.tiles, name)) for name in SUMMARY]
    for at, (name, value) in enumerate(rows):
        summary.write_string(at, 0, name, bold)
        _write(summary, at, 1, value)
        summary.write_string(at, 2, SUMMARY.get(name, ""))
    for section in view.sections:
        sheet = book.add_worksheet(section.title_id[:31].replace("/", "-"))
        sheet.write_row(0, 0, (section.title_id, section.title_en), bold)
        sheet.write_row(1, 0, ("key", "label", "scans"), bold)
        for at, row in enumerate(
            section.table[["key", "label", "scans"]].itertuples(index=False), 2
        ):
            for column, value in enumerate(row):
                _write(sheet, at, column, value)
    book.close()
    return path


def _write(sheet, row: int, column: int, value) -> None:
    if isinstance(value, str) or value is None:
        # write_string: a text beginning with '=' stays text, never a formula
        sheet.write_string(row, column, "" if value is None else value)
    else:
        sheet.write_number(row, column, int(value))


def raw_scans(store: Store, filters: Filters, catalog: Catalog) -> Iterator[tuple]:
    """The scans of the range that the filters keep, oldest first, as rows."""
    zone = clock.zone(store.settings["TIMEZONE"])
    first = datetime.combine(filters.start, time(), zone).astimezone(UTC)
    last = datetime.combine(filters.end + timedelta(days=1), time(), zone).astimezone(
        UTC
    )
    low, high = clock.iso(first), clock.iso(last)
    kinds = catalog.of_kind(filters.kind) if filters.kind else None
    start = f"{int(first.timestamp() * 1000)}-0"
    end = f"{int((last + LATE).timestamp() * 1000)}-0"
    for _, scan in scans.read(store, start, end, CHUNK):
        if low <= scan.get("at", "") < high and _kept(scan, filters, kinds):
            yield _raw_row(scan, catalog, zone)


def _kept(scan: dict, filters: Filters, kinds: set[str] | None) -> bool:
    if not filters.bots and scan.get("bot") == "1":
        return False
    if filters.code and scan.get("code") != filters.code:
        return False
    if filters.institution and scan.get("institution") != filters.institution:
        return False
    if kinds is not None and scan.get("institution") not in kinds:
        return False
    return not (filters.event and scan.get("event") != filters.event)


def _raw_row(scan: dict, catalog: Catalog, zone) -> tuple:
    local = clock.parse_iso(scan["at"]).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    institution = scan.get("institution", "")
    values = dict(scan, local_time=local,
                  institution_name=catalog.institution_name(institution),
                  kind=catalog.kind_of(institution) if institution else "")  # fmt: skip
    return tuple(values.get(column, "") for column in RAW_COLUMNS)


def raw_csv(rows: Iterator[tuple]) -> Iterator[str]:
    """Raw scan rows as CSV text, line by line."""
    yield _csv_line(RAW_COLUMNS)
    for row in rows:
        yield _csv_line(row)


def raw_xlsx(rows: Iterator[tuple]) -> str:
    """Raw scan rows as an Excel workbook in a temporary file; returns its path."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet("Pindaian")
    sheet.write_row(0, 0, RAW_COLUMNS, book.add_format({"bold": True}))
    for at, row in enumerate(rows, 1):
        if at >= 1_048_576:  # Excel's last row: the rest needs the CSV
            break
        for column, value in enumerate(row):
            sheet.write_string(at, column, value)
    book.close()
    return path


def filename(kind: str, filters: Filters, suffix: str) -> str:
    """A download's name: what it holds and the dates it covers."""
    return f"ciberq-{kind}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.{suffix}"
