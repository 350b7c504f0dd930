"""The service as the handlers call it: awaitable, and never on the event loop's thread.

Database steps run on the database thread, answering in the answering pool (`Workers`);
a question is read, answered and recorded in three hops, so that a slow write (another
process holding the database) holds up no other chat's answer being computed, and
answering holds up no database call."""

from __future__ import annotations

from bot.storage.activity import QueryKind

from .render import Reply
from .service import Asker, Asking, BotService, InlineResult
from .workers import Workers


class Responder:
    """`BotService`, each call run where it belongs."""

    def __init__(self, service: BotService, workers: Workers) -> None:
        self.service = service
        self.workers = workers

    async def ask(
        self, text: str, asker: Asker, kind: QueryKind = QueryKind.ASK, reply_to: int | None = None
    ) -> Reply | None:
        svc, workers = self.service, self.workers
        asking = await workers.db(svc.begin_ask, text, asker, kind, reply_to)
        if not isinstance(asking, Asking):
            return asking
        exchange = await workers.answer(svc.converse, asking)
        return await workers.db(svc.finish_ask, asking, exchange)

    async def more(self, query_id: int, index: int, asker: Asker) -> Reply | None:
        recalled = await self.workers.db(self.service.recall, query_id)
        return None if recalled is None else await self.workers.answer(self.service.more_of, recalled, index, asker)

    async def inline(self, text: str, asker: Asker) -> list[InlineResult]:
        svc = self.service
        question = await self.workers.db(svc.inline_question, text, asker)
        if question is None:
            return []
        answer = await self.workers.answer(svc.library.answer, question)
        return await self.workers.db(svc.inline_results, question, answer, asker)

    async def example(self, index: int, asker: Asker) -> Reply | None:
        question = self.service.example_question(index)
        return None if question is None else await self.ask(question, asker)

    async def remember(self, chat_id: int, message_id: int, reply: Reply) -> None:
        await self.workers.db(self.service.remember, chat_id, message_id, reply)

    async def article(self, article_id: str, page: int, asker: Asker) -> Reply:
        return await self.workers.db(self.service.article, article_id, page, asker)

    async def find(self, text: str, asker: Asker) -> Reply:
        return await self.workers.db(self.service.find, text, asker)

    async def find_page(self, query_id: int, page: int, asker: Asker) -> Reply | None:
        return await self.workers.db(self.service.find_page, query_id, page, asker)

    async def feedback(self, query_id: int, value: int, asker: Asker) -> str:
        return await self.workers.db(self.service.feedback, query_id, value, asker)

    async def stats(self, asker: Asker) -> Reply:
        return await self.workers.db(self.service.stats, asker)

    async def start(self, asker: Asker) -> Reply:
        return await self.workers.db(self.service.start, asker)

    def help(self, bot_username: str, asker: Asker) -> Reply:
        return self.service.help(bot_username, asker)

    async def subscribe(self, chat_id: int, chat_type: str, title: str | None, asker: Asker) -> Reply:
        return await self.workers.db(self.service.subscribe, chat_id, chat_type, title, asker)

    async def unsubscribe(self, chat_id: int, asker: Asker) -> Reply:
        return await self.workers.db(self.service.unsubscribe, chat_id, asker)

    async def status(self, chat_id: int, asker: Asker) -> Reply:
        return await self.workers.db(self.service.status, chat_id, asker)

    async def left(self, chat_id: int) -> None:
        await self.workers.db(self.service.left, chat_id)

    async def migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        await self.workers.db(self.service.migrated, old_chat_id, new_chat_id)
