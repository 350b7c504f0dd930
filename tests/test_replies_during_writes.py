"""A reply never waits for another process's write transaction (an ingest holding SQLite's
one write lock, or PostgreSQL rows a reply would write): its database steps only read,
and what it leaves to record is written after it. Once the other transaction ends the
records are there: the buttons work from any process, follow-ups find their question,
the flood guard counts across processes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from bot.cli.compose import opened_library
from bot.library import Library
from bot.richtext import plain
from bot.settings import Settings
from bot.storage import engine as engine_module
from bot.storage.engine import database_url, open_engine, write_transaction
from bot.storage.flood import FloodWindows
from bot.storage.store import Store
from bot.telegram.compose import build_service
from bot.telegram.flood import FloodGuard
from bot.telegram.records import NewFeedback, Records, Seen
from bot.telegram.recordwriter import RecordWriter
from bot.telegram.render import FLOODED, Reply
from bot.telegram.responder import Responder
from bot.telegram.service import Asker, BotService, Recalled
from bot.telegram.workers import Workers
from retrieval import Segmenter

from .conftest import copy_data_dir
from .fakebotapi import FakeBotApi
from .test_bot import BotProcess

QUESTION = "职工交友活动有多少人参加"  # answered, with more results
READER = Asker(user_id=31, chat_id=31, chat_type="private", language="zh-hans")
RECORDED_TABLES = ("users", "flood_windows", "queries", "feedback", "chat_turns", "answer_turns")


@pytest.fixture
def settings(seeded_database: Settings) -> Settings:
    """A bot's settings over a database of each kind holding the seeds."""
    return seeded_database


@pytest.fixture
def library(settings: Settings, segmenter: Segmenter) -> Iterator[Library]:
    with opened_library(settings, segmenter) as opened:
        opened.refresh()
        yield opened


@pytest.fixture
def url(settings: Settings) -> str:
    return database_url(settings.data_dir, settings.database_url)


@pytest.fixture
def other_process(url: str) -> Iterator[Engine]:
    """An engine of its own on the database, as another process has."""
    engine = open_engine(url)
    yield engine
    engine.dispose()


class Bot:
    """A bot's service as a running bot has it: its recorder deferred to a record writer
    running on the event loop, every call through the responder."""

    def __init__(self, service: BotService, workers: Workers) -> None:
        self.service = service
        self.workers = workers
        self.writer = RecordWriter(service.recorder, workers)
        service.recorder.defer_to(self.writer.wake)
        self.responder = Responder(service, workers)

    async def written(self) -> None:
        """Until every record this bot left is written."""
        while self.service.recorder.waiting():
            await asyncio.sleep(0.01)


@pytest.fixture
async def bots(library: Library, settings: Settings, url: str) -> AsyncIterator[Callable[..., Bot]]:
    """Makes running bots over the library's database (each with its own store, as
    separate processes have); their writers stop at the end."""
    with ExitStack() as stack:
        tasks: list[asyncio.Task[None]] = []

        def make(flood: Callable[[Store], FloodGuard] | None = None) -> Bot:
            store = stack.enter_context(Store(url))
            workers = Workers.started(1)
            stack.callback(workers.shutdown)
            guard = flood(store) if flood is not None else None
            bot = Bot(build_service(library, store, [99], flood=guard), workers)
            tasks.append(asyncio.get_running_loop().create_task(bot.writer.run()))
            return bot

        yield make
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@contextmanager
def write_held(engine: Engine) -> Iterator[None]:
    """Another process's write transaction, open until the block ends: on SQLite it holds
    the write lock (BEGIN IMMEDIATE); on PostgreSQL it locks the tables a reply writes
    against writes (reads go on)."""
    with write_transaction(engine) as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql(f"LOCK TABLE {', '.join(RECORDED_TABLES)} IN EXCLUSIVE MODE")
        yield
        connection.rollback()


def count(engine: Engine, table: str, where: str = "TRUE", **params: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT COUNT(*) FROM {table} WHERE {where}"), params).scalar_one())


def button(reply: Reply | None, prefix: str) -> str:
    assert reply is not None and reply.keyboard is not None
    return next(b.data for b in reply.keyboard.buttons if b.data.startswith(prefix))


async def test_a_question_is_answered_while_another_process_holds_a_write_transaction(
    bots: Callable[..., Bot], other_process: Engine
) -> None:
    bot = bots()
    with write_held(other_process):
        reply = await bot.responder.ask(QUESTION, READER)  # returns inside the block: the lock is still held
        assert reply is not None and "800余名" in reply.text
        more = button(reply, "m:")
        query_id = int(more.split(":")[1])
        assert count(other_process, "queries", "query_id = :q", q=query_id) == 0  # its records wait
        # this process reads its own records at once: the buttons work meanwhile
        second = await bot.responder.more(query_id, 1, READER)
        assert second is not None and "第 2 条结果" in second.text
    await bot.written()
    assert count(other_process, "queries", "query_id = :q", q=query_id) == 1
    assert count(other_process, "users", "user_id = :u", u=READER.user_id) == 1
    assert count(other_process, "flood_windows", "user_id = :u", u=READER.user_id) == 1
    assert count(other_process, "chat_turns", "chat_id = :c", c=READER.chat_id) == 1

    elsewhere = bots()  # another process, on the same database: the buttons of that reply work there
    there = await elsewhere.responder.more(query_id, 1, READER)
    assert there == second
    assert await elsewhere.responder.feedback(query_id, 1, READER) == "谢谢反馈！"
    await elsewhere.written()
    assert count(other_process, "feedback", "query_id = :q", q=query_id) == 1


async def test_a_follow_up_and_a_group_reply_find_their_question_before_it_is_written(
    bots: Callable[..., Bot], other_process: Engine
) -> None:
    bot = bots()
    group = Asker(user_id=32, chat_id=-100, chat_type="supergroup", language="zh-hans")
    with write_held(other_process):
        first = await bot.responder.ask("丰台区总工会主席是谁", READER)
        assert first is not None and "连宇" in first.text
        followup = await bot.responder.ask("那大兴呢？", READER)
        assert followup is not None and "接着问：大兴区总工会主席是谁" in plain(followup.text) and "李达" in followup.text
        answer = await bot.responder.ask("丰台区总工会主席是谁", group)
        assert answer is not None
        await bot.responder.remember(-100, 77, answer)
        replied = await bot.responder.ask("那大兴呢？", group, reply_to=77)
        assert replied is not None and "接着问：大兴区总工会主席是谁" in plain(replied.text)
        assert count(other_process, "chat_turns") == 0 and count(other_process, "answer_turns") == 0
    await bot.written()
    elsewhere = bots()  # the next message of the chat reaching another process
    later = await elsewhere.responder.ask("那大兴呢？", READER)
    assert later is not None and "接着问：大兴区总工会主席是谁" in plain(later.text)
    replied_there = await elsewhere.responder.ask("那大兴呢？", group, reply_to=77)
    assert replied_there is not None and "接着问：大兴区总工会主席是谁" in plain(replied_there.text)


async def test_the_flood_guard_holds_while_its_counts_wait_and_across_processes(
    bots: Callable[..., Bot], other_process: Engine
) -> None:
    def guard(store: Store) -> FloodGuard:
        return FloodGuard(FloodWindows(store), limit=2, window=600)

    bot = bots(guard)
    with write_held(other_process):
        replies = [await bot.responder.ask(QUESTION, READER) for _ in range(4)]
        assert [r is not None and "800余名" in r.text for r in replies[:2]] == [True, True]
        assert replies[2] is not None and replies[2].text == FLOODED  # warned once
        assert replies[3] is None
        assert count(other_process, "flood_windows") == 0
    await bot.written()
    elsewhere = bots(guard)
    assert await elsewhere.responder.ask(QUESTION, READER) is None  # the budget is spent, the warning given
    assert await elsewhere.responder.inline(QUESTION, READER) == []


async def test_a_button_pressed_elsewhere_before_its_question_is_written_waits_for_it(
    bots: Callable[..., Bot], other_process: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = bots(), bots()
    missed = threading.Event()
    recall = there.service.recall

    def noting(query_id: int) -> Recalled | None:
        found = recall(query_id)
        if found is None:
            missed.set()
        return found

    monkeypatch.setattr(there.service, "recall", noting)
    with write_held(other_process):
        reply = await here.responder.ask(QUESTION, READER)
        query_id = int(button(reply, "m:").split(":")[1])
        pressed = asyncio.ensure_future(there.responder.more(query_id, 1, READER))
        assert await asyncio.to_thread(missed.wait, 20)  # the other process did not find it
    second = await pressed  # and answered once the question was written
    assert second is not None and "第 2 条结果" in second.text


def test_the_running_bot_answers_while_an_ingest_holds_the_write_lock(tmp_path: Path, seeded_session_dir: Path) -> None:
    """`unionbot serve` itself (SQLite): the reply comes while another connection holds the
    write lock; once it is let go the question is written, and its "more results" button
    works."""
    data = copy_data_dir(seeded_session_dir, tmp_path / "served")
    url = database_url(data, None)
    other = open_engine(url)
    with FakeBotApi(privacy_mode=False) as api:
        bot = BotProcess(api, data)
        try:
            _answered_while_held(api, bot, other)
        finally:
            assert bot.stop() == 0, bot.output()[-3000:]
    other.dispose()


def _answered_while_held(api: FakeBotApi, bot: BotProcess, other: Engine) -> None:
    api.wait_for(lambda: bot.proc.poll() is not None or api.calls("getUpdates"), timeout=60, what="polling")
    user = api.new_user()
    with write_held(other):
        api.send_text(user, user, QUESTION)
        api.wait_for(lambda: api.bot_messages(user.id), timeout=20, what="a reply while the write lock is held")
        [reply] = api.bot_messages(user.id)
        assert "800余名" in reply.text
        query_id = int(next(d for d in reply.callback_data if d.startswith("m:")).split(":")[1])
        assert count(other, "queries", "query_id = :q", q=query_id) == 0
    api.wait_for(lambda: count(other, "queries", "query_id = :q", q=query_id) == 1, timeout=20, what="the records")
    api.press_button(reply, user, next(d for d in reply.callback_data if d.startswith("m:")))
    api.wait_for(lambda: api.message(reply.chat_id, reply.message_id).text.startswith("第 2 条结果"), timeout=20)


@pytest.mark.parametrize("seeded_database", ["sqlite"], indirect=True)
async def test_records_whose_write_failed_are_written_at_the_next_try(
    bots: Callable[..., Bot], other_process: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_MS", 50)  # the bot's writes give up waiting at once
    bot = bots()
    with write_held(other_process):
        reply = await bot.responder.ask(QUESTION, READER)
        while not any("trying again" in record.getMessage() for record in caplog.records):
            await asyncio.sleep(0.01)
        query_id = int(button(reply, "m:").split(":")[1])
        assert await bot.responder.more(query_id, 1, READER) is not None  # kept meanwhile
    await bot.written()
    assert count(other_process, "queries", "query_id = :q", q=query_id) == 1


async def test_a_record_the_database_refuses_is_dropped_and_the_others_written(
    bots: Callable[..., Bot], other_process: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = bots().service.recorder
    at = datetime.now(UTC)
    unknown = NewFeedback(query_id=12345, user_id=READER.user_id or 0, value=1, at=at)  # no such question
    recorder.defer_to(lambda: None)
    recorder.add(Records(seen=Seen(user_id=41, language=None, at=at)))
    recorder.add(Records(feedback=unknown))
    recorder.add(Records(seen=Seen(user_id=42, language=None, at=at)))
    assert recorder.write_pending() == 3 and recorder.waiting() == 0
    assert count(other_process, "users", "user_id IN (41, 42)") == 2 and count(other_process, "feedback") == 0
    assert any("cannot be written and are dropped" in record.getMessage() for record in caplog.records)
