"""``GET /api/v1/stats``: scans and unique guests grouped one way, for other systems.

It lives beside the dashboard's queries and joins the service's API document
and token checks (viewer role and up).
"""

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.api import requires

from . import query

bp = Blueprint("stats", __name__, url_prefix="/api/v1", description="Scan statistics")


class StatsQuery(Schema):
    """The stats call's query parameters."""

    group_by = fields.String(required=True, validate=validate.OneOf(query.GROUPS))
    from_ = fields.Date(data_key="from", metadata={"description": "first local day"})
    to = fields.Date(metadata={"description": "last local day (default: today, WITA)"})
    include_bots = fields.Boolean(load_default=False)
    kind = fields.String(validate=validate.OneOf(list(query.institutions.KINDS)))
    institution = fields.String(validate=validate.Length(max=64))
    event = fields.String(validate=validate.Length(max=64))
    code = fields.String(validate=validate.Length(max=32))


class StatsRow(Schema):
    """One group: its key, guests' scans (with bots' when asked) and unique guests."""

    key = fields.String(allow_none=True)
    scans = fields.Integer()
    unique = fields.Integer(
        metadata={"description": "guest-days: unique per day, added"}
    )
    name = fields.String()
    kind = fields.String()


class Stats(Schema):
    """The answer: one row per group, most scans first (days in order)."""

    group_by = fields.String()
    rows = fields.List(fields.Nested(StatsRow))
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    include_bots = fields.Boolean()


@bp.route("/stats", methods=["GET"])
@requires("read")
@bp.doc(security=[{"bearer": []}])
@bp.arguments(StatsQuery, location="query")
@bp.response(200, Stats)
def stats(args: dict):
    """Guests' scans and unique guests per institution, kind, event, code, day,
    device, OS, browser, language or origin (QR or typed), over local days."""
    cube = current_app.extensions["ciberq.cube"]
    wanted = {k: v for k, v in request.args.items() if k != "group_by"}
    filters = query.parse_filters(wanted, query.today(cube.store))
    catalog = query.Catalog.read(cube.store)
    rows = query.stats(cube, cube.store, args["group_by"], filters, catalog)
    return {
        "group_by": args["group_by"],
        "rows": rows,
        "from_": filters.start,
        "to": filters.end,
        "include_bots": filters.bots,
    }


def register(app) -> None:
    """Add the stats call to the service's API and its OpenAPI document."""
    app.extensions["ciberq.api"].register_blueprint(bp)
