"""The inbox lock: of the bots sharing a data dir, only the one holding it takes in the
files dropped into the inbox (an OS file lock on a file in the data dir, released even on
kill -9). Bots with data dirs of their own each watch their own inbox."""

from __future__ import annotations

import fcntl
import os
from typing import IO


class InboxLock:
    """An exclusive, non-blocking lock on a file; held until released or the process ends."""

    def __init__(self, path: os.PathLike[str] | str) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def try_acquire(self) -> bool:
        if self._handle is not None:
            return True
        handle = open(self.path, "a+")  # noqa: SIM115 (held open while the lock is held)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
