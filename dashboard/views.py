"""The dashboard's pages under ``/dashboard/``, for signed-in viewers and up.

Every view reads its filters from the query string, so a view can be
bookmarked and shared; the report view is the same view laid out for
printing; the exports hand over the same numbers as files.
"""

import gzip
import logging
import os
from functools import cache
from importlib import resources

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)

from service.admin import login_required, page_context
from service.errors import InvalidInput

from . import export, page, query, stats
from .cube import Cube
from .words import KINDS, WORDS, language

log = logging.getLogger(__name__)

bp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/dashboard",
    template_folder="templates",
    static_folder="static",
)
PLOTLY = "plotly-cartesian-4.1.1.min.js"
# plotly.js sets a few style rules of its own at run time (plotly.js#2355);
# scripts still come only from this service
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def register(app: Flask) -> None:
    """Attach the dashboard and the stats call (the ``ciberq.extensions`` hook)."""
    if app.config.get("NODE") == "public":
        return
    app.extensions["ciberq.cube"] = Cube(app.extensions["ciberq"])
    app.register_blueprint(bp)
    stats.register(app)


@bp.after_request
def _policy(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = POLICY
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.context_processor
def _context() -> dict:
    # the staff pages' layout, its menu and sign-out button, frames these pages
    return {**page_context(), "plotly": url_for("dashboard.plotly")}


def _cube() -> Cube:
    return current_app.extensions["ciberq.cube"]


def _view(template: str, **more):
    filters, refusal = _filters_or_refusal()
    if refusal:
        return refusal
    cube = _cube()
    lang = language(request.args.get("lang"))
    catalog = query.Catalog.read(cube.store)
    view = page.build(cube, filters, catalog, lang, request.args.get("every", ""))
    return render_template(
        template, view=view, catalog=catalog, words=WORDS[lang], kinds=KINDS[lang],
        lang=lang, link=_linker(filters, lang, view.every), **more,
    )  # fmt: skip


def _linker(filters: query.Filters, lang: str, every: str):
    """Builds links to other views that keep this view's filters."""

    def link(endpoint: str, **changes) -> str:
        args = {**filters.query(), "lang": lang, "every": every, **changes}
        return url_for(endpoint, **{k: v for k, v in args.items() if v})

    return link


@bp.route("/")
@login_required("read")
def index():
    """The dashboard: tiles, charts and the table of institutions."""
    return _view("dashboard/index.html")


@bp.route("/report")
@login_required("read")
def report():
    """The same view laid out to print or save as PDF from the browser."""
    return _view("dashboard/report.html")


@bp.route("/event")
@login_required("read")
def event_view():
    """Scans of the codes an event drew, before, during and after it."""
    filters, refusal = _filters_or_refusal()
    if refusal:
        return refusal
    cube = _cube()
    lang = language(request.args.get("lang"))
    catalog = query.Catalog.read(cube.store)
    chosen = catalog.events.get(request.args.get("event", ""))
    table, figure = None, ""
    if chosen is not None:
        table = query.event_phases(cube, filters, catalog, chosen)
        if table["scans"].any():
            figure = page.figures.as_script(page.figures.phases(table, WORDS[lang]))
    return render_template(
        "dashboard/event.html", catalog=catalog, chosen=chosen, table=table,
        figure=figure, lang=lang, words=WORDS[lang],
        link=_linker(filters, lang, "day"),
    )  # fmt: skip


def _filters_or_refusal():
    """The view's filters, or the bilingual page that says what is wrong."""
    cube = _cube()
    try:
        return query.parse_filters(request.args, query.today(cube.store)), None
    except InvalidInput as exc:
        lang = language(request.args.get("lang"))
        page_ = render_template("dashboard/refused.html", message=str(exc), lang=lang)
        return None, (page_, 400)


@bp.route("/export.<any(csv, xlsx):fmt>")
@login_required("read")
def export_view(fmt: str):
    """The filtered view (``rows=scans``: its raw scans) as CSV or Excel."""
    filters, refusal = _filters_or_refusal()
    if refusal:
        return refusal
    cube = _cube()
    catalog = query.Catalog.read(cube.store)
    raw = request.args.get("rows") == "scans"
    name = export.filename("scans" if raw else "view", filters, fmt)
    if raw:
        rows = export.raw_scans(cube.store, filters, catalog)
        if fmt == "csv":
            return _csv(stream_with_context(export.raw_csv(rows)), name)
        return _xlsx(export.raw_xlsx(rows), name)
    lang = language(request.args.get("lang"))
    view = page.build(cube, filters, catalog, lang, request.args.get("every", ""))
    if fmt == "csv":
        return _csv(export.view_csv(view), name)
    return _xlsx(export.view_xlsx(view), name)


def _csv(lines, name: str) -> Response:
    response = Response(lines, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _xlsx(path: str, name: str) -> Response:
    handle = open(path, "rb")  # noqa: SIM115 - send_file closes it when sent
    os.unlink(path)  # the open handle keeps the data until it is sent
    return send_file(
        handle,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=name,
    )


@bp.route(f"/static/{PLOTLY}")
def plotly():
    """plotly.js from the service itself, compressed when the browser accepts it."""
    body, packed = _plotly_bytes()
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(packed if gzipped else body, mimetype="text/javascript")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    # the file name carries the version: it never changes under this name
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@cache
def _plotly_bytes() -> tuple[bytes, bytes]:
    body = resources.files(__package__).joinpath("static", PLOTLY).read_bytes()
    return body, gzip.compress(body, 6)
