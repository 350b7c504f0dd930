"""Updates handled side by side, each chat's in the order they came.

python-telegram-bot hands every update to an update processor; this one lets up to
`max_concurrent_updates` run at once, but an update waits for the earlier ones of its chat
(or of its sender, for updates without a chat, such as inline queries). A chat's lock lives
only while one of its updates is in flight, so the table holds at most as many locks as
there are updates in flight.

With a journal (`journal.UpdateJournal`, attached once the bot's parts are built), an
update is handled only when the journal lets it (`begin`, in the chat's turn: another
process may have taken it over meanwhile), and is recorded as handled after (`finish`,
once the chat's next update may go on)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def order_key(update: object) -> tuple[str, int] | None:
    """What an update must keep its order within: its chat, else its sender; None: nothing."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class Journal(Protocol):
    """Whether an update is to be handled here, and its record once it was."""

    async def begin(self, update: object) -> bool: ...

    async def finish(self, update: object) -> None: ...


class _Turn:
    """A chat's lock and how many of its updates hold it or wait for it."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class ChatOrderedUpdates(BaseUpdateProcessor):
    """Concurrent across chats, in order within a chat."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: dict[tuple[str, int], _Turn] = {}
        self.journal: Journal | None = None

    @property
    def chats_in_flight(self) -> int:
        """How many chats have an update being handled or waiting (the size of the lock table)."""
        return len(self._turns)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        if key is None:
            handled = await self._handle(update, coroutine)
        else:
            turn = self._turns.get(key)
            if turn is None:
                turn = self._turns[key] = _Turn()
            turn.users += 1
            try:
                async with turn.lock:
                    handled = await self._handle(update, coroutine)
            finally:
                turn.users -= 1
                if turn.users == 0:
                    del self._turns[key]
        if handled and self.journal is not None:
            await self.journal.finish(update)

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> bool:
        """Handle the update, if the journal lets it; whether it was."""
        try:
            go = self.journal is None or await self.journal.begin(update)
        except BaseException:
            go = False
            raise
        finally:
            if not go and inspect.iscoroutine(coroutine):
                coroutine.close()  # never started
        if go:
            await coroutine
        return go

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
