"""The application's corpus: the store, the saved search index, and the answerer over them.

The index is built when issues are ingested and saved in the data dir; a process that
starts loads it instead of rebuilding it. Adding issues extends it (replacing or
removing one rebuilds it) under a lock, and the new version is swapped in atomically,
so a running process picks it up without a restart and never sees a half-built one.

The database is the source of truth: a saved index that does not verify is rebuilt from
it (with a warning), and one that cannot be saved (a read-only data dir) is built in
memory for the process. Only a process that writes the index takes the lock (see
`indexlock`); one that finds the saved index current only reads.
"""

from __future__ import annotations

import errno
import logging
import os
import tomllib
from functools import cached_property, partial
from pathlib import Path

from bot.intake.fetch import FetchLimits, http_client
from bot.intake.ingest import IngestReport, ingest
from bot.storage.store import Store, StoreError
from retrieval import Layout, load_layout
from retrieval.answer import Answerer
from retrieval.confidence import AnswerModel
from retrieval.lexicon import Lexicon
from retrieval.corpus import Corpus
from retrieval.errors import IndexError_
from retrieval.followup import FollowupWords
from retrieval.models import Answer
from retrieval.segment import Segmenter, read_aliases, read_word_list

from .indexlock import IndexLock
from .settings import PROJECT_DIR, Settings

log = logging.getLogger(__name__)

CONFIG_DIR = PROJECT_DIR / "config"
LAYOUT_FILE = CONFIG_DIR / "layout.toml"
USERDICT_FILE = CONFIG_DIR / "userdict.txt"
STOPWORDS_FILE = CONFIG_DIR / "stopwords.txt"
ALIASES_FILE = CONFIG_DIR / "aliases.txt"
WORDS_DIR = CONFIG_DIR / "words"
SYNONYMS_FILE = CONFIG_DIR / "synonyms.txt"
ANSWER_MODEL_FILE = CONFIG_DIR / "answer_model.json"
FOLLOWUPS_FILE = CONFIG_DIR / "followups.toml"


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


def load_followup_words(path: Path = FOLLOWUPS_FILE) -> FollowupWords:
    """The words that mark follow-up questions, from config/followups.toml."""
    with path.open("rb") as handle:
        return FollowupWords.model_validate(tomllib.load(handle))


def open_store(settings: Settings) -> Store:
    """Open the database; an empty one is filled from the seeds folder once."""
    if settings.database_url is not None and not settings.database_url.startswith("sqlite:///"):
        raise StoreError("only SQLite databases (sqlite:///…) are supported so far; unset UNIONBOT_DATABASE_URL")
    store = Store(settings.sqlite_path)
    if store.read_only:
        return store  # use it as it is: filling it from the seeds would write
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
        limits=FetchLimits.from_settings(settings),
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
        self._told_unsaved = False
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

    @cached_property
    def followup_words(self) -> FollowupWords:
        return load_followup_words()

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
        if self.store.read_only:
            raise StoreError(f"cannot ingest: the database {self.store.path} is read-only")
        report = ingest_targets(self.store, self.settings, targets, progress)
        self.refresh()
        return report

    def refresh(self) -> bool:
        """Take in issues stored since the index was loaded; True when it changed."""
        wanted = self.store.issue_hashes()
        if self._corpus is not None and self._corpus.issues == wanted:
            return False
        corpus = self._load_saved(warn=True)
        if corpus is None or corpus.issues != wanted:
            corpus = self._rebuild(corpus)
        changed = self._corpus is None or self._corpus.issues != corpus.issues
        self._corpus = corpus
        return changed

    def _rebuild(self, saved: Corpus | None) -> Corpus:
        """Bring the index up to date with the store and save it, under the index lock;
        in memory only when it cannot be saved."""
        directory = self.settings.index_dir
        try:
            lock = IndexLock(directory)
        except OSError as exc:
            if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise
            self._unsaved(exc)
            return self._update(saved, self.store.issue_hashes())
        with lock, lock.held(self.settings.index_lock_timeout_seconds):
            if saved is None or _live_version(directory) != saved.version:
                saved = self._load_saved(warn=False)  # another process saved meanwhile
            wanted = self.store.issue_hashes()
            if saved is not None and saved.issues == wanted:
                return saved
            corpus = self._update(saved, wanted)
            try:
                corpus.save(directory)
            except OSError as exc:
                self._unsaved(exc)
            return corpus

    def _unsaved(self, exc: OSError) -> None:
        if not self._told_unsaved:
            log.warning(
                "the search index in %s is out of date and could not be saved (%s); "
                "it is built in memory for this process",
                self.settings.index_dir,
                exc.strerror or exc,
            )
            self._told_unsaved = True

    def _load_saved(self, warn: bool) -> Corpus | None:
        """The saved index, verified; None when there is none or it does not verify."""
        try:
            if Corpus.live_version(self.settings.index_dir) is None:
                return None
            return Corpus.load(self.settings.index_dir)
        except IndexError_ as exc:
            if warn:
                log.warning("the search index is damaged and is rebuilt from the database: %s", exc)
            return None

    def _update(self, corpus: Corpus | None, wanted: dict[str, str]) -> Corpus:
        workers = self.settings.index_workers or min(2, os.cpu_count() or 1)
        parallel = self.settings.index_parallel_paragraphs
        if corpus is not None and all(wanted.get(i) == h for i, h in corpus.issues.items()):
            new = {i: h for i, h in wanted.items() if i not in corpus.issues}
            log.info("adding %d issues to the search index", len(new))
            return corpus.extend(self.store.articles(list(new)), new, self.segmenter, workers, parallel)
        log.info("building the search index over %d issues", len(wanted))
        return Corpus.build(self.store.articles(), wanted, self.segmenter, workers, parallel)


def _live_version(directory: Path) -> str | None:
    """The saved index's live version; None when there is none (or its pointer is damaged)."""
    try:
        return Corpus.live_version(directory)
    except IndexError_:
        return None
