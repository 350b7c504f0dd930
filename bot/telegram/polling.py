"""Long polling, while this process holds the polling lease, with no update lost when a
process dies.

python-telegram-bot's Updater confirms a batch to Telegram (asks for the offset past it)
as soon as it has queued the batch, before any of it is handled: a process killed then
loses the batch, which Telegram will not give again. Here a batch is stored in the
database (`UpdateJournal.receive`) before the getUpdates that confirms it; a batch that
cannot be stored is not confirmed, and is asked for again. An update stored before (a
batch Telegram gives again after a process died between storing and confirming it) is not
handled twice: which ones were is read first (`UpdateJournal.admit`, a read that never
waits for a writer), the others are handled at once while the batch is stored, so a reply
does not wait for another process's write transaction (an ingest's) to store its update.

When this process takes the lease, it first takes over the updates other processes left
unhandled: until those still claimed by another process are handled or their claims have
run out (at most a term), it feeds the ones whose claims ran out into the queue, oldest
first; then it polls, so that each chat's earlier updates come before its later ones.
While polling it takes over what is left every third of a term.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram import Bot, Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut

from .journal import DATABASE_ERRORS, RENEWALS_PER_TERM, UpdateJournal
from .messenger import seconds

log = logging.getLogger(__name__)

T = TypeVar("T")

POLL_TIMEOUT = timedelta(seconds=10)
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
TAKEOVER_CHECKS_PER_TERM = 10


class LongPolling:
    """Polls Telegram between `start` (the lease was taken) and `stop` (it was lost)."""

    def __init__(
        self,
        bot: Bot,
        queue: asyncio.Queue[object],
        journal: UpdateJournal,
        term: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot = bot
        self.queue = queue
        self.journal = journal
        self.term = term
        self.clock = clock
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.run(), name="long polling")

    async def stop(self) -> None:
        """Stop polling (a poll under way is dropped; what it would have brought is not
        confirmed, so Telegram gives it to the next poller)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        """Take over what other processes left, then poll; until cancelled."""
        while True:
            try:
                await self._retrying("delete the webhook", self.bot.delete_webhook)
                await self.take_over()
                await self.poll()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("long polling failed; starting again")
                await asyncio.sleep(FIRST_PAUSE)

    async def take_over(self) -> None:
        """Feed the updates other processes left unhandled into the queue, waiting (up to a
        term) for those they still hold to be handled or to be left."""
        deadline = self.clock() + self.term
        while True:
            try:
                self._feed(await self.journal.recover(self.bot))
                if self.clock() >= deadline or not await self.journal.others_unhandled():
                    return
            except DATABASE_ERRORS as exc:
                log.warning("could not look for updates other processes left: %s", exc)
                return
            await asyncio.sleep(self.term / TAKEOVER_CHECKS_PER_TERM)

    async def poll(self) -> None:
        offset: int | None = None
        next_recovery = self.clock() + self.term / RENEWALS_PER_TERM
        while True:
            updates = await self._retrying("get updates", lambda: self.bot.get_updates(
                offset=offset, timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES
            ))
            if updates:
                batch = list(updates)
                try:  # handled at once; stored meanwhile, before the next poll confirms them
                    admitted: list[Update] | None = await self.journal.admit(batch)
                except DATABASE_ERRORS as exc:
                    log.warning("could not read which of %d update(s) are stored: %s", len(batch), exc)
                    admitted = None
                if admitted is not None:
                    self._feed(admitted)
                    await self._store(batch)
                else:
                    self._feed(await self._store(batch))
                offset = updates[-1].update_id + 1  # the next poll confirms these: they are stored
            if self.clock() >= next_recovery:
                next_recovery = self.clock() + self.term / RENEWALS_PER_TERM
                try:
                    self._feed(await self.journal.recover(self.bot))
                except DATABASE_ERRORS as exc:
                    log.warning("could not look for updates other processes left: %s", exc)

    def _feed(self, updates: list[Update]) -> None:
        for update in updates:
            self.queue.put_nowait(update)

    async def _store(self, updates: list[Update]) -> list[Update]:
        """Store a batch before it is confirmed; until the database takes it."""
        pause = FIRST_PAUSE
        while True:
            try:
                return await self.journal.receive(updates)
            except DATABASE_ERRORS as exc:
                log.warning("could not store %d update(s), so they are not confirmed to Telegram; trying again "
                            "in %.0fs: %s", len(updates), pause, exc)
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)

    async def _retrying(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        """The call's result, retried after Telegram's and the network's errors (at once after
        a timeout, after `retry_after` when asked to wait, else with a growing pause)."""
        pause = FIRST_PAUSE
        while True:
            try:
                return await call()
            except TimedOut:
                continue
            except RetryAfter as exc:
                await asyncio.sleep(seconds(exc.retry_after) + 0.5)
                continue
            except InvalidToken:
                log.error("could not %s: the Bot API refused the token", what)
                pause = LONGEST_PAUSE
            except TelegramError as exc:
                log.warning("could not %s (trying again in %.0fs): %s", what, pause, exc)
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)
