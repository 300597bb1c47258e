"""Running the service under gunicorn, from ``ciberq serve``."""

import logging
import os
import shutil
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from . import create_app

log = logging.getLogger(__name__)


class Server(BaseApplication):
    """gunicorn, configured from our settings instead of its command line."""

    def __init__(self, settings: dict[str, Any], options: dict[str, Any]):
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        # each worker builds its own application (and Redis connections)
        return create_app(self.settings)


def _worker_exit(server, worker) -> None:
    """Flush the worker's queued scans before it goes (graceful shutdown)."""
    redirector = getattr(worker.wsgi, "wsgi_app", None)
    if hasattr(redirector, "close"):
        redirector.close()


def _child_exit(server, worker) -> None:
    from . import metrics

    metrics.worker_exited(worker.pid)


def json_logging() -> dict:
    """gunicorn's own log lines as JSON too, on stderr (CIBERQ_LOG_FORMAT=json)."""
    handler = {"class": "logging.StreamHandler", "formatter": "json",
               "stream": "ext://sys.stderr"}  # fmt: skip
    return {
        "formatters": {"json": {"()": "service.JsonLines"}},
        "handlers": {"console": handler, "error_console": handler},
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {
                "level": "INFO",
                "handlers": ["error_console"],
                "propagate": False,
                "qualname": "gunicorn.error",
            },
            # no access log: it would carry guests' addresses (DESIGN.md)
            "gunicorn.access": {
                "level": "CRITICAL",
                "handlers": [],
                "propagate": False,
            },
        },  # fmt: skip
    }


def prepare_metrics(data_dir: str) -> None:
    """Give the workers a fresh directory to share their metrics through."""
    directory = Path(data_dir) / "metrics"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


def run(settings: dict[str, Any], host: str, port: int, workers: int) -> None:
    """Serve until interrupted; gunicorn's master handles the signals."""
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        # no access log: the redirect path does not log per request (DESIGN.md)
        "accesslog": None,
        "errorlog": "-",
        "loglevel": settings.get("LOG_LEVEL", "INFO").lower(),
        "graceful_timeout": 10,
        "proc_name": "ciberq",
        # bound the request line and headers (issue 3 tightens this further)
        "limit_request_line": 4094,
        "limit_request_fields": 60,
        "limit_request_field_size": 4096,
        "worker_exit": _worker_exit,
        "child_exit": _child_exit,
        # gunicorn 27's control socket has one path per user: a second serve
        # would fight over it, and we do not use it
        "control_socket_disable": True,
    }
    if settings.get("LOG_FORMAT") == "json":
        options["logconfig_dict"] = json_logging()
    prepare_metrics(settings["DATA_DIR"])
    log.info("serving on http://%s:%s with %s workers", host, port, workers)
    Server(settings, options).run()
