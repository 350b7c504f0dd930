"""Arrays and checksums read a block at a time from their files, not through memory maps."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest

from retrieval import manifest
from retrieval.arrayfile import NpyReader, NpyWriter
from retrieval.errors import IndexError_


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
def test_a_file_written_in_runs_is_the_array_and_reads_back_in_runs(tmp_path: Path, dtype: type) -> None:
    values = np.arange(1000, dtype=dtype) * 3 % 251
    with NpyWriter(tmp_path / "a.npy", dtype, values.shape[0]) as writer:
        for start in range(0, 1000, 128):
            writer.write(values[start : start + 128].astype(np.int64))  # converted to the file's type
        writer.finish()
    loaded = np.load(tmp_path / "a.npy", mmap_mode="r")
    assert loaded.dtype == np.dtype(dtype) and loaded.shape == (1000,)
    np.testing.assert_array_equal(loaded, values)
    saved = tmp_path / "b.npy"
    np.save(saved, values)
    with NpyReader(saved) as reader:
        assert reader.length == 1000 and reader.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(reader.read(10, 300), values[10:300])
        assert reader.read(5, 5).shape == (0,)
        np.testing.assert_array_equal(np.concatenate(list(reader.blocks(333))), values)


def test_a_file_missing_elements_is_not_finished_and_a_short_one_is_refused(tmp_path: Path) -> None:
    with NpyWriter(tmp_path / "a.npy", np.int32, 10) as writer:
        writer.write(np.arange(9))
        with pytest.raises(ValueError, match="9 of 10"):
            writer.finish()
    with NpyReader(tmp_path / "a.npy") as reader:
        with pytest.raises(IndexError_, match="shorter"):
            reader.read(0, 10)
    (tmp_path / "c.npy").write_bytes(b"not an array")
    with pytest.raises(IndexError_, match="corrupt"):
        NpyReader(tmp_path / "c.npy")


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 640])
def test_the_checksum_read_in_blocks_is_the_crc_of_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(manifest, "_BLOCK", 64)
    data = bytes((i * 7) % 256 for i in range(size))
    (tmp_path / "f").write_bytes(data)
    assert manifest.checksum(tmp_path / "f") == zlib.crc32(data)
