"""The tests.

Set here, before anything else is imported, for the test processes (the test run and the
fork server's children; not the new interpreters some tests start):

- Numerical libraries run on one thread: the tests' matrices are small, and on a busy
  machine OpenBLAS's worker threads waiting for each other made the model fitting in
  test_kinds some forty times slower than one thread doing it alone. A value given in the
  environment is kept.
- os.fsync checks its file descriptor and syncs nothing, as the tests' PostgreSQL runs
  with fsync=off: what a sync guards against, a power cut, no test brings about (a
  process killed with -9 leaves what it wrote to the kernel), and the index saves' thousands of
  syncs took seconds on a busy disk. The code still makes every call.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


def _fsync_skipped(fd: int) -> None:
    """os.fsync without the sync: a descriptor that is not open still fails."""
    os.fstat(fd)


os.fsync = _fsync_skipped
