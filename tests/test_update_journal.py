"""A process's side of the updates table (bot/telegram/journal.py), the update processor
asking it before and after each update, and long polling that confirms a batch to
Telegram only once it is stored (bot/telegram/polling.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence

import pytest
from sqlalchemy import text
from telegram import Bot, Update

from bot.storage.errors import StoreError
from bot.storage.store import Store
from bot.storage.updates import StoredUpdate, Updates
from bot.telegram.journal import UpdateJournal
from bot.telegram.ordering import ChatOrderedUpdates
from bot.telegram import polling as polling_module
from bot.telegram.polling import LongPolling
from bot.telegram.workers import Workers

from .fakebotapi import FakeBotApi, RecordedCall
from .waiting import until

TERM = 30.0
WAIT = 20.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Watched(Updates):
    """The updates table, with what was asked of it counted, and failures on demand."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.renewals = 0
        self.handled_calls: list[list[int]] = []
        self.failing_receives = 0
        self.failing_handled = 0
        self.receive_attempts = 0
        self.others_asked = 0

    def receive(self, received: Sequence[StoredUpdate], claimant: str) -> list[int]:
        self.receive_attempts += 1
        if self.failing_receives:
            self.failing_receives -= 1
            raise StoreError("the database is away")
        return super().receive(received, claimant)

    def renew(self, claimant: str, ids: Iterable[int]) -> list[int]:
        self.renewals += 1
        return super().renew(claimant, ids)

    def handled(self, ids: Iterable[int]) -> None:
        listed = list(ids)
        self.handled_calls.append(listed)
        if self.failing_handled:
            self.failing_handled -= 1
            raise StoreError("the database is away")
        super().handled(listed)

    def open_elsewhere(self, claimant: str) -> int:
        self.others_asked += 1
        return super().open_elsewhere(claimant)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store(database_url) as opened:
        yield opened


@pytest.fixture
def workers() -> Iterator[Workers]:
    started = Workers.started(1)
    try:
        yield started
    finally:
        started.shutdown()


BOT = Bot("123456:test")


def question(update_id: int, chat_id: int = 5, words: str = "密云区总工会培训了多少人") -> Update:
    data = {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1_700_000_000, "text": words,
            "chat": {"id": chat_id, "type": "private", "first_name": "读者"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "读者", "language_code": "zh-hant"},
            "entities": [{"type": "bold", "offset": 0, "length": 2}],
        },
    }
    update = Update.de_json(data, BOT)
    assert update is not None
    return update


def age(store: Store, seconds: float) -> None:
    with store.transaction() as connection:
        connection.execute(text("UPDATE updates SET claimed_at = claimed_at - :s"), {"s": seconds})


def handled_ids(store: Store) -> list[int]:
    with store.reading() as connection:
        found = connection.execute(text("SELECT update_id FROM updates WHERE handled_at IS NOT NULL ORDER BY 1"))
        return [int(i) for i in found.scalars()]


async def test_an_update_is_let_through_while_its_claim_is_surely_ours_and_not_once_taken_over(
    store: Store, workers: Workers
) -> None:
    clock, table = Clock(), Watched(store)
    here = UpdateJournal(table, workers, TERM, claimant="here", clock=clock)
    update = question(1)
    assert await here.receive([update]) == [update]
    assert await here.receive([update]) == []  # delivered again: handled once
    assert await here.begin(update) and table.renewals == 0  # no need to ask the database
    clock.now += TERM  # past the safe share of the claim: the database says it is still ours
    assert await here.begin(update) and table.renewals == 1
    assert await here.begin(update) and table.renewals == 1  # renewed just now

    clock.now += TERM
    age(store, TERM + 1)  # as if this process had stopped renewing
    there = UpdateJournal(Updates(store), workers, TERM, claimant="there")
    [taken] = await there.recover(BOT)
    assert taken.to_dict() == update.to_dict()  # as received
    assert not await here.begin(update) and here.held == 0  # left to the process that took it
    assert await there.begin(taken)


async def test_updates_finishing_together_are_recorded_in_one_statement(store: Store, workers: Workers) -> None:
    table = Watched(store)
    journal = UpdateJournal(table, workers, TERM, claimant="here")
    updates = [question(i, chat_id=i) for i in range(1, 6)]
    await journal.receive(updates)
    await asyncio.gather(*(journal.finish(u) for u in updates))
    assert table.handled_calls == [[1, 2, 3, 4, 5]]
    assert handled_ids(store) == [1, 2, 3, 4, 5] and journal.held == 0
    await journal.finish(question(99))  # not one it holds: nothing to record
    assert len(table.handled_calls) == 1


async def test_a_record_that_failed_is_made_later_and_the_claim_kept_meanwhile(store: Store, workers: Workers) -> None:
    table = Watched(store)
    journal = UpdateJournal(table, workers, TERM, claimant="here")
    first, second = question(1), question(2)
    await journal.receive([first, second])
    table.failing_handled = 1
    await journal.finish(first)
    assert handled_ids(store) == [] and journal.held == 2
    age(store, TERM + 1)
    await journal.renew()  # still ours: nobody takes it over
    assert await UpdateJournal(Updates(store), workers, TERM, claimant="there").recover(BOT) == []
    await journal.finish(second)
    assert table.handled_calls[-1] == [1, 2] and handled_ids(store) == [1, 2] and journal.held == 0


async def test_the_processor_handles_what_the_journal_lets_through_and_records_it(
    store: Store, workers: Workers
) -> None:
    clock = Clock()
    journal = UpdateJournal(Updates(store), workers, TERM, claimant="here", clock=clock)
    processor = ChatOrderedUpdates(4)
    processor.journal = journal
    ran: list[int] = []

    async def handle(update: Update) -> None:
        ran.append(update.update_id)

    mine, lost = question(1, chat_id=7), question(2, chat_id=7)
    await journal.receive([mine, lost])
    with store.transaction() as connection:  # another process took the second over meanwhile
        connection.execute(text("UPDATE updates SET claimed_by = 'there' WHERE update_id = 2"))
    clock.now += TERM
    await processor.do_process_update(mine, handle(mine))
    await processor.do_process_update(lost, handle(lost))  # never started (and never warned about)
    assert ran == [1] and handled_ids(store) == [1] and processor.chats_in_flight == 0


@pytest.fixture
async def api_bot() -> AsyncIterator[tuple[FakeBotApi, Bot]]:
    with FakeBotApi() as api:
        async with Bot(api.token, base_url=api.base_url) as bot:
            yield api, bot



def _offset(call: RecordedCall) -> int:
    return int(call.params.get("offset") or 0)


async def test_a_batch_is_confirmed_to_telegram_only_once_it_is_stored(
    api_bot: tuple[FakeBotApi, Bot], store: Store, workers: Workers, monkeypatch: pytest.MonkeyPatch
) -> None:
    api, bot = api_bot
    monkeypatch.setattr(polling_module, "FIRST_PAUSE", 0.1)  # the pause before storing again
    table = Watched(store)
    table.failing_receives = 1
    journal = UpdateJournal(table, workers, 1.0, claimant="here")
    queue: asyncio.Queue[object] = asyncio.Queue()
    polling = LongPolling(bot, queue, journal, 1.0)
    user = api.new_user("读者")
    asked = api.send_text(user, user, "密云区总工会培训了多少人")
    await polling.start()
    try:
        await until(lambda: table.receive_attempts >= 1, "an attempt to store the batch")
        assert api.pending_updates() and not any(_offset(c) > asked["update_id"] for c in api.calls("getUpdates"))
        update = await asyncio.wait_for(queue.get(), WAIT)  # stored at the second attempt
        assert isinstance(update, Update) and update.update_id == asked["update_id"]
        await until(lambda: not api.pending_updates(), "the batch confirmed")
        assert table.receive_attempts == 2
        api.send_text(user, user, "东城区覆盖了多少家企业")
        later = await asyncio.wait_for(queue.get(), WAIT)  # the next one; the first never again
        assert isinstance(later, Update) and later.update_id == asked["update_id"] + 1 and queue.empty()
    finally:
        await polling.stop()


async def test_taking_the_lease_the_poller_waits_for_what_others_hold_and_feeds_what_they_left(
    api_bot: tuple[FakeBotApi, Bot], store: Store, workers: Workers
) -> None:
    api, bot = api_bot
    term = 1.5  # the poller waits at most a term for the other process, looking ten times
    there = UpdateJournal(Updates(store), workers, term, claimant="there")
    held, left = question(1, chat_id=1), question(2, chat_id=2)
    await there.receive([held, left])
    table = Watched(store)
    queue: asyncio.Queue[object] = asyncio.Queue()
    polling = LongPolling(bot, queue, UpdateJournal(table, workers, term, claimant="here"), term)
    await polling.start()
    try:
        await until(lambda: table.others_asked >= 2, "the poller waiting")
        assert not api.calls("getUpdates") and queue.empty()  # another process holds both
        await there.finish(held)  # handled there
        age(store, term + 1)  # the other one's claim ran out: its process died
        update = await asyncio.wait_for(queue.get(), WAIT)
        assert isinstance(update, Update) and update.to_dict() == left.to_dict()
        await until(lambda: api.calls("getUpdates"), "polling")
        assert queue.empty()
    finally:
        await polling.stop()
