"""BM25 index over tokenised paragraphs, kept as segments of raw term counts.

Scores are those of ``rank_bm25.BM25Okapi`` over the whole corpus, quirks included:

* ``idf = log(N - n + 0.5) - log(n + 0.5)`` for a term found in ``n`` of ``N``
  documents;
* the average idf is taken over the whole vocabulary *before* any idf is
  replaced, and every term whose idf is strictly negative then gets
  ``epsilon * average_idf``;
* a token repeated in the query counts once per occurrence, an unknown token
  counts nothing.

The index is a list of segments (`postings.Postings`), each the term frequencies and
document lengths of a run of documents; document ids run through the segments in order.
Nothing in a segment depends on the rest of the corpus, so adding documents adds a
segment and rewrites nothing. The corpus-wide statistics are combined when an index is
assembled: each term's document frequency (the sum over segments, one array over the
vocabulary), every idf with the epsilon rule applied over the whole vocabulary, and the
length normalisation ``k1 * (1 - b + b * dl / avgdl)`` of every document. A query then
reads, in each segment, the postings of its terms only and adds
``idf * tf * (k1 + 1) / (tf + norm)``. Segments are merged as contiguous runs
(`Bm25Index.merged`); a merge moves postings and changes no score.

Tokenising is not this module's business: documents and queries arrive as
sequences of tokens.

On disk (`save`, `load`) an index is a directory::

    CURRENT            name of the live version, e.g. "v-3f9c0a1b2d4e5f60"
    v-3f9c0a1b2d4e5f60/
        meta.json      format name and version, k1/b/epsilon, the segments in order
        s-<hex>/       one segment (see `postings`)

`save` writes a new version into a hidden staging directory beside the live one
(a segment that was loaded from disk is hard-linked, not rewritten), fsyncs every file
and the staging directory, renames it to its final ``v-*`` name, then points
``CURRENT`` at it by writing a temporary pointer file and ``os.replace``-ing it over
``CURRENT`` (an atomic step), fsyncs the directory, and only then deletes the version
that was live before. A reader therefore sees either the old index or the new one,
never a mixture or a half-written one; a crash at any point leaves the previous version
live (at worst an unreferenced staging or version directory remains). `load` reads
``CURRENT`` once and memory-maps that version's arrays; if the version vanishes between
the two steps (a concurrent ``save`` just replaced it) it reads the pointer again.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .durable import fsync_path, fsync_tree, write_durably
from .errors import IndexError_
from .postings import Postings, merge, read_json
from .term_weights import WeightCache

log = logging.getLogger(__name__)

FORMAT_NAME = "unionbot-bm25"
FORMAT_VERSION = 2  # 2: segments of raw counts, no stored weights

_POINTER = "CURRENT"
_META = "meta.json"
_VERSION_RE = re.compile(r"v-[0-9a-f]{16}")
SEGMENT_RE = re.compile(r"s-[0-9a-f]{16}")
_LOAD_ATTEMPTS = 3
_SAMPLE = 16_384  # scores sampled by `top` to bound the k-th best from below
_SAMPLE_PER_HIT = 64

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
IntpArray = npt.NDArray[np.intp]
AnyArray = npt.NDArray[Any]


def segment_name() -> str:
    """A fresh name for a segment directory."""
    return f"s-{secrets.token_hex(8)}"


class Bm25Index:
    """An immutable Okapi BM25 index; documents are numbered 0, 1, … in order."""

    __slots__ = ("_k1", "_b", "_epsilon", "_segments", "_starts", "_vocab", "_df", "_idf", "_norm", "_arrays", "_cache")

    def __init__(
        self,
        segments: Sequence[Postings],
        *,
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
        vocab: dict[str, int] | None = None,
        df: IntArray | None = None,
    ) -> None:
        """Assemble an index from its segments (in document order). ``vocab`` and ``df``,
        when given, are the segments' vocabulary and document frequencies, already
        combined (`extend` passes them to skip a pass over the vocabulary)."""
        self._k1 = float(k1)
        self._b = float(b)
        self._epsilon = float(epsilon)
        self._segments = tuple(segments)
        next_term = 0
        for segment in self._segments:
            if segment.first_term != next_term:
                raise IndexError_(f"segment {segment.path or ''} starts its terms at {segment.first_term}, not {next_term}")
            next_term = segment.end_term
        if vocab is None:
            tokens = [t for s in self._segments for t in s.tokens]
            vocab = dict(zip(tokens, range(len(tokens))))
            if len(vocab) != len(tokens):
                raise IndexError_("the segments' vocabularies repeat tokens")
        self._vocab = vocab
        if df is None:
            df = np.zeros(next_term, dtype=np.int64)
            for segment in self._segments:
                df[segment.terms] += segment.doc_freqs()
        self._df = df
        self._starts = np.zeros(len(self._segments) + 1, dtype=np.int64)
        np.cumsum([s.n_docs for s in self._segments], out=self._starts[1:])
        self._idf = self._idfs()
        self._norm = self._norms()
        # Plain views of each segment's documents and term frequencies (a memory map's
        # slices are memory maps, slower to make).
        self._arrays = tuple((np.asarray(s.indices), np.asarray(s.tf)) for s in self._segments)
        self._cache = WeightCache()

    def _idfs(self) -> FloatArray:
        n_docs = int(self._starts[-1])
        found = self._df.astype(np.float64)  # exact: counts stay far below 2**53
        idf: FloatArray = np.log(n_docs - found + 0.5) - np.log(found + 0.5)
        if idf.shape[0]:
            average_idf = float(idf.sum()) / idf.shape[0]
            idf[idf < 0] = self._epsilon * average_idf
        return idf

    def _norms(self) -> FloatArray:
        """``k1 * (1 - b + b * dl / avgdl)`` of every document."""
        n_docs = int(self._starts[-1])
        if n_docs == 0:
            return np.zeros(0, dtype=np.float64)
        doc_len = np.concatenate([np.asarray(s.doc_len, dtype=np.float64) for s in self._segments])
        total = int(sum(int(np.asarray(s.doc_len).sum(dtype=np.int64)) for s in self._segments))
        avgdl = total / n_docs if total else 1.0  # no tokens: no postings, norms unused
        norm: FloatArray = self._k1 * (1 - self._b + self._b * doc_len / avgdl)
        return norm

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

    @property
    def segments(self) -> tuple[Postings, ...]:
        """The segments, in document order."""
        return self._segments

    @property
    def n_terms(self) -> int:
        """Size of the vocabulary."""
        return len(self._vocab)

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
        """Index ``docs`` (one segment); document ``i`` of the result is ``docs[i]``."""
        vocab: dict[str, int] = {}
        segments = [Postings.count(docs, vocab)] if len(docs) else []
        return cls(segments, k1=k1, b=b, epsilon=epsilon, vocab=vocab)

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
        need be in memory), a segment per chunk."""
        vocab: dict[str, int] = {}
        segments = [Postings.count(docs, vocab) for docs in chunks if len(docs)]
        return cls(segments, k1=k1, b=b, epsilon=epsilon, vocab=vocab)

    def extend(self, docs: Sequence[Sequence[str]]) -> Bm25Index:
        """A new index holding this one's documents followed by ``docs`` (a new segment);
        ``self`` is unchanged."""
        if not len(docs):
            return self.with_segments(self._segments)
        return self.counted(docs)[1]

    def counted(self, docs: Sequence[Sequence[str]]) -> tuple[Postings, Bm25Index]:
        """The term counts of ``docs`` as a new segment, and this index with it appended."""
        vocab = dict(self._vocab)
        segment = Postings.count(docs, vocab)
        return segment, self.appended(segment, vocab)

    def appended(self, segment: Postings, vocab: dict[str, int]) -> Bm25Index:
        """This index with ``segment`` after its documents; ``vocab`` is this index's
        vocabulary grown by the segment's tokens."""
        df = np.zeros(segment.end_term, dtype=np.int64)
        df[: self._df.shape[0]] = self._df
        df[segment.terms] += segment.doc_freqs()
        return type(self)(
            (*self._segments, segment), k1=self._k1, b=self._b, epsilon=self._epsilon, vocab=vocab, df=df
        )

    def with_segments(self, segments: Sequence[Postings]) -> Bm25Index:
        """An index of the same documents and vocabulary, held in other segments (a merge)."""
        return type(self)(segments, k1=self._k1, b=self._b, epsilon=self._epsilon, vocab=self._vocab, df=self._df)

    def merged(self, start: int = 0, target: Path | None = None) -> Bm25Index:
        """The same index with segments ``start`` onwards merged into one (written to the
        new directory ``target`` when given); scores do not change."""
        run = self._segments[start:]
        if len(run) < 2:
            return self.with_segments(self._segments)
        return self.with_segments((*self._segments[:start], merge(run, target)))

    # -- querying -----------------------------------------------------------

    def __len__(self) -> int:
        return int(self._starts[-1])

    def __repr__(self) -> str:
        return (
            f"Bm25Index(docs={len(self)}, terms={len(self._vocab)}, segments={len(self._segments)}, "
            f"k1={self._k1}, b={self._b})"
        )

    def doc_freq(self, token: str) -> int:
        """In how many documents ``token`` occurs."""
        term = self._vocab.get(token)
        return 0 if term is None else int(self._df[term])

    def scores(self, query: Sequence[str]) -> FloatArray:
        """The BM25 score of every document for ``query`` (float64, one per document)."""
        _check_tokens(query, "query")
        scores = np.zeros(len(self), dtype=np.float64)
        terms = [term for term in map(self._vocab.get, query) if term is not None]
        if not terms:
            return scores
        unique, counts = np.unique(np.asarray(terms, dtype=np.int64), return_counts=True)
        # Segment by segment, each term's weights added at its documents (their ids read
        # from the segment's memory map, added into the segment's slice of the scores).
        # A document is in one segment, so its terms are added in the same order however
        # the index is segmented.
        repeats = counts.tolist()
        for start, stop, postings in self._postings(unique):
            view = scores[start:stop]
            for i, docs, weights in postings:
                np.add.at(view, docs, weights if repeats[i] == 1 else weights * repeats[i])
        return scores

    def _postings(self, terms: IntArray) -> Iterator[tuple[int, int, list[tuple[int, IntpArray, FloatArray]]]]:
        """For each segment holding any of ``terms`` (ascending, distinct): its first
        document and one past its last, and for each of the terms found there, its position
        in ``terms``, its documents (counted from the segment's first) and their weights,
        ``idf * tf * (k1 + 1) / (tf + norm)``: from the cache, or computed and then cached
        (a term's weights over all its postings in one array)."""
        cached: list[FloatArray | None] = [self._cache.get(term) for term in terms.tolist()]
        found: list[list[FloatArray]] | None = (
            [[] for _ in cached] if any(entry is None for entry in cached) else None
        )
        used = [0] * len(cached)  # postings of each cached term's weights taken so far
        bounds = self._starts.tolist()
        for segment, (indices, tfs), start, stop in zip(self._segments, self._arrays, bounds, bounds[1:]):
            postings = []
            for i, where in segment.postings_of(terms):
                # numpy adds at intp positions much faster than at int32 ones
                docs: IntpArray = indices[where].astype(np.intp)
                entry = cached[i]
                if entry is not None:
                    weights = entry[used[i] : used[i] + docs.shape[0]]
                    used[i] += docs.shape[0]
                else:
                    tf = tfs[where].astype(np.float64)
                    weights = np.take(self._norm[start:stop], docs)
                    weights += tf
                    np.divide(tf, weights, out=weights)
                    weights *= self._idf[int(terms[i])] * (self._k1 + 1)
                    if found is not None:
                        found[i].append(weights)
                postings.append((i, docs, weights))
            if postings:
                yield start, stop, postings
        if found is not None:
            for term, entry, pieces in zip(terms.tolist(), cached, found):
                if entry is None and pieces:
                    self._cache.put(term, pieces[0] if len(pieces) == 1 else np.concatenate(pieces))

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

    def write_segments(self, target: Path) -> list[str]:
        """Put every segment into a new directory under ``target`` (hard links for those
        already on disk); returns their names, in order."""
        names = []
        for segment in self._segments:
            name = segment.path.name if segment.path is not None and SEGMENT_RE.fullmatch(segment.path.name) else None
            name = name or segment_name()
            segment.link(target / name)
            names.append(name)
        return names

    def parameters(self) -> dict[str, float]:
        return {"k1": self._k1, "b": self._b, "epsilon": self._epsilon}

    def vocabulary(self) -> dict[str, int]:
        """A copy of the vocabulary: token -> term id."""
        return dict(self._vocab)

    @classmethod
    def of(cls, segments: Sequence[Postings], parameters: dict[str, Any]) -> Bm25Index:
        """An index of ``segments`` with the parameters read from a saved meta.json."""
        try:
            k1, b, epsilon = (float(parameters[key]) for key in ("k1", "b", "epsilon"))
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexError_(f"bad BM25 parameters: {exc!r}") from exc
        return cls(segments, k1=k1, b=b, epsilon=epsilon)

    def save(self, directory: Path) -> None:
        """Write the index under ``directory`` and make it the live version atomically."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        version = f"v-{secrets.token_hex(8)}"
        staging = directory / f".{version}.tmp"
        staging.mkdir()
        try:
            names = self.write_segments(staging)
            meta = {"format": FORMAT_NAME, "version": FORMAT_VERSION, **self.parameters(), "segments": names}
            write_durably(staging / _META, json.dumps(meta, indent=2).encode("utf-8"))
            fsync_tree(staging)
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
        meta = read_json(path / _META)
        if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
            raise IndexError_(f"{path}: not a BM25 index ({_META} has no format {FORMAT_NAME!r})")
        if meta.get("version") != FORMAT_VERSION:
            raise IndexError_(
                f"{path}: index format version {meta.get('version')!r}, this code reads version {FORMAT_VERSION}"
            )
        names = meta.get("segments")
        if not isinstance(names, list):
            raise IndexError_(f"{path}: {_META} is corrupt: no list of segments")
        for name in names:
            if not isinstance(name, str) or not SEGMENT_RE.fullmatch(name):
                raise IndexError_(f"{path}: bad segment name {name!r}")
        index = cls.of([Postings.load(path / name) for name in names], meta)
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
