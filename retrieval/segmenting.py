"""Index terms of paragraphs, segmented in worker processes for large batches and
handed back as token ids (see `tokenised`).

The workers are started fresh (the "spawn" method: no copy of the parent, so no
inherited locks, descriptors or threads), and they die with the process that started
them: on Linux the kernel kills them when it exits (PR_SET_PDEATHSIG), and everywhere
they exit when they notice that their parent is gone.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np

from .models import Article
from .segment import Segmenter
from .tokenised import Tokenised, concatenate, encode, paired

PARALLEL_MIN = 20_000  # fewer paragraphs than this are segmented in the calling process
_MIN_BATCH = 500  # paragraphs handed to a worker at a time, at least
_PR_SET_PDEATHSIG = 1


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


def _worker_tokens(texts: list[str]) -> Tokenised:
    if _WORKER_SEGMENTER is None:
        raise RuntimeError("segmenting worker started without a segmenter")
    segmenter = _WORKER_SEGMENTER
    return encode(segmenter.terms(t) for t in texts)


class TermPool:
    """Segments the paragraphs of articles into their index terms, in `workers` fresh worker
    processes (see the module docstring) for batches of at least `parallel_min` paragraphs,
    else in the calling process. The workers start on first use and serve every batch
    until the pool is closed (each loads the dictionary, a second or two), so a full build
    starts them once. Use it as a context manager."""

    def __init__(self, segmenter: Segmenter, workers: int = 1, parallel_min: int = PARALLEL_MIN) -> None:
        self.segmenter = segmenter
        self.workers = workers
        self.parallel_min = parallel_min
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> TermPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(cancel=kind is not None)

    def close(self, cancel: bool = False) -> None:
        """Stop the workers; with `cancel`, batches not yet begun are dropped."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=cancel)
            self._pool = None

    def _bodies(self, texts: list[str]) -> Iterator[Tokenised]:
        """The paragraphs' terms, batch by batch; in the workers the batches are handed out
        at once and segmented while the caller goes on."""
        if self.workers <= 1 or len(texts) < self.parallel_min:
            return iter([encode(self.segmenter.terms(t) for t in texts)])
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=get_context("spawn"),
                initializer=_start_worker,
                initargs=(self.segmenter, os.getpid()),
            )
        size = max(_MIN_BATCH, len(texts) // (self.workers * 8))
        return self._pool.map(_worker_tokens, [texts[i : i + size] for i in range(0, len(texts), size)])

    def start(self, articles: Sequence[Article]) -> Callable[[], Tokenised]:
        """Begin segmenting the paragraphs of the articles and return the call that
        finishes the job and gives `passages(articles)`; with workers, the caller can do
        other work meanwhile (a full build counts the previous chunk)."""
        bodies = self._bodies([p for a in articles for p in a.paragraphs])

        def finish() -> Tokenised:
            heads = encode(self.segmenter.terms(passage_context(a)) for a in articles)  # while the workers work
            joined = concatenate([heads, *bodies])
            per_article = np.fromiter((len(a.paragraphs) for a in articles), dtype=np.int64, count=len(articles))
            first = np.repeat(np.arange(len(articles), dtype=np.int64), per_article)
            return paired(joined, first, np.arange(len(articles), len(articles) + first.shape[0], dtype=np.int64))

        return finish

    def passages(self, articles: Sequence[Article]) -> Tokenised:
        """Index terms of every paragraph of the articles, in order (its article's heading
        terms first), as token ids in order of first appearance."""
        return self.start(articles)()


def passage_tokens(
    segmenter: Segmenter, articles: Sequence[Article], workers: int = 1, parallel_min: int = PARALLEL_MIN
) -> Tokenised:
    """Index terms of every paragraph of the articles (see `TermPool.passages`)."""
    with TermPool(segmenter, workers, parallel_min) as pool:
        return pool.passages(articles)


def passage_terms(
    segmenter: Segmenter, articles: Sequence[Article], workers: int = 1, parallel_min: int = PARALLEL_MIN
) -> list[list[str]]:
    """Index terms of every paragraph of the articles, in order (heading terms included).

    With `workers` > 1 and at least `parallel_min` paragraphs, the paragraphs are segmented
    in that many fresh worker processes (see the module docstring; each loads the
    dictionary, a second or two, so small batches are segmented here)."""
    return passage_tokens(segmenter, articles, workers, parallel_min).docs()
