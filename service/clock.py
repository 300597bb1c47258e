"""Time as DESIGN.md says: stored in UTC, days and hours in the office's zone."""

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """A UTC time as ISO 8601 with a Z, to the millisecond."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.removesuffix("+00:00") + "Z"


def parse_iso(text: str) -> datetime:
    """The UTC time written by :func:`iso`."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    """The time zone called ``name`` (cached: ZoneInfo lookups read files)."""
    return ZoneInfo(name)


def local_day_hour(moment: datetime, zone_name: str) -> tuple[str, int]:
    """The local date (YYYY-MM-DD) and hour of a moment in the given zone."""
    # every zone's offset is a multiple of 15 minutes, so one answer serves a
    # whole quarter hour: the scan path asks this twice per scan
    return _quarter_day_hour(int(moment.timestamp() // 900), zone_name)


@lru_cache(maxsize=256)
def _quarter_day_hour(quarter: int, zone_name: str) -> tuple[str, int]:
    local = datetime.fromtimestamp(quarter * 900, zone(zone_name))
    return local.strftime("%Y-%m-%d"), local.hour
