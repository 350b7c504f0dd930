"""What happened: the calls, the messages and the queued updates, with waits and a dump."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ._core import ServerCore
from ._models import JSON, RecordedCall, StoredMessage, update_type

T = TypeVar("T")


class Records(ServerCore):
    """Read access to the server's records, and waits until something shows up in them."""

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
            kinds = [f"{u['update_id']}:{update_type(u)}" for u in self._updates]
            lines.append(f"pending updates ({len(kinds)}): {', '.join(kinds) or '-'}")
            if self._webhook is not None:
                lines.append(f"webhook: {self._webhook.get('url')} last error: {self._webhook_error}")
            return "\n".join(lines)
