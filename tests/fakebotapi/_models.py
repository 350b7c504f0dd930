"""The value objects of the fake Bot API: users, chats, faults, records, messages and errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

JSON = dict[str, Any]
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


class Dropped(Exception):
    """Close the connection without answering."""


@dataclass
class Reply:
    """A method's result, with the ``description`` Telegram sends along with a few of them."""

    result: Any
    description: str | None = None


def update_type(update: Mapping[str, Any]) -> str:
    """The kind of an update: its one key besides ``update_id``."""
    return next((key for key in update if key != "update_id"), "")


def without_reply(message: JSON) -> JSON:
    """``message`` as it appears in a reply: without its own ``reply_to_message``."""
    return {k: v for k, v in message.items() if k != "reply_to_message"}
