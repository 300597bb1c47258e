"""The security headers every page and answer of the service carries.

Pages load only what the service itself serves (DESIGN.md: pages work
offline), run no inline script, and may not be framed; nothing is sniffed,
and no referrer leaves for the sites guests are sent on to.
"""

from flask import Flask, Response

POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def register(app: Flask) -> None:
    """Add the headers to every answer that goes through Flask."""

    @app.after_request
    def secure(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
