"""The tests.

Set here, before anything else is imported, for the test processes (the test run and the
fork server's children; not the new interpreters some tests start):

- Numerical libraries run on one thread: the tests' matrices are small, and on a busy
  machine OpenBLAS's worker threads waiting for each other made the model fitting in
  test_kinds some forty times slower than one thread doing it alone. A value given in the
  environment is kept.
- Nothing is synced to disk, as the tests' PostgreSQL runs with fsync=off: os.fsync checks
  its file descriptor and syncs nothing, and SQLite connections run with synchronous=OFF.
  What a sync guards against, a power cut, no test brings about (a process killed with -9
  leaves what it wrote to the kernel), and on a busy disk the index saves' thousands of
  syncs took seconds, an SQLite commit some 5 ms instead of 1. The code still makes every
  call.
"""

import os
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


def _fsync_skipped(fd: int) -> None:
    """os.fsync without the sync: a descriptor that is not open still fails."""
    os.fstat(fd)


def _sqlite_unsynced(dbapi_connection: object, record: object) -> None:
    """Every SQLite connection any engine opens (the store's pragmas are its own)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


os.fsync = _fsync_skipped
event.listen(Engine, "connect", _sqlite_unsynced)
