"""The audit log: who changed what, and every login, in an append-only stream.

Entries go to one Redis stream (``keys.audit``) and are never trimmed; this
module has no way to edit or delete one. Before and after are JSON; they must
hold neither a password, a raw token nor an address (DESIGN.md, "Privacy").
"""

import csv
import io
import json
import logging
import re
from datetime import UTC

from . import clock
from .errors import InvalidInput
from .store import Store

log = logging.getLogger(__name__)

FIELDS = ("id", "at", "who", "action", "subject", "before", "after")
# names of values that must never reach the log, even by mistake
FORBIDDEN = frozenset({"password", "password_hash", "secret", "token", "address", "ip"})
MAX_TEXT = 200
PAGE = 1000
_STREAM_ID = re.compile(r"^\d+(-\d+)?$")
# a cell starting like a formula runs in a spreadsheet (OWASP, "CSV injection")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _checked(values: dict | None) -> str:
    if values is None:
        return ""
    leaked = FORBIDDEN.intersection(key.lower() for key in values)
    if leaked:
        raise ValueError(f"audit entries may not hold {', '.join(sorted(leaked))}")
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)


def record(
    store: Store,
    who: str,
    action: str,
    subject: str,
    before: dict | None = None,
    after: dict | None = None,
    pipe=None,
) -> None:
    """Append one entry; with ``pipe``, only queue it on that pipeline."""
    fields = {
        "at": clock.iso(clock.now()),
        "who": (who or "unknown")[:MAX_TEXT],
        "action": action[:MAX_TEXT],
        "subject": subject[:MAX_TEXT],
        "before": _checked(before),
        "after": _checked(after),
    }
    # no MAXLEN: the log is kept whole (XADD without trimming never drops entries)
    (pipe if pipe is not None else store.redis).xadd(store.keys.audit(), fields)
    log.debug("audit %s %s by %s", subject, action, fields["who"])


def _entry(stream_id: str, fields: dict) -> dict:
    return {
        "id": stream_id,
        "at": fields.get("at", ""),
        "who": fields.get("who", ""),
        "action": fields.get("action", ""),
        "subject": fields.get("subject", ""),
        "before": json.loads(fields["before"]) if fields.get("before") else None,
        "after": json.loads(fields["after"]) if fields.get("after") else None,
    }


def _since_id(since: str) -> str:
    """A stream id from a stream id or an ISO 8601 time (inclusive)."""
    if _STREAM_ID.match(since):
        return since
    try:
        moment = clock.parse_iso(since)
    except ValueError:
        raise InvalidInput(
            f"since {since!r} is neither a time (2026-01-31T00:00:00Z) nor an entry id"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return str(int(moment.timestamp() * 1000))


def entries(store: Store, *, since: str | None = None, limit: int = 1000) -> list[dict]:
    """The latest entries, newest first: at most ``limit``, none before ``since``."""
    low = _since_id(since) if since else "-"
    found = store.redis.xrevrange(
        store.keys.audit(), max="+", min=low, count=max(0, limit)
    )
    return [_entry(stream_id, fields) for stream_id, fields in found]


def older(
    store: Store,
    *,
    before: str = "",
    limit: int = 100,
    match: str = "",
    scan: int = 10_000,
) -> tuple[list[dict], str]:
    """A page of entries older than the entry ``before`` (all when empty), newest
    first, and the id to pass as ``before`` for the next page ("" at the start).

    :func:`entries` reads forward from ``since`` and so cannot page backwards;
    this reads back by stream id (XREVRANGE with an exclusive ``(`` bound, Redis
    6.2+). With ``match``, only entries whose who or subject contains it (case
    ignored) are kept, and at most ``scan`` entries are read for one page, so a
    rare match in a long log costs a few clicks, not one long request.
    """
    if before and not _STREAM_ID.match(before):
        raise InvalidInput(f"before {before!r} is not an audit entry id")
    limit = max(1, limit)
    text = match.strip().lower()
    high = f"({before}" if before else "+"
    chunk = PAGE if text else limit + 1
    found, read = [], 0

    while read < scan:
        count = min(chunk, scan - read)
        page = store.redis.xrevrange(store.keys.audit(), max=high, min="-", count=count)
        for stream_id, fields in page:
            read += 1
            entry = _entry(stream_id, fields)
            if not text or text in f"{entry['who']}\n{entry['subject']}".lower():
                found.append(entry)
            # one more than a page shows that older entries remain
            if len(found) > limit:
                return found[:limit], found[limit - 1]["id"]
        if len(page) < count:
            return found, ""
        high = f"({page[-1][0]}"

    return found, high[1:]


def _all(store: Store):
    """Every entry, oldest first, read a page at a time."""
    low = "-"
    while True:
        page = store.redis.xrange(store.keys.audit(), min=low, max="+", count=PAGE)
        for stream_id, fields in page:
            yield _entry(stream_id, fields)
        if len(page) < PAGE:
            return
        low = f"({page[-1][0]}"  # exclusive start (Redis 6.2+, XRANGE)


def _cell(value) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "'" + text if text.startswith(_FORMULA) else text


def export_csv(store: Store) -> str:
    """Every entry as CSV with a header row, oldest first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for entry in _all(store):
        writer.writerow([_cell(entry[name]) for name in FIELDS])
    return out.getvalue()
