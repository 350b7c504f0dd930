"""A small Telegram Bot API server for end-to-end tests of the bot.

The bot under test runs python-telegram-bot unchanged, through its real HTTP stack, against
this server::

    with FakeBotApi() as server:
        app = Application.builder().token(server.token).base_url(server.base_url).build()

``server.base_url`` looks like ``http://127.0.0.1:PORT/bot``; the library appends the token
and ``/methodName`` itself.  Requests are decoded the way Telegram decodes them (form fields,
multipart parts or a JSON body; non-string values JSON-encoded) and answered with Telegram's
envelopes, ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": "...", "parameters": {...}}``, so the library raises its real exceptions
(``BadRequest``, ``Forbidden``, ``RetryAfter``, ``ChatMigrated``, ``TimedOut``, ...).

What the server offers to a test:

* a registry of users and chats (private, group, supergroup, channel) with member statuses,
  blocked users, kicked bots and migrated groups;
* validation of outgoing messages the way Telegram does it: HTML parse mode with Telegram's
  tag set, the 4096 UTF-16 code unit limit, inline keyboards (``callback_data`` at most 64
  bytes), edits of missing or unchanged messages, inline query answers;
* fault injection (``fail_next``) and an optional flood-limit model;
* a record of every call and of every message, with blocking and ``async`` waits;
* builders of incoming updates (texts, commands, button presses, inline queries, membership
  changes, migrations, anonymous admins) served by ``getUpdates`` long polling or delivered to
  a local webhook.

Test modules use the fixture by importing it::

    from .fakebotapi import fake_botapi  # noqa: F401

Note for tests under ``filterwarnings = error``: python-telegram-bot builds ``RetryAfter`` by
reading its deprecated integer ``retry_after``, which warns unless the environment has
``PTB_TIMEDELTA=true``; set it (``monkeypatch.setenv``) in tests that expect flood errors.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import logging
import math
import re
import select
import socket
import socketserver
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

__all__ = [
    "ANONYMOUS_ADMIN_ID",
    "DEFAULT_TOKEN",
    "BotApiError",
    "EntityParseError",
    "FakeBotApi",
    "FakeChat",
    "FakeUser",
    "Fault",
    "FloodLimits",
    "RecordedCall",
    "StoredMessage",
    "UploadedFile",
    "detect_entities",
    "entity_text",
    "fake_botapi",
    "parse_html",
    "utf16_len",
]

_log = logging.getLogger(__name__)

JSON = dict[str, Any]
T = TypeVar("T")
ChatType = Literal["private", "group", "supergroup", "channel"]
MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]

DEFAULT_TOKEN = "7000000001:AAHfakeUnionbotTestToken_0123456789"
"""A token of Telegram's shape; the bot's user id is the number before the colon."""

ANONYMOUS_ADMIN_ID = 1087968824
"""The user id of @GroupAnonymousBot, the ``from`` of messages by anonymous group admins."""

SERVICE_CHAT_ID = 777000
"""The user id Telegram uses for service messages and automatic channel forwards."""

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50

_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_API_PATH = re.compile(r"/bot([^/]*)/([^/]*)")
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


# -- text: HTML parse mode, entities, UTF-16 lengths ------------------------------------------


class EntityParseError(ValueError):
    """Raised by :func:`parse_html` with Telegram's wording (without "can't parse entities")."""


def utf16_len(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, the unit of Telegram's offsets and limits."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _utf16_positions(text: str) -> list[int]:
    """``positions[k]`` is the UTF-16 offset of character ``k``; one extra entry for the end."""
    positions = [0]
    for ch in text:
        positions.append(positions[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return positions


_ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_NAMED_CHARACTER_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_SPACES = " \t\n\r\f\v"
_TRIMMED = " \t\n\r\f\v"


@dataclass
class _OpenTag:
    name: str
    argument: str
    start: int  # UTF-16 offset in the plain text
    start_char: int  # index in the plain text
    expandable: bool


def _decode_character_reference(text: str, pos: int, *, strict: bool) -> tuple[str, int] | None:
    """Decode the reference at ``text[pos] == "&"``: the character and the position after it.

    Telegram knows ``&lt; &gt; &amp; &quot;`` and numeric references; it tolerates a missing
    ``;``.  ``strict`` requires the ``;`` as the Bot API documentation does.
    """
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        base = 10
        if end < n and text[end] in "xX":
            end += 1
            base = 16
        digits = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
        first_digit = end
        value = 0
        while end < n and text[end] in digits:
            value = value * base + int(text[end], base)
            if value >= 0x10FFFF:
                return None
            end += 1
        if end == first_digit or value == 0 or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in _NAMED_CHARACTER_REFERENCES:
            return None
        char = _NAMED_CHARACTER_REFERENCES[name]
    if end < n and text[end] == ";":
        end += 1
    elif strict:
        return None
    return char, end


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram's HTML parse mode: the plain text and its entities (UTF-16 offsets).

    Follows Telegram's parser: the supported tags and attributes, its error messages with byte
    offsets into the UTF-8 text, and entities sorted by offset.  Telegram itself lets a bare
    ``&`` or ``>`` through; with ``strict`` (the default) they are errors, as the Bot API
    documentation asks for them to be escaped, so that the bot's escaping is tested.

    Raises:
        EntityParseError: with the text that follows "can't parse entities: " in Telegram's
            description.
    """
    out: list[str] = []
    length = 0
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    n = len(text)

    def byte_offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8"))

    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            decoded = _decode_character_reference(text, i, strict=strict)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                length += utf16_len(char)
                continue
            if strict:
                raise EntityParseError(f'Unescaped "&" at byte offset {byte_offset(i)}')
        if c == ">" and strict:
            raise EntityParseError(f'Unescaped ">" at byte offset {byte_offset(i)}')
        if c != "<":
            out.append(c)
            length += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if i >= n or text[i] != "/":
            j = i
            while j < n and text[j] not in _HTML_SPACES and text[j] != ">":
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = text[i:j].lower()
            if tag not in _ALLOWED_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}')
            argument = ""
            expandable = False
            while j < n and text[j] != ">":
                while j < n and text[j] in _HTML_SPACES:
                    j += 1
                if j >= n:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
                if text[j] == ">":
                    break
                attribute_begin = j
                while j < n and text[j] not in _HTML_SPACES and text[j] not in "=>":
                    j += 1
                attribute = text[attribute_begin:j].lower()
                if not attribute:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                while j < n and text[j] in _HTML_SPACES:
                    j += 1
                if j >= n or text[j] != "=":
                    if tag == "blockquote" and attribute == "expandable":
                        expandable = True
                        continue
                    if j >= n:
                        raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
                    raise EntityParseError(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        f"at byte offset {byte_offset(begin)}"
                    )
                j += 1
                while j < n and text[j] in _HTML_SPACES:
                    j += 1
                if j >= n:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
                if text[j] not in "'\"":
                    token_begin = j
                    while j < n and ((text[j].isascii() and text[j].isalnum()) or text[j] in ".-"):
                        j += 1
                    value = text[token_begin:j].lower()
                    if j < n and text[j] not in _HTML_SPACES and text[j] != ">":
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset {byte_offset(token_begin)}"
                        )
                else:
                    quote = text[j]
                    j += 1
                    chars: list[str] = []
                    while j < n and text[j] != quote:
                        if text[j] == "&":
                            decoded = _decode_character_reference(text, j, strict=False)
                            if decoded is not None:
                                chars.append(decoded[0])
                                j = decoded[1]
                                continue
                        chars.append(text[j])
                        j += 1
                    if j >= n:
                        raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                    j += 1
                    value = "".join(chars)
                if j >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                if tag == "a" and attribute == "href":
                    argument = value
                elif tag == "code" and attribute == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attribute == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attribute == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}')
            stack.append(_OpenTag(tag, argument, length, len(out), expandable))
            i = j + 1
        else:
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            j = i + 1
            while j < n and text[j] not in _HTML_SPACES and text[j] != ">":
                j += 1
            end_name = text[i + 1 : j].lower()
            while j < n and text[j] in _HTML_SPACES:
                j += 1
            if j >= n or text[j] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            top = stack.pop()
            if end_name and end_name != top.name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {byte_offset(begin)}, expected "</{top.name}>", '
                    f'found "</{end_name}>"'
                )
            _close_tag(top, length, "".join(out[top.start_char :]), entities)
            i = j + 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return "".join(out), _sorted_entities(entities)


def _close_tag(tag: _OpenTag, end: int, inner_text: str, entities: list[JSON]) -> None:
    size = end - tag.start
    if size <= 0:
        return
    entity: JSON = {"offset": tag.start, "length": size}
    if tag.name == "a":
        url = tag.argument or inner_text
        user_id = re.fullmatch(r"tg://user\?id=(\d+)", url)
        if user_id:
            entity["type"] = "text_mention"
            entity["user"] = {"id": int(user_id.group(1)), "is_bot": False, "first_name": inner_text}
        else:
            entity["type"] = "text_link"
            entity["url"] = url
    elif tag.name == "tg-emoji":
        if not tag.argument:
            return
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = tag.argument
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if tag.expandable else "blockquote"
    elif tag.name == "code":
        entity["type"] = "code"
        if tag.argument:
            entity["_language"] = tag.argument
    elif tag.name == "pre":
        entity["type"] = "pre"
        for k in range(len(entities) - 1, -1, -1):
            inner = entities[k]
            if inner["type"] == "code" and inner["offset"] == tag.start and inner["length"] == size:
                if inner.get("_language"):
                    entity["language"] = inner["_language"]
                del entities[k]
                break
    else:
        entity["type"] = _TAG_ENTITY_TYPES[tag.name]
    entities.append(entity)


def _sorted_entities(entities: Iterable[JSON]) -> list[JSON]:
    cleaned = [{k: v for k, v in e.items() if not k.startswith("_")} for e in entities]
    return sorted(cleaned, key=lambda e: (e["offset"], -e["length"]))


def entity_text(text: str, entity: Mapping[str, Any]) -> str:
    """The part of ``text`` an entity covers (its offsets count UTF-16 code units)."""
    units = text.encode("utf-16-le")
    start = 2 * int(entity["offset"])
    return units[start : start + 2 * int(entity["length"])].decode("utf-16-le", errors="replace")


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading and trailing whitespace the way Telegram does, moving the entities along."""
    left = text.lstrip(_TRIMMED)
    lead = utf16_len(text[: len(text) - len(left)])
    plain = left.rstrip(_TRIMMED)
    total = utf16_len(plain)
    kept: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        stop = min(entity["offset"] + entity["length"] - lead, total)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return plain, kept


_URL_RE = re.compile(r"(?i)(?<![\w/@.])https?://[^\s<>\"'，。！？、；：“”‘’（）【】《》]+")
_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{3,32}(?![\w@])")
_HASHTAG_RE = re.compile(r"(?<![\w#])#\w{1,256}")
_OPAQUE_ENTITY_TYPES = frozenset({"code", "pre", "text_link", "text_mention", "url", "custom_emoji", "email"})


def detect_entities(text: str, explicit: Iterable[JSON] = ()) -> list[JSON]:
    """The entities Telegram adds by itself: URLs, bot commands, @mentions and hashtags.

    Nothing is detected inside code, pre or links among ``explicit``; the result holds the
    explicit entities and the detected ones, sorted.
    """
    positions = _utf16_positions(text)
    explicit_list = list(explicit)
    taken = [
        (e["offset"], e["offset"] + e["length"]) for e in explicit_list if e.get("type") in _OPAQUE_ENTITY_TYPES
    ]
    found: list[JSON] = []
    patterns = (("url", _URL_RE), ("bot_command", _COMMAND_RE), ("mention", _MENTION_RE), ("hashtag", _HASHTAG_RE))
    for kind, pattern in patterns:
        for match in pattern.finditer(text):
            start_char, end_char = match.span()
            if kind == "url":
                while end_char > start_char and text[end_char - 1] in ".,;:!?)]}'\"":
                    end_char -= 1
            if kind == "hashtag" and text[start_char + 1 : end_char].isdigit():
                continue
            start, end = positions[start_char], positions[end_char]
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            found.append({"offset": start, "length": end - start, "type": kind})
    return _sorted_entities([*explicit_list, *found])


# -- value objects ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user as tests see it; ``to_json`` gives Telegram's User object."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "zh-hans"
    is_bot: bool = False
    is_premium: bool = False

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        if self.is_premium:
            data["is_premium"] = True
        return data


@dataclass(frozen=True)
class FakeChat:
    """A chat; ``to_json`` gives Telegram's Chat object (the short form found in messages)."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False

    @classmethod
    def private(cls, user: FakeUser) -> FakeChat:
        """The private chat between ``user`` and the bot (its id is the user's id)."""
        return cls(user.id, "private", username=user.username, first_name=user.first_name, last_name=user.last_name)

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.first_name or ""
            if self.last_name:
                data["last_name"] = self.last_name
        else:
            data["title"] = self.title or ""
        if self.username:
            data["username"] = self.username
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Fault:
    """One injected failure; see :meth:`FakeBotApi.fail_next`."""

    status: int | None = None
    description: str | None = None
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None
    delay: float = 0.0
    drop: bool = False
    body: bytes | None = None


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's flood limits, roughly: 30 messages a second overall, 20 a minute to a group.

    ``None`` switches a limit off.  Exceeding one answers 429 with the seconds until the oldest
    message of the window leaves it.
    """

    per_second: int | None = 30
    per_group_per_minute: int | None = 20
    per_chat_per_second: int | None = None


@dataclass
class RecordedCall:
    """One request: method, decoded parameters, arrival time, and the answer once sent."""

    method: str
    params: JSON
    time: float
    status: int | None = None
    response: JSON | None = None

    @property
    def ok(self) -> bool:
        return self.status == HTTPStatus.OK

    @property
    def description(self) -> str | None:
        return None if self.response is None else self.response.get("description")


@dataclass
class StoredMessage:
    """A message in a chat: Telegram's Message object plus what the sender passed in."""

    message: JSON
    source: str
    """The text as sent, before entity parsing (the raw HTML for ``parse_mode=HTML``)."""
    parse_mode: str | None
    from_bot: bool
    deleted: bool = False
    history: list[JSON] = field(default_factory=list)
    """Earlier versions of :attr:`message`, oldest first."""

    @property
    def chat_id(self) -> int:
        return int(self.message["chat"]["id"])

    @property
    def message_id(self) -> int:
        return int(self.message["message_id"])

    @property
    def text(self) -> str:
        """The plain text (or caption) with the markup removed."""
        return str(self.message.get("text", self.message.get("caption", "")))

    @property
    def html(self) -> str:
        return self.source

    @property
    def entities(self) -> list[JSON]:
        found: list[JSON] = self.message.get("entities") or self.message.get("caption_entities") or []
        return list(found)

    @property
    def reply_markup(self) -> JSON | None:
        markup = self.message.get("reply_markup")
        return dict(markup) if markup else None

    @property
    def buttons(self) -> list[JSON]:
        """The inline keyboard's buttons, row by row."""
        markup = self.message.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]


class BotApiError(Exception):
    """An error answer of the API: HTTP status, Telegram's description, optional parameters."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    @classmethod
    def bad_request(cls, detail: str, parameters: JSON | None = None) -> BotApiError:
        return cls(400, f"Bad Request: {detail}", parameters)

    @classmethod
    def forbidden(cls, detail: str) -> BotApiError:
        return cls(403, f"Forbidden: {detail}")

    @classmethod
    def too_many_requests(cls, retry_after: int) -> BotApiError:
        return cls(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def payload(self) -> JSON:
        data: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


class _Dropped(Exception):
    """Close the connection without answering."""


@dataclass
class _Reply:
    result: Any
    description: str | None = None


# -- request parameters ----------------------------------------------------------------------

_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "query",
        "parse_mode",
        "url",
        "secret_token",
        "description",
        "short_description",
        "title",
        "name",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "language_code",
        "action",
        "next_offset",
        "ip_address",
        "emoji",
        "message_effect_id",
        "business_connection_id",
        "custom_title",
        "switch_pm_text",
        "switch_pm_parameter",
        "question",
        "sticker",
        "photo",
        "document",
        "video",
        "audio",
        "voice",
        "animation",
    }
)
_JSON_FIELD_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
    "allowed_updates": "can't parse allowed updates JSON object",
    "commands": "can't parse commands JSON object",
    "scope": "can't parse BotCommandScope JSON object",
    "results": "can't parse inline query results JSON object",
    "reply_parameters": "can't parse reply parameters JSON object",
    "link_preview_options": "can't parse link preview options JSON object",
    "button": "can't parse inline query results button JSON object",
    "media": "can't parse InputMedia JSON object",
    "message_ids": "can't parse message identifiers JSON object",
    "options": "can't parse options JSON object",
}


def _decode_for_record(name: str, value: Any) -> Any:
    """A lenient decoding of one parameter for the call record."""
    if not isinstance(value, str) or name in _STRING_FIELDS:
        return value
    stripped = value.strip()
    if name in _JSON_FIELD_ERRORS or stripped[:1] in ("[", "{"):
        try:
            return json.loads(stripped)
        except ValueError:
            return value
    if re.fullmatch(r"-?\d+", stripped):
        return int(stripped)
    if stripped in ("true", "false"):
        return stripped == "true"
    return value


class _Params:
    """Typed access to a request's parameters, failing with Telegram's 400 answers."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = dict(raw)

    def present(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def get_str(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, UploadedFile):
            return f"attach://{name}"
        return json.dumps(value, ensure_ascii=False)

    def get_int(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            text = value.strip()
            if re.fullmatch(r"[-+]?\d+", text):
                return int(text)
            if re.fullmatch(r"[-+]?\d+\.0*", text):
                return int(float(text))
        raise BotApiError.bad_request(f'field "{name}" must be of type Integer')

    def get_float(self, name: str) -> float | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise BotApiError.bad_request(f'field "{name}" must be of type Number') from None

    def get_bool(self, name: str) -> bool:
        value = self.raw.get(name)
        if value is None or value == "":
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise BotApiError.bad_request(f'field "{name}" must be of type Boolean')

    def get_json(self, name: str) -> Any:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise BotApiError.bad_request(_JSON_FIELD_ERRORS.get(name, f"can't parse {name} JSON object")) from None


def _parse_multipart(content_type: str, body: bytes) -> JSON:
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise ValueError("not a multipart body")
    params: JSON = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            params[name] = data.decode("utf-8")
        else:
            params[name] = UploadedFile(filename, part.get_content_type(), data)
    return params


# -- chats -----------------------------------------------------------------------------------

_ADMIN_RIGHTS: JSON = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_pin_messages": True,
}
_CHANNEL_ADMIN_RIGHTS: JSON = {"can_post_messages": True, "can_edit_messages": True}
_RESTRICTED_FIELDS: JSON = {
    "is_member": True,
    "can_send_messages": False,
    "can_send_audios": False,
    "can_send_documents": False,
    "can_send_photos": False,
    "can_send_videos": False,
    "can_send_video_notes": False,
    "can_send_voice_notes": False,
    "can_send_polls": False,
    "can_send_other_messages": False,
    "can_add_web_page_previews": False,
    "can_change_info": False,
    "can_invite_users": False,
    "can_pin_messages": False,
    "can_manage_topics": False,
    "can_edit_tag": False,
    "until_date": 0,
}
_MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})


def _member_json(user: JSON, status: str, chat_type: str, extra: Mapping[str, Any] | None = None) -> JSON:
    """Telegram's ChatMember object for ``status``."""
    data: JSON = {"user": user, "status": status}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(_ADMIN_RIGHTS)
        if chat_type == "channel":
            data.update(_CHANNEL_ADMIN_RIGHTS)
        if chat_type == "supergroup":
            data["can_manage_topics"] = False
    elif status == "restricted":
        data.update(_RESTRICTED_FIELDS)
    elif status == "kicked":
        data["until_date"] = 0
    data.update(extra or {})
    return data


@dataclass
class _Member:
    user: FakeUser
    status: str
    extra: JSON = field(default_factory=dict)


@dataclass
class _ChatState:
    chat: FakeChat
    members: dict[int, _Member] = field(default_factory=dict)
    bot_status: str = "member"
    bot_extra: JSON = field(default_factory=dict)
    started: bool = True
    blocked: bool = False
    deactivated: bool = False
    migrated_to: int | None = None
    next_message_id: int = 1
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    last_bot_command_sender: bool = False

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    @property
    def kind(self) -> str:
        return f"{self.chat.type} chat"


_SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendAudio",
        "sendDocument",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendSticker",
        "sendMediaGroup",
        "forwardMessage",
        "copyMessage",
    }
)
_GENERIC_TRUE_METHODS = (
    "setMyDescription setMyShortDescription setMyName setChatMenuButton setMyDefaultAdministratorRights "
    "pinChatMessage unpinChatMessage unpinAllChatMessages banChatMember unbanChatMember restrictChatMember "
    "promoteChatMember setChatAdministratorCustomTitle banChatSenderChat unbanChatSenderChat "
    "setChatPermissions setChatPhoto deleteChatPhoto setChatTitle setChatDescription setChatStickerSet "
    "deleteChatStickerSet deleteMessages setMessageReaction approveChatJoinRequest declineChatJoinRequest "
    "answerShippingQuery answerPreCheckoutQuery answerWebAppQuery setPassportDataErrors editForumTopic "
    "closeForumTopic reopenForumTopic deleteForumTopic unpinAllForumTopicMessages editGeneralForumTopic "
    "closeGeneralForumTopic reopenGeneralForumTopic hideGeneralForumTopic unhideGeneralForumTopic "
    "unpinAllGeneralForumTopicMessages setUserEmojiStatus setStickerPositionInSet deleteStickerFromSet "
    "setStickerEmojiList setStickerKeywords setStickerMaskPosition setStickerSetTitle "
    "setStickerSetThumbnail setCustomEmojiStickerSetThumbnail deleteStickerSet addStickerToSet "
    "createNewStickerSet replaceStickerInSet refundStarPayment setGameScore"
).split()
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_RESULT_TYPES = frozenset(
    {
        "article",
        "photo",
        "gif",
        "mpeg4_gif",
        "video",
        "audio",
        "voice",
        "document",
        "location",
        "venue",
        "contact",
        "game",
        "sticker",
    }
)
_INLINE_BUTTON_KINDS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
_COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


_COPIED_KEYS = frozenset({"text", "entities", "caption", "caption_entities", "document", "photo"})


def _update_type(update: Mapping[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _without_reply(message: JSON) -> JSON:
    return {k: v for k, v in message.items() if k != "reply_to_message"}


# -- the server ------------------------------------------------------------------------------


class FakeBotApi:
    """A Bot API server on 127.0.0.1 in a background thread, for one bot token.

    Use it as a context manager (or the :func:`fake_botapi` fixture); everything is
    thread-safe, so tests may call any method while the bot talks to the server.  Inside
    ``async`` tests use the ``*_async`` waits: the blocking ones would stall the event loop
    the bot runs in.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "unionbot_test_bot",
        bot_name: str = "工会报问答 (test)",
        privacy_mode: bool = True,
        strict_html: bool = True,
        flood_limits: FloodLimits | None = None,
        allow_http_webhooks: bool = True,
        webhook_retry_interval: float = 0.2,
    ) -> None:
        """Configure the server; :meth:`start` (or ``with``) opens the socket.

        Args:
            token: the only token accepted; the bot's user id is the number before the colon.
            privacy_mode: like BotFather's setting; with it on, a bot that is not an admin only
                receives commands, replies to its messages and mentions from groups.
            strict_html: reject a bare ``&`` or ``>`` in HTML text (Telegram tolerates them,
                its documentation does not); see :func:`parse_html`.
            flood_limits: the flood model, off when ``None``; see :meth:`set_flood_limits`.
            allow_http_webhooks: accept ``http://`` webhooks on any port, so that a local
                webhook server can be tested; Telegram only takes HTTPS on 443, 80, 88, 8443.
            webhook_retry_interval: pause between failed deliveries to a webhook.
        """
        if not _TOKEN_SHAPE.fullmatch(token):
            raise ValueError(f"not a bot token: {token!r}")
        self.token = token
        self.privacy_mode = privacy_mode
        self.strict_html = strict_html
        self.allow_http_webhooks = allow_http_webhooks
        self.webhook_retry_interval = webhook_retry_interval
        self.bot_user = FakeUser(
            int(token.split(":")[0]), bot_name, username=bot_username, is_bot=True, language_code=None
        )

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._delivery_thread: threading.Thread | None = None
        self._started = False

        self._users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user}
        self._chats: dict[int, _ChatState] = {}
        self._messages: list[StoredMessage] = []
        self._calls: list[RecordedCall] = []
        self._updates: deque[JSON] = deque()
        self._allowed_updates: frozenset[str] = _DEFAULT_ALLOWED_UPDATES
        self._poll_generation = 0
        self._faults: dict[str | None, deque[Fault]] = {}
        self._flood: FloodLimits | None = flood_limits
        self._sends_all: deque[float] = deque()
        self._sends_by_chat: dict[int, deque[float]] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._webhook: JSON | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._callback_queries: dict[str, JSON] = {}
        self._inline_queries: dict[str, JSON] = {}
        self._callback_answers: dict[str, JSON] = {}
        self._inline_answers: dict[str, JSON] = {}

        self._update_ids = itertools.count(600_000_001)
        self._user_ids = itertools.count(1_000_000_001)
        self._group_ids = itertools.count(4_000_000_001)
        self._supergroup_ids = itertools.count(1_001_000_000_001)
        self._query_ids = itertools.count(1)

        self._methods: dict[str, tuple[str, Callable[[_Params, _Connection], Any]]] = {}
        handlers: dict[str, Callable[[_Params, _Connection], Any]] = {
            "getMe": self._m_get_me,
            "getUpdates": self._m_get_updates,
            "setWebhook": self._m_set_webhook,
            "deleteWebhook": self._m_delete_webhook,
            "getWebhookInfo": self._m_get_webhook_info,
            "setMyCommands": self._m_set_my_commands,
            "getMyCommands": self._m_get_my_commands,
            "deleteMyCommands": self._m_delete_my_commands,
            "sendMessage": self._m_send_message,
            "editMessageText": self._m_edit_message_text,
            "editMessageCaption": self._m_edit_message_caption,
            "editMessageReplyMarkup": self._m_edit_message_reply_markup,
            "deleteMessage": self._m_delete_message,
            "answerCallbackQuery": self._m_answer_callback_query,
            "answerInlineQuery": self._m_answer_inline_query,
            "sendChatAction": self._m_send_chat_action,
            "getChat": self._m_get_chat,
            "getChatMember": self._m_get_chat_member,
            "getChatAdministrators": self._m_get_chat_administrators,
            "getChatMemberCount": self._m_get_chat_member_count,
            "leaveChat": self._m_leave_chat,
            "copyMessage": self._m_copy_message,
            "forwardMessage": self._m_forward_message,
            "getMyName": lambda p, c: {"name": self.bot_user.first_name},
            "getMyDescription": lambda p, c: {"description": ""},
            "getMyShortDescription": lambda p, c: {"short_description": ""},
            "getChatMenuButton": lambda p, c: {"type": "commands"},
            "close": lambda p, c: True,
            "logOut": lambda p, c: True,
        }
        for name in _SEND_METHODS - {"sendMessage", "copyMessage", "forwardMessage", "sendMediaGroup"}:
            handlers[name] = self._make_generic_send(name)
        for name in _GENERIC_TRUE_METHODS:
            handlers.setdefault(name, lambda p, c: True)
        for name, handler in handlers.items():
            self._methods[name.lower()] = (name, handler)

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        """Open the socket and serve in background threads (once per instance)."""
        with self._lock:
            if self._started:
                return self
            self._started = True
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-bot-api", daemon=True
        )
        self._thread.start()
        self._delivery_thread = threading.Thread(target=self._deliver_loop, name="fake-bot-api-webhook", daemon=True)
        self._delivery_thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: wake long polls and delayed answers, close every socket, join threads."""
        httpd = self._httpd
        if httpd is None:
            return
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        for thread in (self._thread, self._delivery_thread):
            if thread is not None:
                thread.join(timeout=10)
        self._httpd = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What python-telegram-bot takes as ``base_url``: it appends the token and the method."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def bot_id(self) -> int:
        return self.bot_user.id

    @property
    def bot_username(self) -> str:
        return self.bot_user.username or ""

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "stopped"
        return f"<FakeBotApi {where} bot=@{self.bot_username}>"

    # -- users and chats -----------------------------------------------------------------

    def new_user(
        self,
        first_name: str = "测试用户",
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "zh-hans",
        is_premium: bool = False,
        started: bool = True,
        user_id: int | None = None,
    ) -> FakeUser:
        """A new user with a fresh id; ``started`` opens their private chat with the bot."""
        with self._lock:
            user = FakeUser(
                user_id if user_id is not None else next(self._user_ids),
                first_name,
                username=username,
                last_name=last_name,
                language_code=language_code,
                is_premium=is_premium,
            )
            self._users[user.id] = user
            if started:
                self._state(FakeChat.private(user))
            return user

    def new_group(
        self,
        title: str = "工会小组",
        *,
        members: Mapping[FakeUser, str] | Iterable[FakeUser] = (),
        bot_status: str = "member",
    ) -> FakeChat:
        """A basic group; ``members`` maps users to statuses (a plain list makes members)."""
        chat = FakeChat(-next(self._group_ids), "group", title=title)
        return self.add_chat(chat, members=members, bot_status=bot_status)

    def new_supergroup(
        self,
        title: str = "工会大群",
        *,
        username: str | None = None,
        is_forum: bool = False,
        members: Mapping[FakeUser, str] | Iterable[FakeUser] = (),
        bot_status: str = "member",
    ) -> FakeChat:
        chat = FakeChat(-next(self._supergroup_ids), "supergroup", title=title, username=username, is_forum=is_forum)
        return self.add_chat(chat, members=members, bot_status=bot_status)

    def new_channel(
        self,
        title: str = "工会报",
        *,
        username: str | None = None,
        members: Mapping[FakeUser, str] | Iterable[FakeUser] = (),
        bot_status: str = "administrator",
    ) -> FakeChat:
        chat = FakeChat(-next(self._supergroup_ids), "channel", title=title, username=username)
        return self.add_chat(chat, members=members, bot_status=bot_status)

    def add_chat(
        self,
        chat: FakeChat,
        *,
        members: Mapping[FakeUser, str] | Iterable[FakeUser] = (),
        bot_status: str = "member",
        started: bool = True,
    ) -> FakeChat:
        """Register ``chat`` (any type) with its members and the bot's own status in it."""
        with self._lock:
            state = self._state(chat)
            state.started = started
            if chat.type != "private":
                self._set_bot_status(state, bot_status)
            pairs = members.items() if isinstance(members, Mapping) else ((user, "member") for user in members)
            for user, status in pairs:
                self.set_member(chat, user, status)
            return chat

    def set_member(self, chat: FakeChat, user: FakeUser, status: str, **fields: Any) -> None:
        """Set ``user``'s status in ``chat`` (creator, administrator, member, restricted, left,
        kicked); ``fields`` override ChatMember fields such as ``can_delete_messages``."""
        if status not in _MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}")
        with self._lock:
            self._users.setdefault(user.id, user)
            if user.id == self.bot_user.id:
                self._set_bot_status(self._state(chat), status, fields)
                return
            self._state(chat).members[user.id] = _Member(user, status, dict(fields))

    def set_bot_status(self, chat: FakeChat, status: str, **fields: Any) -> None:
        """The bot's own status in a group or channel (``kicked`` and ``left`` make sends fail)."""
        with self._lock:
            self._set_bot_status(self._state(chat), status, fields)

    def block_bot(self, user: FakeUser | FakeChat, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sends to them fail with 403."""
        with self._lock:
            self._state(self._private_chat(user)).blocked = blocked

    def deactivate_user(self, user: FakeUser | FakeChat) -> None:
        """The user deletes their account: sends fail with "user is deactivated"."""
        with self._lock:
            self._state(self._private_chat(user)).deactivated = True

    def mark_migrated(self, chat: FakeChat, new_chat_id: int) -> None:
        """Calls naming ``chat`` fail with 400 and ``migrate_to_chat_id`` (no updates queued)."""
        with self._lock:
            self._state(chat).migrated_to = new_chat_id

    def chat(self, chat_id: int) -> FakeChat:
        with self._lock:
            return self._chats[chat_id].chat

    # -- fault injection and flood limits -----------------------------------------------------

    def fail_next(
        self,
        method: str | None = None,
        *,
        status: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        timeout: float | None = None,
        drop: bool = False,
        body: bytes | None = None,
        times: int = 1,
    ) -> None:
        """Queue a fault for the next ``times`` calls of ``method`` (any method but getUpdates
        when ``None``; name getUpdates to break polling).  Faults are used in order.

        * ``status``: answer with this error; the description defaults to Telegram's wording
          ("Too Many Requests: retry after N" for 429, "Bad Gateway" for 502, ...).
        * ``retry_after``: implies 429, sent as ``parameters.retry_after``.
        * ``migrate_to_chat_id``: implies 400, sent as ``parameters.migrate_to_chat_id``.
        * ``timeout``: wait so many seconds before answering, so that the client times out;
          without ``status`` the request is then carried out as usual (the message is sent
          although the bot saw a timeout, as happens with Telegram).
        * ``drop``: close the connection without any answer; the request is not carried out.
        * ``body``: raw bytes to answer with instead of JSON (e.g. a proxy's HTML error page).
        """
        if retry_after is not None and status is None:
            status = 429
        if migrate_to_chat_id is not None and status is None:
            status = 400
        if body is not None and status is None:
            status = 502
        fault = Fault(status, description, retry_after, migrate_to_chat_id, timeout or 0.0, drop, body)
        key = method.lower() if method else None
        with self._lock:
            self._faults.setdefault(key, deque()).extend([fault] * times)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def set_flood_limits(self, limits: FloodLimits | None = FloodLimits()) -> None:
        """Switch the flood model on (Telegram-like defaults) or off with ``None``."""
        with self._lock:
            self._flood = limits
            self._sends_all.clear()
            self._sends_by_chat.clear()

    # -- what happened -----------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Every request so far (of ``method``, case-insensitive), oldest first."""
        with self._lock:
            if method is None:
                return list(self._calls)
            wanted = method.lower()
            return [call for call in self._calls if call.method.lower() == wanted]

    def clear_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    def messages(self, chat_id: int | None = None, *, include_deleted: bool = False) -> list[StoredMessage]:
        """Every message in the chats (the users' and the bot's), in the order they were sent."""
        with self._lock:
            return [
                m
                for m in self._messages
                if (chat_id is None or m.chat_id == chat_id) and (include_deleted or not m.deleted)
            ]

    def bot_messages(self, chat_id: int | None = None, *, include_deleted: bool = False) -> list[StoredMessage]:
        """The bot's messages with their raw text and history."""
        return [m for m in self.messages(chat_id, include_deleted=include_deleted) if m.from_bot]

    def sent_messages(self, chat_id: int | None = None, *, include_deleted: bool = False) -> list[JSON]:
        """The bot's messages as Telegram Message objects (current versions), in order."""
        with self._lock:
            return [copy.deepcopy(m.message) for m in self.bot_messages(chat_id, include_deleted=include_deleted)]

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        with self._lock:
            state = self._chats.get(chat_id)
            return None if state is None else state.messages.get(message_id)

    def pending_updates(self) -> list[JSON]:
        """Queued updates not yet confirmed by a getUpdates offset (or delivered to a webhook)."""
        with self._lock:
            return copy.deepcopy(list(self._updates))

    def clear_updates(self) -> None:
        with self._lock:
            self._updates.clear()

    def commands(self, scope: Mapping[str, Any] | None = None, language_code: str = "") -> list[JSON]:
        """The commands stored by setMyCommands for ``scope`` (default scope when ``None``)."""
        with self._lock:
            return copy.deepcopy(self._commands.get((self._scope_key(scope), language_code), []))

    def callback_answers(self) -> dict[str, JSON]:
        """answerCallbackQuery parameters by callback query id."""
        with self._lock:
            return copy.deepcopy(self._callback_answers)

    def inline_answers(self) -> dict[str, JSON]:
        """answerInlineQuery parameters (results decoded) by inline query id."""
        with self._lock:
            return copy.deepcopy(self._inline_answers)

    @property
    def webhook(self) -> JSON | None:
        """The webhook set by setWebhook (url, secret_token, allowed_updates, ...), if any."""
        with self._lock:
            return None if self._webhook is None else dict(self._webhook)

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, what: str | None = None) -> T:
        """Poll ``predicate`` until it returns something truthy, and return that.

        Raises:
            AssertionError: after ``timeout`` seconds, with a dump of the server's state.
        """
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_report(predicate, timeout, what))
            time.sleep(0.01)

    async def wait_for_async(self, predicate: Callable[[], T], timeout: float = 5.0, what: str | None = None) -> T:
        """:meth:`wait_for` for coroutines: sleeps without blocking the event loop."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_report(predicate, timeout, what))
            await asyncio.sleep(0.01)

    def wait_for_messages(self, n: int = 1, chat_id: int | None = None, timeout: float = 5.0) -> list[JSON]:
        """Block until the bot has sent at least ``n`` messages (to ``chat_id``); return them all."""
        return self.wait_for(self._messages_probe(n, chat_id), timeout, self._messages_what(n, chat_id))

    async def wait_for_messages_async(
        self, n: int = 1, chat_id: int | None = None, timeout: float = 5.0
    ) -> list[JSON]:
        return await self.wait_for_async(self._messages_probe(n, chat_id), timeout, self._messages_what(n, chat_id))

    def wait_for_calls(self, method: str, n: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """Block until ``method`` was called (and answered) at least ``n`` times."""
        return self.wait_for(self._calls_probe(method, n), timeout, f"{n} answered {method} call(s)")

    async def wait_for_calls_async(self, method: str, n: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        return await self.wait_for_async(self._calls_probe(method, n), timeout, f"{n} answered {method} call(s)")

    def _messages_probe(self, n: int, chat_id: int | None) -> Callable[[], list[JSON]]:
        def probe() -> list[JSON]:
            found = self.sent_messages(chat_id)
            return found if len(found) >= n else []

        return probe

    @staticmethod
    def _messages_what(n: int, chat_id: int | None) -> str:
        return f"{n} bot message(s)" + ("" if chat_id is None else f" in chat {chat_id}")

    def _calls_probe(self, method: str, n: int) -> Callable[[], list[RecordedCall]]:
        def probe() -> list[RecordedCall]:
            found = [call for call in self.calls(method) if call.status is not None]
            return found if len(found) >= n else []

        return probe

    def _timeout_report(self, predicate: Callable[[], Any], timeout: float, what: str | None) -> str:
        name = what or getattr(predicate, "__qualname__", repr(predicate))
        return f"timed out after {timeout:g}s waiting for {name}\n{self.dump()}"

    def dump(self, last: int = 40) -> str:
        """A readable account of the recent calls, the messages and the queued updates."""
        with self._lock:
            lines = [f"{self!r}", f"calls ({len(self._calls)}, last {last}):"]
            start = self._calls[0].time if self._calls else 0.0
            for call in self._calls[-last:]:
                params = json.dumps(call.params, ensure_ascii=False, default=repr)
                if len(params) > 160:
                    params = params[:157] + "..."
                outcome = "pending" if call.status is None else str(call.status)
                if call.status not in (None, 200):
                    outcome += f" {call.description}"
                lines.append(f"  +{call.time - start:7.3f}s {call.method} {params} -> {outcome}")
            lines.append(f"messages ({len(self._messages)}):")
            for stored in self._messages[-last:]:
                who = "bot" if stored.from_bot else str(stored.message.get("from", {}).get("id", "?"))
                flag = " [deleted]" if stored.deleted else ""
                lines.append(f"  chat {stored.chat_id} #{stored.message_id} from {who}{flag}: {stored.text[:100]!r}")
            kinds = [f"{u['update_id']}:{_update_type(u)}" for u in self._updates]
            lines.append(f"pending updates ({len(kinds)}): {', '.join(kinds) or '-'}")
            if self._webhook is not None:
                lines.append(f"webhook: {self._webhook.get('url')} last error: {self._webhook_error}")
            return "\n".join(lines)

    # -- incoming updates --------------------------------------------------------------------

    def enqueue(self, update: Mapping[str, Any]) -> JSON:
        """Queue a raw update (an ``update_id`` is added when missing) and return it."""
        with self._cond:
            data = dict(update)
            if "update_id" not in data:
                data = {"update_id": next(self._update_ids), **data}
            self._updates.append(data)
            self._cond.notify_all()
            return copy.deepcopy(data)

    def send_text(
        self,
        chat: FakeChat | FakeUser,
        user: FakeUser | None,
        text: str,
        reply_to: Mapping[str, Any] | StoredMessage | None = None,
        entities: list[JSON] | None = None,
        *,
        enqueue: bool = True,
    ) -> JSON:
        """A user writes ``text`` in ``chat`` (a user means their private chat).

        Entities are detected like Telegram does (bot commands, @mentions, URLs, hashtags)
        unless given.  Returns the update.  In groups with privacy mode on, a message the bot
        would not see is stored but not queued, and its update has ``update_id`` 0.  With
        ``enqueue=False`` the update is only built, e.g. for :meth:`post_update_to`.
        """
        with self._lock:
            chat = self._private_chat(chat) if isinstance(chat, FakeUser) else chat
            sender = user or self._users.get(chat.id)
            if sender is None:
                raise ValueError("send_text needs the sending user outside private chats")
            state = self._incoming_state(chat, sender)
            message = self._user_message(state, sender)
            if reply_to is not None:
                message["reply_to_message"] = _without_reply(self._find(reply_to).message)
            message["text"] = text
            found = detect_entities(text) if entities is None else _sorted_entities(entities)
            if found:
                message["entities"] = found
            self._store_message(state, message, text, None, from_bot=False)
            update = {"message": message}
            if not self._bot_sees(state, message):
                return {"update_id": 0, **update}
            if not enqueue:
                return {"update_id": next(self._update_ids), **copy.deepcopy(update)}
            return self.enqueue(update)

    def send_command(self, chat: FakeChat | FakeUser, user: FakeUser | None, command: str, args: str = "") -> JSON:
        """``/command args``; in groups the command is addressed as ``/command@bot``."""
        with self._lock:
            target = self._private_chat(chat) if isinstance(chat, FakeUser) else chat
        name = command.lstrip("/")
        if target.type != "private" and "@" not in name:
            name = f"{name}@{self.bot_username}"
        return self.send_text(chat, user, f"/{name}" + (f" {args}" if args else ""))

    def edit_text(self, message: Mapping[str, Any] | StoredMessage, text: str) -> JSON:
        """The user edits their message: an ``edited_message`` update."""
        with self._lock:
            stored = self._find(message)
            if stored.from_bot:
                raise ValueError("users cannot edit the bot's messages")
            edited = {**stored.message, "text": text, "edit_date": int(time.time())}
            entities = detect_entities(text)
            if entities:
                edited["entities"] = entities
            else:
                edited.pop("entities", None)
            stored.history.append(stored.message)
            stored.message = edited
            stored.source = text
            key = "edited_channel_post" if edited["chat"]["type"] == "channel" else "edited_message"
            return self.enqueue({key: edited})

    def anonymous_admin_text(self, chat: FakeChat, text: str, *, signature: str | None = None) -> JSON:
        """An anonymous admin writes in a group: ``from`` is @GroupAnonymousBot and
        ``sender_chat`` the group itself.  Admin messages reach the bot as commands do."""
        anonymous = FakeUser(
            ANONYMOUS_ADMIN_ID, "Group", username="GroupAnonymousBot", is_bot=True, language_code=None
        )
        with self._lock:
            state = self._known_state(chat)
            if chat.type not in ("group", "supergroup"):
                raise ValueError("anonymous admins write in groups")
            message = self._user_message(state, anonymous)
            message["sender_chat"] = chat.to_json()
            if signature:
                message["author_signature"] = signature
            message["text"] = text
            entities = detect_entities(text)
            if entities:
                message["entities"] = entities
            self._store_message(state, message, text, None, from_bot=False)
            if not self._bot_sees(state, message):
                return {"update_id": 0, "message": message}
            return self.enqueue({"message": message})

    def channel_post(self, chat: FakeChat, text: str) -> JSON:
        """A post in a channel; the bot gets it only as a channel admin."""
        with self._lock:
            state = self._known_state(chat)
            message = {
                "message_id": state.take_message_id(),
                "sender_chat": chat.to_json(),
                "chat": chat.to_json(),
                "date": int(time.time()),
                "text": text,
            }
            entities = detect_entities(text)
            if entities:
                message["entities"] = entities
            self._store_message(state, message, text, None, from_bot=False)
            if state.bot_status not in ("administrator", "creator"):
                return {"update_id": 0, "channel_post": message}
            return self.enqueue({"channel_post": message})

    def press_button(
        self,
        message: Mapping[str, Any] | StoredMessage,
        user: FakeUser,
        data: str,
        *,
        check: bool = True,
    ) -> JSON:
        """``user`` presses the inline button with ``callback_data == data`` under a message.

        The update carries the message as it is now.  With ``check``, ``data`` must be one of
        the message's buttons.  The query stays open for answerCallbackQuery.
        """
        with self._lock:
            stored = self._find(message)
            if stored.deleted:
                raise ValueError(f"message {stored.message_id} in chat {stored.chat_id} was deleted")
            if check and data not in stored.callback_data:
                raise ValueError(f"no button with callback_data {data!r}; the message has {stored.callback_data}")
            query_id = str(4_200_000_000_000_000_000 + next(self._query_ids))
            query = {
                "id": query_id,
                "from": user.to_json(),
                "message": copy.deepcopy(stored.message),
                "chat_instance": str(-(abs(stored.chat_id) * 7919 + 17)),
                "data": data,
            }
            self._callback_queries[query_id] = query
            return self.enqueue({"callback_query": query})

    def inline_query(self, user: FakeUser, query: str, *, offset: str = "", chat_type: str | None = "sender") -> JSON:
        """``user`` types ``@bot query``; the query stays open for answerInlineQuery."""
        with self._lock:
            query_id = str(4_300_000_000_000_000_000 + next(self._query_ids))
            data: JSON = {"id": query_id, "from": user.to_json(), "query": query, "offset": offset}
            if chat_type:
                data["chat_type"] = chat_type
            self._inline_queries[query_id] = data
            return self.enqueue({"inline_query": data})

    def my_chat_member(
        self,
        chat: FakeChat | FakeUser,
        old_status: str,
        new_status: str,
        *,
        by: FakeUser | None = None,
    ) -> JSON:
        """The bot's status in ``chat`` changes (added to a group, promoted, removed, blocked
        by a user when ``kicked`` in a private chat); the new status takes effect at once."""
        with self._lock:
            target = self._private_chat(chat) if isinstance(chat, FakeUser) else chat
            state = self._state(target)
            actor = (
                by or self._users.get(target.id) or self._creator(state) or self.new_user("群管理员", started=False)
            )
            if target.type == "private":
                state.blocked = new_status == "kicked"
                state.started = state.started or new_status == "member"
            else:
                self._set_bot_status(state, new_status)
            update = {
                "chat": target.to_json(),
                "from": actor.to_json(),
                "date": int(time.time()),
                "old_chat_member": _member_json(self.bot_user.to_json(), old_status, target.type),
                "new_chat_member": _member_json(self.bot_user.to_json(), new_status, target.type, state.bot_extra),
            }
            return self.enqueue({"my_chat_member": update})

    def chat_member(
        self, chat: FakeChat, user: FakeUser, old_status: str, new_status: str, *, by: FakeUser | None = None
    ) -> JSON:
        """Another member's status changes (delivered only when allowed_updates asks for it)."""
        with self._lock:
            state = self._known_state(chat)
            self.set_member(chat, user, new_status)
            update = {
                "chat": chat.to_json(),
                "from": (by or user).to_json(),
                "date": int(time.time()),
                "old_chat_member": _member_json(user.to_json(), old_status, chat.type),
                "new_chat_member": _member_json(user.to_json(), new_status, chat.type, state.members[user.id].extra),
            }
            return self.enqueue({"chat_member": update})

    def migrate(self, chat: FakeChat, new_chat_id: int | None = None, *, by: FakeUser | None = None) -> FakeChat:
        """Upgrade a group to a supergroup as Telegram does: the old chat answers every call
        with ``migrate_to_chat_id``; a service message goes to each chat.  Returns the new chat."""
        with self._lock:
            old = self._known_state(chat)
            if chat.type != "group":
                raise ValueError("only basic groups migrate")
            new_id = new_chat_id if new_chat_id is not None else -next(self._supergroup_ids)
            new_chat = FakeChat(new_id, "supergroup", title=chat.title)
            new = self._state(new_chat)
            new.members = {uid: _Member(m.user, m.status, dict(m.extra)) for uid, m in old.members.items()}
            new.bot_status, new.bot_extra = old.bot_status, dict(old.bot_extra)
            actor = by or self._creator(old) or self.new_user("群主", started=False)
            to_message = self._user_message(old, actor)
            to_message["migrate_to_chat_id"] = new_chat.id
            self._store_message(old, to_message, "", None, from_bot=False)
            old.migrated_to = new_chat.id
            from_message = self._user_message(new, actor)
            from_message["migrate_from_chat_id"] = chat.id
            self._store_message(new, from_message, "", None, from_bot=False)
            self.enqueue({"message": to_message})
            self.enqueue({"message": from_message})
            return new_chat

    # -- webhooks ----------------------------------------------------------------------------

    def post_update_to(
        self, url: str, update: Mapping[str, Any], secret_token: str | None = None, timeout: float = 5.0
    ) -> int:
        """POST ``update`` to a webhook the way Telegram does; the HTTP status.

        Blocking: from a coroutine use :meth:`post_update_to_async`, or the bot's webhook
        server (running in the same event loop) cannot answer.
        """
        with httpx.Client(trust_env=False, timeout=timeout) as client:
            body, headers = self._webhook_body(update), self._webhook_headers(secret_token)
            return client.post(url, content=body, headers=headers).status_code

    async def post_update_to_async(
        self, url: str, update: Mapping[str, Any], secret_token: str | None = None, timeout: float = 5.0
    ) -> int:
        async with httpx.AsyncClient(trust_env=False, timeout=timeout) as client:
            body, headers = self._webhook_body(update), self._webhook_headers(secret_token)
            return (await client.post(url, content=body, headers=headers)).status_code

    @staticmethod
    def _webhook_body(update: Mapping[str, Any]) -> bytes:
        return json.dumps(update, ensure_ascii=False).encode("utf-8")

    @staticmethod
    def _webhook_headers(secret_token: str | None) -> dict[str, str]:
        # python-telegram-bot's webhook answers 403 unless the type is exactly this.
        headers = {"Content-Type": "application/json"}
        if secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        return headers

    def _deliver_loop(self) -> None:
        """While a webhook on this machine is set, deliver queued updates to it in order."""
        client: httpx.Client | None = None
        try:
            while not self._stopping.is_set():
                with self._cond:
                    target = self._next_delivery()
                    if target is None:
                        self._cond.wait(0.1)
                        continue
                url, secret, update = target
                if client is None:
                    client = httpx.Client(trust_env=False, timeout=5.0)
                error: str | None = None
                try:
                    body, headers = self._webhook_body(update), self._webhook_headers(secret)
                    response = client.post(url, content=body, headers=headers)
                    if not response.is_success:
                        error = f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
                except httpx.TimeoutException:
                    error = "Read timeout expired"
                except httpx.HTTPError:
                    error = "Connection refused"
                with self._cond:
                    if error is None:
                        if self._updates and self._updates[0] is update:
                            self._updates.popleft()
                        self._cond.notify_all()
                    else:
                        self._webhook_error = (int(time.time()), error)
                if error is not None:
                    self._stopping.wait(self.webhook_retry_interval)
        finally:
            if client is not None:
                client.close()

    def _next_delivery(self) -> tuple[str, str | None, JSON] | None:
        webhook = self._webhook
        if webhook is None or urlsplit(webhook["url"]).hostname not in _LOCAL_HOSTS:
            return None
        allowed = webhook.get("allowed") or _DEFAULT_ALLOWED_UPDATES
        while self._updates and _update_type(self._updates[0]) not in allowed:
            self._updates.popleft()
        if not self._updates:
            return None
        return webhook["url"], webhook.get("secret_token"), self._updates[0]

    # -- HTTP plumbing -------------------------------------------------------------------

    def _handle(self, connection: _Connection) -> None:
        """Answer one HTTP request of ``connection``."""
        path = urlsplit(connection.handler.path).path
        try:
            params = connection.read_params()
        except (ValueError, UnicodeDecodeError):
            connection.send_json(400, BotApiError.bad_request("can't parse request body").payload())
            return
        match = _API_PATH.fullmatch(path)
        if match is None:
            connection.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        token, method_name = match.groups()
        if token != self.token:
            if _TOKEN_SHAPE.fullmatch(token):
                connection.send_json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            else:
                connection.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        entry = self._methods.get(method_name.lower())
        decoded = {k: _decode_for_record(k, v) for k, v in params.items()}
        call = RecordedCall(entry[0] if entry else method_name, decoded, time.time())
        with self._lock:
            self._calls.append(call)
            fault = None if entry is None else self._take_fault(entry[0])
        if entry is None:
            not_found: JSON = {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            with self._lock:
                call.status, call.response = 404, not_found
            connection.send_json(404, not_found)
            return
        status, payload, raw = self._answer(entry[1], _Params(params), connection, fault)
        with self._lock:
            call.status = status
            call.response = payload
        if status == 0:
            connection.drop()
        elif raw is not None:
            connection.send(status, raw, "text/html")
        else:
            connection.send_json(status, payload)

    def _answer(
        self,
        handler: Callable[[_Params, _Connection], Any],
        params: _Params,
        connection: _Connection,
        fault: Fault | None,
    ) -> tuple[int, JSON | None, bytes | None]:
        """Status (0 to drop the connection), JSON payload, raw body override."""
        if fault is not None:
            if fault.delay and self._stopping.wait(fault.delay):
                return 0, None, None
            if fault.drop:
                return 0, None, None
            if fault.status is not None:
                if fault.body is not None:
                    return fault.status, None, fault.body
                return fault.status, self._fault_error(fault).payload(), None
        try:
            with self._cond:
                result = handler(params, connection)
        except _Dropped:
            return 0, None, None
        except BotApiError as error:
            return error.status, error.payload(), None
        reply = result if isinstance(result, _Reply) else _Reply(result)
        payload: JSON = {"ok": True, "result": reply.result}
        if reply.description:
            payload["description"] = reply.description
        return 200, payload, None

    def _take_fault(self, method: str) -> Fault | None:
        for key in (method.lower(), None):
            if key is None and method == "getUpdates":
                continue
            queue = self._faults.get(key)
            if queue:
                return queue.popleft()
        return None

    @staticmethod
    def _fault_error(fault: Fault) -> BotApiError:
        status = fault.status or 500
        parameters: JSON = {}
        if status == 429:
            parameters["retry_after"] = fault.retry_after if fault.retry_after is not None else 1
        if fault.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = fault.migrate_to_chat_id
        description = fault.description
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {parameters['retry_after']}"
            elif fault.migrate_to_chat_id is not None:
                description = "Bad Request: group chat was upgraded to a supergroup chat"
            else:
                try:
                    description = HTTPStatus(status).phrase
                except ValueError:
                    description = "Unknown error"
        return BotApiError(status, description, parameters or None)

    # -- chat helpers ------------------------------------------------------------------------

    def _state(self, chat: FakeChat) -> _ChatState:
        state = self._chats.get(chat.id)
        if state is None:
            state = _ChatState(chat)
            self._chats[chat.id] = state
        return state

    def _known_state(self, chat: FakeChat) -> _ChatState:
        state = self._chats.get(chat.id)
        if state is None:
            raise ValueError(f"chat {chat.id} is not registered")
        return state

    def _private_chat(self, target: FakeUser | FakeChat) -> FakeChat:
        if isinstance(target, FakeChat):
            return target
        self._users.setdefault(target.id, target)
        return FakeChat.private(target)

    def _incoming_state(self, chat: FakeChat, sender: FakeUser) -> _ChatState:
        state = self._state(chat)
        if state.migrated_to is not None:
            raise ValueError(f"group {chat.id} was migrated to {state.migrated_to}")
        self._users.setdefault(sender.id, sender)
        if chat.type == "private":
            state.started = True
        elif sender.id not in state.members and sender.id != ANONYMOUS_ADMIN_ID:
            state.members[sender.id] = _Member(sender, "member")
        return state

    def _creator(self, state: _ChatState) -> FakeUser | None:
        return next((m.user for m in state.members.values() if m.status == "creator"), None)

    def _set_bot_status(self, state: _ChatState, status: str, extra: Mapping[str, Any] | None = None) -> None:
        if status not in _MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}")
        state.bot_status = status
        state.bot_extra = dict(extra or {})

    def _user_message(self, state: _ChatState, sender: FakeUser) -> JSON:
        return {
            "message_id": state.take_message_id(),
            "from": sender.to_json(),
            "chat": state.chat.to_json(),
            "date": int(time.time()),
        }

    def _store_message(
        self, state: _ChatState, message: JSON, source: str, parse_mode: str | None, *, from_bot: bool
    ) -> StoredMessage:
        stored = StoredMessage(message, source, parse_mode, from_bot)
        state.messages[int(message["message_id"])] = stored
        self._messages.append(stored)
        return stored

    def _find(self, message: Mapping[str, Any] | StoredMessage) -> StoredMessage:
        if isinstance(message, StoredMessage):
            return message
        chat_id, message_id = int(message["chat"]["id"]), int(message["message_id"])
        state = self._chats.get(chat_id)
        stored = None if state is None else state.messages.get(message_id)
        if stored is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        return stored

    def _bot_sees(self, state: _ChatState, message: JSON) -> bool:
        """Whether a group message reaches the bot (privacy mode, membership)."""
        chat = state.chat
        if chat.type == "private":
            return not state.blocked
        if state.bot_status in ("left", "kicked"):
            return False
        if not self.privacy_mode or state.bot_status in ("administrator", "creator"):
            return True
        text = str(message.get("text", ""))
        name = self.bot_username.lower()
        for entity in message.get("entities", []):
            piece = entity_text(text, entity)
            if entity["type"] == "bot_command" and entity["offset"] == 0:
                target = piece.partition("@")[2].lower()
                if not target or target == name:
                    return True
            if entity["type"] == "mention" and piece.lower() == f"@{name}":
                return True
        replied = message.get("reply_to_message")
        if replied and replied.get("from", {}).get("id") == self.bot_user.id:
            return True
        return bool(message.get("migrate_to_chat_id") or message.get("migrate_from_chat_id"))

    def _resolve_chat(self, params: _Params, name: str = "chat_id") -> _ChatState:
        raw = params.raw.get(name)
        if raw is None or raw == "":
            raise BotApiError.bad_request(f"{name} is empty")
        state: _ChatState | None = None
        chat_id: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            chat_id = raw
        else:
            text = str(raw).strip()
            if re.fullmatch(r"-?\d+", text):
                chat_id = int(text)
            elif text.startswith("@"):
                wanted = text[1:].lower()
                public = (s for s in self._chats.values() if s.chat.type != "private" and s.chat.username)
                state = next((s for s in public if (s.chat.username or "").lower() == wanted), None)
        if chat_id is not None:
            state = self._chats.get(chat_id)
            user = self._users.get(chat_id)
            if state is None and user is not None and user.id != self.bot_user.id:
                # A user the bot has met elsewhere, who never opened a chat with it.
                state = self._state(FakeChat.private(user))
                state.started = False
        if state is None:
            raise BotApiError.bad_request("chat not found")
        if state.migrated_to is not None:
            raise BotApiError.bad_request(
                "group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": state.migrated_to}
            )
        return state

    def _check_can_write(self, state: _ChatState) -> None:
        chat = state.chat
        if chat.type == "private":
            user = self._users.get(chat.id)
            if user is not None and user.is_bot:
                raise BotApiError.forbidden("bot can't send messages to bots")
            if state.deactivated:
                raise BotApiError.forbidden("user is deactivated")
            if state.blocked:
                raise BotApiError.forbidden("bot was blocked by the user")
            if not state.started:
                raise BotApiError.forbidden("bot can't initiate conversation with a user")
            return
        if state.bot_status == "kicked":
            raise BotApiError.forbidden(f"bot was kicked from the {state.kind}")
        if state.bot_status == "left":
            raise BotApiError.forbidden(f"bot is not a member of the {state.kind}")
        if chat.type == "channel" and state.bot_status not in ("administrator", "creator"):
            raise BotApiError.bad_request("need administrator rights in the channel chat")
        if state.bot_status == "restricted" and not state.bot_extra.get("can_send_messages", False):
            raise BotApiError.bad_request("not enough rights to send text messages to the chat")

    def _check_flood(self, state: _ChatState) -> None:
        limits = self._flood
        if limits is None:
            return
        now = time.monotonic()
        waits: list[float] = []
        window_all = self._sends_all
        while window_all and window_all[0] <= now - 60:
            window_all.popleft()
        if limits.per_second is not None:
            recent = [t for t in window_all if t > now - 1]
            if len(recent) >= limits.per_second:
                waits.append(recent[len(recent) - limits.per_second] + 1 - now)
        window_chat = self._sends_by_chat.setdefault(state.chat.id, deque())
        while window_chat and window_chat[0] <= now - 60:
            window_chat.popleft()
        if limits.per_chat_per_second is not None:
            recent = [t for t in window_chat if t > now - 1]
            if len(recent) >= limits.per_chat_per_second:
                waits.append(recent[len(recent) - limits.per_chat_per_second] + 1 - now)
        if limits.per_group_per_minute is not None and state.chat.type in ("group", "supergroup"):
            if len(window_chat) >= limits.per_group_per_minute:
                waits.append(window_chat[len(window_chat) - limits.per_group_per_minute] + 60 - now)
        if waits:
            raise BotApiError.too_many_requests(max(1, math.ceil(max(waits))))

    def _note_send(self, state: _ChatState) -> None:
        if self._flood is None:
            return
        now = time.monotonic()
        self._sends_all.append(now)
        self._sends_by_chat.setdefault(state.chat.id, deque()).append(now)

    # -- content validation ------------------------------------------------------------------

    def _prepare_text(
        self,
        text: str | None,
        parse_mode: str | None,
        entities: Any,
        *,
        empty: str = "message text is empty",
        too_long: str = "message is too long",
        limit: int = MAX_MESSAGE_LENGTH,
        allow_empty: bool = False,
    ) -> tuple[str, list[JSON]]:
        """Plain text and entities after parsing and trimming, checked like Telegram does."""
        if not text:
            if allow_empty:
                return "", []
            raise BotApiError.bad_request(empty)
        if entities is not None:
            plain, found = text, self._check_entities(entities)
        else:
            mode = (parse_mode or "").strip().lower()
            if mode == "html":
                try:
                    plain, found = parse_html(text, strict=self.strict_html)
                except EntityParseError as error:
                    raise BotApiError.bad_request(f"can't parse entities: {error}") from None
            elif mode in ("", "markdown", "markdownv2"):
                # Markdown modes are not interpreted: the text is stored as sent.
                plain, found = text, []
            else:
                raise BotApiError.bad_request("unsupported parse_mode")
        plain, found = _trim(plain, found)
        if not plain:
            if allow_empty:
                return "", []
            raise BotApiError.bad_request(empty)
        if utf16_len(plain) > limit:
            raise BotApiError.bad_request(too_long)
        return plain, detect_entities(plain, found)

    @staticmethod
    def _check_entities(entities: Any) -> list[JSON]:
        if not isinstance(entities, list):
            raise BotApiError.bad_request("can't parse entities JSON object")
        checked: list[JSON] = []
        for entity in entities:
            if (
                not isinstance(entity, dict)
                or not isinstance(entity.get("type"), str)
                or not isinstance(entity.get("offset"), int)
                or not isinstance(entity.get("length"), int)
                or entity["offset"] < 0
            ):
                raise BotApiError.bad_request("can't parse MessageEntity JSON object")
            if entity["length"] > 0:
                checked.append(dict(entity))
        return checked

    @staticmethod
    def _check_markup(raw: Any) -> JSON | None:
        """A reply_markup checked like Telegram; ``None`` when absent."""
        if raw is None or raw == "":
            return None
        markup = raw
        if isinstance(raw, str):
            try:
                markup = json.loads(raw)
            except ValueError:
                raise BotApiError.bad_request("can't parse reply keyboard markup JSON object") from None
        if not isinstance(markup, dict):
            raise BotApiError.bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise BotApiError.bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            count = 0
            for row in rows:
                for button in row:
                    FakeBotApi._check_inline_button(button)
                    count += 1
            if count > 100:
                raise BotApiError.bad_request("reply markup is too long")
            return {"inline_keyboard": rows}
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise BotApiError.bad_request(
                    'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    text = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(text, str) or not text:
                        raise BotApiError.bad_request(
                            'can\'t parse keyboard button: Field "text" must be of type String'
                        )
            return dict(markup)
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return dict(markup)
        raise BotApiError.bad_request("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict):
            raise BotApiError.bad_request(
                "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        if not isinstance(button.get("text"), str):
            raise BotApiError.bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
        kinds = [kind for kind in _INLINE_BUTTON_KINDS if kind in button]
        if not kinds:
            raise BotApiError.bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                raise BotApiError.bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not re.match(r"(?i)^(https?|tg)://[^\s]+$", url):
                raise BotApiError.bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _reply_target(self, state: _ChatState, params: _Params) -> JSON | None:
        reply = params.get_json("reply_parameters")
        message_id: int | None
        allow_missing = params.get_bool("allow_sending_without_reply")
        target_state = state
        if isinstance(reply, dict):
            message_id = reply.get("message_id") if isinstance(reply.get("message_id"), int) else None
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
            if reply.get("chat_id") not in (None, state.chat.id):
                target_state = self._resolve_chat(_Params({"chat_id": reply["chat_id"]}))
        elif reply is not None:
            raise BotApiError.bad_request("can't parse reply parameters JSON object")
        else:
            message_id = params.get_int("reply_to_message_id")
        if message_id is None:
            return None
        stored = target_state.messages.get(message_id)
        if stored is None or stored.deleted:
            if allow_missing:
                return None
            raise BotApiError.bad_request("message to be replied not found")
        return _without_reply(stored.message)

    def _new_bot_message(self, state: _ChatState, content: JSON, markup: JSON | None, reply_to: JSON | None) -> JSON:
        message: JSON = {"message_id": state.take_message_id()}
        if state.chat.type == "channel":
            message["sender_chat"] = state.chat.to_json()
        else:
            message["from"] = self.bot_user.to_json()
        message["chat"] = state.chat.to_json()
        message["date"] = int(time.time())
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        if markup and markup.get("inline_keyboard"):
            message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        return message

    def _target_message(self, params: _Params, action: str) -> tuple[_ChatState, StoredMessage] | None:
        """The message an edit names; ``None`` for inline messages."""
        if params.present("inline_message_id"):
            return None
        if not params.present("chat_id"):
            raise BotApiError.bad_request("chat_id is empty")
        state = self._resolve_chat(params)
        message_id = params.get_int("message_id")
        if message_id is None:
            raise BotApiError.bad_request("message identifier is not specified")
        stored = state.messages.get(message_id)
        if stored is None or stored.deleted:
            raise BotApiError.bad_request(f"message to {action} not found")
        return state, stored

    def _replace(self, stored: StoredMessage, content: JSON, markup: JSON | None, drop_keys: Iterable[str]) -> JSON:
        old = stored.message
        new = {k: v for k, v in old.items() if k not in drop_keys and k not in ("reply_markup", "edit_date")}
        new.update(content)
        if markup and markup.get("inline_keyboard"):
            new["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        comparable = ("text", "entities", "caption", "caption_entities", "reply_markup")
        if all(new.get(k) == old.get(k) for k in comparable):
            raise BotApiError.bad_request(
                "message is not modified: specified new message content and reply markup are exactly the same "
                "as a current content and reply markup of the message"
            )
        new["edit_date"] = int(time.time())
        stored.history.append(old)
        stored.message = new
        return new

    # -- methods -----------------------------------------------------------------------------

    def _m_get_me(self, params: _Params, connection: _Connection) -> JSON:
        return {
            **self.bot_user.to_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_get_updates(self, params: _Params, connection: _Connection) -> list[JSON]:
        offset = params.get_int("offset")
        limit = min(max(params.get_int("limit") or 100, 1), 100)
        timeout = max(params.get_float("timeout") or 0.0, 0.0)
        allowed = params.get_json("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
                raise BotApiError.bad_request("can't parse allowed updates JSON object")
            self._allowed_updates = frozenset(allowed) if allowed else _DEFAULT_ALLOWED_UPDATES
        if self._webhook is not None:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        deadline = time.monotonic() + timeout
        while True:
            if offset is not None and offset < 0:
                while len(self._updates) > -offset:
                    self._updates.popleft()
            elif offset is not None:
                while self._updates and self._updates[0]["update_id"] < offset:
                    self._updates.popleft()
            batch = [u for u in self._updates if _update_type(u) in self._allowed_updates][:limit]
            if batch:
                return copy.deepcopy(batch)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._stopping.is_set():
                return []
            if generation != self._poll_generation:
                raise BotApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if connection.peer_closed():
                raise _Dropped
            self._cond.wait(min(remaining, 0.05))

    def _m_set_webhook(self, params: _Params, connection: _Connection) -> _Reply:
        url = (params.get_str("url") or "").strip()
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        if not url:
            return self._m_delete_webhook(params, connection)
        parts = urlsplit(url)
        if not self.allow_http_webhooks:
            if parts.scheme != "https":
                raise BotApiError.bad_request("bad webhook: An HTTPS URL must be provided for webhook")
            if (parts.port or 443) not in (443, 80, 88, 8443):
                raise BotApiError.bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        elif parts.scheme not in ("http", "https") or not parts.hostname:
            raise BotApiError.bad_request("bad webhook: Failed to resolve host: Name or service not known")
        secret = params.get_str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise BotApiError.bad_request("secret token contains unallowed characters")
        max_connections = params.get_int("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise BotApiError.bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = params.get_json("allowed_updates")
        if allowed is not None and (not isinstance(allowed, list) or not all(isinstance(k, str) for k in allowed)):
            raise BotApiError.bad_request("can't parse allowed updates JSON object")
        same = self._webhook is not None and self._webhook["url"] == url
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": max_connections,
            "allowed_updates": allowed,
            "allowed": frozenset(allowed) if allowed else None,
            "ip_address": params.get_str("ip_address"),
            "has_custom_certificate": "certificate" in params.raw,
        }
        self._webhook_error = None
        self._cond.notify_all()
        return _Reply(True, "Webhook is already set" if same else "Webhook was set")

    def _m_delete_webhook(self, params: _Params, connection: _Connection) -> _Reply:
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        existed = self._webhook is not None
        self._webhook = None
        self._webhook_error = None
        return _Reply(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    def _m_get_webhook_info(self, params: _Params, connection: _Connection) -> JSON:
        webhook = self._webhook
        info: JSON = {
            "url": "" if webhook is None else webhook["url"],
            "has_custom_certificate": bool(webhook and webhook["has_custom_certificate"]),
            "pending_update_count": len(self._updates),
        }
        if webhook is not None:
            info["max_connections"] = webhook["max_connections"]
            if webhook["ip_address"]:
                info["ip_address"] = webhook["ip_address"]
            if webhook["allowed_updates"]:
                info["allowed_updates"] = webhook["allowed_updates"]
            if self._webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    def _scope_key(self, scope: Any) -> str:
        if scope is None:
            return json.dumps({"type": "default"})
        if not isinstance(scope, Mapping) or scope.get("type") not in _COMMAND_SCOPES:
            raise BotApiError.bad_request("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        data: JSON = {"type": kind}
        if kind in ("chat", "chat_administrators", "chat_member"):
            state = self._resolve_chat(_Params({"chat_id": scope.get("chat_id")}))
            data["chat_id"] = state.chat.id
            if kind == "chat_member":
                user_id = scope.get("user_id")
                if not isinstance(user_id, int):
                    raise BotApiError.bad_request("user not found")
                data["user_id"] = user_id
        return json.dumps(data, sort_keys=True)

    def _command_key(self, params: _Params) -> tuple[str, str]:
        language = params.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise BotApiError.bad_request("invalid language code specified")
        return self._scope_key(params.get_json("scope")), language

    def _m_set_my_commands(self, params: _Params, connection: _Connection) -> bool:
        commands = params.get_json("commands")
        if not isinstance(commands, list):
            raise BotApiError.bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise BotApiError.bad_request("too many commands specified")
        checked: list[JSON] = []
        for command in commands:
            if not isinstance(command, dict):
                raise BotApiError.bad_request("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise BotApiError.bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise BotApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            checked.append({"command": name, "description": description})
        key = self._command_key(params)
        if checked:
            self._commands[key] = checked
        else:
            self._commands.pop(key, None)
        return True

    def _m_get_my_commands(self, params: _Params, connection: _Connection) -> list[JSON]:
        return copy.deepcopy(self._commands.get(self._command_key(params), []))

    def _m_delete_my_commands(self, params: _Params, connection: _Connection) -> bool:
        self._commands.pop(self._command_key(params), None)
        return True

    def _m_send_message(self, params: _Params, connection: _Connection) -> JSON:
        state = self._resolve_chat(params)
        self._check_can_write(state)
        source = params.get_str("text")
        parse_mode = params.get_str("parse_mode")
        text, entities = self._prepare_text(source, parse_mode, params.get_json("entities"))
        markup = self._check_markup(params.raw.get("reply_markup"))
        reply_to = self._reply_target(state, params)
        self._check_flood(state)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        preview = params.get_json("link_preview_options")
        if isinstance(preview, dict) and any(e["type"] in ("url", "text_link") for e in entities):
            content["link_preview_options"] = preview
        message = self._new_bot_message(state, content, markup, reply_to)
        self._store_message(state, message, source or "", parse_mode, from_bot=True)
        self._note_send(state)
        return copy.deepcopy(message)

    def _make_generic_send(self, method: str) -> Callable[[_Params, _Connection], JSON]:
        def send(params: _Params, connection: _Connection) -> JSON:
            state = self._resolve_chat(params)
            self._check_can_write(state)
            source = params.get_str("caption")
            parse_mode = params.get_str("parse_mode")
            caption, entities = self._prepare_text(
                source,
                parse_mode,
                params.get_json("caption_entities"),
                too_long="message caption is too long",
                limit=MAX_CAPTION_LENGTH,
                allow_empty=True,
            )
            markup = self._check_markup(params.raw.get("reply_markup"))
            reply_to = self._reply_target(state, params)
            self._check_flood(state)
            content: JSON = {}
            file_id = f"BQACAgIAAx0Cfake{state.next_message_id}"
            if method == "sendDocument":
                content["document"] = {"file_id": file_id, "file_unique_id": f"AgAD{state.next_message_id}"}
            elif method == "sendPhoto":
                unique = f"AQAD{state.next_message_id}"
                content["photo"] = [{"file_id": file_id, "file_unique_id": unique, "width": 800, "height": 600}]
            elif method == "sendDice":
                content["dice"] = {"emoji": params.get_str("emoji") or "🎲", "value": 3}
            if caption:
                content["caption"] = caption
                if entities:
                    content["caption_entities"] = entities
            message = self._new_bot_message(state, content, markup, reply_to)
            self._store_message(state, message, source or "", parse_mode, from_bot=True)
            self._note_send(state)
            return copy.deepcopy(message)

        return send

    def _copied_content(self, params: _Params) -> tuple[_ChatState, StoredMessage]:
        source_state = self._resolve_chat(params, "from_chat_id")
        message_id = params.get_int("message_id")
        stored = None if message_id is None else source_state.messages.get(message_id)
        if stored is None or stored.deleted:
            raise BotApiError.bad_request("message to copy not found")
        return source_state, stored

    def _m_copy_message(self, params: _Params, connection: _Connection) -> JSON:
        _, original = self._copied_content(params)
        state = self._resolve_chat(params)
        self._check_can_write(state)
        self._check_flood(state)
        content = {k: v for k, v in original.message.items() if k in _COPIED_KEYS}
        markup = self._check_markup(params.raw.get("reply_markup"))
        message = self._new_bot_message(state, content, markup, self._reply_target(state, params))
        self._store_message(state, message, original.source, original.parse_mode, from_bot=True)
        self._note_send(state)
        return {"message_id": message["message_id"]}

    def _m_forward_message(self, params: _Params, connection: _Connection) -> JSON:
        source_state, original = self._copied_content(params)
        state = self._resolve_chat(params)
        self._check_can_write(state)
        self._check_flood(state)
        content = {k: v for k, v in original.message.items() if k in _COPIED_KEYS}
        sender = original.message.get("from")
        date = original.message["date"]
        origin: JSON = (
            {"type": "user", "sender_user": sender, "date": date}
            if sender and source_state.chat.type != "channel"
            else {
                "type": "channel",
                "chat": source_state.chat.to_json(),
                "message_id": original.message_id,
                "date": date,
            }
        )
        message = self._new_bot_message(state, {"forward_origin": origin, **content}, None, None)
        self._store_message(state, message, original.source, original.parse_mode, from_bot=True)
        self._note_send(state)
        return copy.deepcopy(message)

    def _m_edit_message_text(self, params: _Params, connection: _Connection) -> JSON | bool:
        source = params.get_str("text")
        parse_mode = params.get_str("parse_mode")
        text, entities = self._prepare_text(source, parse_mode, params.get_json("entities"))
        markup = self._check_markup(params.raw.get("reply_markup"))
        target = self._target_message(params, "edit")
        if target is None:
            return True
        _, stored = target
        if not stored.from_bot or "text" not in stored.message:
            raise BotApiError.bad_request("message can't be edited")
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        new = self._replace(stored, content, markup, ("text", "entities"))
        stored.source, stored.parse_mode = source or "", parse_mode
        return copy.deepcopy(new)

    def _m_edit_message_caption(self, params: _Params, connection: _Connection) -> JSON | bool:
        source = params.get_str("caption")
        parse_mode = params.get_str("parse_mode")
        caption, entities = self._prepare_text(
            source,
            parse_mode,
            params.get_json("caption_entities"),
            too_long="message caption is too long",
            limit=MAX_CAPTION_LENGTH,
            allow_empty=True,
        )
        markup = self._check_markup(params.raw.get("reply_markup"))
        target = self._target_message(params, "edit")
        if target is None:
            return True
        _, stored = target
        if not stored.from_bot or "text" in stored.message:
            raise BotApiError.bad_request("there is no caption in the message to edit")
        content: JSON = {}
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        new = self._replace(stored, content, markup, ("caption", "caption_entities"))
        stored.source, stored.parse_mode = source or "", parse_mode
        return copy.deepcopy(new)

    def _m_edit_message_reply_markup(self, params: _Params, connection: _Connection) -> JSON | bool:
        markup = self._check_markup(params.raw.get("reply_markup"))
        target = self._target_message(params, "edit")
        if target is None:
            return True
        _, stored = target
        if not stored.from_bot:
            raise BotApiError.bad_request("message can't be edited")
        return copy.deepcopy(self._replace(stored, {}, markup, ()))

    def _m_delete_message(self, params: _Params, connection: _Connection) -> bool:
        state = self._resolve_chat(params)
        message_id = params.get_int("message_id")
        if message_id is None:
            raise BotApiError.bad_request("message identifier is not specified")
        stored = state.messages.get(message_id)
        if stored is None or stored.deleted:
            raise BotApiError.bad_request("message to delete not found")
        is_admin = state.bot_status in ("administrator", "creator")
        may_delete = is_admin and state.bot_extra.get("can_delete_messages", True)
        if state.chat.type != "private" and not stored.from_bot and not may_delete:
            raise BotApiError.bad_request("message can't be deleted")
        stored.deleted = True
        return True

    def _m_answer_callback_query(self, params: _Params, connection: _Connection) -> bool:
        query_id = params.get_str("callback_query_id") or ""
        if query_id not in self._callback_queries or query_id in self._callback_answers:
            raise BotApiError.bad_request("query is too old and response timeout expired or query ID is invalid")
        text = params.get_str("text") or ""
        if len(text) > 200:
            raise BotApiError.bad_request("MESSAGE_TOO_LONG")
        self._callback_answers[query_id] = {
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "cache_time": params.get_int("cache_time") or 0,
        }
        return True

    def _m_answer_inline_query(self, params: _Params, connection: _Connection) -> bool:
        query_id = params.get_str("inline_query_id") or ""
        if query_id not in self._inline_queries or query_id in self._inline_answers:
            raise BotApiError.bad_request("query is too old and response timeout expired or query ID is invalid")
        results = params.get_json("results")
        if not isinstance(results, list):
            raise BotApiError.bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise BotApiError.bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict):
                raise BotApiError.bad_request("can't parse InlineQueryResult JSON object")
            result_id = result.get("id")
            if not isinstance(result_id, str) or not 1 <= len(result_id.encode("utf-8")) <= 64:
                raise BotApiError.bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise BotApiError.bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            kind = result.get("type")
            if kind not in _INLINE_RESULT_TYPES:
                raise BotApiError.bad_request(
                    f'can\'t parse InlineQueryResult JSON object: unsupported result type "{kind}"'
                )
            content = result.get("input_message_content")
            if kind == "article":
                if not isinstance(result.get("title"), str) or not result["title"].strip():
                    raise BotApiError.bad_request("RESULT_TITLE_EMPTY")
                if not isinstance(content, dict):
                    raise BotApiError.bad_request(
                        'can\'t parse InlineQueryResultArticle: field "input_message_content" must be an Object'
                    )
            if isinstance(content, dict) and "message_text" in content:
                self._prepare_text(
                    content.get("message_text"),
                    content.get("parse_mode"),
                    content.get("entities"),
                    empty="MESSAGE_EMPTY",
                    too_long="MESSAGE_TOO_LONG",
                )
            if "reply_markup" in result:
                self._check_markup(result["reply_markup"])
        next_offset = params.get_str("next_offset") or ""
        if len(next_offset.encode("utf-8")) > 64:
            raise BotApiError.bad_request("NEXT_OFFSET_INVALID")
        self._inline_answers[query_id] = {
            "results": results,
            "cache_time": params.get_int("cache_time"),
            "is_personal": params.get_bool("is_personal"),
            "next_offset": next_offset,
            "button": params.get_json("button"),
        }
        return True

    def _m_send_chat_action(self, params: _Params, connection: _Connection) -> bool:
        state = self._resolve_chat(params)
        action = params.get_str("action")
        if not action:
            raise BotApiError.bad_request("action is empty")
        if action not in _CHAT_ACTIONS:
            raise BotApiError.bad_request("wrong parameter action in request")
        self._check_can_write(state)
        return True

    def _m_get_chat(self, params: _Params, connection: _Connection) -> JSON:
        state = self._resolve_chat(params)
        info = state.chat.to_json()
        info.update(
            {
                "accent_color_id": abs(state.chat.id) % 7,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        if state.chat.type in ("group", "supergroup"):
            info["permissions"] = {"can_send_messages": True, "can_send_polls": True, "can_invite_users": True}
        return info

    def _member_of(self, state: _ChatState, user_id: int) -> JSON:
        if user_id == self.bot_user.id:
            status = state.bot_status if state.chat.type != "private" else "member"
            return _member_json(self.bot_user.to_json(), status, state.chat.type, state.bot_extra)
        if state.chat.type == "private":
            if user_id != state.chat.id:
                raise BotApiError.bad_request("user not found")
            return _member_json(self._users[user_id].to_json(), "member", "private")
        member = state.members.get(user_id)
        if member is not None:
            return _member_json(member.user.to_json(), member.status, state.chat.type, member.extra)
        user = self._users.get(user_id)
        if user is None:
            raise BotApiError.bad_request("user not found")
        return _member_json(user.to_json(), "left", state.chat.type)

    def _m_get_chat_member(self, params: _Params, connection: _Connection) -> JSON:
        state = self._resolve_chat(params)
        user_id = params.get_int("user_id")
        if user_id is None:
            raise BotApiError.bad_request("user_id is empty")
        return self._member_of(state, user_id)

    def _m_get_chat_administrators(self, params: _Params, connection: _Connection) -> list[JSON]:
        state = self._resolve_chat(params)
        if state.chat.type == "private":
            raise BotApiError.bad_request("there are no administrators in the private chat")
        if state.bot_status in ("left", "kicked"):
            raise BotApiError.forbidden(f"bot is not a member of the {state.kind}")
        admins = [
            _member_json(m.user.to_json(), m.status, state.chat.type, m.extra)
            for m in state.members.values()
            if m.status in ("creator", "administrator")
        ]
        if state.bot_status == "administrator":
            admins.append(_member_json(self.bot_user.to_json(), "administrator", state.chat.type, state.bot_extra))
        return sorted(admins, key=lambda a: a["status"] != "creator")

    def _m_get_chat_member_count(self, params: _Params, connection: _Connection) -> int:
        state = self._resolve_chat(params)
        if state.chat.type == "private":
            return 2
        present = ("creator", "administrator", "member", "restricted")
        count = sum(1 for m in state.members.values() if m.status in present)
        return count + (1 if state.bot_status in present else 0)

    def _m_leave_chat(self, params: _Params, connection: _Connection) -> bool:
        state = self._resolve_chat(params)
        if state.chat.type == "private":
            raise BotApiError.bad_request("chat member status can't be changed in private chats")
        if state.bot_status in ("left", "kicked"):
            raise BotApiError.forbidden(f"bot is not a member of the {state.kind}")
        old = state.bot_status
        self._set_bot_status(state, "left")
        self.enqueue(
            {
                "my_chat_member": {
                    "chat": state.chat.to_json(),
                    "from": self.bot_user.to_json(),
                    "date": int(time.time()),
                    "old_chat_member": _member_json(self.bot_user.to_json(), old, state.chat.type),
                    "new_chat_member": _member_json(self.bot_user.to_json(), "left", state.chat.type),
                }
            }
        )
        return True


# -- the HTTP server -------------------------------------------------------------------------


class _Connection:
    """One request being answered; wraps the stdlib handler."""

    def __init__(self, handler: _RequestHandler) -> None:
        self.handler = handler

    def read_params(self) -> JSON:
        headers = self.handler.headers
        length = int(headers.get("Content-Length") or 0)
        body = self.handler.rfile.read(length) if length > 0 else b""
        params: JSON = dict(parse_qsl(urlsplit(self.handler.path).query, keep_blank_values=True))
        content_type = headers.get("Content-Type", "")
        kind = content_type.split(";")[0].strip().lower()
        if not body:
            return params
        if kind == "application/json":
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("the JSON body is not an object")
            params.update(data)
        elif kind == "multipart/form-data":
            params.update(_parse_multipart(content_type, body))
        else:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        return params

    def peer_closed(self) -> bool:
        """Whether the client has closed its end (it gave up waiting)."""
        sock = self.handler.connection
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def send_json(self, status: int, payload: JSON | None) -> None:
        self.send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json")

    def send(self, status: int, body: bytes, content_type: str) -> None:
        handler = self.handler
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            handler.close_connection = True

    def drop(self) -> None:
        self.handler.close_connection = True


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server_version = "nginx/1.18.0"
    sys_version = ""
    server: _HTTPServer

    def do_POST(self) -> None:
        self.server.api._handle(_Connection(self))

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s %s", self.address_string(), format % args)


class _HTTPServer(ThreadingHTTPServer):
    """Tracks its connections so that stopping can close keep-alive ones and join threads."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _RequestHandler)

    def server_bind(self) -> None:
        # Skips HTTPServer's reverse DNS lookup of the host name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        _log.debug("error while answering %s", client_address, exc_info=True)


@pytest.fixture
def fake_botapi() -> Iterator[FakeBotApi]:
    """A running :class:`FakeBotApi`, stopped after the test."""
    with FakeBotApi() as server:
        yield server
