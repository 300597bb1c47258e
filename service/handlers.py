"""Turns errors into answers: JSON with a stable code for the API, a
bilingual page for people. Nobody sees a traceback.
"""

import logging

import redis
from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from . import pages
from .errors import CiberqError

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _json(code: str, message: str, status: int):
    return jsonify(error=code, message=message), status


def _json_http_error(exc: HTTPException):
    """An HTTP error of the API as JSON; request checks say which fields failed."""
    status = exc.code or 500
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if messages:
        # webargs: {"json": {"target": ["Missing data for required field."]}}
        fields = {}
        for where in messages.values():
            fields.update(where if isinstance(where, dict) else {"_": where})
        code = "invalid_input" if status == 422 else "bad_request"
        summary = "; ".join(
            " ".join(map(str, problem)) if name == "_" else
            f"{name}: {' '.join(map(str, problem))}"
            for name, problem in fields.items()
        )  # fmt: skip
        response = jsonify(error=code, message=summary, fields=fields)
        return response, status
    name = (exc.name or "error").lower().replace(" ", "_")
    return _json(name, exc.description or exc.name, status)


def register(app: Flask) -> None:
    """Attach the error handlers to the application."""

    @app.errorhandler(CiberqError)
    def domain_error(exc: CiberqError):
        if _wants_json():
            return _json(exc.code, str(exc), exc.http_status)
        if exc.http_status == 404:
            return pages.not_found()
        return pages.error(exc.http_status)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_json():
            return _json_http_error(exc)
        if exc.code == 404:
            return pages.not_found()
        response = exc.get_response()
        return response

    @app.errorhandler(redis.RedisError)
    def store_error(exc: redis.RedisError):
        log.warning("redis failed during %s %s: %s", request.method, request.path, exc)
        if _wants_json():
            return _json("store_unavailable", "the store is not reachable", 503)
        return pages.error(503)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error during %s %s", request.method, request.path)
        if _wants_json():
            return _json("internal_error", "something went wrong on our side", 500)
        return pages.error(500)
