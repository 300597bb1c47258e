"""CIBER Q CODE: short, permanent plaque links that staff can retarget.

:func:`create_app` builds the Flask application from a configuration mapping
(tests pass their own) and ``CIBERQ_*`` environment variables.
"""

import json
import logging
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from flask import Flask

from . import admin, api, handlers, headers, health, landing_page, pages, redirects
from . import config as settings
from .store import open_store

__all__ = ["create_app"]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """One JSON object per log record (CIBERQ_LOG_FORMAT=json)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str, style: str = "text") -> None:
    """One format for the service's loggers, configured once per process."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        root.addHandler(handler)
    for handler in root.handlers:
        handler.setFormatter(
            JsonLines() if style == "json" else logging.Formatter(LOG_FORMAT)
        )
    logging.getLogger("service").setLevel(level)
    logging.getLogger("dashboard").setLevel(level)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings, Redis, redirector, blueprints, handlers."""
    values = settings.load(config)
    settings.ensure_secret_key(values)
    configure_logging(values["LOG_LEVEL"], values["LOG_FORMAT"])

    app = Flask(__name__)
    app.config.update(values)
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    store = open_store(values)
    app.extensions["ciberq"] = store

    node = values["NODE"]
    app.register_blueprint(health.bp)
    if node != "admin":
        _serve_guests(app, store, values)
    if node != "public":
        api.register(app)
        admin.register(app)
        _register_extensions(app)
    headers.register(app)
    handlers.register(app)
    pages.render_static_pages(app)
    return app


def _register_extensions(app: Flask) -> None:
    """Attach the installed parts that build on the service (the dashboard).

    They are found through the ``ciberq.extensions`` entry points, so that the
    service never imports them: they import the service (DESIGN.md, "Layout").
    """
    for found in entry_points(group="ciberq.extensions"):
        found.load()(app)


def _serve_guests(app: Flask, store, values: dict) -> None:
    """The public side: the fast redirect path, its fallback and the pages."""
    from . import abuse, metrics
    from .recorder import Recorder
    from .spool import Spool
    from .table import CodeTable

    data_dir = Path(values["DATA_DIR"])
    instruments = metrics.instruments()
    table = CodeTable(store, data_dir / "codes.snapshot.json")
    spool = Spool(data_dir / "spool", values["SPOOL_MAX_MB"] * 1024 * 1024)
    recorder = Recorder(store, spool, values["SCAN_FLUSH_MS"] / 1000, instruments)
    redirector = redirects.Redirector(
        app.wsgi_app, store, table, recorder, values["TRUSTED_PROXIES"], instruments
    )
    app.wsgi_app = redirector
    app.extensions["ciberq.redirector"] = redirector
    app.register_blueprint(pages.bp)
    abuse.register(app)
    app.register_blueprint(redirects.bp)
    app.register_blueprint(landing_page.bp)
