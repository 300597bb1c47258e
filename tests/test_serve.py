"""End to end: ``ciberq serve`` on the embedded Redis, driven from outside."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from service.embedded import EmbeddedRedis

SCRIPT = os.path.join(os.path.dirname(sys.executable), "ciberq")
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port, method, path, user_agent=PHONE):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers={"User-Agent": user_agent})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


class Service:
    """One ``ciberq serve`` process on a data directory."""

    def __init__(self, data_dir, port, **env):
        self.port = port
        self.env = {
            **os.environ,
            "CIBERQ_DATA_DIR": str(data_dir),
            "CIBERQ_REDIS_URL": "",
            "CIBERQ_BASE_URL": "https://q.example.go.id",
            **env,
        }
        self.process = subprocess.Popen(
            [SCRIPT, "serve", "--port", str(port), "--workers", "2"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if _request(port, "GET", "/readyz").status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError(
            f"ciberq serve did not come up: {self.process.stderr.read()}"
        )

    def cli(self, *args):
        return subprocess.run(
            [SCRIPT, *args], env=self.env, capture_output=True, text=True, timeout=60
        )

    def stop(self) -> str:
        """Stop the service; what it wrote on stderr."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        log = self.process.stderr.read()
        self.process.stderr.close()
        return log


@pytest.fixture
def data_dir(tmp_path):
    yield tmp_path
    EmbeddedRedis(tmp_path).stop()  # in case a test failed half-way


def test_serve_redirects_counts_and_keeps_everything_across_a_restart(data_dir):
    service = Service(data_dir, _free_port())
    try:
        created = service.cli(
            "code",
            "create",
            "https://example.org/one",
            "--institution",
            "Universitas Udayana",
            "--json",
        )
        slug = json.loads(created.stdout)["slug"]

        first = _request(service.port, "GET", f"/{slug}")
        assert (first.status, first.headers["Location"]) == (
            302,
            "https://example.org/one",
        )
        assert first.headers["Cache-Control"] == "no-store"
        assert _request(service.port, "GET", f"/{slug.lower()}").status == 302
        service.cli(
            "code", "retarget", slug, "https://example.org/two", "--reason", "PKB"
        )
        after = _request(service.port, "GET", f"/{slug}")
        assert after.headers["Location"] == "https://example.org/two"
        assert _request(service.port, "HEAD", f"/{slug}").status == 302
        _request(service.port, "GET", f"/{slug}", "facebookexternalhit/1.1")
        refused = service.cli("code", "retarget", slug, "javascript:alert(1)")
        assert refused.returncode != 0 and refused.stderr.count("\n") == 1
        assert _request(service.port, "GET", "/NOSUCH").status == 404
        before = json.loads(service.cli("code", "show", slug, "--json").stdout)
    finally:
        service.stop()

    assert (before["scans"], before["bot_scans"]) == (3, 2)
    assert EmbeddedRedis(data_dir).running_url() is None

    again = Service(data_dir, _free_port())
    try:
        kept = json.loads(again.cli("code", "show", slug, "--json").stdout)
        answer = _request(again.port, "GET", f"/{slug}")
    finally:
        again.stop()
    assert {k: kept[k] for k in ("target", "scans", "bot_scans", "history")} == {
        k: before[k] for k in ("target", "scans", "bot_scans", "history")
    }
    assert answer.headers["Location"] == "https://example.org/two"


def test_a_second_serve_shares_the_embedded_redis(data_dir):
    first = Service(data_dir, _free_port())
    second = Service(data_dir, _free_port())
    try:
        pid_file = data_dir / "redis" / "redis.pid"
        server_pid = pid_file.read_text()
        second.cli(
            "code",
            "create",
            "https://example.org/",
            "--institution",
            "X",
            "--slug",
            "SHARED",
        )
        assert _request(first.port, "GET", "/SHARED").status == 302

        first.stop()

        assert pid_file.read_text() == server_pid
        assert _request(second.port, "GET", "/SHARED").status == 302
    finally:
        second.stop()
    assert EmbeddedRedis(data_dir).running_url() is None


def test_json_logs_are_one_object_a_line_without_addresses(data_dir):
    service = Service(data_dir, _free_port(), CIBERQ_LOG_FORMAT="json")
    _request(service.port, "GET", "/NOSUCH")

    log = service.stop()

    lines = [line for line in log.splitlines() if line.startswith("{")]
    assert lines, log
    records = [json.loads(line) for line in lines]
    assert {"time", "level", "logger", "message"} <= set(records[0])
    assert any(record["logger"] == "gunicorn.error" for record in records)
    assert "127.0.0.1" not in "".join(r["message"] for r in records
                                      if r["logger"] != "gunicorn.error")  # fmt: skip
