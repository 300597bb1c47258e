"""Fault test: Redis stops in the middle of a stream of scans, then returns.

A real ``ciberq serve`` (gunicorn, two workers, scans buffered 50 ms) talks to
a real Redis on a port of its own. Every 302 a client receives must end up as
exactly one recorded scan: none lost while Redis was away, none doubled when
the spool is replayed.
"""

import http.client
import os
import signal
import subprocess
import sys
import threading
import time

import redis as redis_py

from service.keys import Keys

SCRIPT = os.path.join(os.path.dirname(sys.executable), "ciberq")
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36"
)
PHASE = 1000  # requests before the outage, during it, and after it


def _get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"User-Agent": PHONE})
        response = connection.getresponse()
        response.read()
        return response.status, response.headers.get("Location", "")
    finally:
        connection.close()


def _drive(port: int, count: int, answers: list) -> None:
    """Send ``count`` scans from four clients at once, keeping every answer."""
    share = [count // 4 + (1 if n < count % 4 else 0) for n in range(4)]

    def client(number):
        for _ in range(number):
            answers.append(_get(port, "/FAULT"))

    threads = [threading.Thread(target=client, args=(n,)) for n in share]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_every_302_is_one_scan_through_a_redis_outage(own_redis, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "CIBERQ_REDIS_URL": own_redis.url,
        "CIBERQ_DATA_DIR": str(tmp_path / "var"),
        "CIBERQ_LOG_LEVEL": "WARNING",
    }
    create = [SCRIPT, "code", "create", "https://example.org/fault"]
    created = subprocess.run(
        [*create, "--institution", "APPSI", "--slug", "FAULT"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    service = subprocess.Popen(
        [SCRIPT, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    answers: list = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if _get(port, "/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)

        _drive(port, PHASE, answers)
        own_redis.stop()
        _drive(port, PHASE // 2, answers)
        ready_during_outage = _get(port, "/readyz")[0]
        _drive(port, PHASE // 2, answers)
        restarted = time.time()
        own_redis.start()
        _drive(port, PHASE, answers)

        client = redis_py.Redis.from_url(own_redis.url, decode_responses=True)
        totals = Keys().totals("FAULT")

        def recorded() -> int:
            return int(client.hget(totals, "guest") or 0)

        redirected = sum(1 for status, _ in answers if status == 302)
        deadline = time.monotonic() + 20
        while recorded() < redirected and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # anything doubled would show up by now
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=30)
        log = service.stderr.read()
        service.stderr.close()

    assert ready_during_outage == 503
    assert len(answers) == 3 * PHASE
    assert set(answers) == {(302, "https://example.org/fault")}
    assert recorded() == redirected == 3 * PHASE
    assert client.xlen(Keys().scans()) == 3 * PHASE
    # scans spooled during the outage were written after the restart (their
    # stream ids) but keep the time they happened (their "at")
    replayed = [
        entry for entry_id, entry in client.xrange(Keys().scans())
        if int(entry_id.split("-")[0]) >= restarted * 1000
        and int(entry["at"]) / 1000 < restarted  # the stream keeps milliseconds
    ]  # fmt: skip
    assert len(replayed) >= PHASE
    assert "Traceback" not in log, log
