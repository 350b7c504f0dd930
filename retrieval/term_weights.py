"""A bounded cache of the BM25 weights of recently queried terms.

An index stores raw term frequencies, so a query would otherwise compute
``idf * tf * (k1 + 1) / (tf + norm)`` for every posting of its terms each time, and a
common term has postings in a large share of the corpus. The weights of a term do not
change while an index lives (its statistics are fixed when it is assembled; an added
issue makes a new index with an empty cache), so a term's document ids and weights are
kept after first use, least recently used first out once the postings held pass a budget.
The cache may be used from several threads at once: a term computed twice by two
threads is stored once, and entries are never changed in place.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

# Postings kept (16 bytes each: a document id and a float64 weight); 128 MB.
DEFAULT_BUDGET = 8 << 20


class TermWeights(NamedTuple):
    """One term's postings over the whole index: document ids (ascending) and weights."""

    docs: npt.NDArray[np.intp]
    weights: npt.NDArray[np.float64]


class WeightCache:
    """Term id -> `TermWeights`, bounded by the total number of postings held."""

    __slots__ = ("_budget", "_held", "_entries", "_lock")

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self._budget = budget
        self._held = 0
        self._entries: OrderedDict[int, TermWeights] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def held(self) -> int:
        """Postings held now."""
        return self._held

    def get(self, term: int) -> TermWeights | None:
        with self._lock:
            entry = self._entries.get(term)
            if entry is not None:
                self._entries.move_to_end(term)
            return entry

    def put(self, term: int, entry: TermWeights) -> None:
        size = int(entry.docs.shape[0])
        if size > self._budget:
            return  # would push out everything else; computed afresh each time instead
        with self._lock:
            if term in self._entries:
                return
            self._entries[term] = entry
            self._held += size
            while self._held > self._budget:
                _, old = self._entries.popitem(last=False)
                self._held -= int(old.docs.shape[0])
