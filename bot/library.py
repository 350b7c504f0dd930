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
import shutil
import tempfile
import threading
import tomllib
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from bot.intake.ingest import IngestReport
from bot.intake.ingestion import ingest
from bot.storage.engine import database_url
from bot.storage.store import Store, StoreError
from retrieval import (
    Answer,
    Answerer,
    AnswerModel,
    Corpus,
    FollowupWords,
    IndexError_,
    Layout,
    Lexicon,
    Segmenter,
    load_layout,
    read_aliases,
    read_word_list,
)

from .indexlock import IndexLock
from .resources import CONFIG_DIR
from .settings import Settings

if TYPE_CHECKING:
    from bot.intake.polite import PoliteFetcher

log = logging.getLogger(__name__)

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
    """Open the database (SQLite in the data dir, or UNIONBOT_DATABASE_URL), its schema
    brought to the newest revision; nothing else."""
    return Store(database_url(settings.data_dir, settings.database_url))


def seed_if_empty(store: Store, settings: Settings) -> None:
    """First run: fill an empty database from the seeds folder, once (a database that was
    seeded, or emptied afterwards, is left as it is). A read-only one is left as it is."""
    if store.read_only:
        return  # use it as it is: filling it from the seeds would write
    if store.meta("seeded") is None and store.issue_count() == 0 and settings.seeds_dir is not None:
        report = ingest_targets(store, settings, [str(settings.seeds_dir)], progress=False)
        for failure in report.refused:
            log.warning("seed %s refused: %s", failure.name, failure.reason)
    if store.meta("seeded") is None:
        store.set_meta("seeded", "1")


def ingest_targets(
    store: Store, settings: Settings, targets: list[str], progress: bool | None = None
) -> IngestReport:
    def web_fetcher() -> PoliteFetcher:
        """Made for the first URL: files alone load no HTTP client and no page readers."""
        from bot.intake.fetch import http_client
        from bot.intake.polite import PoliteFetcher

        return PoliteFetcher.for_settings(http_client(settings.fetch_timeout_seconds), settings)

    return ingest(
        store,
        targets,
        layout=project_layout(),
        max_bytes=settings.max_issue_bytes,
        fetcher_factory=web_fetcher,
        progress=progress,
    )


class Live(NamedTuple):
    """The index a process answers from, and the answerer over it: swapped as one."""

    corpus: Corpus
    answerer: Answerer


class Library:
    """The search index over a store, and answers from it.

    Constructing one only assigns: the store is opened (and seeded) by the composition
    root that owns it, and the index is loaded by the first `refresh` (or the first use
    of `corpus`). `refresh` may run in a worker thread while other threads answer: the
    new index is built aside and swapped in by one assignment."""

    def __init__(self, settings: Settings, store: Store, segmenter: Segmenter) -> None:
        self.settings = settings
        self.store = store
        self.segmenter = segmenter
        self._live: Live | None = None
        self._told_unsaved = False
        self._refreshing = threading.RLock()  # one refresh at a time (the poller's, the watcher's)

    @cached_property
    def lexicon(self) -> Lexicon:
        return build_lexicon()

    @cached_property
    def answer_model(self) -> AnswerModel:
        return AnswerModel.read(ANSWER_MODEL_FILE)


    @cached_property
    def followup_words(self) -> FollowupWords:
        return load_followup_words()

    @property
    def corpus(self) -> Corpus:
        """The search index, loaded (or brought up to date with the store) on first use."""
        return self._current().corpus

    @property
    def answerer(self) -> Answerer:
        return self._current().answerer

    def _current(self) -> Live:
        live = self._live
        if live is None:
            self.refresh()
            live = self._live
        if live is None:
            raise RuntimeError("the search index could not be loaded")
        return live

    def answer(self, question: str, limit: int = 5) -> Answer:
        return self.answerer.answer(question, limit)

    def ingest(self, targets: list[str], progress: bool | None = None) -> IngestReport:
        """Store new issue files, then bring the saved index up to date."""
        if self.store.read_only:
            raise StoreError(f"cannot ingest: the database {self.store.name} is read-only")
        report = ingest_targets(self.store, self.settings, targets, progress)
        self.refresh()
        return report

    def refresh(self) -> bool:
        """Take in issues stored since the index was loaded; True when it changed. Threads
        that refresh at once take turns (the later one then finds nothing to do)."""
        with self._refreshing:
            wanted = self.store.issue_hashes()
            live = self._live
            if live is not None and live.corpus.issues == wanted:
                return False
            corpus = self._load_saved(warn=True)
            if corpus is None or corpus.issues != wanted:
                corpus = self._rebuild(corpus)
            changed = live is None or live.corpus.issues != corpus.issues
            if live is None or live.corpus is not corpus:
                self._publish(corpus)
            return changed

    def _publish(self, corpus: Corpus) -> None:
        """Answer from `corpus` from now on: the index and its answerer swapped as one."""
        self._live = Live(corpus, Answerer(corpus, self.segmenter, self.lexicon, self.answer_model))

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
            return self._update(saved, self.store.issue_hashes(), None)
        with lock, lock.held(self.settings.index_lock_timeout_seconds):
            if saved is None or _live_version(directory) != saved.version:
                saved = self._load_saved(warn=False)  # another process saved meanwhile
            wanted = self.store.issue_hashes()
            if saved is not None and saved.issues == wanted:
                return saved
            scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=directory))
            try:
                corpus = self._update(saved, wanted, scratch)
                try:
                    corpus.save(directory)
                except OSError as exc:
                    self._unsaved(exc)
                    return corpus
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            self._publish(corpus)  # answers use it from now on; merging comes after
            return self._compact(corpus)

    def _compact(self, corpus: Corpus) -> Corpus:
        """Merge small index segments while the tiered rule says so (under the lock; the
        saved, uncompacted version stays live and in use meanwhile)."""
        try:
            while corpus.merge_due() is not None:
                corpus = corpus.compact(self.settings.index_dir)
                self._publish(corpus)
        except OSError as exc:
            log.warning("could not merge the search index's segments (%s); it stays as it is", exc.strerror or exc)
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
            live = self._live
            return Corpus.load(self.settings.index_dir, known=live.corpus if live is not None else None)
        except IndexError_ as exc:
            if warn:
                log.warning("the search index is damaged and is rebuilt from the database: %s", exc)
            return None

    def _update(self, corpus: Corpus | None, wanted: dict[str, str], scratch: Path | None) -> Corpus:
        """The corpus brought up to date: the new issues added as a segment, or (an issue
        replaced or removed) a full build, its segments made in `scratch` when given."""
        workers = self.settings.index_workers or min(2, os.cpu_count() or 1)
        parallel = self.settings.index_parallel_paragraphs
        if corpus is not None and all(wanted.get(i) == h for i, h in corpus.issues.items()):
            new = {i: h for i, h in wanted.items() if i not in corpus.issues}
            log.info("adding %d issues to the search index", len(new))
            return corpus.extend(self.store.articles(list(new)), new, self.segmenter, workers, parallel)
        log.info("building the search index over %d issues", len(wanted))
        articles = (a for issue in wanted for a in self.store.articles([issue]))  # an issue at a time
        return Corpus.build(articles, wanted, self.segmenter, workers, parallel, scratch)


def _live_version(directory: Path) -> str | None:
    """The saved index's live version; None when there is none (or its pointer is damaged)."""
    try:
        return Corpus.live_version(directory)
    except IndexError_:
        return None
