"""Health and metrics endpoints for operators and orchestrators.

``/healthz`` says the process answers; ``/readyz`` says Redis answers too;
``/metrics`` is in Prometheus' text format, summed over the workers.
"""

from flask import Blueprint, Response, current_app, jsonify

from . import metrics
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
    metrics.instruments().redis_errors.labels(where="readyz").inc()
    return jsonify(status="unavailable", problem=problem), 503


@bp.route("/metrics")
def metrics_text():
    """Counters, gauges and the redirect latency histogram."""
    body, content_type = metrics.render()
    return Response(body, content_type=content_type)
