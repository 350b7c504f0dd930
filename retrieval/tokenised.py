"""Documents' tokens held compactly: each distinct token once, every occurrence as an id.

Segmented paragraphs held as lists of strings cost a Python object per token (about 80
bytes; a build chunk of 50,000 paragraphs has over six million tokens), and once freed
those objects leave the heap fragmented, so a process keeps the memory. As ids they cost
4 bytes a token. Segmenting workers hand their batches back in this form and the BM25
counts (`postings.Postings.count_tokenised`) are made from it directly.
"""

from __future__ import annotations

import itertools
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Tokenised:
    """Documents as token ids: `ids` holds every document's tokens one after another
    (`lengths` of them per document), each an index into `tokens` (distinct tokens)."""

    tokens: list[str]
    ids: npt.NDArray[np.int32]
    lengths: IntArray

    @property
    def n_docs(self) -> int:
        return int(self.lengths.shape[0])

    def starts(self) -> IntArray:
        """Where each document's ids start, and one past the last."""
        starts = np.zeros(self.n_docs + 1, dtype=np.int64)
        np.cumsum(self.lengths, out=starts[1:])
        return starts

    def docs(self) -> list[list[str]]:
        """The documents as lists of tokens."""
        starts = self.starts().tolist()
        words = [self.tokens[i] for i in self.ids.tolist()]
        return [words[a:b] for a, b in itertools.pairwise(starts)]


def encode(docs: Iterable[Sequence[str]]) -> Tokenised:
    """Documents given as token lists, encoded; ids in order of first appearance."""
    table: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    ids = array("i")
    lengths = array("q")
    for doc in docs:
        if isinstance(doc, str):
            raise TypeError("a document must be a sequence of tokens, not a str")
        before = len(ids)
        ids.extend(map(table.__getitem__, doc))
        lengths.append(len(ids) - before)
    return Tokenised(
        list(table),
        np.frombuffer(ids, dtype=np.intc).astype(np.int32),
        np.frombuffer(lengths, dtype=np.int64).copy(),
    )


def concatenate(parts: Sequence[Tokenised]) -> Tokenised:
    """The documents of `parts` one after another, over one table of tokens."""
    table: dict[str, int] = {}
    ids: list[npt.NDArray[np.int32]] = [np.zeros(0, dtype=np.int32)]
    lengths: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    for part in parts:
        remap = np.fromiter(
            (table.setdefault(token, len(table)) for token in part.tokens), dtype=np.int32, count=len(part.tokens)
        )
        ids.append(remap[part.ids])
        lengths.append(part.lengths)
    return Tokenised(list(table), np.concatenate(ids), np.concatenate(lengths))


def paired(tokenised: Tokenised, first: IntArray, second: IntArray) -> Tokenised:
    """Documents made of two documents of `tokenised` each: document i is the tokens of
    document first[i] followed by those of document second[i]. Ids are renumbered in
    order of first appearance (as `encode` of the same token lists would give them), and
    tokens that no longer appear are dropped."""
    pieces = np.stack([np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)], axis=1).ravel()
    piece_len = tokenised.lengths[pieces]
    source = tokenised.starts()[pieces]
    target = np.zeros(pieces.shape[0] + 1, dtype=np.int64)
    np.cumsum(piece_len, out=target[1:])
    where = np.repeat(source - target[:-1], piece_len)
    where += np.arange(int(target[-1]), dtype=np.int64)
    ids = tokenised.ids[where]
    del where
    return _first_seen(tokenised.tokens, ids, piece_len.reshape(-1, 2).sum(axis=1))


def _first_seen(tokens: list[str], ids: npt.NDArray[np.int32], lengths: IntArray) -> Tokenised:
    """The same documents with ids in order of first appearance (absent tokens dropped)."""
    first = np.full(len(tokens), ids.shape[0], dtype=np.int64)
    np.minimum.at(first, ids, np.arange(ids.shape[0], dtype=np.int64))
    order = np.argsort(first, kind="stable")[: int(np.count_nonzero(first < ids.shape[0]))]
    renumber = np.zeros(len(tokens), dtype=np.int32)
    renumber[order] = np.arange(order.shape[0], dtype=np.int32)
    return Tokenised([tokens[i] for i in order.tolist()], renumber[ids], lengths)
