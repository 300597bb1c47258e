"""The JSON API under ``/api/v1``, for the province's other systems.

Requests are checked by the marshmallow schemas of :mod:`service.schemas`, the
same definitions that produce the OpenAPI 3 document at
``/api/v1/openapi.json`` (flask-smorest). Every call but that document needs a
bearer token (``ciberq token create``); the token's role decides what it may do.
Errors are JSON with a stable ``error`` code and a ``message``
(:mod:`service.handlers`).
"""

import re
from dataclasses import replace
from functools import wraps

from flask import Response, current_app, g, request
from flask_smorest import Api, Blueprint
from marshmallow import RAISE

from . import (
    accounts,
    artwork,
    audit,
    campaigns,
    clock,
    codes,
    events,
    institutions,
    schemas,
    sheets,
    tokens,
    visits,
)
from .errors import ArtworkError, Forbidden, Unauthorized

bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Codes, institutions, visits, events, campaigns, artwork",
)

CONTENT_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "eps": "application/postscript",
}


class CiberqApi(Api):
    """flask-smorest, leaving error answers to :mod:`service.handlers`."""

    def _register_error_handlers(self):
        # flask-smorest would answer every HTTP error of the whole site in its
        # own JSON; guests must get pages, and the API our error format
        pass


def register(app) -> None:
    """Attach the API and its OpenAPI document to the application."""
    app.config.update(
        API_TITLE="CIBER Q CODE",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = CiberqApi(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(bp)
    # other parts (the dashboard's stats) add their endpoints to the same document
    app.extensions["ciberq.api"] = api


_DOING = {
    "read": "read codes",
    "change": "change codes, institutions, visits, events or campaigns",
    "manage_users": "manage users",
    "audit": "read the audit log",
}


def requires(action: str):
    """Let the call through only with a valid token whose role may ``action``."""

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, raw = header.partition(" ")
            store = current_app.extensions["ciberq"]
            token = tokens.verify(store, raw.strip()) if scheme == "Bearer" else None
            if token is None:
                raise Unauthorized(
                    "a valid bearer token is needed: ciberq token create"
                )
            if not accounts.can(token.role, action):
                raise Forbidden(f"a {token.role} token may not {_DOING[action]}")
            g.actor = f"token:{token.name}"
            return view(*args, **kwargs)

        return checked

    return decorate


def _store():
    return current_app.extensions["ciberq"]


@bp.route("/codes", methods=["GET"])
@requires("read")
@bp.doc(security=[{"bearer": []}])
@bp.response(200, schemas.Code(many=True))
def list_codes():
    """Every code, oldest first, with its counts."""
    store = _store()
    return [codes.summary(store, code, with_history=False)
            for code in codes.list_codes(store)]  # fmt: skip


@bp.route("/codes", methods=["POST"])
@requires("change")
@bp.doc(security=[{"bearer": []}])
@bp.arguments(schemas.CodeCreate)
@bp.response(201, schemas.Code)
def create_code(data: dict):
    """Create a code; a new institution named here is registered."""
    store = _store()
    institution = ""
    if data.get("institution"):
        codes.check(store, data["target"], data.get("slug"))
        institution = institutions.register(store, data["institution"], by=g.actor).id
    made = codes.create(
        store, data["target"], institution, slug=data.get("slug"),
        visit=data.get("visit", ""), by=g.actor, reason=data.get("reason", ""),
    )  # fmt: skip
    return codes.summary(store, made, with_history=False)


@bp.route("/codes/<slug>", methods=["GET"])
@requires("read")
@bp.doc(security=[{"bearer": []}])
@bp.response(200, schemas.Code)
def get_code(slug: str):
    """One code with its counts."""
    store = _store()
    return codes.summary(store, codes.get(store, slug), with_history=False)


@bp.route("/codes/<slug>", methods=["PATCH"])
@requires("change")
@bp.doc(security=[{"bearer": []}])
@bp.arguments(schemas.CodeChange)
@bp.response(200, schemas.Code)
def change_code(data: dict, slug: str):
    """Retarget a code, or disable or enable it, with a reason for the history."""
    store = _store()
    before = codes.get(store, slug)
    reason = data.get("reason", "")
    changed = before
    if "target" in data and data["target"] != before.target:
        changed = codes.retarget(store, slug, data["target"], by=g.actor, reason=reason)
    if data.get("state") == codes.DISABLED and changed.active:
        changed = codes.disable(store, slug, by=g.actor, reason=reason)
    elif data.get("state") == codes.ACTIVE and not changed.active:
        changed = codes.enable(store, slug, by=g.actor, reason=reason)
    return codes.summary(store, changed, with_history=False)


@bp.route("/codes/<slug>/history", methods=["GET"])
@requires("read")
@bp.doc(security=[{"bearer": []}])
@bp.response(200, schemas.HistoryEntry(many=True))
def code_history(slug: str):
    """Every change of a code, oldest first: who, when, from, to, why."""
    return codes.history(_store(), slug)


@bp.route("/codes/<slug>/qr.<fmt>", methods=["GET"])
@requires("read")
@bp.doc(security=[{"bearer": []}])
# a mistyped option (size=, colour=) is refused, not silently drawn at the default
@bp.arguments(schemas.ArtworkQuery, location="query", unknown=RAISE)
@bp.response(200, description="The artwork file.")
def code_artwork(query: dict, slug: str, fmt: str) -> Response:
    """A code's QR artwork as PNG, SVG, PDF or EPS; options in the query string."""
    if fmt not in artwork.FORMATS:
        raise ArtworkError(f"format {fmt!r} is unknown; use png, svg, pdf or eps")
    store = _store()
    code = codes.get(store, slug)
    with_institution = query.pop("institution", False)
    style = artwork.Style(**query)
    if with_institution:
        name = institutions.name_of(store, code.institution)
        style = replace(style, institution=name)

    short_url = code.short_url(store.settings["BASE_URL"])
    body, warnings = artwork.render(short_url, fmt, style)
    warnings += sheets.disabled([code])
    response = Response(body, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'inline; filename="{code.slug}.{fmt}"'
    if warnings:
        # header values must be printable ASCII on one line
        response.headers["X-Artwork-Warnings"] = " | ".join(
            re.sub(r"[^\x20-\x7e]", "?", warning) for warning in warnings
        )
    return response


def _aware(moment, zone: str):
    """A time from a request: with no offset it is in the office's zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.zone(zone))


@bp.route("/institutions", methods=["GET"])
@requires("read")
@bp.doc(security=[{"bearer": []}])
@bp.response(200, schemas.Institution(many=True))
def list_institutions():
    """Every visiting institution, by name."""
    return [item.to_dict() for item in institutions.list_all(_store())]


@bp.route("/institutions", methods=["POST"])
@requires("change")
@bp.doc(security=[{"bearer": []}])
@bp.arguments(schemas.InstitutionIn)
@bp.response(201, schemas.Institution)
def create_institution(data: dict):
    """Register a visiting institution (an existing name answers the existing one)."""
    made = institutions.register(_store(), **data, by=g.actor)
    return made.to_dict()


@bp.route("/visits", methods=["GET"])
@requires("read")
@bp.doc(security=[{"bearer": []}])
@bp.response(200, schemas.Visit(many=True))
def list_visits():
    """Every visit, newest first."""
    return [item.to_dict() for item in visits.list_all(_store())]


@bp.route("/visits", methods=["POST"])
@requires("change")
@bp.doc(security=[{"bearer": []}])
@bp.arguments(schemas.VisitIn)
@bp.response(201, schemas.Visit)
def create_visit(data: dict):
    """Record a visit of a registered institution."""
    made = visits.create(
        _store(), data["institution"], data["date"], data["purpose"],
        data["documentation"], by=g.actor,
    )  # fmt: skip
    return made.to_dict()


@bp.route("/events", methods=["GET"])
@requires("read")
@bp.doc(security=[{"bearer": []}])
@bp.response(200, schemas.Event(many=True))
def list_events():
    """Every flagship event, by start."""
    return [item.to_dict() for item in events.list_all(_store())]


@bp.route("/events", methods=["POST"])
@requires("change")
@bp.doc(security=[{"bearer": []}])
@bp.arguments(schemas.EventIn)
@bp.response(201, schemas.Event)
def create_event(data: dict):
    """Add a flagship event."""
    store = _store()
    made = events.create(store, data["name_id"], data["name_en"], data["starts"],
                         data["ends"], data["page"], by=g.actor)  # fmt: skip
    return made.to_dict()


@bp.route("/campaigns", methods=["GET"])
@requires("read")
@bp.doc(security=[{"bearer": []}])
@bp.response(200, schemas.Campaign(many=True))
def list_campaigns():
    """Every campaign that is not cancelled, by start."""
    return [item.to_dict() for item in campaigns.list_all(_store())]


@bp.route("/campaigns", methods=["POST"])
@requires("change")
@bp.doc(security=[{"bearer": []}])
@bp.arguments(schemas.CampaignIn)
@bp.response(201, schemas.Campaign)
def create_campaign(data: dict):
    """Point codes at an event for a window; outside it they fall back."""
    store = _store()
    zone = store.settings["TIMEZONE"]
    made = campaigns.create(
        store, data["event"], _aware(data["starts"], zone), _aware(data["ends"], zone),
        data["scope"], data["value"], target=data["target"], by=g.actor,
    )  # fmt: skip
    return made.to_dict()


@bp.route("/campaigns/<campaign_id>/cancel", methods=["POST"])
@requires("change")
@bp.doc(security=[{"bearer": []}])
@bp.response(200, schemas.Campaign)
def cancel_campaign(campaign_id: str):
    """End a campaign now."""
    return campaigns.cancel(_store(), campaign_id, by=g.actor).to_dict()


@bp.route("/codes/<slug>/preview", methods=["GET"])
@requires("read")
@bp.doc(security=[{"bearer": []}])
@bp.arguments(schemas.PreviewQuery, location="query")
@bp.response(200, schemas.Preview)
def preview_code(query: dict, slug: str):
    """What a code opens at a moment (default now), campaigns included."""
    store = _store()
    code = codes.get(store, slug)
    at = (
        _aware(query["at"], store.settings["TIMEZONE"])
        if "at" in query
        else (clock.now())
    )
    target, event_id = campaigns.preview(store, code, at)
    return {"slug": code.slug, "at": clock.iso(at), "target": target, "event": event_id}


@bp.route("/audit", methods=["GET"])
@requires("audit")
@bp.doc(security=[{"bearer": []}])
@bp.arguments(schemas.AuditQuery, location="query")
@bp.response(200, schemas.AuditEntry(many=True))
def read_audit(query: dict):
    """The audit log, newest first (admins only); nobody can change it."""
    return audit.entries(_store(), since=query.get("since"), limit=query["limit"])


@bp.route("/audit.csv", methods=["GET"])
@requires("audit")
@bp.doc(security=[{"bearer": []}])
@bp.response(200, description="The whole audit log as CSV, oldest first.")
def export_audit() -> Response:
    """The whole audit log as CSV for a report (admins only)."""
    response = Response(audit.export_csv(_store()), content_type="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response


# the landing content calls hang on this blueprint; imported last because they
# use its decorator
from . import api_landing  # noqa: E402, F401
