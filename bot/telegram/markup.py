"""Our keyboards as python-telegram-bot's inline keyboard markup: the one place the two meet."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.keyboards import Keyboard


def markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    """The Telegram markup of `keyboard` (None stays None)."""
    if keyboard is None:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button.text, callback_data=button.data) for button in row] for row in keyboard.rows]
    )
