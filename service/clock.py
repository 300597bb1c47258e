"""Time as DESIGN.md says: stored in UTC, days and hours in the office's zone."""

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """A UTC time as ISO 8601 with a Z, to the millisecond."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def parse_iso(text: str) -> datetime:
    """The UTC time written by :func:`iso`."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    """The time zone called ``name`` (cached: ZoneInfo lookups read files)."""
    return ZoneInfo(name)


def local_day_hour(moment: datetime, zone_name: str) -> tuple[str, int]:
    """The local date (YYYY-MM-DD) and hour of a moment in the given zone."""
    local = moment.astimezone(zone(zone_name))
    return local.strftime("%Y-%m-%d"), local.hour
