"""Writes what replies leave to record (`records.Recorder`) on the database thread, after
the replies.

Woken whenever records are added (from any thread), it writes everything waiting in one
transaction, so the records that came while a write waited for the database (another
process's write transaction) go together in the next one. A write that fails is tried
again with backoff, from half a second doubling up to half a minute; the records stay
readable by this process meanwhile. Whatever is left at stop is written by `BotParts.close`.
"""

from __future__ import annotations

import asyncio
import logging

from .records import Recorder
from .workers import Workers

log = logging.getLogger(__name__)

FIRST_RETRY = 0.5
LAST_RETRY = 30.0


class RecordWriter:
    """Runs until cancelled; `wake` may be called from any thread."""

    def __init__(self, recorder: Recorder, workers: Workers) -> None:
        self.recorder = recorder
        self.workers = workers
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Records were added: write them soon (nothing before `run` starts, which looks
        for records first)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        pause = FIRST_RETRY
        while True:
            if not self.recorder.waiting():
                await self._wake.wait()
            self._wake.clear()
            try:
                await self.workers.db(self.recorder.write_pending)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning(
                    "writing the records of replies failed (%d waiting); trying again in %.1f s",
                    self.recorder.waiting(), pause, exc_info=True,
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, LAST_RETRY)
            else:
                pause = FIRST_RETRY
