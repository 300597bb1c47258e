"""The redirector: ``GET /<slug>`` and ``HEAD /<slug>`` (DESIGN.md, "Redirect").

Two layers. :class:`Redirector` is a lean WSGI path ahead of Flask: for an
active code in the local code table it answers the 302 itself and queues the
scan, with no Redis round trip, no routing, no template and no log line. Any
other request (an unknown slug, a disabled code, a code this process has not
seen yet, every other URL) goes on to Flask, where :func:`follow` looks the
code up in Redis, records the scan the same way and answers 404 or 410 with a
bilingual page. A code whose target is its landing page also goes on to
Flask: :func:`follow` records the page view as a scan, exactly as a redirect,
and :mod:`service.landing_page` renders it. Requests for unknown slugs are
rate-limited per address.
"""

import atexit
import gc
import os
import re
import sys
import time

import redis
from flask import Blueprint, Response, current_app, request

from . import codes, landing_page, pages, scans
from .recorder import Recorder
from .table import CodeTable, Entry, entry_from_hash

bp = Blueprint("redirects", __name__)

_SLUG_PATH = re.compile(r"/[A-Za-z0-9-]{3,32}")
# DESIGN.md: always 302 and never cached, so a retarget reaches every phone;
# a cached 301/308 would pin the old target forever (RFC 9110, 15.4)
_NO_STORE = ("Cache-Control", "no-store")
_EMPTY = ("Content-Length", "0")
MAX_QUERY = 1024
SWITCH_INTERVAL = 0.0001  # s; see Redirector._start
_OK = scans.REDIRECTED


class Redirector:
    """The WSGI fast path for active codes, in front of the Flask application."""

    def __init__(self, app, store, table: CodeTable, recorder: Recorder, trusted: int,
                 metrics):  # fmt: skip
        self.app = app
        self.store = store
        self.table = table
        self.recorder = recorder
        self.trusted = trusted
        self.metrics = metrics
        self._pid = 0

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        if (
            (method == "GET" or method == "HEAD")
            and _SLUG_PATH.fullmatch(path)
            and len(environ.get("QUERY_STRING", "")) <= MAX_QUERY
        ):
            if self._pid != os.getpid():
                self._start()
            requested = path[1:]
            slug = requested.upper()
            entry = self.table.entries.get(slug)
            if entry is not None and entry.active:
                now = time.time()
                if entry.windows:
                    entry = entry.at(now)
                if entry.location:  # empty for a landing page: Flask renders it
                    raw = raw_scan(environ, self.trusted, slug, requested, method,
                                   _OK, entry, now)  # fmt: skip
                    self.recorder.add(raw)
                    start_response(
                        "302 Found", [("Location", entry.location), _NO_STORE, _EMPTY]
                    )
                    self.metrics.redirected.inc()
                    self.metrics.latency.observe(time.perf_counter() - started)
                    return [b""]
        return self.app(environ, start_response)

    def _start(self) -> None:
        """Load the table and start the threads, once in each (forked) process."""
        self._pid = os.getpid()
        # the flusher thread holds the GIL while it prepares a batch; a request
        # waiting for it should not wait CPython's default 5 ms to get a turn
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.table.load()
        self.table.start()
        self.recorder.start()
        # everything loaded so far (Flask, the user-agent rules, the table) lives
        # as long as the process: keep the collector from walking it again and
        # again, which showed up as the slowest redirects (gc.freeze, Python 3.7+)
        gc.freeze()
        atexit.register(self.close, self._pid)

    def close(self, pid: int | None = None) -> None:
        """Flush queued scans and stop the threads (graceful shutdown)."""
        if pid is not None and pid != os.getpid():
            return
        if self._pid == -1:
            return  # closed already
        self._pid = -1
        self.table.stop()
        self.recorder.close()


def client_address(environ: dict, trusted: int) -> str:
    """The guest's address: X-Forwarded-For only through ``trusted`` proxies."""
    if trusted:
        hops = [
            hop.strip() for hop in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        if len(hops) >= trusted and hops[-trusted]:
            return hops[-trusted]
    return environ.get("REMOTE_ADDR", "")


def raw_scan(
    environ, trusted, slug, requested, method, status, entry: Entry | None, now: float
) -> tuple:
    """The raw tuple the recorder turns into a scan, taken from the request."""
    return (
        now,
        slug,
        requested,
        method,
        status,
        client_address(environ, trusted),
        environ.get("HTTP_USER_AGENT", ""),
        environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        environ.get("HTTP_REFERER", ""),
        entry.institution if entry else "",
        entry.event if entry else "",
        entry.target if entry and status == scans.REDIRECTED else "",
    )


def _lookup(redirector: Redirector, slug: str) -> Entry | None:
    """The code from the table, else from Redis (while Redis answers)."""
    entry = redirector.table.get(slug)
    if entry is not None:
        return entry
    try:
        found = codes.find(redirector.store, slug)
    except redis.RedisError:
        if not redirector.table.loaded:
            raise  # knowing nothing, a 404 would be a lie: answer 503
        return None  # Redis is away: the table is the best we know
    if found is None:
        return None
    entry = entry_from_hash(found.to_dict())
    redirector.table.put(entry)
    return entry


@bp.route("/<requested>", methods=["GET"])
def follow(requested: str) -> Response:
    """Answer what the fast path left: landing pages, codes not in the table,
    disabled and unknown codes."""
    redirector: Redirector = current_app.extensions["ciberq.redirector"]
    if not _SLUG_PATH.fullmatch("/" + requested):
        return pages.not_found()
    slug, now = requested.upper(), time.time()
    entry = _lookup(redirector, slug)

    if entry is not None and entry.windows:
        entry = entry.at(now)
    if entry is None:
        status = scans.UNKNOWN
    elif entry.active:
        status = scans.REDIRECTED
    else:
        status = scans.GONE
    raw = raw_scan(request.environ, redirector.trusted, slug, requested,
                   request.method, status, entry, now)  # fmt: skip
    redirector.recorder.add(raw)
    shown = "200" if status == scans.REDIRECTED and entry.landing else _STATUS[status]
    redirector.metrics.redirects.labels(status=shown).inc()

    if status == scans.UNKNOWN:
        return pages.not_found()
    if status == scans.GONE:
        return pages.gone()
    if entry.landing:
        return landing_page.render(slug)
    response = Response(status=302)
    response.headers["Location"] = entry.location
    response.headers["Cache-Control"] = "no-store"
    return response


_STATUS = {scans.REDIRECTED: "302", scans.GONE: "410", scans.UNKNOWN: "404"}
