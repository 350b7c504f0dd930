"""A question as the edges take it in: decoded, cleaned and capped the same way for the
command line (`ask`, the `ask --json` batch, `chat`) and the Telegram bot.

Errors: `QuestionError` (a ValueError) when the bytes of a question are not UTF-8.
"""

from __future__ import annotations

import unicodedata

from pydantic import BaseModel, ConfigDict

MAX_QUESTION_CHARS = 500
"""Questions are answered on their first 500 characters (after cleaning), everywhere."""

NOT_UTF8 = "the question is not valid UTF-8"
SHORTENED_NOTE = f"（问题太长，只按前 {MAX_QUESTION_CHARS} 个字回答）"

_DROPPED = ("Cc", "Cf", "Cs", "Co", "Cn")  # control, format, surrogate, private use, unassigned


class QuestionError(ValueError):
    """The question cannot be read (its bytes are not UTF-8)."""


class Question(BaseModel):
    """What is answered, and whether the asker's text had to be shortened for it."""

    model_config = ConfigDict(frozen=True)

    text: str
    shortened: bool = False


def decode_question(raw: bytes) -> str:
    """A line of input as text (UTF-8, a BOM dropped); QuestionError when it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuestionError(NOT_UTF8) from None


def check_decoded(text: str) -> str:
    """Text Python decoded with surrogateescape (argv, a terminal): QuestionError when the
    original bytes were not UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise QuestionError(NOT_UTF8) from None
    return text


def prepare_question(text: str) -> Question:
    """The question without control and format characters (NUL included), whitespace
    collapsed, at most MAX_QUESTION_CHARS characters. Only as much of a huge text is read as
    the cap needs."""
    window = 4 * MAX_QUESTION_CHARS
    while True:
        collapsed = _cleaned(text[:window])
        if len(collapsed) > MAX_QUESTION_CHARS or window >= len(text):
            break
        window *= 4
    if len(collapsed) <= MAX_QUESTION_CHARS:
        return Question(text=collapsed)
    return Question(text=collapsed[:MAX_QUESTION_CHARS], shortened=True)


def _cleaned(text: str) -> str:
    kept = "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch) not in _DROPPED
    )
    return " ".join(kept.split())


def clean_question(text: str) -> str:
    """The text `prepare_question` answers."""
    return prepare_question(text).text
