"""The benchmark's baseline: a bare Flask view answering the redirect's 302.

It does what the service's redirect answers and nothing else (no Redis, no
scan), so ``scripts/bench_redirect.py`` can measure the service against the
framework's own ceiling under the same gunicorn settings (issue 3).
"""

from flask import Flask

TARGET = "https://baliprov.go.id/profil"

app = Flask(__name__)


@app.route("/<slug>", methods=["GET", "HEAD"])
def redirect(slug: str):
    """Answer every slug with the same 302, as the service does for BENCH."""
    return "", 302, {"Location": TARGET, "Cache-Control": "no-store"}
