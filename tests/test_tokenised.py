"""Paragraphs' index terms handed around as token ids: the same documents, and the same
counts, as the token lists they stand for."""

from __future__ import annotations

import random

import numpy as np
import pytest

from bot.library import project_layout
from retrieval import parse_issue, segmenting
from retrieval.models import Article
from retrieval.postings import Postings
from retrieval.segment import Segmenter
from retrieval.segmenting import TermPool, passage_context, passage_terms
from retrieval.tokenised import Tokenised, concatenate, encode, paired

from .conftest import SEEDS


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    layout = project_layout()
    return [a for f in sorted(SEEDS.glob("*.txt"))[:2] for a in parse_issue(f.stem, f.read_bytes(), layout).articles]


def random_docs(seed: int, n: int) -> list[list[str]]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(40)]
    return [[rng.choice(words[: rng.randint(1, 40)]) for _ in range(rng.randint(0, 12))] for _ in range(n)]


def test_encode_keeps_the_documents_and_numbers_tokens_by_first_appearance() -> None:
    docs = [["b", "a", "b"], [], ["c", "a"]]
    encoded = encode(docs)
    assert encoded.tokens == ["b", "a", "c"]
    assert encoded.ids.tolist() == [0, 1, 0, 2, 1] and encoded.lengths.tolist() == [3, 0, 2]
    assert encoded.docs() == docs
    assert encode([]).docs() == [] and encode([]).n_docs == 0
    with pytest.raises(TypeError):
        encode(["not a token list"])


def test_concatenated_and_paired_documents_are_those_of_the_token_lists() -> None:
    parts = [random_docs(seed, n) for seed, n in ((1, 5), (2, 0), (3, 17), (4, 9))]
    everything = [doc for part in parts for doc in part]
    joined = concatenate([encode(part) for part in parts])
    assert joined.docs() == everything
    rng = random.Random(9)
    first = [rng.randrange(len(everything)) for _ in range(25)]
    second = [rng.randrange(len(everything)) for _ in range(25)]
    made = paired(joined, np.array(first), np.array(second))
    expected = [everything[a] + everything[b] for a, b in zip(first, second)]
    assert made.docs() == expected
    assert made.tokens == encode(expected).tokens  # ids by first appearance, absent tokens gone
    assert made.ids.tolist() == encode(expected).ids.tolist()


def test_counts_of_token_ids_equal_counts_of_token_lists() -> None:
    vocab_lists: dict[str, int] = {"w3": 0, "w7": 1}
    vocab_ids = dict(vocab_lists)
    for seed in (5, 6):
        docs = random_docs(seed, 30)
        from_lists = Postings.count(docs, vocab_lists)
        from_ids = Postings.count_tokenised(encode(docs), vocab_ids)
        assert vocab_ids == vocab_lists
        assert from_ids.tokens == from_lists.tokens and from_ids.first_term == from_lists.first_term
        for name in ("terms", "indptr", "indices", "tf", "doc_len"):
            np.testing.assert_array_equal(getattr(from_ids, name), getattr(from_lists, name), err_msg=name)


def test_counting_refuses_ids_that_do_not_fit_the_table() -> None:
    lengths = np.array([2], dtype=np.int64)
    with pytest.raises(ValueError, match="occurs in no document"):
        Postings.count_tokenised(Tokenised(["a", "b", "c"], np.array([0, 1], dtype=np.int32), lengths), {})
    with pytest.raises(ValueError, match="outside"):
        Postings.count_tokenised(Tokenised(["a"], np.array([0, 1], dtype=np.int32), lengths), {})
    with pytest.raises(ValueError, match="token ids for documents"):
        Postings.count_tokenised(Tokenised(["a"], np.array([0], dtype=np.int32), lengths), {})


@pytest.mark.parametrize("workers", [1, 2])
def test_passages_are_their_headings_and_paragraphs_segmented(
    articles: list[Article], segmenter: Segmenter, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segmenting, "_MIN_BATCH", 7)
    expected = [segmenter.terms(passage_context(a)) + segmenter.terms(p) for a in articles for p in a.paragraphs]
    with TermPool(segmenter, workers, parallel_min=1) as pool:  # two workers: several batches
        first = pool.passages(articles[:3])
        again = pool.passages(articles)  # the same workers serve a second batch
    assert first.docs() == expected[: sum(len(a.paragraphs) for a in articles[:3])]
    assert again.docs() == expected
    assert again.tokens == encode(expected).tokens
    assert passage_terms(segmenter, articles) == expected
