"""The lock that serialises writers of the saved search index.

Only a process that must write the index takes it; a process that finds the saved index
current never does. It is an flock on `<index dir>/.lock`, held on a descriptor that is
closed on exec (and the index's worker processes are spawned, not forked), so only the
process that took it ever holds it, and the kernel releases it when that process ends,
however it ends. The holder writes its pid into the file, so that a waiting process can
say whom it waits for; a waiting process gives up after a bound.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.1


class IndexLockTimeout(RuntimeError):
    """Another process held the index lock longer than we were willing to wait."""


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (held by pid {text})" if text.isdigit() else ""


class IndexLock:
    """The index lock file of a directory, open (OSError when it cannot be created, as in
    a read-only directory); `held` takes the lock."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / ".lock"
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> IndexLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def held(self, timeout: float) -> Iterator[None]:
        """Hold the lock; IndexLockTimeout when another process holds it for more than
        `timeout` seconds."""
        deadline = time.monotonic() + timeout
        waiting = False
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(self.path)
                if time.monotonic() >= deadline:
                    raise IndexLockTimeout(
                        f"gave up after {timeout:g} s waiting for the search index lock {self.path}{holder}; "
                        "another process is writing the index (UNIONBOT_INDEX_LOCK_TIMEOUT_SECONDS sets the wait)"
                    ) from None
                if not waiting:
                    log.warning("waiting for the search index lock %s%s", self.path, holder)
                    waiting = True
                time.sleep(_POLL_SECONDS)
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
