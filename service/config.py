"""Settings: every one with its default, its description and its check.

Each setting is read from a ``CIBERQ_*`` environment variable, or from the
mapping given to :func:`load` (tests and the application factory pass one).
All bad values are reported together, one clear line each.
"""

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError

ENV_PREFIX = "CIBERQ_"


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, description and parser."""

    name: str
    default: Any
    description: str
    parse: Callable[[str], Any] = str


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.query or parts.fragment or parts.path.strip("/"):
        raise ValueError("must be a bare origin such as https://q.example.go.id")
    return f"{parts.scheme}://{parts.netloc}"


def _optional_url(value: str) -> str:
    return _url(value) if value else ""


def _redis_url(value: str) -> str:
    if value and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
        raise ValueError("must start with redis://, rediss:// or unix://")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("is not a known time zone such as Asia/Makassar") from None
    return value


def _hosts(value: str) -> tuple[str, ...]:
    hosts = tuple(h.strip().lower() for h in value.split(",") if h.strip())
    for host in hosts:
        bare = host.removeprefix("*.")
        if not bare or "*" in bare or "/" in bare or ":" in bare:
            raise ValueError(f"{host!r} is not a host name or *.domain pattern")
    return hosts


def _whole(value: str, low: int, high: int | None = None) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError("must be a whole number") from None
    if number < low or (high is not None and number > high):
        span = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"must be {span}")
    return number


def _positive(value: str) -> int:
    return _whole(value, 1)


def _count(value: str) -> int:
    return _whole(value, 0)


def _session_hours(value: str) -> int:
    return _whole(value, 1, 720)  # up to 30 days


def _slug_length(value: str) -> int:
    return _whole(value, 4, 16)


def _prefix(value: str) -> str:
    if not value or any(c in value for c in "{}: \t\r\n"):
        raise ValueError("must be a non-empty word without braces, colons or spaces")
    return value


def _limit(value: str) -> str:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ValueError("must be a rate such as '30 per minute'") from None
    return value


def _node(value: str) -> str:
    if value.lower() not in ("all", "public", "admin"):
        raise ValueError("must be all, public or admin")
    return value.lower()


def _log_format(value: str) -> str:
    if value.lower() not in ("text", "json"):
        raise ValueError("must be text or json")
    return value.lower()


def _level(value: str) -> str:
    level = value.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
    return level


SETTINGS = (
    Setting(
        "REDIS_URL",
        "",
        "Redis to use (redis://, rediss:// or unix://); empty starts a private "
        "redis-server in the data directory",
        _redis_url,
    ),
    Setting(
        "BASE_URL",
        "http://127.0.0.1:8000",
        "origin of the short URLs printed on plaques, e.g. https://q.example.go.id",
        _url,
    ),
    Setting("DATA_DIR", "./var", "where the embedded Redis and the secret key live"),
    Setting(
        "SECRET_KEY",
        "",
        "key that signs sessions; generated once and kept in the data directory "
        "when empty",
    ),
    Setting(
        "TIMEZONE",
        "Asia/Makassar",
        "time zone of days, hours and charts (WITA by default)",
        _timezone,
    ),
    Setting(
        "ALLOWED_TARGET_HOSTS",
        (),
        "comma-separated hosts (or *.domain) that codes may point at; empty "
        "allows any public http(s) host",
        _hosts,
    ),
    Setting("KEY_PREFIX", "ciberq", "prefix of every Redis key", _prefix),
    Setting("SLUG_LENGTH", 6, "length of generated slugs", _slug_length),
    Setting(
        "OFFICE_URL",
        "",
        "the office's own site, linked from the page of a disabled code and as "
        "the profile on landing pages",
        _optional_url,
    ),
    Setting(
        "OFFICE_NAME",
        "Pemerintah Provinsi Bali",
        "name of the office shown on public pages",
    ),
    Setting(
        "OFFICE_EMAIL",
        "",
        "the office's e-mail address, shown on landing pages",
    ),
    Setting(
        "OFFICE_PHONE",
        "",
        "the office's telephone number, shown on landing pages",
    ),
    Setting(
        "OFFICE_ADDRESS",
        "",
        "the office's postal address, shown on landing pages",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "number of reverse proxies in front whose X-Forwarded-For is trusted",
        _count,
    ),
    Setting(
        "SCAN_STREAM_MAXLEN",
        0,
        "approximate cap on raw scans kept in Redis; 0 keeps them all",
        _count,
    ),
    Setting(
        "SCAN_FLUSH_MS",
        50,
        "milliseconds scans wait in memory before one batched write; 0 writes each "
        "at once",
        _count,
    ),
    Setting(
        "SESSION_HOURS",
        12,
        "hours a staff sign-in lasts unused (each page renews it), 1 to 720",
        _session_hours,
    ),
    Setting("SPOOL_MAX_MB", 64, "disk kept for scans while Redis is away", _positive),
    Setting(
        "UNKNOWN_LIMIT",
        "30 per minute",
        "requests of unknown slugs allowed per client address",
        _limit,
    ),
    Setting(
        "NODE",
        "all",
        "what this process serves: all, public (redirects and landing pages only) "
        "or admin (API and staff pages, no redirects)",
        _node,
    ),
    Setting("HOST", "127.0.0.1", "address that ciberq serve listens on"),
    Setting("PORT", 8000, "port that ciberq serve listens on", _positive),
    Setting("WORKERS", 2, "gunicorn worker processes for ciberq serve", _positive),
    Setting("LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING or ERROR", _level),
    Setting(
        "LOG_FORMAT", "text", "text, or json for one JSON object a line", _log_format
    ),
)


def load(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Read every setting from ``overrides``, then the environment, then defaults.

    Raises :class:`ConfigError` naming every bad value at once.
    """
    overrides = dict(overrides or {})
    values: dict[str, Any] = {}
    problems = []
    for setting in SETTINGS:
        env_name = ENV_PREFIX + setting.name
        if setting.name in overrides:
            raw = overrides.pop(setting.name)
        else:
            raw = os.environ.get(env_name)
        if raw is None:
            values[setting.name] = setting.default
            continue
        if not isinstance(raw, str):
            values[setting.name] = raw
            continue
        try:
            values[setting.name] = setting.parse(raw.strip())
        except ValueError as exc:
            problems.append(f"{env_name}={raw!r} {exc}")
    if problems:
        raise ConfigError("; ".join(problems))

    values.update(overrides)
    values["DATA_DIR"] = str(Path(values["DATA_DIR"]).expanduser().resolve())
    return values


def ensure_secret_key(config: dict[str, Any]) -> None:
    """Fill in SECRET_KEY from the data directory, creating it once if needed."""
    if config.get("SECRET_KEY"):
        return
    path = Path(config["DATA_DIR"]) / "secret_key"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        config["SECRET_KEY"] = path.read_text().strip()
    except FileExistsError:
        config["SECRET_KEY"] = path.read_text().strip()
    except OSError as exc:
        raise ConfigError(
            f"cannot keep the secret key in {path}: {exc.strerror}; "
            "set CIBERQ_SECRET_KEY or CIBERQ_DATA_DIR"
        ) from exc


def describe() -> list[tuple[str, str, str]]:
    """Name, default and description of every setting, for docs and --help."""
    rows = []
    for setting in SETTINGS:
        default = setting.default
        if isinstance(default, tuple):
            default = ",".join(default)
        rows.append((ENV_PREFIX + setting.name, str(default), setting.description))
    return rows
