"""The JSON API under ``/api/v1``: the resources other systems work with.

For now it serves each code's QR artwork; accounts, tokens and the other
resources arrive with the staff issue, and this blueprint gains their
authentication then. Errors are JSON with a stable ``error`` code
(``service.handlers``).
"""

from dataclasses import replace

from flask import Blueprint, Response, current_app, request

from . import artwork, codes, institutions
from .errors import ArtworkError

bp = Blueprint("api", __name__, url_prefix="/api/v1")

CONTENT_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "eps": "application/postscript",
}


def _number(name: str, kind=float):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return kind(raw)
    except ValueError:
        raise ArtworkError(f"{name}={raw[:20]!r} must be a number") from None


def style_from_query() -> artwork.Style:
    """The artwork options of the query string, checked."""
    options = {}
    for name, kind in (("size_mm", float), ("size_px", int), ("dpi", int),
                       ("border", int)):  # fmt: skip
        value = _number(name, kind)
        if value is not None:
            options[name] = value
    for name in ("error", "dark", "light", "caption"):
        if name in request.args:
            options[name] = request.args[name]
    if "error" in options:
        options["error"] = options["error"].upper()
    return artwork.Style(**options)


@bp.route("/codes/<slug>/qr.<fmt>")
def code_artwork(slug: str, fmt: str) -> Response:
    """A code's QR artwork as PNG, SVG, PDF or EPS; options in the query string."""
    if fmt not in artwork.FORMATS:
        raise ArtworkError(f"format {fmt!r} is unknown; use png, svg, pdf or eps")
    store = current_app.extensions["ciberq"]
    code = codes.get(store, slug)
    style = style_from_query()
    if request.args.get("institution") in ("1", "true", "yes"):
        found = institutions.get(store, code.institution) if code.institution else None
        style = replace(style, institution=found.name if found else "")

    body, warnings = artwork.render(
        code.short_url(store.settings["BASE_URL"]), fmt, style
    )
    response = Response(body, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'inline; filename="{code.slug}.{fmt}"'
    if warnings:
        # header values must be ASCII on one line; the full text is in the docs
        response.headers["X-Artwork-Warnings"] = " | ".join(
            w.encode("ascii", "replace").decode() for w in warnings
        )
    return response
