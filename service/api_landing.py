"""The API's calls for landing page content: office-wide, per visit, per code.

Each scope's document is read by a viewer and replaced whole by staff (PUT);
the page merges them, a code's winning over its visit's over the office's.
"""

from flask import current_app, g

from . import landing, schemas
from .api import bp, requires


def _store():
    return current_app.extensions["ciberq"]


def _landing_read(scope: str, key: str = "") -> dict:
    return landing.override(_store(), scope, key)


def _landing_write(scope: str, data: dict, key: str = "") -> dict:
    return landing.set_override(_store(), scope, key, data, by=g.actor)


@bp.route("/landing", methods=["GET"])
@requires("read")
@bp.doc(security=[{"bearer": []}])
@bp.response(200, schemas.LandingContent)
def office_landing():
    """The office-wide landing content that every landing page starts from."""
    return _landing_read("office")


@bp.route("/landing", methods=["PUT"])
@requires("change")
@bp.doc(security=[{"bearer": []}])
@bp.arguments(schemas.LandingContent)
@bp.response(200, schemas.LandingContent)
def set_office_landing(data: dict):
    """Replace the office-wide landing content."""
    return _landing_write("office", data)


@bp.route("/visits/<visit_id>/landing", methods=["GET"])
@requires("read")
@bp.doc(security=[{"bearer": []}])
@bp.response(200, schemas.LandingContent)
def visit_landing(visit_id: str):
    """The landing content one visit overrides."""
    return _landing_read("visit", visit_id)


@bp.route("/visits/<visit_id>/landing", methods=["PUT"])
@requires("change")
@bp.doc(security=[{"bearer": []}])
@bp.arguments(schemas.LandingContent)
@bp.response(200, schemas.LandingContent)
def set_visit_landing(data: dict, visit_id: str):
    """Replace the landing content of one visit's codes."""
    return _landing_write("visit", data, visit_id)


@bp.route("/codes/<slug>/landing", methods=["GET"])
@requires("read")
@bp.doc(security=[{"bearer": []}])
@bp.response(200, schemas.LandingContent)
def code_landing(slug: str):
    """The landing content one code overrides."""
    return _landing_read("code", slug)


@bp.route("/codes/<slug>/landing", methods=["PUT"])
@requires("change")
@bp.doc(security=[{"bearer": []}])
@bp.arguments(schemas.LandingContent)
@bp.response(200, schemas.LandingContent)
def set_code_landing(data: dict, slug: str):
    """Replace the landing content of one code (wins over its visit's and the
    office's)."""
    return _landing_write("code", data, slug)
