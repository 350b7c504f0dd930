"""The cache of term weights: bounded by postings held, least recently used out first,
and scores the same whether a term's weights are cached, evicted or computed afresh."""

from __future__ import annotations

import numpy as np
from rank_bm25 import BM25Okapi

from retrieval.index import Bm25Index
from retrieval.term_weights import TermWeights, WeightCache

DOCS = [["工会", "职工", "培训"], ["工会", "劳模"], ["职工", "职工", "帮扶"], ["培训"], ["劳模", "工会", "工会"]]


def entry(size: int) -> TermWeights:
    return TermWeights(np.arange(size, dtype=np.intp), np.ones(size, dtype=np.float64))


def test_budget_evicts_least_recently_used() -> None:
    cache = WeightCache(budget=5)
    cache.put(1, entry(2))
    cache.put(2, entry(2))
    assert cache.get(1) is not None  # 1 is now more recent than 2
    cache.put(3, entry(2))
    assert cache.held == 4
    assert cache.get(2) is None
    assert cache.get(1) is not None and cache.get(3) is not None


def test_a_term_larger_than_the_budget_is_not_kept() -> None:
    cache = WeightCache(budget=3)
    cache.put(1, entry(2))
    cache.put(2, entry(4))
    assert cache.get(2) is None and cache.get(1) is not None


def test_scores_stay_equal_to_rank_bm25_when_cached_and_across_segments() -> None:
    index = Bm25Index.build_chunks([DOCS[:2], DOCS[2:4], DOCS[4:]])
    reference = BM25Okapi(DOCS)
    for query in (["工会", "职工"], ["工会", "工会", "帮扶"], ["培训", "未知"], ["劳模"]):
        expected = reference.get_scores(query)
        for _ in range(2):  # computed, then from the cache
            np.testing.assert_allclose(index.scores(query), expected, rtol=1e-9, atol=1e-12)
    grown = index.extend([["工会", "帮扶"]])  # new statistics: weights computed afresh
    reference = BM25Okapi([*DOCS, ["工会", "帮扶"]])
    np.testing.assert_allclose(grown.scores(["工会", "帮扶"]), reference.get_scores(["工会", "帮扶"]), rtol=1e-9, atol=1e-12)
