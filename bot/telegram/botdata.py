"""What a running bot holds between updates, typed: python-telegram-bot's `bot_data` is
one of these (ContextTypes(bot_data=BotData)), filled in post_init and emptied at stop."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.ext import CallbackContext, ExtBot

from bot.library import Library

from .poller import Poller
from .service import BotService


class BotData:
    """The library, the service the handlers call, and the poller with its task."""

    def __init__(self) -> None:
        self.library: Library | None = None
        self.owns_library = False
        self.service: BotService | None = None
        self.poller: Poller | None = None
        self.poller_task: asyncio.Task[None] | None = None

    def running_service(self) -> BotService:
        """The service, once post_init has built it."""
        if self.service is None:
            raise RuntimeError("the bot service is not running")
        return self.service


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
