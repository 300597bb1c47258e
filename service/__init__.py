"""CIBER Q CODE: short, permanent plaque links that staff can retarget.

:func:`create_app` builds the Flask application from a configuration mapping
(tests pass their own) and ``CIBERQ_*`` environment variables.
"""

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as settings
from . import handlers, health, pages, redirects
from .store import open_store

__all__ = ["create_app"]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """One format for the service's loggers, configured once."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format=LOG_FORMAT)
    logging.getLogger("service").setLevel(level)
    logging.getLogger("dashboard").setLevel(level)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings, Redis, blueprints, error handlers."""
    values = settings.load(config)
    settings.ensure_secret_key(values)
    configure_logging(values["LOG_LEVEL"])

    app = Flask(__name__)
    app.config.update(values)
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.extensions["ciberq"] = open_store(values)
    if values["TRUSTED_PROXIES"]:
        count = values["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)

    app.register_blueprint(health.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(redirects.bp)
    handlers.register(app)
    pages.render_static_pages(app)
    return app
