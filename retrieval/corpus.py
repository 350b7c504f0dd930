"""The searchable corpus: passages of every article, their BM25 index, and the articles.

A passage is one paragraph of an article. Its index terms include its article's title,
pretitle, subtitle and section, so the title's 密云区总工会 helps the paragraph that says
300余人 without naming 密云区.

The corpus is a list of segments (`corpus_segment`), each a run of articles with their
passages and term counts; adding issues adds a segment and rewrites nothing. BM25's
corpus-wide statistics are combined over the segments when a corpus is assembled (see
`index`), so scores are those of one index over everything. Small segments are merged
into larger ones by a tiered rule (`merge_start`): a run of `MERGE_FANIN` segments of the
same size class at the end becomes one, so there are few segments and a merge of large
ones is rare.

On disk the corpus is a directory holding versions and a `CURRENT` pointer::

    CURRENT           name of the live version
    c-<hex>/
        meta.json     issues covered (id and content hash), segments in order, counts,
                      BM25 parameters, format version
        s-<hex>/      a segment (files hard-linked from the previous version when kept)
        manifest.json every other file's size and CRC-32, written last

`save` writes a new version beside the live one, then swaps `CURRENT` with os.replace,
so a process that loads at any moment gets a whole corpus, old or new. `load` checks
the version against its manifest first: a damaged, truncated or incomplete version is
refused (IndexError_), never half-used. A process that already holds the previous
version reuses the segments it has (checked when it loaded them) and reads only the new.

A full build counts a chunk of paragraphs at a time into a segment written to a scratch
directory, then merges the segments on disk, so its memory is bounded by a chunk and
the vocabulary, not by the corpus.
"""

from __future__ import annotations

import json
import logging
import math
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .corpus_segment import CorpusSegment, TextChain, TextTable, merge_segments
from .durable import fsync_path, fsync_tree, write_durably
from .errors import IndexError_
from .index import SEGMENT_RE, Bm25Index, segment_name
from .manifest import Entries, verify_manifest, write_manifest
from .models import Article
from .postings import Postings
from .segment import Segmenter
from .segmenting import PARALLEL_MIN, TermPool, passage_context, passage_terms, passage_tokens
from .tokenised import Tokenised

log = logging.getLogger(__name__)

__all__ = ["Corpus", "TextTable", "merge_start", "passage_context", "passage_terms"]

FORMAT = "unionbot-corpus"
VERSION = 4  # 4: segments of raw term counts
_POINTER = "CURRENT"
_VERSION_PREFIX = "c-"
BUILD_CHUNK = 50_000  # paragraphs counted at a time by a full build (bounds its memory)
MERGE_FANIN = 4  # segments of one size class merged into one


def merge_start(sizes: Sequence[int], fanin: int = MERGE_FANIN) -> int | None:
    """Where the run of segments to merge starts, or None when none is due: the run is
    the last `fanin` or more segments whose size class (floor of log base `fanin` of
    their passages) is at most that of the run's first."""
    if len(sizes) < fanin:
        return None

    def size_class(n: int) -> int:
        return int(math.log(max(n, 1), fanin))

    start = len(sizes) - 1
    top = size_class(sizes[start])
    while start > 0 and size_class(sizes[start - 1]) <= top:
        start -= 1
    return start if len(sizes) - start >= fanin else None


class Corpus:
    """Articles, their passages and the BM25 index over the passages."""

    def __init__(
        self,
        *,
        segments: Sequence[CorpusSegment],
        issues: dict[str, str],
        bm25: Bm25Index | None = None,
        version: str | None = None,
        checksums: Entries | None = None,
    ) -> None:
        self.segments = tuple(segments)
        self.bm25 = bm25 if bm25 is not None else Bm25Index([s.postings for s in self.segments])
        self.version = version  # the saved version this was loaded from or saved as
        self.issues = issues  # issue id -> content hash
        self.checksums: Entries = checksums or {}  # manifest entries of that version
        self.passages = TextChain([s.passages for s in self.segments])
        self._articles = TextChain([s.articles for s in self.segments])
        articles_before = np.cumsum([0, *(s.n_articles for s in self.segments)])
        passages_before = np.cumsum([0, *(s.n_passages for s in self.segments)])
        self.first_passage: npt.NDArray[np.int64] = np.concatenate(
            [np.zeros(1, dtype=np.int64)]
            + [np.asarray(s.first_passage[1:], dtype=np.int64) + p for s, p in zip(self.segments, passages_before)]
        )
        counts = np.diff(self.first_passage)
        self.passage_article: npt.NDArray[np.int32] = np.repeat(
            np.arange(int(articles_before[-1]), dtype=np.int32), counts
        )
        self.article = lru_cache(maxsize=4096)(self._article)

    # -- building ---------------------------------------------------------------------

    @classmethod
    def empty(cls) -> Corpus:
        return cls(segments=[], issues={})

    @classmethod
    def build(
        cls,
        articles: Iterable[Article],
        issues: dict[str, str],
        segmenter: Segmenter,
        workers: int = 1,
        parallel_min: int = PARALLEL_MIN,
        scratch: Path | None = None,
    ) -> Corpus:
        """A corpus of these articles (of the issues given as id -> content hash).

        They are segmented and counted a chunk at a time (the workers segment a chunk
        while the one before is counted and written). With a `scratch` directory
        (on the file system of the index; the caller removes it after saving) each chunk's
        segment is written there and the segments are merged on disk; without one,
        everything is made in memory."""
        vocab: dict[str, int] = {}
        parts: list[CorpusSegment] = []

        def counted(chunk: list[Article], terms: Callable[[], Tokenised]) -> CorpusSegment:
            part = CorpusSegment.of(chunk, Postings.count_tokenised(terms(), vocab))
            if scratch is None:
                return part
            target = scratch / segment_name()  # on disk, and only memory-mapped from now on
            part.write(target)
            return CorpusSegment.load(target)

        with TermPool(segmenter, workers, parallel_min) as pool:  # its workers serve every chunk
            waiting: tuple[list[Article], Callable[[], Tokenised]] | None = None
            for chunk in _chunks(articles, BUILD_CHUNK):
                started = (chunk, pool.start(chunk))  # segmented while the chunk before is counted
                if waiting is not None:
                    parts.append(counted(*waiting))
                waiting = started
                del chunk, started
            if waiting is not None:
                parts.append(counted(*waiting))
            del waiting
        if len(parts) > 1:
            merged = merge_segments(parts, None if scratch is None else scratch / segment_name())
            for part in parts:
                if part.path is not None:
                    shutil.rmtree(part.path, ignore_errors=True)
            parts = [merged]
        bm25 = Bm25Index([p.postings for p in parts], vocab=vocab)
        return cls(segments=parts, issues=dict(issues), bm25=bm25)

    def extend(
        self,
        articles: Sequence[Article],
        issues: dict[str, str],
        segmenter: Segmenter,
        workers: int = 1,
        parallel_min: int = PARALLEL_MIN,
    ) -> Corpus:
        """A new corpus with these articles appended as a new segment; this one is left as
        it was."""
        segments, bm25 = self.segments, self.bm25
        if articles:
            vocab = self.bm25.vocabulary()
            counts = Postings.count_tokenised(passage_tokens(segmenter, articles, workers, parallel_min), vocab)
            bm25 = self.bm25.appended(counts, vocab)
            segments = (*segments, CorpusSegment.of(articles, counts))
        # the checksums of the kept segments' files carry over to the next save
        return Corpus(segments=segments, issues={**self.issues, **issues}, bm25=bm25, checksums=self.checksums)

    def merge_due(self) -> int | None:
        """Where the run of segments that the tiered rule would merge starts, if any."""
        return merge_start([s.n_passages for s in self.segments])

    def compact(self, directory: Path) -> Corpus:
        """Merge the segments due for merging (see `merge_start`) into a new saved version
        and return it; this corpus is left as it was. The scores do not change."""
        start = self.merge_due()
        if start is None:
            return self
        run = self.segments[start:]
        log.info("merging %d index segments of %d passages", len(run), sum(s.n_passages for s in run))
        scratch = directory / f".merge-{secrets.token_hex(8)}.tmp"
        scratch.mkdir(parents=True)
        try:
            merged = merge_segments(run, scratch / segment_name())
            bm25 = self.bm25.with_segments([*self.bm25.segments[:start], merged.postings])
            corpus = Corpus(segments=(*self.segments[:start], merged), issues=self.issues, bm25=bm25)
            corpus.checksums = {k: v for k, v in self.checksums.items() if k.split("/", 1)[0] not in _names(run)}
            corpus.save(directory)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return corpus

    # -- reading ----------------------------------------------------------------------

    def __len__(self) -> int:
        """Number of passages."""
        return len(self.passages)

    @property
    def article_count(self) -> int:
        return len(self._articles)

    def _article(self, row: int) -> Article:
        """The article of a row; its paragraphs are its passages (stored once)."""
        head = Article.model_validate_json(self._articles[row])
        return head.model_copy(update={"paragraphs": tuple(self.passages[p] for p in self.article_passages(row))})

    def article_of(self, passage: int) -> int:
        return int(self.passage_article[passage])

    def article_passages(self, row: int) -> range:
        return range(int(self.first_passage[row]), int(self.first_passage[row + 1]))

    def articles(self) -> Iterable[Article]:
        return (self.article(i) for i in range(self.article_count))

    # -- disk -------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write a new version and make it the live one (see the module docstring)."""
        directory.mkdir(parents=True, exist_ok=True)
        name = f"{_VERSION_PREFIX}{secrets.token_hex(8)}"
        staging = directory / f".{name}.tmp"
        staging.mkdir()
        try:
            names = []
            for segment in self.segments:
                kept = segment.path is not None and SEGMENT_RE.fullmatch(segment.path.name)
                part = segment.path.name if kept and segment.path is not None else segment_name()
                segment.link(staging / part)
                names.append(part)
            meta = {
                "format": FORMAT,
                "version": VERSION,
                "issues": self.issues,
                "passages": len(self),
                "segments": names,
                "bm25": self.bm25.parameters(),
            }
            write_durably(staging / "meta.json", json.dumps(meta, ensure_ascii=False).encode("utf-8"))
            fsync_tree(staging)
            checksums = write_manifest(staging, self.checksums)  # last: a version with a good manifest is whole
            fsync_path(staging)
            os.rename(staging, directory / name)
            pointer = directory / f".{_POINTER}.{name}"
            write_durably(pointer, name.encode("utf-8"))
            os.replace(pointer, directory / _POINTER)
            fsync_path(directory)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self.version = name
        self.checksums = checksums
        for segment, part in zip(self.segments, names):
            segment.moved(directory / name / part)
        for old in directory.iterdir():
            if old.name == name or old.name == _POINTER:
                continue
            if old.name.startswith((_VERSION_PREFIX, f".{_VERSION_PREFIX}", ".build-", ".merge-")):
                shutil.rmtree(old, ignore_errors=True)
            elif old.name.startswith(f".{_POINTER}."):
                old.unlink(missing_ok=True)

    @staticmethod
    def live_version(directory: Path) -> str | None:
        """The name of the live version, None when there is none; IndexError_ when the
        pointer is damaged."""
        try:
            name = (directory / _POINTER).read_bytes().decode("utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise IndexError_(f"{directory / _POINTER} cannot be read ({exc})") from exc
        if not (name.startswith(_VERSION_PREFIX) and SEGMENT_RE.fullmatch("s-" + name[2:])):
            raise IndexError_(f"{directory / _POINTER} is damaged")
        return name

    @classmethod
    def load(cls, directory: Path, known: Corpus | None = None) -> Corpus:
        """Load the live version, verified against its manifest; raise IndexError_ when
        there is none or it is damaged. Segments that `known` (a corpus this process
        loaded or saved earlier) already holds are reused, not read and checked again."""
        for _ in range(3):
            name = cls.live_version(directory)
            if name is None:
                raise IndexError_(f"no saved corpus in {directory}")
            try:
                return cls._load_version(directory / name, known)
            except (FileNotFoundError, IndexError_):
                if cls.live_version(directory) == name:
                    raise
                # replaced under our feet by a newer version: read the pointer again
        raise IndexError_(f"the saved corpus in {directory} keeps changing")

    @classmethod
    def _load_version(cls, version: Path, known: Corpus | None) -> Corpus:
        if not version.is_dir():
            raise IndexError_(f"{version} is missing")
        checksums = verify_manifest(version, known.checksums if known is not None else None)
        try:
            meta = json.loads((version / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT or meta.get("version") != VERSION:
                raise IndexError_(f"{version} is not a corpus of format {FORMAT} {VERSION}")
            names = meta["segments"]
            issues = dict(meta["issues"])
            parameters = dict(meta["bm25"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexError_(f"damaged corpus in {version}: {exc}") from exc
        if not isinstance(names, list) or not all(isinstance(n, str) and SEGMENT_RE.fullmatch(n) for n in names):
            raise IndexError_(f"damaged corpus in {version}: bad segment list")
        reuse = {s.path.name: s for s in (known.segments if known is not None else ()) if s.path is not None}
        segments = [reuse.get(n) or CorpusSegment.load(version / n) for n in names]
        for segment, part in zip(segments, names):
            segment.moved(version / part)
        bm25 = _grown(known, segments, parameters) or Bm25Index.of([s.postings for s in segments], parameters)
        corpus = cls(segments=segments, issues=issues, bm25=bm25, version=version.name, checksums=checksums)
        if len(corpus.bm25) != len(corpus.passages):
            raise IndexError_(f"damaged corpus in {version}: sizes disagree")
        log.info("loaded the corpus %s: %d passages in %d segments", version.name, len(corpus), len(segments))
        return corpus


def _grown(known: Corpus | None, segments: list[CorpusSegment], parameters: dict[str, float]) -> Bm25Index | None:
    """`known`'s index with the one segment that follows its own, when that is what
    `segments` are (the common case of a process taking in an added issue): it extends
    the corpus-wide statistics instead of summing them over the vocabulary again."""
    if known is None or len(segments) != len(known.segments) + 1:
        return None
    if any(a is not b for a, b in zip(known.segments, segments)) or known.bm25.parameters() != parameters:
        return None
    vocab = known.bm25.vocabulary()
    new = segments[-1].postings
    for term, token in enumerate(new.tokens, start=new.first_term):
        if vocab.setdefault(token, term) != term:
            raise IndexError_(f"{new.path}: its tokens repeat earlier ones")
    if len(vocab) != new.end_term:
        raise IndexError_(f"{new.path}: its tokens do not follow the earlier segments'")
    return known.bm25.appended(new, vocab)


def _names(segments: Iterable[CorpusSegment]) -> set[str]:
    return {s.path.name for s in segments if s.path is not None}


def _chunks(articles: Iterable[Article], paragraphs: int) -> Iterator[list[Article]]:
    """The articles in runs of about `paragraphs` paragraphs."""
    chunk: list[Article] = []
    size = 0
    for article in articles:
        chunk.append(article)
        size += len(article.paragraphs)
        if size >= paragraphs:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk
