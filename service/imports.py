"""Importing institutions, and their visits, from a CSV file.

The header names the columns: ``name,kind,region,country`` (kind may be
empty), and optionally ``visit_date,purpose,documentation``. Every row is
checked before anything of it is written, so a bad row leaves nothing behind;
the good rows are imported all the same and the bad ones reported.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from . import institutions, visits
from .errors import CiberqError
from .store import Store

REQUIRED = ("name", "kind", "region", "country")
OPTIONAL = ("visit_date", "purpose", "documentation")
MAX_ROWS = 5000
_WEB_LINK = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class RowError:
    """Why one row of the file was not imported; rows count from the header, 1."""

    row: int
    reason: str


@dataclass(frozen=True)
class _Row:
    name: str
    kind: str
    region: str
    country: str
    visit_date: date | None
    purpose: str
    documentation: str


def _cell(record: dict, column: str) -> str:
    return (record.get(column) or "").strip()


def _check(record: dict) -> _Row:
    """The row's values; ValueError naming what is wrong."""
    name = " ".join(_cell(record, "name").split())
    if not name or len(name) > 200:
        raise ValueError("name must be 1 to 200 characters")
    kind = _cell(record, "kind")
    if kind and kind not in institutions.KINDS:
        raise ValueError(
            f"kind {kind!r} is unknown; use one of {', '.join(institutions.KINDS)}"
        )
    when = _cell(record, "visit_date")
    try:
        on = date.fromisoformat(when) if when else None
    except ValueError:
        raise ValueError(f"visit_date {when!r} is not a date like 2026-11-20") from None
    link = _cell(record, "documentation")
    if link and not _WEB_LINK.fullmatch(link):
        raise ValueError(f"documentation {link!r} is not an http(s):// link")
    purpose = _cell(record, "purpose")
    if on is None and (purpose or link):
        raise ValueError("purpose or documentation given without a visit_date")
    country = _cell(record, "country") or "ID"
    return _Row(name, kind, _cell(record, "region"), country, on, purpose, link)


def import_csv(store: Store, text: str, by: str = "") -> tuple[dict, list[RowError]]:
    """Register the institutions (and record the visits) of a CSV text.

    Returns the counts (``institutions`` new, ``existing`` already known,
    ``visits`` recorded) and the rows that were not imported, with why.
    """
    counts = {"institutions": 0, "existing": 0, "visits": 0}
    reader = csv.DictReader(io.StringIO(text))
    columns = [column.strip() for column in reader.fieldnames or []]
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        return counts, [RowError(1, f"the header lacks {', '.join(missing)}")]
    reader.fieldnames = columns

    errors = []
    for number, record in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            errors.append(
                RowError(number, f"more than {MAX_ROWS} rows; split the file")
            )
            break
        try:
            row = _check(record)
        except ValueError as exc:
            errors.append(RowError(number, str(exc)))
            continue
        try:
            known = institutions.find(store, row.name)
            found = known or institutions.register(
                store, row.name, row.kind, row.region, row.country, by=by
            )
            if row.visit_date:
                visits.create(store, found.id, row.visit_date, row.purpose,
                              row.documentation, by=by)  # fmt: skip
        except CiberqError as exc:
            errors.append(RowError(number, str(exc)))
            continue
        counts["existing" if known else "institutions"] += 1
        counts["visits"] += 1 if row.visit_date else 0
    return counts, errors
