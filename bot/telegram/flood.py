"""A per-user flood guard: about 20 questions a minute, then a polite pause.

The counts are in the database (`bot.storage.flood`), so every bot process on it counts
the same questions: a user whose updates are spread over several processes has one
budget. A question is decided from a read (`decide`: the user's row, and the admissions
this process decided but has not written yet), and the decision is written afterwards
with the reply's other records (`write`), so that no reply waits for another process's
write transaction. Every `prune_every` questions the write also deletes the rows that no
longer decide anything, so the table holds about the users of the last minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Connection

from bot.storage.flood import Admission, FloodCount, FloodWindow, FloodWindows

__all__ = ["Admission", "FloodCount", "FloodGuard"]

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
        if limit < 1 or window <= 0:
            raise ValueError("the flood guard needs a limit of at least 1 and a window")
        self.windows = windows
        self.limit = limit
        self.window_ms = max(1, round(window * 1000))
        self.clock = clock
        self.prune_every = prune_every
        self._since_prune = 0

    def decide(self, user_id: int, unwritten: Sequence[FloodCount] = (), warn: bool = True) -> FloodCount:
        """Read only: what one more question of the user's gets, counting the user's
        admissions not written yet (`unwritten`, oldest first) on top of the stored row (one
        committed at that very moment may count twice: the stricter way). With `warn` false
        (inline queries, which cannot show a warning) never WARNED."""
        now, stored = self.windows.peek(user_id, self._now())
        row = stored
        for earlier in unwritten:
            row = (row or FloodWindow.new(earlier.at)).counted(earlier.at, self.window_ms, earlier.admission)
        admission = (row or FloodWindow.new(now)).admission(now, self.limit, self.window_ms, warn)
        return FloodCount(user_id=user_id, at=now, admission=admission)

    def write(self, connection: Connection, counts: Sequence[FloodCount]) -> None:
        """Count decided admissions in the caller's write transaction (pruning when due)."""
        if not counts:
            return
        self.windows.count(connection, counts, self.window_ms)
        self._since_prune += len(counts)
        if self._since_prune >= self.prune_every:
            self._since_prune = 0
            self.windows.prune_in(connection, self.window_ms, self._now())

    def admit(self, user_id: int, warn: bool = True) -> Admission:
        """Decide and count one question at once (one write transaction); ALLOWED, or (over
        the limit) WARNED once a window, else QUIET."""
        admission = self.windows.admit(user_id, self.limit, self.window_ms, self._now(), warn)
        self._since_prune += 1
        if self._since_prune >= self.prune_every:
            self._since_prune = 0
            self.windows.prune(self.window_ms, self._now())
        return admission

    def _now(self) -> int | None:
        return None if self.clock is None else round(self.clock() * 1000)
