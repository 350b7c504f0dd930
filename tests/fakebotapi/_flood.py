"""The optional flood model: Telegram's limits on how fast a bot may send."""

from __future__ import annotations

import math
import time
from collections import deque

from ._chat_state import ChatState
from ._core import ServerCore
from ._models import BotApiError, FloodLimits


class FloodModel(ServerCore):
    """Windows of recent sends, overall and by chat, checked against :class:`FloodLimits`."""

    def set_flood_limits(self, limits: FloodLimits | None = FloodLimits()) -> None:
        """Switch the flood model on (Telegram-like defaults) or off with ``None``."""
        with self._lock:
            self._flood = limits
            self._sends_all.clear()
            self._sends_by_chat.clear()

    def _check_flood(self, state: ChatState) -> None:
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

    def _note_send(self, state: ChatState) -> None:
        if self._flood is None:
            return
        now = time.monotonic()
        self._sends_all.append(now)
        self._sends_by_chat.setdefault(state.chat.id, deque()).append(now)
