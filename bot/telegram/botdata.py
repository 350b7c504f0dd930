"""What a running bot holds between updates, typed: python-telegram-bot's `bot_data` is
one of these (ContextTypes(bot_data=BotData)), filled in post_init and emptied at stop."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.ext import CallbackContext, ExtBot

from .compose import BotParts
from .leadership import LeaseKeeper
from .poller import Poller
from .responder import Responder


class BotData:
    """The bot's parts (built once, in post_init), the poller with its task, the polling
    lease (long polling only), the task that keeps the index in step with the database, the
    one that keeps the claims on the updates being handled, and the one that writes what
    replies leave to record."""

    def __init__(self) -> None:
        self.parts: BotParts | None = None
        self.poller: Poller | None = None
        self.poller_task: asyncio.Task[None] | None = None
        self.poll_lease: LeaseKeeper | None = None
        self.watch_task: asyncio.Task[None] | None = None
        self.journal_task: asyncio.Task[None] | None = None
        self.records_task: asyncio.Task[None] | None = None

    def running_service(self) -> Responder:
        """The service as the handlers call it, once post_init has built it."""
        if self.parts is None:
            raise RuntimeError("the bot service is not running")
        return self.parts.responder


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
