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


@contextmanager
def index_lock(directory: Path, timeout: float) -> Iterator[None]:
    """Hold the index lock of `directory`. OSError when it cannot be created (a read-only
    directory); IndexLockTimeout when another process holds it for more than `timeout`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ".lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + timeout
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(path)
                if time.monotonic() >= deadline:
                    raise IndexLockTimeout(
                        f"gave up after {timeout:g} s waiting for the search index lock {path}{holder}; "
                        "another process is writing the index (UNIONBOT_INDEX_LOCK_TIMEOUT_SECONDS sets the wait)"
                    ) from None
                if not waiting:
                    log.warning("waiting for the search index lock %s%s", path, holder)
                    waiting = True
                time.sleep(_POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
