"""Index terms of paragraphs, segmented in worker processes for large batches.

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
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from .models import Article
from .segment import Segmenter

PARALLEL_MIN = 20_000  # fewer paragraphs than this are segmented in the calling process
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

