"""The Redis connection and the Lua scripts that run on it.

:func:`open_store` turns the configuration into a :class:`Store`: a client,
the key layout and the registered scripts. With no Redis URL it leases the
embedded server of the data directory (see :mod:`service.embedded`).
"""

import atexit
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import redis

from .embedded import EmbeddedRedis
from .errors import StoreUnavailable
from .keys import SCHEMA, Keys

log = logging.getLogger(__name__)

SCRIPTS = ("create_code", "change_code", "record_scans")


@dataclass
class Store:
    """A Redis client with the key layout, scripts and settings that go with it."""

    redis: redis.Redis
    keys: Keys
    scripts: dict[str, Any]
    url: str
    settings: dict[str, Any]
    # called with a slug after this process changed that code (local tables)
    listeners: list[Callable[[str], None]] = field(default_factory=list)

    def ping(self) -> bool:
        """True when Redis answers."""
        try:
            return bool(self.redis.ping())
        except (redis.ConnectionError, redis.TimeoutError):
            return False


_embedded: dict[str, EmbeddedRedis] = {}


def resolve_url(config: dict) -> str:
    """The Redis URL to use, leasing the embedded server when none is set."""
    if config.get("REDIS_URL"):
        return config["REDIS_URL"]
    data_dir = config["DATA_DIR"]
    server = _embedded.get(data_dir)
    if server is None:
        server = _embedded[data_dir] = EmbeddedRedis(data_dir)
        atexit.register(server.release)
    return server.acquire()


def release_embedded() -> None:
    """Release every embedded server this process leased."""
    for server in _embedded.values():
        server.release()


def open_store(config: dict) -> Store:
    """Connect to Redis as configured, check the schema, register the scripts."""
    url = resolve_url(config)
    client = redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
    )
    keys = Keys(config.get("KEY_PREFIX", "ciberq"))
    scripts = {}
    for name in SCRIPTS:
        source = resources.files(__package__).joinpath(f"lua/{name}.lua").read_text()
        scripts[name] = client.register_script(source)
    store = Store(client, keys, scripts, url, config)
    check_schema(store)
    return store


def check_schema(store: Store) -> None:
    """Record the layout's version on first use; refuse a newer one."""
    try:
        store.redis.set(store.keys.schema(), SCHEMA, nx=True)
        found = int(store.redis.get(store.keys.schema()) or SCHEMA)
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        log.warning("redis at %s is not reachable: %s", redacted(store.url), exc)
        return
    if found > SCHEMA:
        raise StoreUnavailable(
            f"the data under prefix {store.keys.prefix} uses key layout v{found}, "
            f"newer than this ciberq (v{SCHEMA}); upgrade ciberq"
        )


def redacted(url: str) -> str:
    """The URL without its password, for logs and messages."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
