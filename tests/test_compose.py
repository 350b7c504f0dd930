"""The composition roots: start-up builds each part once, in one place; a Library's
constructor only assigns (no file, no database, no index touched)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot

import bot.library
import bot.telegram.compose
from bot.library import Library, build_segmenter, open_store, seed_if_empty
from bot.settings import Settings
from bot.storage.store import Store
from bot.telegram.compose import compose_bot
from bot.telegram.poller import Poller
from retrieval import Segmenter

from .conftest import SEEDS

_watching: list[tuple[str, tuple[Any, ...]]] | None = None
_IO_EVENTS = ("open", "sqlite3.connect", "os.mkdir", "os.listdir", "os.scandir", "os.remove", "os.rename")


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _watching is not None and event in _IO_EVENTS:
        _watching.append((event, args))


sys.addaudithook(_audit)  # audit hooks cannot be removed; it records only while watching


class _Counted:
    """Counts constructions of a class while the test runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, cls: type[Any]) -> None:
        self.count = 0
        original = cls.__init__

        def counting(instance: Any, *args: Any, **kwargs: Any) -> None:
            self.count += 1
            original(instance, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", counting)


def test_opening_the_store_does_not_seed_it_seeding_is_a_step_of_its_own(settings: Settings) -> None:
    with open_store(settings) as store:
        assert store.issue_count() == 0
        seed_if_empty(store, settings)
        assert store.issue_count() == len(list(SEEDS.glob("*.txt")))


def test_constructing_a_library_touches_nothing(tmp_path: Path) -> None:
    global _watching
    segmenter = build_segmenter()
    with open_store(Settings(data_dir=tmp_path / "elsewhere", seeds_dir=None)) as store:
        settings = Settings(data_dir=tmp_path / "never", seeds_dir=SEEDS)
        _watching = []
        try:
            library = Library(settings, store, segmenter)
        finally:
            seen, _watching = _watching, None
        assert seen == []
        assert not settings.data_dir.exists() and store.issue_count() == 0  # nothing seeded, no index
        assert library.store is store and library.segmenter is segmenter


def test_bot_start_up_builds_each_part_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, segmenter: Segmenter
) -> None:
    stores = _Counted(monkeypatch, Store)
    libraries = _Counted(monkeypatch, Library)
    segmenters: list[object] = []

    def counting_build() -> Any:
        """Counts the segmenters built; gives the session's (its dictionary loaded already)."""
        segmenters.append(segmenter)
        return segmenter

    monkeypatch.setattr(bot.telegram.compose, "build_segmenter", counting_build)
    parts = compose_bot(settings, Bot("1:x"))
    try:
        # the database thread's connection and the intake thread's, opened by the root
        assert stores.count == 2 and parts.store is not parts.intake_store
        assert libraries.count == 1 and len(segmenters) == 1
        assert parts.library.store is parts.intake_store and parts.service.store is parts.store
        assert parts.store.issue_count() == len(list(SEEDS.glob("*.txt")))  # seeded once, at start-up
        assert len(parts.library.corpus) > 0  # the index is loaded before the first question
        Poller(settings, parts.library, parts.inbox, parts.inbox_lock, parts.feeds, parts.outbox, parts.sender,
               parts.sender_lease, parts.workers)
        assert stores.count == 2 and libraries.count == 1  # the poller builds nothing of its own
    finally:
        parts.close()
