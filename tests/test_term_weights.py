"""The cache of term weights: bounded by postings held, least recently used out first,
and scores the same whether a term's weights are cached, evicted or computed afresh."""

from __future__ import annotations

import numpy as np
from rank_bm25 import BM25Okapi

from retrieval.index import Bm25Index
from retrieval.term_weights import DEFAULT_BUDGET, WeightCache

DOCS = [["工会", "职工", "培训"], ["工会", "劳模"], ["职工", "职工", "帮扶"], ["培训"], ["劳模", "工会", "工会"]]


def entry(size: int) -> np.ndarray:
    return np.ones(size, dtype=np.float64)


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


def test_the_cache_keeps_weights_alone_one_per_posting_in_128_mb() -> None:
    index = Bm25Index.build_chunks([DOCS[:2], DOCS[2:4], DOCS[4:]])
    index.scores(["工会", "职工", "职工"])
    cache = index._cache
    assert len(cache) == 2 and cache.held == index.doc_freq("工会") + index.doc_freq("职工")
    for token in ("工会", "职工"):
        weights = cache.get(index.vocabulary()[token])
        assert weights is not None and weights.dtype == np.float64 and weights.shape == (index.doc_freq(token),)
    assert DEFAULT_BUDGET * np.dtype(np.float64).itemsize == 128 << 20


def test_scores_from_cached_weights_over_many_segments_equal_rank_bm25() -> None:
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(30)]
    docs = [[words[j] for j in rng.integers(30, size=rng.integers(1, 12))] for _ in range(300)]
    index = Bm25Index.build_chunks([docs[i : i + 37] for i in range(0, 300, 37)])
    reference = BM25Okapi(docs)
    queries = [[words[j] for j in rng.integers(30, size=rng.integers(1, 6))] for _ in range(40)]
    for _ in range(2):  # computed, then every term from the cache
        for query in queries:
            np.testing.assert_allclose(index.scores(query), reference.get_scores(query), rtol=1e-9, atol=1e-12)
    small = Bm25Index.build_chunks([docs[i : i + 37] for i in range(0, 300, 37)])
    small._cache = WeightCache(budget=40)  # most terms evicted or never kept
    for query in queries:
        np.testing.assert_allclose(small.scores(query), reference.get_scores(query), rtol=1e-9, atol=1e-12)
