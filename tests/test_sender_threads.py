"""The digest sender never makes the event loop wait on the database: every outbox call and
every read of an issue's articles runs on the database thread it is given (a running bot's,
the one its handlers use), on every path (sent, chat gone, chat moved, passing failure)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.digests.digest import DigestPart
from bot.digests.messenger import ChatGone, ChatMoved, SendFailed
from bot.digests.outbox import DeliveryStatus, Outbox
from bot.digests.sender import DigestSender
from bot.library import ingest_targets
from bot.settings import Settings
from bot.storage.store import Store

from .conftest import SEEDS

ISSUE = SEEDS / "001_4042bde3bc384a6e.txt"
OUTBOX_CALLS = ("due", "claim", "part_sent", "finish", "retry_later", "fail", "unsubscribe", "migrate")


class Messenger:
    """Sends to chat 11, refuses 12 for good, fails 13 for now, finds -14 moved to -15."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    async def send(self, chat_id: int, part: DigestPart) -> int:
        if chat_id == 12:
            raise ChatGone("blocked by the user")
        if chat_id == 13:
            raise SendFailed("Bad Gateway")
        if chat_id == -14:
            raise ChatMoved(-15)
        self.sent.append(chat_id)
        return 500 + len(self.sent)


class Calls:
    """Which thread each recorded call ran on."""

    def __init__(self) -> None:
        self.threads: list[tuple[str, str]] = []

    def record(self, target: Any, names: tuple[str, ...]) -> None:
        for name in names:
            setattr(target, name, self._recorded(name, getattr(target, name)))

    def _recorded(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            self.threads.append((name, threading.current_thread().name))
            return call(*args, **kwargs)

        return recorded


@pytest.fixture
def store(migrated_database_url: str, tmp_path: Path) -> Iterator[Store]:
    with Store(migrated_database_url) as opened:
        outbox = Outbox(opened)
        for chat_id, kind in ((11, "private"), (12, "private"), (13, "private"), (-14, "group")):
            outbox.subscribe(chat_id, kind, None)
        settings = Settings(data_dir=tmp_path / "data", seeds_dir=None, database_url=migrated_database_url)
        assert not ingest_targets(opened, settings, [str(ISSUE)], progress=False).refused
        yield opened


async def test_every_database_call_of_the_sender_runs_on_the_database_thread(store: Store) -> None:
    outbox = Outbox(store)
    calls = Calls()
    calls.record(outbox, OUTBOX_CALLS)
    calls.record(store, ("articles",))
    messenger = Messenger()
    database = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database")
    try:
        sender = DigestSender(messenger, outbox, store, workers=4, rate=1000, database=database)
        assert await sender.run_once() == 4
    finally:
        database.shutdown()
    called = {name for name, _ in calls.threads}
    assert {"due", "claim", "part_sent", "finish", "retry_later", "unsubscribe", "migrate", "articles"} <= called
    assert [thread for _, thread in calls.threads if not thread.startswith("database")] == []
    assert messenger.sent == [11]
    statuses = {d.chat_id: d.status for d in Outbox(store).deliveries()}
    assert statuses[11] is DeliveryStatus.SENT and statuses[13] is DeliveryStatus.PENDING
    assert Outbox(store).subscription(12) is not None and not Outbox(store).subscription(12).active  # type: ignore[union-attr]
