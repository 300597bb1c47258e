"""Health endpoints for operators and orchestrators.

``/healthz`` says the process answers; ``/readyz`` says Redis answers too.
"""

from flask import Blueprint, current_app, jsonify

from .store import redacted

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    """The process is up."""
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz():
    """Redis answers; 503 naming the problem when it does not."""
    store = current_app.extensions["ciberq"]
    if store.ping():
        return jsonify(status="ready")
    problem = f"redis at {redacted(store.url)} does not answer"
    return jsonify(status="unavailable", problem=problem), 503
