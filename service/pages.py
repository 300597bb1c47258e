"""Public pages a guest may see: home, unknown code (404), disabled code (410).

They are bilingual (Indonesian first, then English), small, and rendered once
when the application starts: they do not change per request.
"""

from flask import Blueprint, Flask, Response, current_app, render_template

bp = Blueprint("pages", __name__)


def render_static_pages(app: Flask) -> None:
    """Render the fixed public pages once, with the office's name and link."""
    context = {
        "office_name": app.config["OFFICE_NAME"],
        "office_url": app.config["OFFICE_URL"] or app.config["BASE_URL"],
    }
    with app.app_context():
        app.extensions["ciberq.pages"] = {
            name: render_template(f"{name}.html", **context)
            for name in ("home", "not_found", "gone", "error", "limited", "too_long")
        }


def _page(name: str, status: int) -> Response:
    body = current_app.extensions["ciberq.pages"][name]
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def not_found() -> Response:
    """The page for a slug that no code has."""
    return _page("not_found", 404)


def gone() -> Response:
    """The page for a disabled code, linking to the office (RFC 9110, 15.5.11)."""
    return _page("gone", 410)


def too_long() -> Response:
    """The page for an address too long to be a plaque's (RFC 9110, 15.5.15)."""
    return _page("too_long", 414)


def limited() -> Response:
    """The page for an address that tried too many unknown codes (RFC 6585, 4)."""
    response = _page("limited", 429)
    response.headers["Retry-After"] = "60"
    return response


def error(status: int = 500) -> Response:
    """The page for anything unexpected: no traceback, an apology."""
    return _page("error", status)


@bp.route("/favicon.ico")
def favicon() -> Response:
    """The icon browsers ask for on their own, as SVG (every current browser)."""
    return current_app.send_static_file("favicon.svg")


@bp.route("/")
def home() -> Response:
    """A short bilingual note on what this domain is."""
    return _page("home", 200)
