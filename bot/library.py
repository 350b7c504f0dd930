"""The application's corpus: the store, the saved search index, and the answerer over them.

The index is built when issues are ingested and saved in the data dir; a process that
starts loads it instead of rebuilding it. Adding issues extends it (replacing or
removing one rebuilds it) under a lock, and the new version is swapped in atomically,
so a running process picks it up without a restart and never sees a half-built one.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property, partial

from retrieval import Layout, load_layout
from retrieval.answer import Answerer
from retrieval.confidence import AnswerModel
from retrieval.lexicon import Lexicon
from retrieval.corpus import Corpus
from retrieval.errors import IndexError_
from retrieval.models import Answer
from retrieval.segment import Segmenter, read_aliases, read_word_list

from .ingest import IngestReport, ingest
from .settings import PROJECT_DIR, Settings
from .sources import http_client
from .store import Store, StoreError

log = logging.getLogger(__name__)

CONFIG_DIR = PROJECT_DIR / "config"
LAYOUT_FILE = CONFIG_DIR / "layout.toml"
USERDICT_FILE = CONFIG_DIR / "userdict.txt"
STOPWORDS_FILE = CONFIG_DIR / "stopwords.txt"
ALIASES_FILE = CONFIG_DIR / "aliases.txt"
WORDS_DIR = CONFIG_DIR / "words"
SYNONYMS_FILE = CONFIG_DIR / "synonyms.txt"
ANSWER_MODEL_FILE = CONFIG_DIR / "answer_model.json"


def project_layout() -> Layout:
    """The paper's known banners, from config/layout.toml."""
    return load_layout(LAYOUT_FILE) if LAYOUT_FILE.exists() else Layout()


def build_lexicon() -> Lexicon:
    """The word lists of the answering rules, from config/words/ and config/synonyms.txt."""
    return Lexicon.read(WORDS_DIR, SYNONYMS_FILE)


def build_segmenter(lexicon: Lexicon | None = None) -> Segmenter:
    """The project's segmenter: its dictionary and question stopwords from config/."""
    words = lexicon if lexicon is not None else build_lexicon()
    return Segmenter(
        USERDICT_FILE,
        read_word_list(STOPWORDS_FILE),
        read_aliases(ALIASES_FILE),
        people_nouns=words.people_nouns,
        organisation_nouns=words.organisation_nouns,
    )


def open_store(settings: Settings) -> Store:
    """Open the database; an empty one is filled from the seeds folder once."""
    if settings.database_url is not None and not settings.database_url.startswith("sqlite:///"):
        raise StoreError("only SQLite databases (sqlite:///…) are supported so far; unset UNIONBOT_DATABASE_URL")
    store = Store(settings.sqlite_path)
    if store.meta("seeded") is None and store.issue_count() == 0 and settings.seeds_dir is not None:
        report = ingest_targets(store, settings, [str(settings.seeds_dir)], progress=False)
        for failure in report.refused:
            log.warning("seed %s refused: %s", failure.name, failure.reason)
    if store.meta("seeded") is None:
        store.set_meta("seeded", "1")
    return store


def ingest_targets(
    store: Store, settings: Settings, targets: list[str], progress: bool | None = None
) -> IngestReport:
    return ingest(
        store,
        targets,
        layout=project_layout(),
        max_bytes=settings.max_issue_bytes,
        client_factory=partial(http_client, settings.fetch_timeout_seconds),
        progress=progress,
    )


class Library:
    """The store, the search index over it, and answers; built once per process."""

    def __init__(self, settings: Settings, store: Store | None = None, segmenter: Segmenter | None = None) -> None:
        self.settings = settings
        self.store = store if store is not None else open_store(settings)
        self._corpus: Corpus | None = None
        self._answerer: Answerer | None = None
        if segmenter is not None:
            self.__dict__["segmenter"] = segmenter  # share one (its dictionary is large)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @cached_property
    def lexicon(self) -> Lexicon:
        return build_lexicon()

    @cached_property
    def answer_model(self) -> AnswerModel:
        return AnswerModel.read(ANSWER_MODEL_FILE)

    @cached_property
    def segmenter(self) -> Segmenter:
        return build_segmenter(self.lexicon)

    @property
    def corpus(self) -> Corpus:
        """The search index, loaded (or brought up to date with the store) on first use."""
        if self._corpus is None:
            self.refresh()
        if self._corpus is None:
            raise RuntimeError("the search index could not be loaded")
        return self._corpus

    @property
    def answerer(self) -> Answerer:
        corpus = self.corpus
        if self._answerer is None or self._answerer.corpus is not corpus:
            self._answerer = Answerer(corpus, self.segmenter, self.lexicon, self.answer_model)
        return self._answerer

    def answer(self, question: str, limit: int = 5) -> Answer:
        return self.answerer.answer(question, limit)

    def ingest(self, targets: list[str], progress: bool | None = None) -> IngestReport:
        """Store new issue files, then bring the saved index up to date."""
        report = ingest_targets(self.store, self.settings, targets, progress)
        self.refresh()
        return report

    def refresh(self) -> bool:
        """Take in issues stored since the index was loaded; True when it changed."""
        wanted = self.store.issue_hashes()
        if self._corpus is not None and self._corpus.issues == wanted:
            return False
        corpus = self._load_saved()
        if corpus is None or corpus.issues != wanted:
            with self._index_lock():
                corpus = self._load_saved()
                wanted = self.store.issue_hashes()
                if corpus is None or corpus.issues != wanted:
                    corpus = self._update(corpus, wanted)
                    corpus.save(self.settings.index_dir)
        changed = self._corpus is None or self._corpus.issues != corpus.issues
        self._corpus = corpus
        return changed

    def _load_saved(self) -> Corpus | None:
        if not (self.settings.index_dir / "CURRENT").exists():
            return None
        try:
            return Corpus.load(self.settings.index_dir)
        except IndexError_ as exc:
            log.warning("rebuilding the search index: %s", exc)
            return None

    def _update(self, corpus: Corpus | None, wanted: dict[str, str]) -> Corpus:
        workers = min(2, os.cpu_count() or 1)
        if corpus is not None and all(wanted.get(i) == h for i, h in corpus.issues.items()):
            new = {i: h for i, h in wanted.items() if i not in corpus.issues}
            log.info("adding %d issues to the search index", len(new))
            return corpus.extend(self.store.articles(list(new)), new, self.segmenter, workers)
        log.info("building the search index over %d issues", len(wanted))
        return Corpus.build(self.store.articles(), wanted, self.segmenter, workers)

    @contextmanager
    def _index_lock(self) -> Iterator[None]:
        self.settings.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.settings.index_dir / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
