"""BM25 index over tokenised paragraphs, served from a sparse matrix.

Scores are those of ``rank_bm25.BM25Okapi`` on the same token lists, quirks
included:

* ``idf = log(N - n + 0.5) - log(n + 0.5)`` for a term found in ``n`` of ``N``
  documents;
* the average idf is taken over the whole vocabulary *before* any idf is
  replaced, and every term whose idf is strictly negative then gets
  ``epsilon * average_idf``;
* a token repeated in the query counts once per occurrence, an unknown token
  counts nothing.

The per-(document, term) weight ``idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b
* dl / avgdl))`` is computed once, for every non-zero of a CSC matrix with a
row per document and a column per vocabulary term. A query is then a slice of
the columns of its terms and a sum. The raw term frequencies and document
lengths are kept next to the weights, so that :meth:`Bm25Index.extend` can
append documents and recompute every weight (idf and avgdl depend on ``N``)
without the original token lists.

Tokenising is not this module's business: documents and queries arrive as
sequences of tokens.

On disk an index is a directory::

    CURRENT            name of the live version, e.g. "v-3f9c0a1b2d4e5f60"
    v-3f9c0a1b2d4e5f60/
        meta.json      format name and version, k1/b/epsilon, sizes
        vocab.json     the tokens, in column order
        indptr.npy     CSC column pointers       (n_terms + 1, int32; int64 past 2**31 entries)
        indices.npy    document id of each entry (nnz, int32)
        tf.npy         term frequency of each entry  (nnz, int32)
        weights.npy    BM25 weight of each entry (nnz, float64)
        doc_len.npy    tokens per document       (n_docs, int64)

:meth:`Bm25Index.save` writes a new version into a hidden staging directory
beside the live one, fsyncs every file and the staging directory, renames it
to its final ``v-*`` name, then points ``CURRENT`` at it by writing a
temporary pointer file and ``os.replace``-ing it over ``CURRENT`` (an atomic
step), fsyncs the directory, and only then deletes the version that was live
before. A reader therefore sees either the old index or the new one, never a
mixture or a half-written one; a crash at any point leaves the previous
version live (at worst an unreferenced staging or version directory remains).
:meth:`Bm25Index.load` reads ``CURRENT`` once and memory-maps that version's
arrays; if the version vanishes between the two steps (a concurrent ``save``
just replaced it) it reads the pointer again.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import secrets
import shutil
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from .durable import fsync_path, write_durably
from .errors import IndexError_

log = logging.getLogger(__name__)

FORMAT_NAME = "unionbot-bm25"
FORMAT_VERSION = 1

_POINTER = "CURRENT"
_META = "meta.json"
_VOCAB = "vocab.json"
_VERSION_RE = re.compile(r"v-[0-9a-f]{16}")
_LOAD_ATTEMPTS = 3
_INT32_MAX = 2**31 - 1
_SAMPLE = 16_384  # scores sampled by `top` to bound the k-th best from below
_SAMPLE_PER_HIT = 64

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Bm25Index:
    """An immutable Okapi BM25 index; documents are numbered 0, 1, … in order."""

    __slots__ = ("_k1", "_b", "_epsilon", "_vocab", "_indptr", "_indices", "_tf", "_doc_len", "_matrix")

    def __init__(
        self,
        *,
        vocab: dict[str, int],
        indptr: npt.NDArray[Any],
        indices: npt.NDArray[Any],
        tf: npt.NDArray[Any],
        doc_len: npt.NDArray[Any],
        k1: float,
        b: float,
        epsilon: float,
        weights: npt.NDArray[Any] | None = None,
    ) -> None:
        """Assemble an index from its parts; use :meth:`build` or :meth:`load` instead."""
        self._k1 = float(k1)
        self._b = float(b)
        self._epsilon = float(epsilon)
        self._vocab = vocab
        if indptr.dtype != np.int32 and int(indptr[-1]) <= _INT32_MAX:
            indptr = indptr.astype(np.int32)  # scipy would otherwise widen (copy) the indices
        self._indptr = indptr
        self._indices = indices
        self._tf = tf
        self._doc_len = doc_len
        if weights is None:
            weights = _bm25_weights(indptr, indices, tf, doc_len, self._k1, self._b, self._epsilon)
        self._matrix = sparse.csc_array(
            (weights, indices, indptr), shape=(doc_len.shape[0], len(vocab)), copy=False
        )

    # -- parameters ---------------------------------------------------------

    @property
    def k1(self) -> float:
        """Term-frequency saturation."""
        return self._k1

    @property
    def b(self) -> float:
        """Length normalisation."""
        return self._b

    @property
    def epsilon(self) -> float:
        """Fraction of the average idf given to terms whose idf is negative."""
        return self._epsilon

    # -- building -----------------------------------------------------------

    @classmethod
    def build(
        cls,
        docs: Sequence[Sequence[str]],
        *,
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> Bm25Index:
        """Index ``docs``; document ``i`` of the result is ``docs[i]``."""
        vocab, indptr, indices, tf, doc_len = _count_terms(docs, {})
        return cls(
            vocab=vocab, indptr=indptr, indices=indices, tf=tf, doc_len=doc_len, k1=k1, b=b, epsilon=epsilon
        )

    @classmethod
    def build_chunks(
        cls,
        chunks: Iterable[Sequence[Sequence[str]]],
        *,
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> Bm25Index:
        """Index documents that arrive in chunks (so that only one chunk's token lists
        need be in memory); the weights are computed once, at the end."""
        vocab: dict[str, int] = {}
        indptr: npt.NDArray[Any] = np.zeros(1, dtype=np.int64)
        indices: npt.NDArray[Any] = np.zeros(0, dtype=np.int32)
        tf: npt.NDArray[Any] = np.zeros(0, dtype=np.int32)
        lengths: list[IntArray] = []
        rows = 0
        for docs in chunks:
            vocab, new_indptr, new_indices, new_tf, new_len = _count_terms(docs, vocab)
            indptr, indices, tf = _stack_rows(indptr, indices, tf, rows, new_indptr, new_indices, new_tf)
            rows += len(docs)
            lengths.append(new_len)
        doc_len = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)
        return cls(vocab=vocab, indptr=indptr, indices=indices, tf=tf, doc_len=doc_len, k1=k1, b=b, epsilon=epsilon)

    def extend(self, docs: Sequence[Sequence[str]]) -> Bm25Index:
        """A new index holding this one's documents followed by ``docs``; ``self`` is unchanged."""
        vocab, new_indptr, new_indices, new_tf, new_len = _count_terms(docs, self._vocab)
        indptr, indices, tf = _stack_rows(
            self._indptr, self._indices, self._tf, len(self), new_indptr, new_indices, new_tf
        )
        doc_len = np.concatenate([self._doc_len, new_len])
        return type(self)(
            vocab=vocab,
            indptr=indptr,
            indices=indices,
            tf=tf,
            doc_len=doc_len,
            k1=self._k1,
            b=self._b,
            epsilon=self._epsilon,
        )

    # -- querying -----------------------------------------------------------

    def __len__(self) -> int:
        return int(self._doc_len.shape[0])

    def __repr__(self) -> str:
        return f"Bm25Index(docs={len(self)}, terms={len(self._vocab)}, k1={self._k1}, b={self._b})"

    def doc_freq(self, token: str) -> int:
        """In how many documents ``token`` occurs."""
        column = self._vocab.get(token)
        if column is None:
            return 0
        return int(self._indptr[column + 1] - self._indptr[column])

    def scores(self, query: Sequence[str]) -> FloatArray:
        """The BM25 score of every document for ``query`` (float64, one per document)."""
        _check_tokens(query, "query")
        columns = [column for column in map(self._vocab.get, query) if column is not None]
        if not columns:
            return np.zeros(len(self), dtype=np.float64)
        unique, counts = np.unique(np.asarray(columns, dtype=np.int64), return_counts=True)
        result: FloatArray = np.asarray(self._matrix[:, unique] @ counts.astype(np.float64), dtype=np.float64)
        return result

    def top(
        self, query: Sequence[str], k: int, *, allowed: npt.NDArray[np.bool_] | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` best ``(doc id, score)`` pairs with a positive score, best first, ties by lower id.

        ``allowed``, a boolean mask with one entry per document, restricts the
        result to the documents where it is true.
        """
        if k < 0:
            raise ValueError(f"k must be >= 0, not {k}")
        if allowed is not None and (allowed.shape != (len(self),) or allowed.dtype != np.bool_):
            raise ValueError(f"allowed must be a boolean array of shape ({len(self)},)")
        if k == 0:
            return []
        scores = self.scores(query)
        if allowed is not None:
            np.multiply(scores, allowed, out=scores)  # a score that is not > 0 is never returned
        ids = np.flatnonzero(scores >= _floor(scores, k))
        if ids.size == 0:
            return []
        values = scores[ids]
        if ids.size > k:
            # Keep the k best, plus whatever ties with the k-th so that lower ids win ties.
            kth = values[np.argpartition(values, ids.size - k)[ids.size - k]]
            keep = values >= kth
            ids, values = ids[keep], values[keep]
        # ids ascend, so a stable sort on descending score breaks ties by lower id.
        order = np.argsort(-values, kind="stable")[:k]
        return [(int(i), float(v)) for i, v in zip(ids[order], values[order])]

    # -- persistence --------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the index under ``directory`` and make it the live version atomically."""
        bad = next((token for token in self._vocab if not isinstance(token, str)), None)
        if bad is not None:
            raise TypeError(f"tokens must be str, not {type(bad).__name__}: {bad!r}")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        version = f"v-{secrets.token_hex(8)}"
        staging = directory / f".{version}.tmp"
        staging.mkdir()
        try:
            self._write_version(staging)
            fsync_path(staging)
            os.rename(staging, directory / version)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        fsync_path(directory)
        try:
            previous: str | None = _read_pointer(directory)
        except IndexError_:
            previous = None  # first save, or a damaged pointer that is about to be replaced
        pointer = directory / f".{_POINTER}.{secrets.token_hex(4)}.tmp"
        try:
            write_durably(pointer, (version + "\n").encode("ascii"))
            os.replace(pointer, directory / _POINTER)
        except BaseException:
            pointer.unlink(missing_ok=True)
            shutil.rmtree(directory / version, ignore_errors=True)
            raise
        fsync_path(directory)
        if previous is not None and previous != version:
            shutil.rmtree(directory / previous, ignore_errors=True)
        log.info("saved %r to %s/%s", self, directory, version)

    def _write_version(self, target: Path) -> None:
        arrays: dict[str, npt.NDArray[Any]] = {
            "indptr": np.asarray(self._indptr),
            "indices": np.asarray(self._indices, dtype=np.int32),
            "tf": np.asarray(self._tf, dtype=np.int32),
            "weights": np.asarray(self._matrix.data, dtype=np.float64),
            "doc_len": np.asarray(self._doc_len, dtype=np.int64),
        }
        for name, array in arrays.items():
            with open(target / f"{name}.npy", "wb") as handle:
                np.save(handle, array, allow_pickle=False)
                handle.flush()
                os.fsync(handle.fileno())
        vocab = sorted(self._vocab, key=self._vocab.__getitem__)
        write_durably(target / _VOCAB, json.dumps(vocab, ensure_ascii=False).encode("utf-8"))
        meta = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "k1": self._k1,
            "b": self._b,
            "epsilon": self._epsilon,
            "n_docs": len(self),
            "n_terms": len(self._vocab),
            "nnz": int(self._indices.shape[0]),
        }
        write_durably(target / _META, json.dumps(meta, indent=2).encode("utf-8"))

    @classmethod
    def load(cls, directory: Path) -> Bm25Index:
        """Open the live version under ``directory``; arrays are memory-mapped read-only."""
        directory = Path(directory)
        for _ in range(_LOAD_ATTEMPTS):
            version = _read_pointer(directory)
            try:
                return cls._load_version(directory / version)
            except FileNotFoundError as exc:
                if _read_pointer(directory) == version:
                    raise IndexError_(f"{directory}: index is incomplete, missing {exc.filename}") from exc
                log.debug("%s: version %s replaced while loading, retrying", directory, version)
        raise IndexError_(f"{directory}: index keeps changing while loading")

    @classmethod
    def _load_version(cls, path: Path) -> Bm25Index:
        """Open one version directory; a missing file surfaces as FileNotFoundError."""
        meta = _read_json(path / _META)
        if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
            raise IndexError_(f"{path}: not a BM25 index ({_META} has no format {FORMAT_NAME!r})")
        if meta.get("version") != FORMAT_VERSION:
            raise IndexError_(
                f"{path}: index format version {meta.get('version')!r}, this code reads version {FORMAT_VERSION}"
            )
        try:
            k1, b, epsilon = (float(meta[key]) for key in ("k1", "b", "epsilon"))
            n_docs, n_terms, nnz = (_count(meta[key]) for key in ("n_docs", "n_terms", "nnz"))
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexError_(f"{path}: {_META} is corrupt: {exc!r}") from exc

        tokens = _read_json(path / _VOCAB)
        if not isinstance(tokens, list) or len(tokens) != n_terms or not all(isinstance(t, str) for t in tokens):
            raise IndexError_(f"{path}: {_VOCAB} is not a list of {n_terms} tokens")
        vocab = dict(zip(tokens, range(len(tokens))))
        if len(vocab) != n_terms:
            raise IndexError_(f"{path}: {_VOCAB} repeats tokens")

        indptr = _load_array(path, "indptr", "i", n_terms + 1)
        indices = _load_array(path, "indices", "i", nnz)
        tf = _load_array(path, "tf", "i", nnz)
        weights = _load_array(path, "weights", "f", nnz)
        doc_len = _load_array(path, "doc_len", "i", n_docs)
        if indptr[0] != 0 or indptr[-1] != nnz or (n_terms and np.diff(indptr).min() < 1):
            raise IndexError_(f"{path}: indptr.npy is corrupt")
        # The only full pass over a file at load time: a document id out of range would make
        # queries write outside their score array.
        if nnz and (int(indices.min()) < 0 or int(indices.max()) >= n_docs):
            raise IndexError_(f"{path}: indices.npy holds document ids outside 0..{n_docs - 1}")
        index = cls(
            vocab=vocab,
            indptr=indptr,
            indices=indices,
            tf=tf,
            doc_len=doc_len,
            k1=k1,
            b=b,
            epsilon=epsilon,
            weights=weights,
        )
        log.info("loaded %r from %s", index, path)
        return index


# -- building blocks ---------------------------------------------------------


def _floor(scores: FloatArray, k: int) -> float:
    """A positive score that at least ``k`` documents reach, if one is cheap to find, else the
    smallest positive float.

    Partitioning every positive score of a large index costs more than scoring it, so the
    k-th best of an evenly spaced sample is used: those are real scores, so the true k-th
    best is at least as high, and only the few documents at or above it are ranked.
    """
    smallest = float(np.nextafter(0.0, 1.0))
    step = scores.shape[0] // max(_SAMPLE, _SAMPLE_PER_HIT * k)
    if step < 2:
        return smallest
    sample = scores[::step]
    sample = sample[sample > 0]
    if sample.shape[0] < k:
        return smallest
    return float(np.partition(sample, sample.shape[0] - k)[sample.shape[0] - k])


def _check_tokens(tokens: Sequence[str], what: str) -> None:
    if isinstance(tokens, str):
        raise TypeError(f"{what} must be a sequence of tokens, not a str")


def _count_terms(
    docs: Sequence[Sequence[str]], known: dict[str, int]
) -> tuple[dict[str, int], IntArray, npt.NDArray[np.int32], npt.NDArray[np.int32], IntArray]:
    """Term counts of ``docs`` as CSC arrays over ``known`` plus any new tokens.

    Returns the grown vocabulary, then ``indptr``, ``indices`` (document ids
    counted from 0 within ``docs``), ``tf`` and the document lengths. Tokens
    are mapped to column ids in one C-level pass: a ``defaultdict`` whose
    factory hands out the next free id.
    """
    for doc in docs:
        _check_tokens(doc, "a document")
    n_docs = len(docs)
    doc_len = np.fromiter(map(len, docs), dtype=np.int64, count=n_docs)
    total = int(doc_len.sum())
    ids: defaultdict[str, int] = defaultdict(itertools.count(len(known)).__next__, known)
    tokens: Iterable[str] = itertools.chain.from_iterable(docs)
    columns = np.fromiter(map(ids.__getitem__, tokens), dtype=np.int32, count=total)
    vocab = dict(ids)
    rows = np.repeat(np.arange(n_docs, dtype=np.int32), doc_len)
    ones = np.ones(total, dtype=np.int32)
    # Converting from COO sums duplicates; within a column the rows stay in ascending order.
    counts = sparse.coo_array((ones, (rows, columns)), shape=(n_docs, len(vocab))).tocsc()
    return (
        vocab,
        counts.indptr.astype(np.int64),
        counts.indices.astype(np.int32, copy=False),
        counts.data.astype(np.int32, copy=False),
        doc_len,
    )


def _stack_rows(
    top_indptr: npt.NDArray[Any],
    top_indices: npt.NDArray[Any],
    top_tf: npt.NDArray[Any],
    top_rows: int,
    bottom_indptr: IntArray,
    bottom_indices: npt.NDArray[np.int32],
    bottom_tf: npt.NDArray[np.int32],
) -> tuple[IntArray, npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """CSC arrays of two row blocks stacked; the bottom block may have extra trailing columns."""
    n_terms = bottom_indptr.shape[0] - 1
    top_ptr = np.asarray(top_indptr, dtype=np.int64)
    top_ptr = np.concatenate([top_ptr, np.full(n_terms + 1 - top_ptr.shape[0], top_ptr[-1], dtype=np.int64)])
    indptr = top_ptr + bottom_indptr
    nnz = int(indptr[-1])
    # An entry keeps its offset within its column; top entries come first in each column.
    top_pos = np.arange(top_ptr[-1], dtype=np.int64) + np.repeat(bottom_indptr[:-1], np.diff(top_ptr))
    bottom_pos = np.arange(bottom_indptr[-1], dtype=np.int64) + np.repeat(top_ptr[1:], np.diff(bottom_indptr))
    indices = np.empty(nnz, dtype=np.int32)
    tf = np.empty(nnz, dtype=np.int32)
    indices[top_pos] = top_indices
    indices[bottom_pos] = bottom_indices + np.int32(top_rows)
    tf[top_pos] = top_tf
    tf[bottom_pos] = bottom_tf
    return indptr, indices, tf


def _bm25_weights(
    indptr: npt.NDArray[Any],
    indices: npt.NDArray[Any],
    tf: npt.NDArray[Any],
    doc_len: npt.NDArray[Any],
    k1: float,
    b: float,
    epsilon: float,
) -> FloatArray:
    """The BM25Okapi weight of every non-zero, written as rank_bm25 evaluates it."""
    n_docs = doc_len.shape[0]
    n_terms = indptr.shape[0] - 1
    if indices.shape[0] == 0:
        return np.zeros(0, dtype=np.float64)
    bounds: IntArray = np.asarray(indptr, dtype=np.int64)
    df: IntArray = bounds[1:] - bounds[:-1]
    found = df.astype(np.float64)  # exact: counts stay far below 2**53
    idf: FloatArray = np.log(n_docs - found + 0.5) - np.log(found + 0.5)
    average_idf = float(idf.sum()) / n_terms
    idf[idf < 0] = epsilon * average_idf
    avgdl = int(doc_len.sum()) / n_docs
    norm = k1 * (1 - b + b * np.asarray(doc_len, dtype=np.float64) / avgdl)
    weights: FloatArray = norm[indices]
    weights += tf
    np.divide(tf * (k1 + 1), weights, out=weights)
    weights *= np.repeat(idf, df)
    return weights


# -- files ---------------------------------------------------------------------


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"not a count: {value!r}")
    return value


def _read_json(file: Path) -> Any:
    """Parse a JSON file; a missing file surfaces as FileNotFoundError."""
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexError_(f"{file}: corrupt: {exc}") from exc


def _load_array(path: Path, name: str, kind: str, length: int) -> npt.NDArray[Any]:
    """Memory-map ``name``.npy read-only and check its kind ("i" or "f") and length."""
    file = path / f"{name}.npy"
    try:
        array: npt.NDArray[Any] = np.load(file, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError) as exc:
        raise IndexError_(f"{file}: corrupt array: {exc}") from exc
    if array.ndim != 1 or array.dtype.kind != kind or array.shape[0] != length:
        raise IndexError_(
            f"{file}: expected {length} values of kind {kind!r}, found shape {array.shape} of {array.dtype}"
        )
    return array


def _read_pointer(directory: Path) -> str:
    pointer = directory / _POINTER
    try:
        version = pointer.read_text(encoding="ascii").strip()
    except FileNotFoundError as exc:
        raise IndexError_(f"{directory}: no index here ({_POINTER} is missing)") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexError_(f"{pointer}: unreadable: {exc}") from exc
    if not _VERSION_RE.fullmatch(version):
        raise IndexError_(f"{pointer}: corrupt, holds {version[:40]!r}")
    return version
