"""The state the parts of the server share, and the chat helpers they all use."""

from __future__ import annotations

import copy
import itertools
import re
import threading
import time
from collections import deque
from collections.abc import Mapping
from typing import Any

from ._chat_state import MEMBER_STATUSES, ChatState, Member
from ._html import entity_text
from ._models import (
    ANONYMOUS_ADMIN_ID,
    JSON,
    BotApiError,
    FakeChat,
    FakeUser,
    Fault,
    FloodLimits,
    RecordedCall,
    StoredMessage,
)
from ._params import Params

TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
DEFAULT_ALLOWED_UPDATES = frozenset(
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


class ServerCore:
    """Users, chats, messages, queued updates and records, behind one lock.

    :class:`FakeBotApi` is composed of parts that all build on this one.  The chat helpers
    here expect their caller to hold ``_lock``; :meth:`enqueue` takes it itself.
    """

    def __init__(
        self,
        token: str,
        *,
        bot_username: str,
        bot_name: str,
        privacy_mode: bool,
        strict_html: bool,
        flood_limits: FloodLimits | None,
        allow_http_webhooks: bool,
        webhook_retry_interval: float,
    ) -> None:
        if not TOKEN_SHAPE.fullmatch(token):
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

        self._users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user}
        self._chats: dict[int, ChatState] = {}
        self._messages: list[StoredMessage] = []
        self._calls: list[RecordedCall] = []
        self._updates: deque[JSON] = deque()
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._poll_generation = 0
        self._faults: dict[str | None, deque[Fault]] = {}
        self._held: set[str] = set()  # methods whose calls wait (FaultInjection.hold)
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

    @property
    def bot_id(self) -> int:
        return self.bot_user.id

    @property
    def bot_username(self) -> str:
        return self.bot_user.username or ""

    def enqueue(self, update: Mapping[str, Any]) -> JSON:
        """Queue a raw update (an ``update_id`` is added when missing) and return it."""
        with self._cond:
            data = dict(update)
            if "update_id" not in data:
                data = {"update_id": next(self._update_ids), **data}
            self._updates.append(data)
            self._cond.notify_all()
            return copy.deepcopy(data)

    def _state(self, chat: FakeChat) -> ChatState:
        state = self._chats.get(chat.id)
        if state is None:
            state = ChatState(chat)
            self._chats[chat.id] = state
        return state

    def _known_state(self, chat: FakeChat) -> ChatState:
        state = self._chats.get(chat.id)
        if state is None:
            raise ValueError(f"chat {chat.id} is not registered")
        return state

    def _private_chat(self, target: FakeUser | FakeChat) -> FakeChat:
        if isinstance(target, FakeChat):
            return target
        self._users.setdefault(target.id, target)
        return FakeChat.private(target)

    def _incoming_state(self, chat: FakeChat, sender: FakeUser) -> ChatState:
        state = self._state(chat)
        if state.migrated_to is not None:
            raise ValueError(f"group {chat.id} was migrated to {state.migrated_to}")
        self._users.setdefault(sender.id, sender)
        if chat.type == "private":
            state.started = True
        elif sender.id not in state.members and sender.id != ANONYMOUS_ADMIN_ID:
            state.members[sender.id] = Member(sender, "member")
        return state

    def _creator(self, state: ChatState) -> FakeUser | None:
        return next((m.user for m in state.members.values() if m.status == "creator"), None)

    def _set_bot_status(self, state: ChatState, status: str, extra: Mapping[str, Any] | None = None) -> None:
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}")
        state.bot_status = status
        state.bot_extra = dict(extra or {})

    def _user_message(self, state: ChatState, sender: FakeUser) -> JSON:
        return {
            "message_id": state.take_message_id(),
            "from": sender.to_json(),
            "chat": state.chat.to_json(),
            "date": int(time.time()),
        }

    def _store_message(
        self, state: ChatState, message: JSON, source: str, parse_mode: str | None, *, from_bot: bool
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

    def _bot_sees(self, state: ChatState, message: JSON) -> bool:
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

    def _resolve_chat(self, params: Params, name: str = "chat_id") -> ChatState:
        raw = params.raw.get(name)
        if raw is None or raw == "":
            raise BotApiError.bad_request(f"{name} is empty")
        state: ChatState | None = None
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

    def _check_can_write(self, state: ChatState) -> None:
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
