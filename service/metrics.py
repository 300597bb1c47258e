"""Prometheus metrics, correct across gunicorn's worker processes.

``ciberq serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory
before any worker starts; each worker then writes its values to files there
and ``/metrics`` adds them up. prometheus_client chooses that mode when it is
first imported, so it is imported here lazily, never at module level.
"""

import os
import threading

_lock = threading.Lock()
_instruments = None

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


class Instruments:
    """The service's counters, gauges and histogram."""

    def __init__(self):
        from prometheus_client import Counter, Gauge, Histogram

        self.redirects = Counter(
            "ciberq_redirects_total", "Requests of short URLs by answer.", ["status"]
        )
        self.scans_recorded = Counter(
            "ciberq_scans_recorded_total", "Scans written to Redis."
        )
        self.scans_spooled = Counter(
            "ciberq_scans_spooled_total",
            "Scans kept in the spool while Redis was away.",
        )
        self.scans_dropped = Counter(
            "ciberq_scans_dropped_total", "Scans lost because the spool was full."
        )
        self.spool_bytes = Gauge(
            "ciberq_spool_bytes",
            "Bytes of scans waiting in the spool.",
            multiprocess_mode="livesum",
        )
        self.redis_errors = Counter(
            "ciberq_redis_errors_total", "Failed Redis operations.", ["where"]
        )
        self.latency = Histogram(
            "ciberq_redirect_seconds",
            "Time to answer a redirect inside the application.",
            buckets=LATENCY_BUCKETS,
        )
        self.redirected = self.redirects.labels(status="302")


def instruments() -> Instruments:
    """The process's instruments, created on first use."""
    global _instruments
    with _lock:
        if _instruments is None:
            _instruments = Instruments()
        return _instruments


def render() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, summed over every worker."""
    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        REGISTRY,
        CollectorRegistry,
        generate_latest,
    )

    instruments()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def worker_exited(pid: int) -> None:
    """Forget the live gauges of a worker that ended (gunicorn's child_exit)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
