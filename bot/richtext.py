"""Text in Telegram's HTML subset: escaping what people and the paper wrote, the plain
text a reader sees, and labels shortened to fit a button."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")


def esc(text: str) -> str:
    """Text for Telegram HTML: & < > escaped."""
    return html.escape(text, quote=False)


def plain(html_text: str) -> str:
    """The text Telegram shows for an HTML message (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub("", html_text))


def short(title: str, limit: int = 24) -> str:
    """`title`, cut to `limit` characters with an ellipsis when longer."""
    return title if len(title) <= limit else title[: limit - 1] + "…"
