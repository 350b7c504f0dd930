"""One segment of the corpus: a run of articles, their passages and their term counts.

On disk a segment is a directory, written once and never changed (a version that keeps
it hard-links its files)::

    passages.*        passage texts (one UTF-8 blob and offsets)
    articles.*        the articles' headings and bylines as JSON (blob and offsets)
    first_passage.npy first passage of each article, counted within the segment
    bm25/             the passages' term counts (see `postings`)
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .durable import link_files
from .errors import IndexError_
from .models import Article
from .postings import Postings, merge

_TABLES = ("passages", "articles")
FILES = (*(f"{t}{ext}" for t in _TABLES for ext in (".bin", ".offsets.npy")), "first_passage.npy")
_COPY_BLOCK = 1 << 20


class TextTable:
    """Strings stored as one UTF-8 blob and offsets; loaded with mmap, decoded on demand."""

    def __init__(self, data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> None:
        self.data = data
        self.offsets = offsets
        self._bytes = data.data  # a memoryview: slicing it copies nothing and makes no array

    @classmethod
    def of(cls, texts: Iterable[str]) -> TextTable:
        encoded = [t.encode("utf-8") for t in texts]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        return cls(data, offsets)

    def __len__(self) -> int:
        return int(self.offsets.shape[0]) - 1

    def __getitem__(self, i: int) -> str:
        return str(self._bytes[int(self.offsets[i]) : int(self.offsets[i + 1])], "utf-8")

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    @classmethod
    def joined(cls, tables: Sequence[TextTable]) -> TextTable:
        """The tables' strings one after another, in memory."""
        data = np.concatenate([np.zeros(0, dtype=np.uint8), *(np.asarray(t.data) for t in tables)])
        return cls(data, _concat_offsets([t.offsets for t in tables]))

    @classmethod
    def load(cls, directory: Path, name: str) -> TextTable:
        offsets = np.load(directory / f"{name}.offsets.npy", mmap_mode="r", allow_pickle=False)
        if offsets.ndim != 1 or offsets.dtype.kind != "i" or offsets.shape[0] < 1 or int(offsets[0]) != 0:
            raise IndexError_(f"{directory / name}.offsets.npy is damaged")
        path = directory / f"{name}.bin"
        size = path.stat().st_size
        if size != int(offsets[-1]):
            raise IndexError_(f"{path} has {size} bytes, expected {int(offsets[-1])}")
        data = np.memmap(path, dtype=np.uint8, mode="r") if size else np.zeros(0, dtype=np.uint8)
        return cls(data, offsets)


class TextChain:
    """Several TextTables read as one."""

    def __init__(self, tables: Sequence[TextTable]) -> None:
        self._tables = tuple(tables)
        self._starts = np.zeros(len(self._tables) + 1, dtype=np.int64)
        np.cumsum([len(t) for t in self._tables], out=self._starts[1:])

    def __len__(self) -> int:
        return int(self._starts[-1])

    def __getitem__(self, i: int) -> str:
        if not 0 <= i < len(self):
            raise IndexError(i)
        if len(self._tables) == 1:  # a merged index is one table: no search
            return self._tables[0][i]
        part = int(np.searchsorted(self._starts, i, side="right")) - 1
        return self._tables[part][i - int(self._starts[part])]

    def __iter__(self) -> Any:
        return (text for table in self._tables for text in table)


def _write_file(path: Path, write: Any) -> None:
    with open(path, "wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())


class CorpusSegment:
    """A run of articles with their passages and the passages' term counts."""

    def __init__(
        self,
        *,
        passages: TextTable,
        articles: TextTable,
        first_passage: npt.NDArray[np.int64],
        postings: Postings,
        path: Path | None = None,
    ) -> None:
        self.passages = passages
        self.articles = articles
        self.first_passage = first_passage
        self.postings = postings
        self.path = path  # the directory it was loaded from or last saved to

    @classmethod
    def of(cls, articles: Sequence[Article], postings: Postings) -> CorpusSegment:
        """A segment in memory; `postings` counts the articles' paragraphs, in order."""
        counts = np.array([len(a.paragraphs) for a in articles], dtype=np.int64)
        first = np.zeros(len(articles) + 1, dtype=np.int64)
        np.cumsum(counts, out=first[1:])
        if int(first[-1]) != postings.n_docs:
            raise ValueError(f"{postings.n_docs} counted paragraphs for {int(first[-1])} paragraphs")
        return cls(
            passages=TextTable.of(p for a in articles for p in a.paragraphs),
            articles=TextTable.of(a.model_dump_json(exclude={"paragraphs"}) for a in articles),
            first_passage=first,
            postings=postings,
        )

    @property
    def n_passages(self) -> int:
        return len(self.passages)

    @property
    def n_articles(self) -> int:
        return len(self.articles)

    # -- files ----------------------------------------------------------------------

    def write(self, target: Path) -> None:
        """Write into the new directory `target` (files fsynced)."""
        target.mkdir()
        for name in _TABLES:
            table: TextTable = getattr(self, name)
            _write_file(target / f"{name}.bin", lambda h, t=table: np.asarray(t.data).tofile(h))
            _write_file(target / f"{name}.offsets.npy", lambda h, t=table: np.save(h, np.asarray(t.offsets)))
        _write_file(target / "first_passage.npy", lambda h: np.save(h, np.asarray(self.first_passage)))
        self.postings.write(target / "bm25")

    def link(self, target: Path) -> None:
        """Put this segment into the new directory `target`: hard links to the files it was
        loaded from, else a fresh write."""
        if not link_files(self.path, target, FILES, self.write):
            return  # written afresh, its BM25 postings included
        self.postings.link(target / "bm25")

    def moved(self, path: Path) -> None:
        """Record that the segment's files are now (also) at `path`."""
        self.path = path
        self.postings.path = path / "bm25"

    @classmethod
    def load(cls, path: Path) -> CorpusSegment:
        """Memory-map a segment directory; IndexError_ when it is damaged."""
        try:
            passages = TextTable.load(path, "passages")
            articles = TextTable.load(path, "articles")
            first: npt.NDArray[np.int64] = np.load(path / "first_passage.npy", mmap_mode="r", allow_pickle=False)
            postings = Postings.load(path / "bm25")
        except FileNotFoundError as exc:
            raise IndexError_(f"{path}: {exc.filename} is missing") from exc
        except (OSError, ValueError, EOFError) as exc:
            raise IndexError_(f"damaged corpus segment {path}: {exc}") from exc
        if (
            first.ndim != 1
            or first.shape[0] != len(articles) + 1
            or int(first[0]) != 0
            or int(first[-1]) != len(passages)
            or len(passages) != postings.n_docs
        ):
            raise IndexError_(f"damaged corpus segment {path}: sizes disagree")
        return cls(passages=passages, articles=articles, first_passage=first, postings=postings, path=path)


def merge_segments(segments: Sequence[CorpusSegment], target: Path | None) -> CorpusSegment:
    """One segment holding `segments` (a contiguous run, in order). With a `target`
    directory it is written there a piece at a time and loaded back memory-mapped; without
    one it is made in memory."""
    if target is None:
        first = _concat_offsets([s.first_passage for s in segments])
        return CorpusSegment(
            passages=TextTable.joined([s.passages for s in segments]),
            articles=TextTable.joined([s.articles for s in segments]),
            first_passage=first,
            postings=merge([s.postings for s in segments]),
        )
    target.mkdir()
    for name in _TABLES:
        tables: list[TextTable] = [getattr(s, name) for s in segments]

        def blobs(handle: Any, name: str = name) -> None:
            for segment in segments:
                _copy_blob(segment, name, handle)

        _write_file(target / f"{name}.bin", blobs)
        offsets = _concat_offsets([t.offsets for t in tables])
        _write_file(target / f"{name}.offsets.npy", lambda h, o=offsets: np.save(h, o))
    first = _concat_offsets([s.first_passage for s in segments])
    _write_file(target / "first_passage.npy", lambda h: np.save(h, first))
    merge([s.postings for s in segments], target / "bm25")
    return CorpusSegment.load(target)


def _copy_blob(segment: CorpusSegment, name: str, handle: Any) -> None:
    """Append the UTF-8 blob of the segment's table `name` to `handle`: copied from its
    file when the segment was loaded from disk (so that its pages are not read through the
    segment's memory map, see `arrayfile`), else written from memory."""
    table: TextTable = getattr(segment, name)
    size = int(table.offsets[-1])
    if segment.path is not None and isinstance(table.data, np.memmap):
        try:
            with open(segment.path / f"{name}.bin", "rb") as source:
                if os.fstat(source.fileno()).st_size == size:
                    shutil.copyfileobj(source, handle, _COPY_BLOCK)
                    return
        except FileNotFoundError:
            pass  # written from the map below
    handle.write(np.ascontiguousarray(table.data).data)


def _concat_offsets(parts: Iterable[npt.NDArray[Any]]) -> npt.NDArray[np.int64]:
    """Offset arrays (each starting at 0) of consecutive runs, as one."""
    out = [np.zeros(1, dtype=np.int64)]
    base = 0
    for offsets in parts:
        out.append(np.asarray(offsets[1:], dtype=np.int64) + base)
        base += int(offsets[-1])
    return np.concatenate(out)
