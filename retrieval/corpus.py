"""The searchable corpus: passages of every article, their BM25 index, and the articles.

A passage is one paragraph of an article. Its index terms include its article's title,
pretitle, subtitle and section, so the title's 密云区总工会 helps the paragraph that says
300余人 without naming 密云区.

On disk the corpus is a directory holding versions and a `CURRENT` pointer::

    CURRENT           name of the live version
    c-<hex>/
        meta.json     issues covered (id and content hash), counts, format version
        bm25/         the Bm25Index
        passages.*    passage texts (one UTF-8 blob and offsets), article row of each
        articles.*    the articles' headings and bylines as JSON (blob and offsets), and the
                      first passage of each (an article's paragraphs are its passages)
        manifest.json every other file's size and CRC-32, written last

`save` writes a new version beside the live one, then swaps `CURRENT` with os.replace,
so a process that loads at any moment gets a whole corpus, old or new. `load` checks
the version against its manifest first: a damaged, truncated or incomplete version is
refused (IndexError_), never half-used.

A large build segments its paragraphs in worker processes. They are started fresh
(the "spawn" method: no copy of the parent, so no inherited locks, descriptors or
threads), and they die with the process that started them: on Linux the kernel kills
them when it exits (PR_SET_PDEATHSIG), and everywhere they exit when they notice that
their parent is gone.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import re
import secrets
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .durable import fsync_path, fsync_tree
from .errors import IndexError_
from .index import Bm25Index
from .manifest import verify_manifest, write_manifest
from .models import Article
from .segment import Segmenter

log = logging.getLogger(__name__)

FORMAT = "unionbot-corpus"
VERSION = 3  # 3: articles carry their issue's date and printed page
_POINTER = "CURRENT"
_VERSION_NAME = re.compile(r"c-[0-9a-f]{16}")
BUILD_CHUNK = 50_000  # paragraphs tokenised at a time (bounds the memory of a build)
PARALLEL_MIN = 20_000  # fewer paragraphs than this are segmented in the calling process
_PR_SET_PDEATHSIG = 1


class TextTable:
    """Strings stored as one UTF-8 blob and offsets; loaded with mmap, decoded on demand."""

    def __init__(self, data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> None:
        self._data = data
        self._offsets = offsets

    @classmethod
    def of(cls, texts: Iterable[str]) -> TextTable:
        encoded = [t.encode("utf-8") for t in texts]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        return cls(data, offsets)

    def __len__(self) -> int:
        return int(self._offsets.shape[0]) - 1

    def __getitem__(self, i: int) -> str:
        start, end = int(self._offsets[i]), int(self._offsets[i + 1])
        return bytes(self._data[start:end]).decode("utf-8")

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    def concat(self, other: TextTable) -> TextTable:
        data = np.concatenate([np.asarray(self._data), np.asarray(other._data)])
        offsets = np.concatenate([np.asarray(self._offsets), np.asarray(other._offsets[1:]) + self._offsets[-1]])
        return TextTable(data, offsets)

    def save(self, directory: Path, name: str) -> None:
        np.asarray(self._data).tofile(directory / f"{name}.bin")
        np.save(directory / f"{name}.offsets.npy", np.asarray(self._offsets))

    @classmethod
    def load(cls, directory: Path, name: str) -> TextTable:
        offsets = np.load(directory / f"{name}.offsets.npy", mmap_mode="r")
        path = directory / f"{name}.bin"
        size = path.stat().st_size
        if size != int(offsets[-1]):
            raise IndexError_(f"{path} has {size} bytes, expected {int(offsets[-1])}")
        data = np.memmap(path, dtype=np.uint8, mode="r") if size else np.zeros(0, dtype=np.uint8)
        return cls(data, offsets)


def passage_context(article: Article) -> str:
    """The article's headings, indexed with each of its paragraphs."""
    return " ".join(x for x in (article.pretitle, article.title, article.subtitle, article.section) if x)


_WORKER_SEGMENTER: Segmenter | None = None


def _die_with(parent: int) -> None:
    """In a worker: end when `parent` ends, whatever way it ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it ended before the line above took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _start_worker(segmenter: Segmenter, parent: int) -> None:
    global _WORKER_SEGMENTER
    _die_with(parent)
    segmenter.tokenizer  # noqa: B018 (load the dictionary once per worker)
    _WORKER_SEGMENTER = segmenter


def _worker_terms(texts: list[str]) -> list[list[str]]:
    if _WORKER_SEGMENTER is None:
        raise RuntimeError("segmenting worker started without a segmenter")
    return [_WORKER_SEGMENTER.terms(t) for t in texts]


def passage_terms(
    segmenter: Segmenter, articles: Sequence[Article], workers: int = 1, parallel_min: int = PARALLEL_MIN
) -> list[list[str]]:
    """Index terms of every paragraph of the articles, in order (heading terms included).

    With `workers` > 1 and at least `parallel_min` paragraphs, the paragraphs are segmented
    in that many fresh worker processes (see the module docstring; each loads the
    dictionary, a second or two, so small batches are segmented here)."""
    heads = [segmenter.terms(passage_context(a)) for a in articles]
    texts = [p for a in articles for p in a.paragraphs]
    if workers > 1 and len(texts) >= parallel_min:
        size = max(500, len(texts) // (workers * 8))
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        with ProcessPoolExecutor(
            workers,
            mp_context=get_context("spawn"),
            initializer=_start_worker,
            initargs=(segmenter, os.getpid()),
        ) as pool:
            bodies = [terms for chunk in pool.map(_worker_terms, chunks) for terms in chunk]
    else:
        bodies = [segmenter.terms(t) for t in texts]
    out: list[list[str]] = []
    k = 0
    for article, head in zip(articles, heads, strict=True):
        for _ in article.paragraphs:
            out.append(head + bodies[k])
            k += 1
    return out


class Corpus:
    """Articles, their passages and the BM25 index over the passages."""

    def __init__(
        self,
        *,
        bm25: Bm25Index,
        passages: TextTable,
        passage_article: npt.NDArray[np.int32],
        articles: TextTable,
        first_passage: npt.NDArray[np.int64],
        issues: dict[str, str],
        version: str | None = None,
    ) -> None:
        self.bm25 = bm25
        self.version = version  # the saved version this was loaded from or saved as
        self.passages = passages
        self.passage_article = passage_article
        self._articles = articles
        self.first_passage = first_passage
        self.issues = issues  # issue id -> content hash
        self.article = lru_cache(maxsize=4096)(self._article)

    # -- building ---------------------------------------------------------------------

    @classmethod
    def empty(cls) -> Corpus:
        return cls(
            bm25=Bm25Index.build([]),
            passages=TextTable.of([]),
            passage_article=np.zeros(0, dtype=np.int32),
            articles=TextTable.of([]),
            first_passage=np.zeros(1, dtype=np.int64),
            issues={},
        )

    @classmethod
    def build(
        cls,
        articles: Sequence[Article],
        issues: dict[str, str],
        segmenter: Segmenter,
        workers: int = 1,
        parallel_min: int = PARALLEL_MIN,
    ) -> Corpus:
        """A corpus of these articles (of the issues given as id -> content hash). They are
        segmented in chunks, so that only one chunk's token lists are in memory at a time,
        and the BM25 weights are computed once."""
        chunks: list[list[Article]] = [[]]
        paragraphs = 0
        for article in articles:
            if paragraphs >= BUILD_CHUNK:
                chunks.append([])
                paragraphs = 0
            chunks[-1].append(article)
            paragraphs += len(article.paragraphs)
        bm25 = Bm25Index.build_chunks(passage_terms(segmenter, chunk, workers, parallel_min) for chunk in chunks)
        counts = np.array([len(a.paragraphs) for a in articles], dtype=np.int64)
        first = np.zeros(len(articles) + 1, dtype=np.int64)
        np.cumsum(counts, out=first[1:])
        return Corpus(
            bm25=bm25,
            passages=TextTable.of(p for a in articles for p in a.paragraphs),
            passage_article=np.repeat(np.arange(len(articles), dtype=np.int32), counts),
            articles=TextTable.of(a.model_dump_json(exclude={"paragraphs"}) for a in articles),
            first_passage=first,
            issues=dict(issues),
        )

    def extend(
        self,
        articles: Sequence[Article],
        issues: dict[str, str],
        segmenter: Segmenter,
        workers: int = 1,
        parallel_min: int = PARALLEL_MIN,
    ) -> Corpus:
        """A new corpus with these articles appended; this one is left as it was."""
        terms = passage_terms(segmenter, articles, workers, parallel_min)
        base = len(self._articles)
        rows = np.repeat(np.arange(base, base + len(articles), dtype=np.int32), [len(a.paragraphs) for a in articles])
        counts = np.array([len(a.paragraphs) for a in articles], dtype=np.int64)
        starts = np.cumsum(counts) + self.first_passage[-1]
        return Corpus(
            bm25=self.bm25.extend(terms),
            passages=self.passages.concat(TextTable.of(p for a in articles for p in a.paragraphs)),
            passage_article=np.concatenate([np.asarray(self.passage_article), rows]),
            articles=self._articles.concat(TextTable.of(a.model_dump_json(exclude={"paragraphs"}) for a in articles)),
            first_passage=np.concatenate([np.asarray(self.first_passage), starts]),
            issues={**self.issues, **issues},
        )

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
        name = f"c-{secrets.token_hex(8)}"
        staging = directory / f".{name}.tmp"
        staging.mkdir()
        try:
            self.bm25.save(staging / "bm25")
            self.passages.save(staging, "passages")
            np.save(staging / "passage_article.npy", np.asarray(self.passage_article))
            self._articles.save(staging, "articles")
            np.save(staging / "first_passage.npy", np.asarray(self.first_passage))
            meta = {"format": FORMAT, "version": VERSION, "issues": self.issues, "passages": len(self)}
            (staging / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            fsync_tree(staging)
            write_manifest(staging)  # last: a version with a good manifest is whole
            fsync_path(staging)
            os.rename(staging, directory / name)
            pointer = directory / f".{_POINTER}.{name}"
            pointer.write_text(name, encoding="utf-8")
            fsync_path(pointer)
            os.replace(pointer, directory / _POINTER)
            fsync_path(directory)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self.version = name
        for old in directory.iterdir():
            if old.name == name or old.name == _POINTER:
                continue
            if old.name.startswith(("c-", ".c-")):
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
        if not _VERSION_NAME.fullmatch(name):
            raise IndexError_(f"{directory / _POINTER} is damaged")
        return name

    @classmethod
    def load(cls, directory: Path) -> Corpus:
        """Load the live version, verified against its manifest; raise IndexError_ when
        there is none or it is damaged."""
        for _ in range(3):
            name = cls.live_version(directory)
            if name is None:
                raise IndexError_(f"no saved corpus in {directory}")
            try:
                return cls._load_version(directory / name)
            except (FileNotFoundError, IndexError_):
                if cls.live_version(directory) == name:
                    raise
                # replaced under our feet by a newer version: read the pointer again
        raise IndexError_(f"the saved corpus in {directory} keeps changing")

    @classmethod
    def _load_version(cls, version: Path) -> Corpus:
        if not version.is_dir():
            raise IndexError_(f"{version} is missing")
        verify_manifest(version)
        try:
            meta = json.loads((version / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT or meta.get("version") != VERSION:
                raise IndexError_(f"{version} is not a corpus of format {FORMAT} {VERSION}")
            corpus = cls(
                bm25=Bm25Index.load(version / "bm25"),
                passages=TextTable.load(version, "passages"),
                passage_article=np.load(version / "passage_article.npy", mmap_mode="r"),
                articles=TextTable.load(version, "articles"),
                first_passage=np.load(version / "first_passage.npy", mmap_mode="r"),
                issues=dict(meta["issues"]),
                version=version.name,
            )
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise IndexError_(f"damaged corpus in {version}: {exc}") from exc
        if len(corpus.bm25) != len(corpus.passages) or len(corpus.passage_article) != len(corpus.passages):
            raise IndexError_(f"damaged corpus in {version}: sizes disagree")
        return corpus
