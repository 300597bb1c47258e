"""The spool: batches of scans that could not reach Redis, kept on disk.

Each process appends to a file of its own, one batch a line, fsynced, and
holds an exclusive lock on it while it lives. Replay reads the batches back
and writes them through the exactly-once script, so a batch replayed twice
(or whose first write did reach Redis) counts once. Files of processes that
died are claimed by whichever process replays next. The spool is bounded:
when it is full, further scans are dropped with an error in the log.
"""

import fcntl
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from .scans import Batch

log = logging.getLogger(__name__)


class Spool:
    """One process's spool file in a shared directory."""

    def __init__(self, directory: str | os.PathLike, max_bytes: int):
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.path: Path | None = None
        self._handle = None
        self._owner = 0
        self._full_logged = False

    def _open(self) -> None:
        # a forked child must not write to its parent's file
        if self._handle is not None and self._owner == os.getpid():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.spool"
        self._handle = open(self.path, "a+b")
        fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._owner = os.getpid()

    def size(self) -> int:
        """Bytes waiting in every spool file of the directory."""
        try:
            return sum(p.stat().st_size for p in self.directory.glob("*.spool"))
        except OSError:
            return 0

    def own_size(self) -> int:
        """Bytes waiting in this process's own file."""
        if self.path is None or self._owner != os.getpid():
            return 0
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def append(self, batch: Batch) -> bool:
        """Keep a batch on disk until Redis is back; False when the spool is full."""
        line = (batch.to_json() + "\n").encode()
        if self.size() + len(line) > self.max_bytes:
            if not self._full_logged:
                log.error(
                    "scan spool %s is full (%s bytes): scans are being dropped "
                    "until redis is back",
                    self.directory,
                    self.max_bytes,
                )
                self._full_logged = True
            return False
        self._open()
        self._handle.write(line)
        self._handle.flush()
        os.fsync(self._handle.fileno())
        return True

    def reject(self, batch: Batch) -> None:
        """Set aside a batch that Redis refuses (a bug, not an outage) for a person."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / "rejected.jsonl", "a") as handle:
            handle.write(batch.to_json() + "\n")

    def replay(self, write: Callable[[Batch], bool]) -> int:
        """Write every spooled batch this process may claim; return the scans that
        ``write`` reports as written.

        ``write`` raises when Redis is away: the batches then stay spooled.
        """
        replayed = 0
        for path in sorted(self.directory.glob("*.spool")):
            if path == self.path and self._handle and self._owner == os.getpid():
                replayed += self._replay_own(write)
            else:
                replayed += self._replay_orphan(path, write)
        self._full_logged = False
        return replayed

    def _replay_own(self, write) -> int:
        self._handle.seek(0)
        count = _replay_lines(self._handle.read(), write)
        self._handle.truncate(0)
        self._handle.flush()
        os.fsync(self._handle.fileno())
        return count

    def _replay_orphan(self, path: Path, write) -> int:
        try:
            handle = open(path, "r+b")
        except FileNotFoundError:
            return 0
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return 0  # its process lives and replays it itself
            count = _replay_lines(handle.read(), write)
            path.unlink()
            log.info("replayed %s scans spooled by a process that ended", count)
            return count

    def close(self) -> None:
        """Release this process's file (removing it when it is empty)."""
        if self._handle is None or self._owner != os.getpid():
            return
        empty = self.path.stat().st_size == 0
        self._handle.close()
        self._handle = None
        self._owner = 0
        if empty:
            self.path.unlink(missing_ok=True)
        self.path = None


def _replay_lines(data: bytes, write: Callable[[Batch], bool]) -> int:
    count = 0
    for line in data.splitlines():
        try:
            batch = Batch.from_json(line)
        except ValueError:
            # a line cut short by a crash mid-write: its batch was never
            # acknowledged as spooled, so nothing else refers to it
            log.warning("skipped a damaged line in the scan spool")
            continue
        if write(batch):
            count += batch.size
    return count
