"""The corpus in segments: an issue added as a segment scores as one index over
everything, saves without rewriting what was there, loads in another process by reading
only what is new, and small segments merge without changing a score."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.library import project_layout
from retrieval import corpus as corpus_module
from retrieval import parse_issue
from retrieval.corpus import Corpus, merge_start, passage_terms
from retrieval.models import Article
from retrieval.segment import Segmenter

from .conftest import SEEDS

QUERIES = ["密云区总工会培训了多少人", "东城区覆盖了多少家企业", "职工书屋", "工会", "劳模创新工作室", "的"]


@pytest.fixture(scope="module")
def issues() -> list[list[Article]]:
    layout = project_layout()
    return [list(parse_issue(f.stem, f.read_bytes(), layout).articles) for f in sorted(SEEDS.glob("*.txt"))]


def hashes(issues: list[list[Article]]) -> dict[str, str]:
    return {articles[0].issue: f"hash of {articles[0].issue}" for articles in issues}


_TERMS: dict[tuple[Segmenter, Article], list[list[str]]] = {}


def reference_terms(segmenter: Segmenter, articles: list[Article]) -> list[list[str]]:
    """passage_terms of the articles, each article segmented once for the module (the
    tests compare growing lists of the same articles again and again)."""
    out: list[list[str]] = []
    for article in articles:
        key = (segmenter, article)
        if key not in _TERMS:
            _TERMS[key] = passage_terms(segmenter, [article])
        out.extend(_TERMS[key])
    return out


def assert_like_rank_bm25(corpus: Corpus, articles: list[Article], segmenter: Segmenter) -> None:
    reference = BM25Okapi(reference_terms(segmenter, articles))
    assert len(corpus) == len(reference.doc_len)
    for question in QUERIES:
        terms = segmenter.query_terms(question) + segmenter.terms(question)
        np.testing.assert_allclose(
            corpus.bm25.scores(terms), reference.get_scores(terms), rtol=1e-9, atol=1e-12, err_msg=question
        )


def test_issues_added_one_by_one_score_as_one_index_over_all(
    issues: list[list[Article]], segmenter: Segmenter, tmp_path: Path
) -> None:
    directory = tmp_path / "index"
    corpus = Corpus.build(issues[0], hashes(issues[:1]), segmenter)
    corpus.save(directory)
    reader = Corpus.load(directory)  # another process, holding the first version
    for n in range(2, len(issues) + 1):
        corpus = corpus.extend(issues[n - 1], hashes(issues[n - 1 : n]), segmenter)
        corpus.save(directory)
        reader = Corpus.load(directory, known=reader)
        everything = [a for articles in issues[:n] for a in articles]
        assert_like_rank_bm25(corpus, everything, segmenter)
        assert_like_rank_bm25(reader, everything, segmenter)
        assert len(reader.segments) == n and reader.issues == hashes(issues[:n])
    assert [a.article_id for a in reader.articles()] == [a.article_id for articles in issues for a in articles]
    assert reader.article(reader.article_count - 1) == issues[-1][-1]
    fresh = Corpus.load(directory)
    assert [a.title for a in fresh.articles()] == [a.title for a in reader.articles()]


def test_an_added_issue_links_the_saved_segments_and_reads_only_the_new_one(
    issues: list[list[Article]], segmenter: Segmenter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "index"
    first = Corpus.build([a for articles in issues[:-1] for a in articles], hashes(issues[:-1]), segmenter)
    first.save(directory)
    reader = Corpus.load(directory)
    big = reader.segments[0].path
    assert big is not None
    inode = os.stat(big / "bm25" / "indices.npy").st_ino

    checked: list[str] = []
    real_checksum = corpus_module.write_manifest.__globals__["checksum"]

    def counting(path: Path) -> int:
        checked.append(path.name)
        return int(real_checksum(path))

    monkeypatch.setitem(corpus_module.write_manifest.__globals__, "checksum", counting)
    grown = first.extend(issues[-1], hashes(issues[-1:]), segmenter)
    grown.save(directory)
    again = Corpus.load(directory, known=reader)

    kept = directory / str(grown.version) / big.name
    assert os.stat(kept / "bm25" / "indices.npy").st_ino == inode  # not rewritten
    assert again.segments[0] is reader.segments[0]  # not read again
    # the writer summed the new segment's 12 files and the version's meta.json; the reader
    # checked the same 13, not the big segment's
    assert len(checked) == 2 * 13 and checked.count("meta.json") == 2 * 2 and checked.count("indices.npy") == 2
    assert [p for p in directory.iterdir() if p.name.startswith("c-")] == [directory / str(grown.version)]


def test_a_damaged_new_segment_is_refused_even_by_a_process_holding_the_old_version(
    issues: list[list[Article]], segmenter: Segmenter, tmp_path: Path
) -> None:
    directory = tmp_path / "index"
    corpus = Corpus.build(issues[0], hashes(issues[:1]), segmenter)
    corpus.save(directory)
    reader = Corpus.load(directory)
    corpus.extend(issues[1], hashes(issues[1:2]), segmenter).save(directory)
    version = directory / str(Corpus.live_version(directory))
    new = next(p for p in version.glob("s-*") if p.name != reader.segments[0].path.name)  # type: ignore[union-attr]
    tf = new / "bm25" / "tf.npy"
    tf.write_bytes(bytes(b ^ 0xFF for b in tf.read_bytes()))
    with pytest.raises(corpus_module.IndexError_, match="tf.npy"):
        Corpus.load(directory, known=reader)


def test_small_segments_merge_by_the_tiered_rule_and_scores_stay(
    issues: list[list[Article]], segmenter: Segmenter, tmp_path: Path
) -> None:
    directory = tmp_path / "index"
    everything = [a for articles in issues for a in articles]
    corpus = Corpus.build(issues[0], hashes(issues[:1]), segmenter)
    corpus.save(directory)
    for n in range(2, len(issues) + 1):
        corpus = corpus.extend(issues[n - 1], hashes(issues[n - 1 : n]), segmenter)
        corpus.save(directory)
    assert len(corpus.segments) == len(issues) >= corpus_module.MERGE_FANIN
    assert corpus.merge_due() is not None
    merged = corpus.compact(directory)
    assert len(merged.segments) < len(corpus.segments)
    assert_like_rank_bm25(merged, everything, segmenter)
    loaded = Corpus.load(directory)
    assert len(loaded.segments) == len(merged.segments)
    assert_like_rank_bm25(loaded, everything, segmenter)
    assert [a.title for a in loaded.articles()] == [a.title for a in everything]
    assert not [p for p in directory.iterdir() if p.name.startswith(".")]


def test_merge_start() -> None:
    assert merge_start([1_000_000, 300, 300, 300]) is None
    assert merge_start([1_000_000, 300, 300, 300, 300]) == 1
    assert merge_start([1_000_000, 1200, 300, 300, 300]) is None
    assert merge_start([1_000_000, 1200, 300, 300, 300, 280]) == 2
    assert merge_start([1_000_000, 1200, 1200, 1200, 1500]) == 1
    assert merge_start([]) is None


def test_a_build_in_chunks_on_disk_equals_one_in_memory(
    issues: list[list[Article]], segmenter: Segmenter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = [a for articles in issues for a in articles]
    monkeypatch.setattr(corpus_module, "BUILD_CHUNK", 40)
    copied: list[str] = []
    copy = shutil.copyfileobj

    def spy(source: Any, target: Any, length: int = 0) -> None:
        copied.append(Path(source.name).name)
        copy(source, target, length)

    monkeypatch.setattr(shutil, "copyfileobj", spy)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    built = Corpus.build(iter(everything), hashes(issues), segmenter, scratch=scratch)
    assert len(built.segments) == 1 and built.segments[0].path is not None
    # the chunks' texts are copied from their files into the merged segment
    assert len(copied) > 2 and copied.count("passages.bin") == copied.count("articles.bin") == len(copied) // 2
    assert len(list(scratch.iterdir())) == 1  # the chunks' segments are gone once merged
    assert_like_rank_bm25(built, everything, segmenter)
    built.save(tmp_path / "index")
    loaded = Corpus.load(tmp_path / "index")
    assert [a.title for a in loaded.articles()] == [a.title for a in everything]
    assert_like_rank_bm25(loaded, everything, segmenter)
