"""Leadership among the `serve` processes sharing one database: a loop in each process
keeps one lease (bot/storage/leases.py), for polling Telegram or for sending digests.

A process that does not hold the lease tries to take it when the holding it was told of
is due to run out (at the latest every third of the term); the holder renews it every
third of the term. The holder counts the lease as its own only until nine tenths of the
term after it asked for the renewal the database granted, by its own monotonic clock:
that is before the database's expiry (which runs from a later moment, the statement's),
so a holder that cannot renew in time (a slow or unreachable database, a paused process)
has stopped acting before any other process can take over. It stops by itself, without
waiting for the database to answer.

Each holding has a holder id of its own (host, pid, a random part): a process that
loses the lease and takes it again later is a new holder, so what it claimed before
counts as left by a dead one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import SQLAlchemyError

from bot.storage.errors import StoreError
from bot.storage.leases import Leases, LeaseState

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]

SAFE_SHARE = 0.9
"""Of a term: how long after asking for it a granted holding counts as ours."""

RENEWALS_PER_TERM = 3
SOONEST_RETRY = 0.05


def new_holder_id() -> str:
    """A holder id: which host and process, and a random part for this holding."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class LeaseKeeper:
    """Keeps one lease for this process: `start` begins trying to take it, `holder` says
    whether it is ours right now, `close` gives it up for another process to take.

    `on_gain` runs when the lease becomes ours (start acting), `on_loss` when it stops
    being ours (stop acting); a failing `on_gain` gives the lease back."""

    def __init__(
        self,
        leases: Leases,
        name: str,
        seconds: float,
        *,
        on_gain: Hook | None = None,
        on_loss: Hook | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.leases = leases
        self.name = name
        self.seconds = seconds
        self.on_gain = on_gain
        self.on_loss = on_loss
        self.clock = clock
        self.taken = asyncio.Event()  # set while the lease is ours
        self._candidate = new_holder_id()
        self._holding = False
        self._until = 0.0
        self._task: asyncio.Task[None] | None = None
        self._attempt: tuple[str, asyncio.Future[LeaseState]] | None = None

    @property
    def holder(self) -> str | None:
        """Our holder id while the lease is ours (and its safe share of the term lasts)."""
        return self._candidate if self._holding and self.clock() < self._until else None

    def start(self) -> None:
        """Start keeping the lease (on the running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run(), name=f"lease:{self.name}")

    async def close(self) -> None:
        """Stop keeping the lease: stop acting under it and release it, so that another
        process takes it over at once."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        ours = {self._candidate}
        if self._attempt is not None:  # an attempt under way may still take it: let it end
            candidate, attempt = self._attempt
            ours.add(candidate)
            with contextlib.suppress(Exception):
                await attempt
        if self._holding:
            await self._lose("stopping", logging.INFO)
        for candidate in ours:
            await self._release(candidate)

    async def run(self) -> None:
        """Take, renew and watch the lease until cancelled."""
        while True:
            await asyncio.sleep(await self.round())

    async def round(self) -> float:
        """One attempt to take or renew the lease; the pause before the next."""
        started = self.clock()
        if self._holding and started >= self._until:
            await self._lose("it ran out before it was renewed")
        candidate = self._candidate
        attempt = asyncio.ensure_future(asyncio.to_thread(self.leases.acquire, self.name, candidate, self.seconds))
        self._attempt = (candidate, attempt)
        while True:
            wait = max(0.0, self._until - self.clock()) if self._holding else None
            done, _ = await asyncio.wait({attempt}, timeout=wait)
            if done:
                break
            await self._lose("the database did not renew it in time")
        self._attempt = None
        try:
            state = attempt.result()
        except (StoreError, SQLAlchemyError) as exc:
            log.warning("the %s lease could not be renewed or taken: %s", self.name, exc)
            return self._pause(self.seconds / RENEWALS_PER_TERM / 2)
        if state.holder == candidate == self._candidate:
            self._until = started + self.seconds * SAFE_SHARE
            if not self._holding:
                await self._gain()
            return self._pause(self.seconds / RENEWALS_PER_TERM)
        if state.holder == candidate:  # granted after we had stopped counting on it
            await self._release(candidate)
        elif self._holding:
            await self._lose(f"{state.holder or 'nobody'} holds it now")
        # standing by: try again when the present holding is due to run out
        return min(self.seconds / RENEWALS_PER_TERM, max(state.remaining, SOONEST_RETRY))

    def _pause(self, pause: float) -> float:
        """The pause before the next attempt; while holding, never past the safe share."""
        if not self._holding:
            return pause
        return max(SOONEST_RETRY, min(pause, self._until - self.clock()))

    async def _gain(self) -> None:
        self._holding = True
        self.taken.set()
        log.info("this process holds the %s lease now (%s)", self.name, self._candidate)
        if self.on_gain is None:
            return
        try:
            await self.on_gain()
        except Exception:
            log.exception("could not start acting under the %s lease; giving it back", self.name)
            given_back = self._candidate
            await self._lose("starting failed")
            await self._release(given_back)

    async def _lose(self, reason: str, level: int = logging.WARNING) -> None:
        """Stop counting the lease as ours (and acting under it); the next attempt is made
        as a new holder."""
        self._holding = False
        self.taken.clear()
        log.log(level, "this process no longer holds the %s lease: %s", self.name, reason)
        self._candidate = new_holder_id()
        if self.on_loss is not None:
            try:
                await self.on_loss()
            except Exception:
                log.exception("could not stop acting under the %s lease", self.name)

    async def _release(self, candidate: str) -> None:
        """Give the lease back if `candidate` holds it (when the database cannot be reached,
        it runs out by itself)."""
        try:
            await asyncio.to_thread(self.leases.release, self.name, candidate)
        except (StoreError, SQLAlchemyError) as exc:
            log.warning("the %s lease could not be released (it runs out by itself): %s", self.name, exc)
