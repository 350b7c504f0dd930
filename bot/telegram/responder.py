"""The service as the handlers call it: awaitable, and never on the event loop's thread.

A reply's database steps only read, on the reading thread; answering runs in the answering
pool (`Workers`). What a reply leaves to write goes to the recorder, which the record
writer writes on the database thread after the reply: so a reply never waits for a write,
nor for another process's write transaction. Only the steps whose reply says what a write
did (subscribing, unsubscribing) run on the database thread and wait for it.

A button press may reach this process before the question it refers to is written, when
another process answered it and its records still wait for the database: the press then
reads again for a few seconds (`RECORD_WAITS`) before it counts as expired."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from bot.storage.activity import QueryKind

from . import render
from .render import Reply
from .service import Asker, Asking, BotService, InlineResult
from .workers import Workers

P = ParamSpec("P")
T = TypeVar("T")

RECORD_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)  # seconds between reads of an unknown question


class Responder:
    """`BotService`, each call run where it belongs."""

    def __init__(self, service: BotService, workers: Workers) -> None:
        self.service = service
        self.workers = workers

    async def ask(
        self, text: str, asker: Asker, kind: QueryKind = QueryKind.ASK, reply_to: int | None = None
    ) -> Reply | None:
        svc, workers = self.service, self.workers
        asking = await workers.read(svc.begin_ask, text, asker, kind, reply_to)
        if not isinstance(asking, Asking):
            return asking
        return await workers.answer(svc.respond, asking)

    async def more(self, query_id: int, index: int, asker: Asker) -> Reply | None:
        recalled = await self._recorded(self.service.recall, query_id)
        return None if recalled is None else await self.workers.answer(self.service.more_of, recalled, index, asker)

    async def inline(self, text: str, asker: Asker) -> list[InlineResult]:
        svc = self.service
        question = await self.workers.read(svc.inline_question, text, asker)
        return [] if question is None else await self.workers.answer(svc.inline_answers, question, asker)

    async def example(self, index: int, asker: Asker) -> Reply | None:
        question = self.service.example_question(index)
        return None if question is None else await self.ask(question, asker)

    async def remember(self, chat_id: int, message_id: int, reply: Reply) -> None:
        await self.workers.read(self.service.remember, chat_id, message_id, reply)

    async def article(self, article_id: str, page: int, asker: Asker) -> Reply:
        return await self.workers.read(self.service.article, article_id, page, asker)

    async def find(self, text: str, asker: Asker) -> Reply:
        return await self.workers.read(self.service.find, text, asker)

    async def find_page(self, query_id: int, page: int, asker: Asker) -> Reply | None:
        return await self._recorded(self.service.find_page, query_id, page, asker)

    async def feedback(self, query_id: int, value: int, asker: Asker) -> str:
        thanks = await self._recorded(self.service.give_feedback, query_id, value, asker)
        return thanks or render.FEEDBACK_EXPIRED

    async def stats(self, asker: Asker) -> Reply:
        return await self.workers.read(self.service.stats, asker)

    async def start(self, asker: Asker) -> Reply:
        return await self.workers.read(self.service.start, asker)

    def help(self, bot_username: str, asker: Asker) -> Reply:
        return self.service.help(bot_username, asker)

    async def subscribe(self, chat_id: int, chat_type: str, title: str | None, asker: Asker) -> Reply:
        return await self.workers.db(self.service.subscribe, chat_id, chat_type, title, asker)

    async def unsubscribe(self, chat_id: int, asker: Asker) -> Reply:
        return await self.workers.db(self.service.unsubscribe, chat_id, asker)

    async def status(self, chat_id: int, asker: Asker) -> Reply:
        return await self.workers.read(self.service.status, chat_id, asker)

    async def left(self, chat_id: int) -> None:
        await self.workers.db(self.service.left, chat_id)

    async def migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        await self.workers.db(self.service.migrated, old_chat_id, new_chat_id)

    async def _recorded(self, read: Callable[P, T | None], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """A read step of a button about an earlier question; read again a few times while
        it finds nothing (the question not written yet), then None."""
        for pause in RECORD_WAITS:
            found = await self.workers.read(read, *args, **kwargs)
            if found is not None:
                return found
            await asyncio.sleep(pause)
        return await self.workers.read(read, *args, **kwargs)
