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
* fault injection (``fail_next``), calls held until released (``hold``) and an optional
  flood-limit model;
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

from ._fixture import fake_botapi
from ._html import EntityParseError, detect_entities, entity_text, parse_html, utf16_len
from ._models import (
    ANONYMOUS_ADMIN_ID,
    DEFAULT_TOKEN,
    BotApiError,
    FakeChat,
    FakeUser,
    Fault,
    FloodLimits,
    RecordedCall,
    StoredMessage,
    UploadedFile,
)
from ._server import FakeBotApi

# Importable too, though not part of the stated API: the JSON alias, the chat and member
# kinds and Telegram's limits.
from ._models import JSON as JSON
from ._models import MAX_CALLBACK_DATA_BYTES as MAX_CALLBACK_DATA_BYTES
from ._models import MAX_CAPTION_LENGTH as MAX_CAPTION_LENGTH
from ._models import MAX_INLINE_RESULTS as MAX_INLINE_RESULTS
from ._models import MAX_MESSAGE_LENGTH as MAX_MESSAGE_LENGTH
from ._models import SERVICE_CHAT_ID as SERVICE_CHAT_ID
from ._models import ChatType as ChatType
from ._models import MemberStatus as MemberStatus

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
