"""A per-user flood guard: about 20 questions a minute, then a polite pause."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_USERS = 10_000


class FloodGuard:
    """Sliding-window counter per user. Transient by design: a restart forgives, and so
    does being among the least recently seen when more than `max_users` are tracked."""

    def __init__(
        self,
        limit: int = 20,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_users: int = MAX_USERS,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_users = max_users
        self._hits: OrderedDict[int, deque[float]] = OrderedDict()
        self._warned: OrderedDict[int, float] = OrderedDict()

    def allow(self, user_id: int) -> bool:
        """Count one question; False when the user is over the limit."""
        now = self.clock()
        hits = self._hits.get(user_id)
        if hits is None:
            hits = self._hits[user_id] = deque()
        self._hits.move_to_end(user_id)
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        self._trim()
        return True

    def should_warn(self, user_id: int) -> bool:
        """Warn once per window, not on every message over the limit."""
        now = self.clock()
        last = self._warned.get(user_id)
        if last is not None and now - last < self.window:
            return False
        self._warned[user_id] = now
        self._warned.move_to_end(user_id)
        self._trim()
        return True

    def tracked_users(self) -> int:
        return max(len(self._hits), len(self._warned))

    def _trim(self) -> None:
        """Forget the least recently seen users beyond `max_users`."""
        while len(self._hits) > self.max_users:
            self._hits.popitem(last=False)
        while len(self._warned) > self.max_users:
            self._warned.popitem(last=False)
