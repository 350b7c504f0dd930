"""What a button press asks for: one frozen model per kind of button, and the codec that
turns them into Telegram's callback data and back.

Wire format (kept stable, so that buttons on messages already sent keep working):

    a:ARTICLE:PAGE   open an article (a new message)      OpenArticle
    g:ARTICLE:PAGE   turn an article's page (in place)    ArticlePage
    m:QUERY:INDEX    another result of a question          MoreResults
    f:QUERY:1|-1     feedback on an answer                 Feedback
    p:QUERY:PAGE     another page of /find results         FindPage
    x:INDEX          one of /start's example questions     Example
    s:on|s:off       subscribe or unsubscribe (/status)    Subscription

`encode` refuses anything over Telegram's 64 bytes; `decode` returns None for data it
does not know (old, forged or oversized), never raising.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MAX_CALLBACK_BYTES = 64
_ARTICLE_ID = r"[A-Za-z0-9_-]{1,40}"
_NUMBER = r"-?[0-9]{1,19}"
MAX_ROW_ID = 2**63 - 1  # SQLite rowids


class _Callback(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OpenArticle(_Callback):
    """Open an article in a new message, at `page`."""

    article_id: str = Field(pattern=rf"^{_ARTICLE_ID}$")
    page: int = Field(default=0, ge=0, le=9999)


class ArticlePage(_Callback):
    """Show another page of the article in the same message."""

    article_id: str = Field(pattern=rf"^{_ARTICLE_ID}$")
    page: int = Field(ge=0, le=9999)


class MoreResults(_Callback):
    """Show result number `index` of an earlier question, in the same message."""

    query_id: int = Field(gt=0, le=MAX_ROW_ID)
    index: int = Field(ge=0, le=999)


class Feedback(_Callback):
    """👍 (1) or 👎 (-1) on an answer."""

    query_id: int = Field(gt=0, le=MAX_ROW_ID)
    value: Literal[1, -1]


class FindPage(_Callback):
    """Another page of /find results, in the same message."""

    query_id: int = Field(gt=0, le=MAX_ROW_ID)
    page: int = Field(ge=0, le=9999)


class Example(_Callback):
    """Ask example question number `index`."""

    index: int = Field(ge=0, le=99)


class Subscription(_Callback):
    """Subscribe this chat (on) or unsubscribe it (off)."""

    on: bool


Callback = OpenArticle | ArticlePage | MoreResults | Feedback | FindPage | Example | Subscription


class CallbackTooLong(ValueError):
    """Encoded callback data over Telegram's 64 bytes."""


def encode(callback: Callback) -> str:
    """The callback data for a button; at most 64 bytes (CallbackTooLong otherwise)."""
    match callback:
        case OpenArticle(article_id=article_id, page=page):
            data = f"a:{article_id}:{page}"
        case ArticlePage(article_id=article_id, page=page):
            data = f"g:{article_id}:{page}"
        case MoreResults(query_id=query_id, index=index):
            data = f"m:{query_id}:{index}"
        case Feedback(query_id=query_id, value=value):
            data = f"f:{query_id}:{value}"
        case FindPage(query_id=query_id, page=page):
            data = f"p:{query_id}:{page}"
        case Example(index=index):
            data = f"x:{index}"
        case Subscription(on=on):
            data = "s:on" if on else "s:off"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise CallbackTooLong(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


_PATTERNS: dict[str, re.Pattern[str]] = {
    "a": re.compile(rf"a:(?P<article_id>{_ARTICLE_ID}):(?P<page>{_NUMBER})"),
    "g": re.compile(rf"g:(?P<article_id>{_ARTICLE_ID}):(?P<page>{_NUMBER})"),
    "m": re.compile(rf"m:(?P<query_id>{_NUMBER}):(?P<index>{_NUMBER})"),
    "f": re.compile(rf"f:(?P<query_id>{_NUMBER}):(?P<value>{_NUMBER})"),
    "p": re.compile(rf"p:(?P<query_id>{_NUMBER}):(?P<page>{_NUMBER})"),
    "x": re.compile(rf"x:(?P<index>{_NUMBER})"),
    "s": re.compile(r"s:(?P<on>on|off)"),
}
_MODELS: dict[str, type[Callback]] = {
    "a": OpenArticle,
    "g": ArticlePage,
    "m": MoreResults,
    "f": Feedback,
    "p": FindPage,
    "x": Example,
    "s": Subscription,
}


def decode(data: object) -> Callback | None:
    """The callback a button's data stands for; None for anything else."""
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_CALLBACK_BYTES:
        return None
    pattern = _PATTERNS.get(data[:1])
    match = pattern.fullmatch(data) if pattern is not None else None
    if match is None:
        return None
    fields: dict[str, object] = {}
    for name, value in match.groupdict().items():
        if name == "on":
            fields[name] = value == "on"
        else:
            fields[name] = value if name == "article_id" else int(value)
    try:
        return _MODELS[data[0]].model_validate(fields)
    except ValidationError:
        return None
