"""Reading and writing one-dimensional .npy files a run at a time, without memory maps.

The pages of a memory-mapped file that a process has read count in its resident memory
for as long as the map lives, so a merge or a check that went through a whole segment by
its maps would leave the process as large as the segment (the kernel may drop clean
pages under pressure, but the process counts them until then). These read runs with
pread and write with write: the data passes through the page cache only.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from .errors import IndexError_

AnyArray = npt.NDArray[Any]


class NpyReader:
    """Runs of a one-dimensional array saved by numpy.save."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: BinaryIO = open(path, "rb")  # noqa: SIM115 (closed by close())
        try:
            version = np.lib.format.read_magic(self._handle)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(self._handle)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(self._handle)
        except (ValueError, EOFError) as exc:
            self._handle.close()
            raise IndexError_(f"{path}: corrupt array: {exc}") from exc
        if len(shape) != 1 or fortran or dtype.hasobject:
            self._handle.close()
            raise IndexError_(f"{path}: not a one-dimensional array of numbers")
        self.dtype: np.dtype[Any] = dtype
        self.length = int(shape[0])
        self._offset = self._handle.tell()

    def read(self, start: int, stop: int) -> AnyArray:
        """Elements [start, stop)."""
        size = self.dtype.itemsize
        want = (stop - start) * size
        data = os.pread(self._handle.fileno(), want, self._offset + start * size) if want else b""
        if len(data) != want:
            raise IndexError_(f"{self.path} is shorter than its header says")
        return np.frombuffer(data, dtype=self.dtype)

    def blocks(self, elements: int) -> Any:
        """The whole array, `elements` at a time."""
        for start in range(0, self.length, elements):
            yield self.read(start, min(self.length, start + elements))

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> NpyReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class NpyWriter:
    """A new .npy file of `length` elements of `dtype`, written a run at a time. `finish`
    checks that they all came, then flushes and fsyncs it; use it as a context manager."""

    def __init__(self, path: Path, dtype: npt.DTypeLike, length: int) -> None:
        self.path = path
        self.dtype = np.dtype(dtype)
        self.length = length
        self._written = 0
        self._handle: BinaryIO = open(path, "xb")  # noqa: SIM115 (closed by __exit__)
        header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": (length,)}
        np.lib.format.write_array_header_1_0(self._handle, header)

    def write(self, values: AnyArray) -> None:
        self._handle.write(np.ascontiguousarray(values, dtype=self.dtype).data)
        self._written += int(values.shape[0])

    def finish(self) -> None:
        """ValueError when not all elements came; else flush and fsync the file."""
        if self._written != self.length:
            raise ValueError(f"{self.path}: {self._written} of {self.length} elements written")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def __enter__(self) -> NpyWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._handle.close()
