"""A per-user flood guard: about 20 questions a minute, then a polite pause.

The counts are in the database (`bot.storage.flood`), so every bot process on it counts
the same questions: a user whose updates are spread over several processes has one
budget. Each question is one statement, run where the other database calls of a question
run (the database thread). Every `prune_every` questions the guard also deletes the rows
that no longer decide anything, so the table holds about the users of the last minutes.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.storage.flood import Admission, FloodWindows

__all__ = ["Admission", "FloodGuard"]

PRUNE_EVERY = 1000


class FloodGuard:
    """`limit` questions per `window` seconds per user, across processes. `clock` (seconds
    since the epoch) is for tests; by default the database's clock is used."""

    def __init__(
        self,
        windows: FloodWindows,
        limit: int = 20,
        window: float = 60.0,
        clock: Callable[[], float] | None = None,
        prune_every: int = PRUNE_EVERY,
    ) -> None:
        self.windows = windows
        self.limit = limit
        self.window_ms = max(1, round(window * 1000))
        self.clock = clock
        self.prune_every = prune_every
        self._since_prune = 0

    def admit(self, user_id: int, warn: bool = True) -> Admission:
        """Count one question; ALLOWED, or (over the limit) WARNED once a window, else QUIET.
        With `warn` false (inline queries, which cannot show a warning) never WARNED."""
        admission = self.windows.admit(user_id, self.limit, self.window_ms, self._now(), warn)
        self._since_prune += 1
        if self._since_prune >= self.prune_every:
            self._since_prune = 0
            self.windows.prune(self.window_ms, self._now())
        return admission

    def _now(self) -> int | None:
        return None if self.clock is None else round(self.clock() * 1000)
