"""Limits that keep the service usable for guests when someone misbehaves.

Requests for unknown slugs are rate-limited per client address (Flask-Limiter,
counting in Redis and in memory while Redis is away), so nobody can walk the
slug space; over-long paths and query strings are refused before any work.
"""

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from . import landing_page, pages, redirects

MAX_PATH = 512


def _storage_uri(redis_url: str) -> str:
    # the limits library names a redis unix socket redis+unix://
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url.removeprefix("unix://")
    return redis_url


def register(app: Flask) -> Limiter:
    """Attach the size guard and the unknown-slug rate limit to the application."""
    trusted = app.config["TRUSTED_PROXIES"]

    def client() -> str:
        return redirects.client_address(request.environ, trusted) or "unknown"

    limiter = Limiter(
        client,
        app=app,
        storage_uri=_storage_uri(app.extensions["ciberq"].url),
        storage_options={
            "socket_connect_timeout": 1,
            "socket_timeout": 1,
            # keep the counters under our prefix, like every other key
            "key_prefix": app.extensions["ciberq"].keys.limits(),
        },
        in_memory_fallback_enabled=True,
        strategy="fixed-window",
    )
    # only answers of 404 use up the allowance: real plaques never run out
    for blueprint in (redirects.bp, landing_page.bp):
        limiter.limit(
            lambda: app.config["UNKNOWN_LIMIT"],
            deduct_when=lambda response: response.status_code == 404,
        )(blueprint)

    @app.before_request
    def refuse_oversized():
        if len(request.path) > MAX_PATH or len(request.query_string) > (
            redirects.MAX_QUERY
        ):
            return pages.too_long()
        return None

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(exc):
        return pages.limited()

    return limiter
