"""A running bot takes in an issue that another process stored in the same database (on
another host: its own data dir, no signal but the database) within seconds, however long
UNIONBOT_POLL_SECONDS is, building its index from the database's articles."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli.compose import opened_store
from bot.library import Library, ingest_targets
from bot.settings import Settings
from bot.telegram.app import build_application
from bot.telegram.botdata import BotData
from bot.telegram.corpuswatch import CorpusWatch
from bot.telegram.service import Asker
from bot.telegram.workers import Workers
from retrieval import Segmenter

from .conftest import LATER_SEED, SEEDS, copy_data_dir
from .fakebotapi import FakeBotApi
from .waiting import until

NEW_ISSUE = SEEDS / f"{LATER_SEED}.txt"  # not among earlier_seeds: added by the tests


@pytest.fixture
def refreshes(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """When each index refresh (any Library's) finished."""
    finished: list[float] = []
    original = Library.refresh

    def counted(library: Library) -> bool:
        changed = original(library)
        finished.append(time.monotonic())
        return changed

    monkeypatch.setattr(Library, "refresh", counted)
    return finished


def store_elsewhere(settings: Settings, path: Path) -> None:
    """What `unionbot ingest` on another host does to the database (its index, in its own
    data dir, is none of the bot's business)."""
    with opened_store(settings) as store:
        assert not ingest_targets(store, settings, [str(path)], progress=False).refused


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


async def test_an_issue_stored_by_another_process_is_answered_within_seconds(
    api: FakeBotApi, earlier_database_url: str, earlier_session_dir: Path, tmp_path: Path, earlier_seeds: Path,
    segmenter: Segmenter, refreshes: list[float],
) -> None:
    """The bot's database holds the earlier seeds, its data dir their index."""
    copy_data_dir(earlier_session_dir / "index", tmp_path / "here" / "index")
    settings = Settings(
        data_dir=tmp_path / "here", seeds_dir=earlier_seeds, database_url=earlier_database_url, poll_seconds=3600,
        index_check_seconds=0.1, telegram_bot_token=api.token, telegram_api_url=api.base_url,
    )
    app = build_application(settings, segmenter)
    await app.initialize()
    assert app.post_init is not None and app.post_stop is not None and app.post_shutdown is not None
    try:
        await app.post_init(app)
        data: BotData = app.bot_data
        assert data.parts is not None
        library, responder = data.parts.library, data.parts.responder
        assert NEW_ISSUE.stem not in library.corpus.issues
        started = len(refreshes)
        await until(lambda: len(refreshes) > started, "the running bot's first look at the database", 30)

        elsewhere = Settings(data_dir=tmp_path / "there", seeds_dir=None, database_url=earlier_database_url)
        await asyncio.to_thread(store_elsewhere, elsewhere, NEW_ISSUE)
        await until(lambda: NEW_ISSUE.stem in library.corpus.issues, "the new issue in the running bot's index", 60)

        reply = await responder.ask("香港工会联合会副理事长是谁", Asker(user_id=8, chat_id=8, chat_type="private"))
        assert reply is not None and "林伟江" in reply.text
        assert not (tmp_path / "there" / "index").exists()  # built from the database, not from files
    finally:
        await app.post_stop(app)
        await app.shutdown()
        await app.post_shutdown(app)


class _Library:
    """Counts refreshes; holds no index."""

    def __init__(self) -> None:
        self.refreshed = 0

    def refresh(self) -> bool:
        self.refreshed += 1
        return False


async def test_the_index_is_refreshed_only_when_the_corpus_version_moves(settings: Settings, migrated_database_url: str) -> None:
    elsewhere = Settings(data_dir=settings.data_dir.parent / "there", seeds_dir=None, database_url=migrated_database_url)
    library = _Library()
    workers = Workers.started(1)
    try:
        with opened_store(Settings(data_dir=settings.data_dir, seeds_dir=None, database_url=migrated_database_url)) as store:
            watch = CorpusWatch(_as_library(library), store, workers, interval=0.01)
            assert await watch.check() is False and library.refreshed == 1  # the first look
            assert [await watch.check() for _ in range(5)] == [False] * 5 and library.refreshed == 1
            await asyncio.to_thread(store_elsewhere, elsewhere, NEW_ISSUE)
            await watch.check()
            assert library.refreshed == 2
            await watch.check()
            assert library.refreshed == 2
    finally:
        workers.shutdown()


def _as_library(stand_in: Any) -> Library:
    return stand_in  # type: ignore[no-any-return]
