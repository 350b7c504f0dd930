"""Postings of one segment of a BM25 index: raw term counts of a run of documents.

A segment holds what does not change when documents are added elsewhere: for every term
it contains (by global term id, ascending) the documents holding it (ids counted from 0
within the segment, ascending) and the term frequency in each, plus every document's
length. BM25's weights depend on the whole corpus (idf on N and each term's document
frequency, the length normalisation on the average length), so they are not stored:
`Bm25Index` combines corpus-wide statistics with the counts at query time.

Term ids are global and given out in order of first appearance: a segment records the
tokens it added to the vocabulary (ids `first_term` onwards). Segments are only ever
merged as contiguous runs, so the vocabulary is the concatenation of the segments'
`tokens`.

On disk a segment is a directory::

    meta.json      format, counts and `first_term`
    tokens.json    the tokens this segment added to the vocabulary, in id order
    terms.npy      global ids of the terms present       (n_present, int32)
    indptr.npy     start of each term's postings         (n_present + 1, int64)
    indices.npy    document of each posting              (nnz, int32)
    tf.npy         term frequency of each posting        (nnz, int32)
    doc_len.npy    tokens per document                   (n_docs, int32)

Files are written once and never changed: a segment that a new version keeps is
hard-linked into it, not rewritten.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from .arrayfile import NpyReader, NpyWriter
from .durable import link_files, write_durably
from .errors import IndexError_
from .tokenised import Tokenised, encode

FORMAT = "unionbot-postings"
VERSION = 1
_META = "meta.json"
_TOKENS = "tokens.json"
_ARRAYS = ("terms", "indptr", "indices", "tf", "doc_len")
FILES = (_META, _TOKENS, *(f"{name}.npy" for name in _ARRAYS))
_MERGE_BLOCK = 1 << 20  # postings merged at a time (bounds a merge's memory)

AnyArray = npt.NDArray[Any]


class Postings:
    """The term counts of a run of documents (see the module docstring)."""

    __slots__ = ("terms", "indptr", "indices", "tf", "doc_len", "tokens", "first_term", "path")

    def __init__(
        self,
        *,
        terms: AnyArray,
        indptr: AnyArray,
        indices: AnyArray,
        tf: AnyArray,
        doc_len: AnyArray,
        tokens: Sequence[str],
        first_term: int,
        path: Path | None = None,
    ) -> None:
        self.terms = terms
        self.indptr = indptr
        self.indices = indices
        self.tf = tf
        self.doc_len = doc_len
        self.tokens = tokens
        self.first_term = first_term
        self.path = path  # the directory it was loaded from or written to

    @property
    def n_docs(self) -> int:
        return int(self.doc_len.shape[0])

    @property
    def nnz(self) -> int:
        return int(self.indices.shape[0])

    @property
    def end_term(self) -> int:
        """One past the last term id this segment can refer to."""
        return self.first_term + len(self.tokens)

    def doc_freqs(self) -> AnyArray:
        """Documents per present term (aligned with `terms`)."""
        return np.diff(np.asarray(self.indptr, dtype=np.int64))

    def postings_of(self, term_ids: AnyArray) -> list[tuple[int, slice]]:
        """For each of `term_ids` (ascending) present here: its position in `term_ids` and
        the slice of its postings."""
        if self.terms.shape[0] == 0 or term_ids.shape[0] == 0:
            return []
        where = np.searchsorted(self.terms, term_ids)
        out: list[tuple[int, slice]] = []
        for i, (term, pos) in enumerate(zip(term_ids.tolist(), where.tolist())):
            if pos < self.terms.shape[0] and int(self.terms[pos]) == term:
                out.append((i, slice(int(self.indptr[pos]), int(self.indptr[pos + 1]))))
        return out

    # -- counting -------------------------------------------------------------------

    @classmethod
    def count(cls, docs: Iterable[Sequence[str]], vocab: dict[str, int]) -> Postings:
        """Count the terms of `docs`; tokens missing from `vocab` are added to it (in order
        of first appearance), and the segment records them."""
        return cls.count_tokenised(encode(docs), vocab)

    @classmethod
    def count_tokenised(cls, docs: Tokenised, vocab: dict[str, int]) -> Postings:
        """`count` of documents given as token ids: the tokens missing from `vocab` are
        added to it in the order of `docs.tokens` (every one of which must occur)."""
        n_docs = docs.n_docs
        doc_len = docs.lengths
        total = int(doc_len.sum())
        if docs.ids.shape[0] != total:
            raise ValueError(f"{docs.ids.shape[0]} token ids for documents of {total} tokens")
        if total and (int(docs.ids.min()) < 0 or int(docs.ids.max()) >= len(docs.tokens)):
            raise ValueError("token ids outside the table of tokens")
        if not np.bincount(docs.ids, minlength=len(docs.tokens)).all():
            raise ValueError("a token of the table occurs in no document")
        first_term = len(vocab)
        new_tokens: list[str] = []
        global_ids = np.empty(len(docs.tokens), dtype=np.int64)
        for column, token in enumerate(docs.tokens):
            term = vocab.get(token)
            if term is None:
                if not isinstance(token, str):
                    raise TypeError(f"tokens must be str, not {type(token).__name__}: {token!r}")
                term = vocab[token] = first_term + len(new_tokens)
                new_tokens.append(token)
            global_ids[column] = term
        columns = docs.ids
        rows = np.repeat(np.arange(n_docs, dtype=np.int32), doc_len)
        ones = np.ones(total, dtype=np.int32)
        # COO -> CSC sums duplicates; within a column the rows stay ascending.
        counts = sparse.coo_array((ones, (rows, columns)), shape=(n_docs, len(docs.tokens))).tocsc()
        del rows, ones
        order = np.argsort(global_ids, kind="stable")
        indptr = counts.indptr.astype(np.int64)
        lengths = np.diff(indptr)[order]
        new_indptr = np.zeros(order.shape[0] + 1, dtype=np.int64)
        np.cumsum(lengths, out=new_indptr[1:])
        source = np.repeat(indptr[:-1][order] - new_indptr[:-1], lengths) + np.arange(new_indptr[-1], dtype=np.int64)
        return cls(
            terms=global_ids[order].astype(np.int32),
            indptr=new_indptr,
            indices=counts.indices.astype(np.int32, copy=False)[source],
            tf=counts.data.astype(np.int32, copy=False)[source],
            doc_len=doc_len.astype(np.int32),
            tokens=new_tokens,
            first_term=first_term,
        )

    # -- files ----------------------------------------------------------------------

    def write(self, target: Path) -> None:
        """Write into the new directory `target` (files fsynced, not the directory)."""
        target.mkdir()
        for name in _ARRAYS:
            with open(target / f"{name}.npy", "wb") as handle:
                np.save(handle, np.asarray(getattr(self, name)), allow_pickle=False)
                handle.flush()
                os.fsync(handle.fileno())
        self._write_json(target)

    def _write_json(self, target: Path) -> None:
        _write_json(
            target, self.tokens, n_docs=self.n_docs, n_present=int(self.terms.shape[0]), nnz=self.nnz,
            first_term=self.first_term,
        )

    def link(self, target: Path) -> None:
        """Put this segment's files into the new directory `target`: hard links to the
        files it was loaded from (they never change), or a fresh write."""
        link_files(self.path, target, FILES, self.write)

    @classmethod
    def load(cls, path: Path) -> Postings:
        """Memory-map a segment directory; IndexError_ when it is damaged, FileNotFoundError
        when a file is missing."""
        meta = read_json(path / _META)
        if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("version") != VERSION:
            raise IndexError_(f"{path}: not a postings segment of format {FORMAT} {VERSION}")
        try:
            n_docs, n_present, nnz, first_term, n_tokens = (
                _count(meta[key]) for key in ("n_docs", "n_present", "nnz", "first_term", "n_tokens")
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexError_(f"{path}/{_META} is corrupt: {exc!r}") from exc
        tokens = read_json(path / _TOKENS)
        if not isinstance(tokens, list) or len(tokens) != n_tokens or not all(isinstance(t, str) for t in tokens):
            raise IndexError_(f"{path}/{_TOKENS} is not a list of {n_tokens} tokens")
        terms = _load_array(path, "terms", n_present)
        indptr = _load_array(path, "indptr", n_present + 1)
        indices = _load_array(path, "indices", nnz)
        tf = _load_array(path, "tf", nnz)
        doc_len = _load_array(path, "doc_len", n_docs)
        if indptr[0] != 0 or indptr[-1] != nnz or (n_present and np.diff(indptr).min() < 1):
            raise IndexError_(f"{path}/indptr.npy is corrupt")
        if n_present and (int(terms[0]) < 0 or int(terms[-1]) >= first_term + n_tokens or np.diff(terms).min() < 1):
            raise IndexError_(f"{path}/terms.npy is corrupt")
        # A document id out of range would make queries write outside their score array.
        if nnz and not _within(path / "indices.npy", n_docs):
            raise IndexError_(f"{path}/indices.npy holds document ids outside 0..{n_docs - 1}")
        return cls(
            terms=terms, indptr=indptr, indices=indices, tf=tf, doc_len=doc_len,
            tokens=tokens, first_term=first_term, path=path,
        )


def merge(segments: Sequence[Postings], target: Path | None = None) -> Postings:
    """One segment holding `segments` (a contiguous run, in order) one after another.

    The merged postings are made a block of terms at a time: for each block, every
    segment's postings of those terms (one contiguous run of its arrays) are read and put
    in place. With a `target` directory each block is appended to the files there, and
    segments on disk are read from their files, not through their memory maps (see
    `arrayfile`), so a merge holds a block, not the run; without one it is made in memory."""
    if not segments:
        raise ValueError("nothing to merge")
    for before, after in itertools.pairwise(segments):
        if after.first_term != before.end_term:
            raise ValueError("only a contiguous run of segments can be merged")
    with ExitStack() as stack:
        sources = [_Source(segment, stack) for segment in segments]
        seg_ptrs = [source.whole("indptr").astype(np.int64) for source in sources]
        seg_terms = [source.whole("terms") for source in sources]
        terms = np.unique(np.concatenate([np.zeros(0, dtype=np.int32), *(t.astype(np.int32) for t in seg_terms)]))
        df = np.zeros(terms.shape[0], dtype=np.int64)
        places = []
        for seg_term, seg_ptr in zip(seg_terms, seg_ptrs):
            place = np.searchsorted(terms, seg_term)
            df[place] += np.diff(seg_ptr)
            places.append(place)
        del seg_terms
        indptr = np.zeros(terms.shape[0] + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        del df
        nnz = int(indptr[-1])
        doc_len = np.concatenate([np.zeros(0, dtype=np.int32), *(s.whole("doc_len").astype(np.int32) for s in sources)])
        tokens = [t for s in segments for t in s.tokens]
        if target is None:
            indices, tf = np.empty(nnz, dtype=np.int32), np.empty(nnz, dtype=np.int32)
            for base, block_indices, block_tf in _merged_blocks(sources, places, seg_ptrs, indptr):
                indices[base : base + block_indices.shape[0]] = block_indices
                tf[base : base + block_tf.shape[0]] = block_tf
            return Postings(
                terms=terms, indptr=indptr, indices=indices, tf=tf, doc_len=doc_len,
                tokens=tokens, first_term=segments[0].first_term,
            )
        target.mkdir()
        files = [stack.enter_context(NpyWriter(target / f"{name}.npy", np.int32, nnz)) for name in ("indices", "tf")]
        for _, block_indices, block_tf in _merged_blocks(sources, places, seg_ptrs, indptr):
            files[0].write(block_indices)
            files[1].write(block_tf)
        for file in files:
            file.finish()
    for name, array in (("terms", terms), ("indptr", indptr), ("doc_len", doc_len)):
        with open(target / f"{name}.npy", "wb") as handle:
            np.save(handle, array, allow_pickle=False)
            handle.flush()
            os.fsync(handle.fileno())
    first_term = segments[0].first_term
    _write_json(target, tokens, n_docs=doc_len.shape[0], n_present=terms.shape[0], nnz=nnz, first_term=first_term)
    return Postings.load(target)


def _merged_blocks(
    sources: Sequence[_Source], places: Sequence[AnyArray], seg_ptrs: Sequence[AnyArray], indptr: AnyArray
) -> Iterator[tuple[int, AnyArray, AnyArray]]:
    """The merged postings (where they start, documents, term frequencies) a block of
    terms at a time: for each block, every segment's postings of those terms (one
    contiguous run of its arrays) put in place."""
    firsts = np.cumsum([0, *(source.n_docs for source in sources)]).tolist()
    for start, stop in _blocks(indptr):
        base = int(indptr[start])
        indices = np.empty(int(indptr[stop]) - base, dtype=np.int32)
        tf = np.empty(indices.shape[0], dtype=np.int32)
        cursor = indptr[start:stop] - base  # where the block's next posting of each term goes
        for source, place, seg_ptr, first in zip(sources, places, seg_ptrs, firsts):
            a, b = (int(x) for x in np.searchsorted(place, [start, stop]))
            if a == b:
                continue  # none of the block's terms in this segment
            lo, hi = int(seg_ptr[a]), int(seg_ptr[b])
            counts = np.diff(seg_ptr[a : b + 1])
            local = place[a:b] - start
            dest = np.repeat(cursor[local] - seg_ptr[a:b], counts) + np.arange(lo, hi, dtype=np.int64)
            indices[dest] = source.run("indices", lo, hi) + np.int32(first)
            tf[dest] = source.run("tf", lo, hi)
            cursor[local] += counts
        yield base, indices, tf


class _Source:
    """A segment's arrays as a merge reads them: from its files when it was loaded from
    disk (see `arrayfile`), else from memory."""

    def __init__(self, segment: Postings, stack: ExitStack) -> None:
        self._segment = segment
        self.n_docs = segment.n_docs
        self._files: dict[str, NpyReader] = {}
        if segment.path is None:
            return
        for name in _ARRAYS:
            array = getattr(segment, name)
            if not isinstance(array, np.memmap):
                continue
            try:
                reader = stack.enter_context(NpyReader(segment.path / f"{name}.npy"))
            except (OSError, IndexError_):
                continue  # read through the map instead
            if reader.dtype == array.dtype and reader.length == array.shape[0]:
                self._files[name] = reader

    def run(self, name: str, start: int, stop: int) -> AnyArray:
        reader = self._files.get(name)
        if reader is not None:
            return reader.read(start, stop)
        return np.asarray(getattr(self._segment, name)[start:stop])

    def whole(self, name: str) -> AnyArray:
        return self.run(name, 0, int(getattr(self._segment, name).shape[0]))


def _write_json(target: Path, tokens: Sequence[str], *, n_docs: int, n_present: int, nnz: int, first_term: int) -> None:
    write_durably(target / _TOKENS, json.dumps(list(tokens), ensure_ascii=False).encode("utf-8"))
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "n_docs": int(n_docs),
        "n_present": int(n_present),
        "nnz": int(nnz),
        "first_term": int(first_term),
        "n_tokens": len(tokens),
    }
    write_durably(target / _META, json.dumps(meta).encode("utf-8"))


def _blocks(indptr: AnyArray) -> Iterable[tuple[int, int]]:
    """Runs of terms [start, stop) holding about _MERGE_BLOCK postings each (a term with
    more is a run of its own)."""
    n = indptr.shape[0] - 1
    start = 0
    while start < n:
        stop = int(np.searchsorted(indptr, indptr[start] + _MERGE_BLOCK, side="right")) - 1
        stop = min(n, max(stop, start + 1))
        yield start, stop
        start = stop


def _within(file: Path, n_docs: int) -> bool:
    """Whether every document id in `file` is in 0..n_docs-1; read a block at a time from
    the file, not through a memory map (see `arrayfile`)."""
    with NpyReader(file) as reader:
        for block in reader.blocks(_MERGE_BLOCK):
            if int(block.min()) < 0 or int(block.max()) >= n_docs:
                return False
    return True


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"not a count: {value!r}")
    return value


def read_json(file: Path) -> Any:
    """Parse a JSON file; a missing file surfaces as FileNotFoundError."""
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexError_(f"{file}: corrupt: {exc}") from exc


def _load_array(path: Path, name: str, length: int) -> AnyArray:
    """Memory-map `name`.npy read-only and check that it holds `length` integers."""
    file = path / f"{name}.npy"
    try:
        array: AnyArray = np.load(file, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError) as exc:
        raise IndexError_(f"{file}: corrupt array: {exc}") from exc
    if array.ndim != 1 or array.dtype.kind != "i" or array.shape[0] != length:
        raise IndexError_(f"{file}: expected {length} integers, found shape {array.shape} of {array.dtype}")
    return array
