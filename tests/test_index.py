"""The BM25 index: parity with rank_bm25, ranking, growth, and its files on disk."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from retrieval import arrayfile, postings
from retrieval import index as index_module
from retrieval.errors import IndexError_
from retrieval.index import FORMAT_VERSION, Bm25Index

HAND = [
    ["职工", "的", "工会", "会员", "服务"],
    ["工会", "的", "职工", "之家", "建设", "的", "活动"],
    ["劳模", "的", "创新", "工作室"],
    ["的", "职工", "职工", "职工", "技能", "竞赛"],
    ["困难", "职工", "帮扶", "的"],
    ["新", "就业", "形态", "劳动者", "入会"],
    ["工会", "工会", "工会"],
]
HAND_QUERIES = [
    ["职工"],
    ["的"],
    ["工会", "职工"],
    ["职工", "职工"],
    ["的", "的", "的", "劳模"],
    ["不存在"],
    ["不存在", "入会", "新"],
    [],
    ["竞赛", "技能", "职工", "的", "工会", "入会"],
]


def assert_same_scores(index: Bm25Index, reference: BM25Okapi, queries: Sequence[Sequence[str]]) -> None:
    for query in queries:
        ours = index.scores(query)
        theirs = reference.get_scores(list(query))
        assert ours.dtype == np.float64
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12, err_msg=str(query))


def zipf_corpus(seed: int, n_docs: int, n_terms: int, skew: float) -> tuple[list[list[str]], list[str]]:
    """Documents over a Zipf-like vocabulary: the head terms occur in most documents."""
    rng = np.random.default_rng(seed)
    terms = [f"t{i}" for i in range(n_terms)]
    p = 1.0 / np.arange(1, n_terms + 1) ** skew
    p /= p.sum()
    docs = [[terms[i] for i in rng.choice(n_terms, size=rng.integers(1, 40), p=p)] for _ in range(n_docs)]
    return docs, terms


def random_queries(seed: int, terms: Sequence[str], count: int) -> list[list[str]]:
    """Queries of 1-8 tokens mixing head and tail terms, repeats and unknown tokens."""
    rng = np.random.default_rng(seed)
    queries = []
    for _ in range(count):
        query = [terms[i] for i in rng.integers(len(terms), size=rng.integers(1, 9))]
        if rng.random() < 0.3:
            query.append(query[0])
        if rng.random() < 0.3:
            query.insert(int(rng.integers(len(query) + 1)), f"unknown{rng.integers(5)}")
        queries.append(query)
    return queries


# -- parity with rank_bm25 ---------------------------------------------------------


def test_hand_corpus_matches_rank_bm25() -> None:
    reference = BM25Okapi(HAND)
    # "的" is in 5 of 7 documents: its raw idf is negative and gets epsilon * average idf.
    assert reference.idf["的"] == pytest.approx(reference.epsilon * reference.average_idf)
    assert_same_scores(Bm25Index.build(HAND), reference, HAND_QUERIES)


@pytest.mark.parametrize(
    ("seed", "skew", "params"),
    [
        (1, 1.1, {}),
        (2, 1.5, {}),
        (3, 1.1, {"k1": 1.2, "b": 0.5, "epsilon": 0.1}),
        (4, 2.5, {"k1": 2.0, "b": 1.0, "epsilon": 0.5}),
    ],
)
def test_random_corpus_matches_rank_bm25(seed: int, skew: float, params: dict[str, float]) -> None:
    docs, terms = zipf_corpus(seed, n_docs=300, n_terms=400, skew=skew)
    reference = BM25Okapi(docs, **params)
    assert any(reference.idf[t] == reference.epsilon * reference.average_idf for t in terms[:5])
    index = Bm25Index.build(docs, **params)
    assert (index.k1, index.b, index.epsilon) == (
        params.get("k1", 1.5),
        params.get("b", 0.75),
        params.get("epsilon", 0.25),
    )
    assert_same_scores(index, reference, random_queries(seed, terms, 150))


def test_negative_average_idf_is_kept_as_rank_bm25_does() -> None:
    # Almost every term is in almost every document: the average idf is negative,
    # so the "floor" for negative idfs is itself negative.
    docs = [["a", "b", "c"], ["a", "b", "c"], ["a", "b"], ["a", "c", "d"]]
    reference = BM25Okapi(docs)
    assert reference.average_idf < 0
    index = Bm25Index.build(docs)
    assert_same_scores(index, reference, [["a"], ["b", "d"], ["d"], ["a", "b", "c", "d"]])
    assert index.scores(["a"]).max() < 0


def test_repeated_query_token_counts_each_time() -> None:
    index = Bm25Index.build(HAND)
    np.testing.assert_allclose(index.scores(["职工", "职工", "职工"]), 3 * index.scores(["职工"]), rtol=1e-12)
    np.testing.assert_array_equal(index.scores(["职工", "不存在"]), index.scores(["职工"]))


def test_doc_freq() -> None:
    index = Bm25Index.build(HAND)
    assert len(index) == len(HAND)
    assert index.doc_freq("职工") == 4
    assert index.doc_freq("工会") == 3
    assert index.doc_freq("入会") == 1
    assert index.doc_freq("不存在") == 0


def test_a_string_is_not_a_token_list() -> None:
    index = Bm25Index.build(HAND)
    with pytest.raises(TypeError):
        index.scores("职工")
    with pytest.raises(TypeError):
        Bm25Index.build(["职工 工会"])


# -- extend ------------------------------------------------------------------------


def test_extend_matches_an_index_built_on_everything() -> None:
    docs, terms = zipf_corpus(7, n_docs=240, n_terms=300, skew=1.2)
    # The later documents bring tokens the first ones never had.
    docs[150:] = [doc + [f"new{i % 17}"] for i, doc in enumerate(docs[150:])]
    queries = random_queries(8, terms + [f"new{i}" for i in range(17)], 120)

    first = Bm25Index.build(docs[:100])
    before = [first.scores(q) for q in queries]
    grown = first.extend(docs[100:150]).extend(docs[150:])

    assert len(grown) == len(docs)
    assert len(first) == 100
    for query, old in zip(queries, before):
        np.testing.assert_array_equal(first.scores(query), old)
    assert_same_scores(grown, BM25Okapi(docs), queries)
    assert grown.doc_freq("new3") == sum("new3" in doc for doc in docs)


def test_extend_keeps_ids_and_parameters() -> None:
    index = Bm25Index.build(HAND[:3], k1=1.2, b=0.6, epsilon=0.3).extend(HAND[3:])
    assert (index.k1, index.b, index.epsilon) == (1.2, 0.6, 0.3)
    assert [doc for doc, _ in index.top(["入会"], 5)] == [5]
    assert_same_scores(index, BM25Okapi(HAND, k1=1.2, b=0.6, epsilon=0.3), HAND_QUERIES)


def test_extend_with_nothing_and_from_nothing() -> None:
    index = Bm25Index.build(HAND)
    same = index.extend([])
    for query in HAND_QUERIES:
        np.testing.assert_allclose(same.scores(query), index.scores(query), rtol=1e-12)
    assert_same_scores(Bm25Index.build([]).extend(HAND), BM25Okapi(HAND), HAND_QUERIES)


# -- top -----------------------------------------------------------------------------


def test_top_orders_by_score_then_lower_id() -> None:
    docs = [["x", "y"], ["z"], ["x", "y"], ["x"], ["x", "y"], ["q"], ["r"], ["s"], ["t"], ["u"]]
    index = Bm25Index.build(docs)
    scores = index.scores(["x", "y"])
    assert scores[0] == scores[2] == scores[4] > scores[3] > 0
    assert index.top(["x", "y"], 2) == [(0, scores[0]), (2, scores[2])]
    assert [doc for doc, _ in index.top(["x", "y"], 10)] == [0, 2, 4, 3]


def test_top_returns_only_positive_hits() -> None:
    index = Bm25Index.build(HAND)
    hits = index.top(["入会"], 10)
    assert [doc for doc, _ in hits] == [5]
    assert index.top(["不存在"], 10) == []
    assert index.top([], 10) == []
    assert index.top(["职工"], 0) == []
    with pytest.raises(ValueError):
        index.top(["职工"], -1)


def test_top_skips_documents_with_negative_scores() -> None:
    docs = [["a", "b", "c"], ["a", "b", "c"], ["a", "b"], ["a", "c", "d"]]
    index = Bm25Index.build(docs)
    assert index.top(["a"], 4) == []
    assert [doc for doc, _ in index.top(["a", "d"], 4)] == [3]


def ranked(scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
    """What `top` must return, by a plain full sort."""
    ids = [i for i in range(scores.shape[0]) if scores[i] > 0 and (allowed is None or allowed[i])]
    return [(i, float(scores[i])) for i in sorted(ids, key=lambda i: (-scores[i], i))[:k]]


@pytest.mark.parametrize("sampled", [False, True], ids=["scan", "sampled-floor"])
def test_top_agrees_with_a_full_sort(sampled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    floors: list[float] = []
    if sampled:  # make `top` bound the k-th best from a sample even on a small index
        monkeypatch.setattr(index_module, "_SAMPLE", 8)
        monkeypatch.setattr(index_module, "_SAMPLE_PER_HIT", 4)
        real_floor = index_module._floor

        def spy(scores: np.ndarray, k: int) -> float:
            floors.append(real_floor(scores, k))
            return floors[-1]

        monkeypatch.setattr(index_module, "_floor", spy)
    docs, terms = zipf_corpus(11, n_docs=400, n_terms=60, skew=1.0)  # small vocabulary: many ties
    index = Bm25Index.build(docs)
    allowed = np.random.default_rng(13).random(len(docs)) < 0.5
    for query in random_queries(12, terms, 100):
        scores = index.scores(query)
        for k in (1, 3, 10, 1000):
            assert index.top(query, k) == ranked(scores, k)
            assert index.top(query, k, allowed=allowed) == ranked(scores, k, allowed)
    if sampled:
        assert sum(floor > 1e-300 for floor in floors) > len(floors) // 4


def test_top_on_a_large_index() -> None:
    rng = np.random.default_rng(14)
    terms = np.array([f"t{i}" for i in range(50)])
    docs = [list(terms[rng.integers(50, size=rng.integers(1, 6))]) for _ in range(40_000)]
    index = Bm25Index.build(docs)
    allowed = rng.random(len(docs)) < 0.3
    for query in (["t1"], ["t1", "t2", "t3"], ["t49", "t7", "t7"]):
        scores = index.scores(query)
        assert index.top(query, 10) == ranked(scores, 10)
        assert index.top(query, 25, allowed=allowed) == ranked(scores, 25, allowed)


def test_top_with_allowed_mask() -> None:
    index = Bm25Index.build(HAND)
    everything = [doc for doc, _ in index.top(["职工"], 10)]
    assert sorted(everything) == [0, 1, 3, 4]
    allowed = np.zeros(len(HAND), dtype=bool)
    allowed[[1, 4, 5]] = True
    assert [doc for doc, _ in index.top(["职工"], 10, allowed=allowed)] == [d for d in everything if d in (1, 4)]
    assert index.top(["职工"], 10, allowed=np.zeros(len(HAND), dtype=bool)) == []
    with pytest.raises(ValueError):
        index.top(["职工"], 10, allowed=np.ones(len(HAND) + 1, dtype=bool))
    with pytest.raises(ValueError):
        index.top(["职工"], 10, allowed=np.ones(len(HAND), dtype=np.int64))


def test_empty_index() -> None:
    index = Bm25Index.build([])
    assert len(index) == 0
    assert index.scores(["职工"]).shape == (0,)
    assert index.top(["职工"], 5) == []
    assert index.doc_freq("职工") == 0


def test_documents_without_tokens() -> None:
    index = Bm25Index.build([[], []])
    np.testing.assert_array_equal(index.scores(["职工"]), [0.0, 0.0])
    assert index.top(["职工"], 5) == []
    docs = [[], ["职工", "工会"], [], ["工会"]]
    assert_same_scores(Bm25Index.build(docs), BM25Okapi(docs), [["职工"], ["工会"], ["职工", "工会"]])


# -- save and load ------------------------------------------------------------------


def test_save_load_round_trip(tmp_path: Path) -> None:
    docs, terms = zipf_corpus(21, n_docs=200, n_terms=250, skew=1.2)
    index = Bm25Index.build(docs, k1=1.3, b=0.7, epsilon=0.2)
    index.save(tmp_path / "index")
    loaded = Bm25Index.load(tmp_path / "index")

    assert len(loaded) == len(index)
    assert (loaded.k1, loaded.b, loaded.epsilon) == (1.3, 0.7, 0.2)
    for query in random_queries(22, terms, 60):
        np.testing.assert_array_equal(loaded.scores(query), index.scores(query))
        assert loaded.top(query, 5) == index.top(query, 5)
    assert all(loaded.doc_freq(t) == index.doc_freq(t) for t in terms)
    # A loaded index still grows correctly: its term counts were saved too.
    more, _ = zipf_corpus(23, n_docs=50, n_terms=260, skew=1.2)
    assert_same_scores(loaded.extend(more), BM25Okapi(docs + more, k1=1.3, b=0.7, epsilon=0.2), random_queries(24, terms, 30))


def test_empty_index_round_trip(tmp_path: Path) -> None:
    Bm25Index.build([]).save(tmp_path / "index")
    loaded = Bm25Index.load(tmp_path / "index")
    assert len(loaded) == 0
    assert loaded.top(["职工"], 3) == []


def test_saving_over_an_index_replaces_it_and_leaves_no_debris(tmp_path: Path) -> None:
    target = tmp_path / "index"
    old = Bm25Index.build(HAND[:4])
    new = Bm25Index.build(HAND)
    old.save(target)
    reader = Bm25Index.load(target)  # a reader that opened the old version
    old_scores = reader.scores(["职工"])

    new.save(target)

    assert len(Bm25Index.load(target)) == len(HAND)
    np.testing.assert_array_equal(Bm25Index.load(target).scores(["入会"]), new.scores(["入会"]))
    entries = sorted(os.listdir(target))
    assert len(entries) == 2 and entries[0] == "CURRENT" and entries[1].startswith("v-")
    assert not [p for p in tmp_path.rglob("*") if "tmp" in p.name]
    # The old reader keeps working on the version it opened.
    np.testing.assert_array_equal(reader.scores(["职工"]), old_scores)


def test_a_loaded_index_can_be_saved_over_itself(tmp_path: Path) -> None:
    target = tmp_path / "index"
    Bm25Index.build(HAND).save(target)
    loaded = Bm25Index.load(target)
    expected = loaded.scores(["职工", "工会"])
    loaded.save(target)  # reads its memory-mapped arrays while replacing them
    np.testing.assert_array_equal(loaded.scores(["职工", "工会"]), expected)
    np.testing.assert_array_equal(Bm25Index.load(target).scores(["职工", "工会"]), expected)
    assert len(os.listdir(target)) == 2


def test_load_retries_when_a_save_replaces_the_version_it_was_opening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "index"
    Bm25Index.build(HAND[:3]).save(target)
    real_load_version = Bm25Index._load_version.__func__  # type: ignore[attr-defined]
    opened: list[str] = []

    def racing(cls: type[Bm25Index], path: Path) -> Bm25Index:
        opened.append(path.name)
        if len(opened) == 1:  # another process publishes a new version right now
            Bm25Index.build(HAND).save(target)
        return real_load_version(cls, path)  # type: ignore[no-any-return]

    monkeypatch.setattr(Bm25Index, "_load_version", classmethod(racing))
    assert len(Bm25Index.load(target)) == len(HAND)
    assert len(opened) == 2 and opened[0] != opened[1]


def test_a_failed_save_keeps_the_old_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "index"
    Bm25Index.build(HAND[:4]).save(target)
    before = sorted(os.listdir(target))
    calls = 0
    real_save = np.save

    def failing_save(*args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError("disk full")
        real_save(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(np, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        Bm25Index.build(HAND).save(target)

    assert sorted(os.listdir(target)) == before
    assert len(Bm25Index.load(target)) == 4


def test_save_repairs_a_damaged_pointer(tmp_path: Path) -> None:
    target = tmp_path / "index"
    Bm25Index.build(HAND[:2]).save(target)
    (target / "CURRENT").write_text("garbage")
    with pytest.raises(IndexError_):
        Bm25Index.load(target)
    Bm25Index.build(HAND).save(target)
    assert len(Bm25Index.load(target)) == len(HAND)


def live_version(target: Path) -> Path:
    return target / (target / "CURRENT").read_text().strip()


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    target = tmp_path / "index"
    Bm25Index.build(HAND).save(target)
    return target


def test_load_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(IndexError_, match="no index"):
        Bm25Index.load(tmp_path / "nothing")


def test_load_directory_without_pointer(tmp_path: Path) -> None:
    (tmp_path / "index").mkdir()
    with pytest.raises(IndexError_, match="CURRENT"):
        Bm25Index.load(tmp_path / "index")


SEGMENT_FILES = ["meta.json", "tokens.json", "terms.npy", "indptr.npy", "indices.npy", "tf.npy", "doc_len.npy"]


def segment_of(saved: Path) -> Path:
    """The directory of the saved index's only segment."""
    (segment,) = live_version(saved).glob("s-*")
    return segment


def test_load_with_the_version_meta_missing(saved: Path) -> None:
    (live_version(saved) / "meta.json").unlink()
    with pytest.raises(IndexError_, match="missing"):
        Bm25Index.load(saved)


@pytest.mark.parametrize("name", SEGMENT_FILES)
def test_load_with_a_file_missing(saved: Path, name: str) -> None:
    (segment_of(saved) / name).unlink()
    with pytest.raises(IndexError_, match="missing"):
        Bm25Index.load(saved)


@pytest.mark.parametrize("name", SEGMENT_FILES)
def test_load_with_a_garbage_file(saved: Path, name: str) -> None:
    (segment_of(saved) / name).write_bytes(b"\x00\x01garbage\xff" * 10)
    with pytest.raises(IndexError_):
        Bm25Index.load(saved)


@pytest.mark.parametrize("name", ["indices.npy", "tf.npy", "terms.npy"])
def test_load_with_a_truncated_array(saved: Path, name: str) -> None:
    path = segment_of(saved) / name
    path.write_bytes(path.read_bytes()[:-16])
    with pytest.raises(IndexError_):
        Bm25Index.load(saved)


def test_load_with_an_array_of_the_wrong_length(saved: Path) -> None:
    np.save(segment_of(saved) / "doc_len.npy", np.arange(3, dtype=np.int32))
    with pytest.raises(IndexError_, match="doc_len"):
        Bm25Index.load(saved)


def test_load_with_document_ids_out_of_range(saved: Path) -> None:
    path = segment_of(saved) / "indices.npy"
    indices = np.load(path)
    indices[-1] = len(HAND)
    np.save(path, indices)
    with pytest.raises(IndexError_, match="document ids"):
        Bm25Index.load(saved)


def test_load_with_a_vocabulary_of_the_wrong_size(saved: Path) -> None:
    path = segment_of(saved) / "tokens.json"
    path.write_text(json.dumps(json.loads(path.read_text())[:-1]))
    with pytest.raises(IndexError_, match="tokens"):
        Bm25Index.load(saved)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": FORMAT_VERSION + 1}, "version"),
        ({"version": None}, "version"),
        ({"format": "something-else"}, "format"),
        ({"segments": "s-0"}, "corrupt"),
        ({"segments": ["../elsewhere"]}, "segment name"),
        ({"k1": "fast"}, "parameters"),
    ],
)
def test_load_refuses_other_formats(saved: Path, change: dict[str, object], message: str) -> None:
    path = live_version(saved) / "meta.json"
    meta = json.loads(path.read_text())
    meta.update(change)
    path.write_text(json.dumps(meta))
    with pytest.raises(IndexError_, match=message):
        Bm25Index.load(saved)


@pytest.mark.parametrize(("change", "message"), [({"nnz": -1}, "corrupt"), ({"format": "x"}, "format")])
def test_load_refuses_a_damaged_segment_meta(saved: Path, change: dict[str, object], message: str) -> None:
    path = segment_of(saved) / "meta.json"
    meta = json.loads(path.read_text())
    meta.update(change)
    path.write_text(json.dumps(meta))
    with pytest.raises(IndexError_, match=message):
        Bm25Index.load(saved)


def test_build_in_chunks_equals_rank_bm25() -> None:
    import random

    from rank_bm25 import BM25Okapi

    rng = random.Random(5)
    words = [f"w{i}" for i in range(60)]
    docs = [[rng.choice(words[: rng.randint(5, 60)]) for _ in range(rng.randint(1, 15))] for _ in range(50)]
    chunked = Bm25Index.build_chunks([docs[:7], docs[7:8], [], docs[8:31], docs[31:]])
    reference = BM25Okapi(docs)
    assert len(chunked) == len(docs)
    for query in (["w1", "w2"], ["w59", "w0", "w0"], ["nope"], words[:10]):
        ours, theirs = chunked.scores(query), reference.get_scores(query)
        assert np.allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    assert Bm25Index.build_chunks([]).scores(["w1"]).shape == (0,)


# -- segments -----------------------------------------------------------------------


def test_an_index_grown_by_segments_scores_as_rank_bm25_over_the_whole_corpus() -> None:
    docs, terms = zipf_corpus(31, n_docs=360, n_terms=300, skew=1.3)
    # Later segments bring tokens the earlier ones never had, and a head term whose idf
    # turns negative only once the later segments are counted.
    docs[200:] = [doc + [f"late{i % 9}", "everywhere"] for i, doc in enumerate(docs[200:])]
    docs[:200] = [doc + ["everywhere"] if i % 3 == 0 else doc for i, doc in enumerate(docs[:200])]
    queries = random_queries(32, terms + [f"late{i}" for i in range(9)] + ["everywhere"], 150)
    queries += [["everywhere"], ["late3", "everywhere", "t0"]]

    first = Bm25Index.build(docs[:200])
    assert first.scores(["everywhere"]).max() > 0  # in a third of these: a positive idf
    grown = first.extend(docs[200:260]).extend(docs[260:261]).extend(docs[261:])
    reference = BM25Okapi(docs)
    assert reference.idf["everywhere"] == reference.epsilon * reference.average_idf
    assert len(grown.segments) == 4
    assert_same_scores(grown, reference, queries)
    assert all(grown.doc_freq(t) == sum(t in d for d in docs) for t in ("everywhere", "late3", "t0"))

    for start in (0, 1, 2):
        merged = grown.merged(start)
        assert len(merged.segments) == start + 1
        assert_same_scores(merged, reference, queries)


def test_segments_merged_on_disk_score_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs, terms = zipf_corpus(33, n_docs=300, n_terms=200, skew=1.2)
    docs[150:] = [doc + [f"new{i % 5}"] for i, doc in enumerate(docs[150:])]
    index = Bm25Index.build_chunks([docs[:100], docs[100:150], docs[150:151], docs[151:]])
    monkeypatch.setattr(postings, "_MERGE_BLOCK", 7)  # many blocks, and terms larger than one
    merged = index.merged(0, tmp_path / "merged")
    assert len(merged.segments) == 1 and merged.segments[0].path == tmp_path / "merged"
    assert_same_scores(merged, BM25Okapi(docs), random_queries(34, terms + ["new1"], 80))


def test_segments_on_disk_are_merged_a_block_at_a_time_from_their_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, terms = zipf_corpus(38, n_docs=240, n_terms=120, skew=1.2)
    docs[100:] = [doc + [f"new{i % 4}"] for i, doc in enumerate(docs[100:])]
    index = Bm25Index.build_chunks([docs[:100], docs[100:170], docs[170:]])
    index.save(tmp_path / "index")
    loaded = Bm25Index.load(tmp_path / "index")  # memory-mapped segments
    reads: list[tuple[Path, int, int]] = []
    writes: list[tuple[Path, int]] = []
    read, write = arrayfile.NpyReader.read, arrayfile.NpyWriter.write

    def spy_read(self: arrayfile.NpyReader, start: int, stop: int) -> np.ndarray:
        reads.append((self.path, start, stop))
        return read(self, start, stop)

    def spy_write(self: arrayfile.NpyWriter, values: np.ndarray) -> None:
        writes.append((self.path, int(values.shape[0])))
        write(self, values)

    monkeypatch.setattr(arrayfile.NpyReader, "read", spy_read)
    monkeypatch.setattr(arrayfile.NpyWriter, "write", spy_write)
    monkeypatch.setattr(postings, "_MERGE_BLOCK", 5)
    merged = loaded.merged(0, tmp_path / "merged")

    for segment in loaded.segments:  # every posting read once, from the files, in runs
        assert segment.path is not None
        for name in ("indices", "tf"):
            runs = sorted((a, b) for path, a, b in reads if path == segment.path / f"{name}.npy" and b > a)
            assert len(runs) > 3 and runs[0][0] == 0 and runs[-1][1] == segment.nnz
            assert all(stop == start for (_, stop), (start, _) in zip(runs, runs[1:]))
    (result,) = merged.segments
    largest = int(result.doc_freqs().max())
    for name in ("indices", "tf"):  # written as it is made, a block at a time
        sizes = [size for path, size in writes if path == tmp_path / "merged" / f"{name}.npy"]
        assert len(sizes) > 3 and sum(sizes) == result.nnz and max(sizes) <= max(5, largest)
    in_memory = index.merged(0).segments[0]
    for name in ("terms", "indptr", "indices", "tf", "doc_len"):
        np.testing.assert_array_equal(getattr(result, name), getattr(in_memory, name), err_msg=name)
    assert_same_scores(merged, BM25Okapi(docs), random_queries(39, terms + ["new2"], 60))


def test_saving_a_grown_index_links_the_segments_it_loaded(tmp_path: Path) -> None:
    target = tmp_path / "index"
    docs, terms = zipf_corpus(35, n_docs=200, n_terms=150, skew=1.2)
    Bm25Index.build(docs[:150]).save(target)
    loaded = Bm25Index.load(target)
    (old_segment,) = live_version(target).glob("s-*")
    grown = loaded.extend(docs[150:])
    grown.save(target)

    segments = sorted(live_version(target).glob("s-*"), key=lambda p: p.stat().st_mtime_ns)
    assert len(segments) == 2
    kept = live_version(target) / old_segment.name
    assert kept.is_dir() and os.stat(kept / "indices.npy").st_nlink == 1  # the old version is gone
    assert_same_scores(Bm25Index.load(target), BM25Okapi(docs), random_queries(36, terms, 40))
    # the reader of the old version still scores over the old documents
    assert_same_scores(loaded, BM25Okapi(docs[:150]), random_queries(37, terms, 20))
