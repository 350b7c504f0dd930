"""A bounded cache of the BM25 weights of recently queried terms.

An index stores raw term frequencies, so a query would otherwise compute
``idf * tf * (k1 + 1) / (tf + norm)`` for every posting of its terms each time, and a
common term has postings in a large share of the corpus. The weights of a term do not
change while an index lives (its statistics are fixed when it is assembled; an added
issue makes a new index with an empty cache), so a term's weights are kept after first
use, least recently used first out once the postings held pass a budget. Only the
weights are kept, one per posting in the order of the index's postings (segment by
segment, documents ascending): the documents are read from the segments' memory maps,
which the kernel shares and pages in and out, so the cache's memory holds weights alone.
The cache may be used from several threads at once: a term computed twice by two
threads is stored once, and entries are never changed in place.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import numpy.typing as npt

# Postings whose weights are kept (8 bytes each, a float64); 128 MB.
DEFAULT_BUDGET = 16 << 20

Weights = npt.NDArray[np.float64]


class WeightCache:
    """Term id -> its weights, bounded by the total number of postings held."""

    __slots__ = ("_budget", "_held", "_entries", "_lock")

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self._budget = budget
        self._held = 0
        self._entries: OrderedDict[int, Weights] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def held(self) -> int:
        """Postings held now."""
        return self._held

    @property
    def budget(self) -> int:
        """Postings that may be held at most."""
        return self._budget

    def get(self, term: int) -> Weights | None:
        with self._lock:
            entry = self._entries.get(term)
            if entry is not None:
                self._entries.move_to_end(term)
            return entry

    def put(self, term: int, weights: Weights) -> None:
        size = int(weights.shape[0])
        if size > self._budget:
            return  # would push out everything else; computed afresh each time instead
        with self._lock:
            if term in self._entries:
                return
            self._entries[term] = weights
            self._held += size
            while self._held > self._budget:
                _, old = self._entries.popitem(last=False)
                self._held -= int(old.shape[0])
