"""The redirector: ``GET /<slug>`` and ``HEAD /<slug>`` (DESIGN.md, "Redirect").

The path is short on purpose: resolve the code (one Redis round trip),
decide what the request was, record it (one pipelined write), answer. No
template is rendered and nothing is logged for a redirect.
"""

from flask import Blueprint, Response, current_app, request

from . import codes, pages, scans, slugs

bp = Blueprint("redirects", __name__)

# DESIGN.md: always 302 and never cached, so a retarget reaches every phone;
# a cached 301/308 would pin the old target forever (RFC 9110, 15.4)
_NO_STORE = "no-store"


@bp.route("/<requested>", methods=["GET"])
def follow(requested: str) -> Response:
    """Send a guest to the code's target, and count the scan."""
    store = current_app.extensions["ciberq"]
    if not slugs.looks_like_slug(requested):
        return pages.not_found()
    slug = requested.upper()
    code = codes.find(store, slug)

    if code is None:
        status = scans.UNKNOWN
    elif code.active:
        status = scans.REDIRECTED
    else:
        status = scans.GONE
    scan = scans.observe(
        store,
        slug=slug,
        requested=requested,
        method=request.method,
        status=status,
        address=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
        accept_language=request.headers.get("Accept-Language", ""),
        referrer=request.headers.get("Referer", ""),
        institution=code.institution if code else "",
        event=code.event if code else "",
        target=code.target if status == scans.REDIRECTED else "",
    )
    scans.record(store, scan)

    if status == scans.UNKNOWN:
        return pages.not_found()
    if status == scans.GONE:
        return pages.gone()
    response = Response(status=302)
    response.headers["Location"] = code.target
    response.headers["Cache-Control"] = _NO_STORE
    return response
