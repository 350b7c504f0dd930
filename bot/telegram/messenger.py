"""The digest sender's Messenger over python-telegram-bot: sends a part as HTML with its
buttons, and turns Telegram's errors into the sender's."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.digests.digest import DigestPart
from bot.digests.messenger import ChatGone, ChatMoved, FloodWait, SendFailed, SendRefused

from .markup import markup

_CHAT_GONE = ("chat not found", "deactivated")


def seconds(value: float | timedelta) -> float:
    """python-telegram-bot gives durations as timedelta (or, in older modes, seconds)."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramMessenger:
    """Sends digest parts with a Bot."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, part: DigestPart) -> int:
        try:
            message = await self.bot.send_message(
                chat_id,
                part.text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup(part.keyboard),
                disable_web_page_preview=True,
            )
        except RetryAfter as exc:
            raise FloodWait(seconds(exc.retry_after)) from exc
        except ChatMigrated as exc:
            raise ChatMoved(exc.new_chat_id) from exc
        except Forbidden as exc:
            raise ChatGone(exc.message) from exc
        except BadRequest as exc:
            if any(words in exc.message.lower() for words in _CHAT_GONE):
                raise ChatGone(exc.message) from exc
            raise SendRefused(exc.message) from exc
        except TelegramError as exc:  # NetworkError and TimedOut included
            raise SendFailed(str(exc)) from exc
        return message.message_id
