"""Updates handled side by side, each chat's in the order they came.

python-telegram-bot hands every update to an update processor; this one lets up to
`max_concurrent_updates` run at once, but an update waits for the earlier ones of its chat
(or of its sender, for updates without a chat, such as inline queries). A chat's lock lives
only while one of its updates is in flight, so the table holds at most as many locks as
there are updates in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

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

    @property
    def chats_in_flight(self) -> int:
        """How many chats have an update being handled or waiting (the size of the lock table)."""
        return len(self._turns)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        if key is None:
            await coroutine
            return
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn()
        turn.users += 1
        try:
            async with turn.lock:
                await coroutine
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
