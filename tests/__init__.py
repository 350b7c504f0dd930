"""The tests.

Numerical libraries run on one thread in the test processes (and the processes they
start), set here before numpy is first imported: the tests' matrices are small, and on a
busy machine OpenBLAS's worker threads waiting for each other made the model fitting in
test_kinds some forty times slower than one thread doing it alone. A value given in the
environment is kept."""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
