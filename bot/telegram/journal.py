"""This process's side of the updates table (bot/storage/updates.py): the updates it
received or took over, from when they are stored until they are recorded as handled.

`receive` stores updates before Telegram is told they arrived and says which are new (an
update stored before, by this process or another, is not handled again). The update
processor (`ordering`) asks `begin` before it handles an update and calls `finish` after:
`begin` lets an update through at once while its claim is surely this process's (less than
nine tenths of a term since the claim was made or renewed, by this process's own clock: no
other process may take it over before a term), and otherwise asks the database whether it
still is (and renews it); an update another process took over meanwhile is left to it.
`finish` records the update as handled; the records of updates finishing together are
written in one statement. `run` renews the claims of the updates this process holds every
third of a term, prunes old handled rows, and in webhook mode takes over the updates that
other processes left (with long polling the poller does, see `polling`).

Each process has one claimant id (host, pid, a random part), for its whole life.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, Update

from bot.storage.errors import StoreError
from bot.storage.updates import StoredUpdate, Updates

from .leadership import SAFE_SHARE, new_holder_id
from .workers import Workers

log = logging.getLogger(__name__)

RENEWALS_PER_TERM = 3
RECOVER_AT_ONCE = 100
KEEP_HANDLED_SECONDS = 25 * 3600
"""Handled updates are kept this long: Telegram delivers an update again, when its batch was
never confirmed, for at most 24 hours."""
PRUNE_EVERY_SECONDS = 600.0
DATABASE_ERRORS = (StoreError, SQLAlchemyError)


def _tracked_id(update: object) -> int | None:
    return update.update_id if isinstance(update, Update) else None


class _Marks:
    """Updates finished together, recorded in one statement."""

    __slots__ = ("done", "ids")

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()


class UpdateJournal:
    """The updates this process holds, and their claims."""

    def __init__(
        self,
        updates: Updates,
        workers: Workers,
        term: float,
        *,
        claimant: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.updates = updates
        self.workers = workers
        self.term = term
        self.claimant = claimant or new_holder_id()
        self.clock = clock
        self._held: dict[int, float] = {}  # update id -> until when its claim is surely ours
        self._marks: _Marks | None = None
        self._unrecorded: list[int] = []  # finished, not yet recorded (the database failed)
        self._writer: asyncio.Task[None] | None = None

    @property
    def held(self) -> int:
        """How many updates this process holds (received or taken over, not yet recorded)."""
        return len(self._held)

    def _hold(self, ids: list[int], asked: float) -> None:
        until = asked + self.term * SAFE_SHARE
        for update_id in ids:
            self._held[update_id] = until

    async def admit(self, received: list[Update]) -> list[Update]:
        """Those of a received batch to handle now, claimed by this process: the ones no
        process stored before, read without waiting for any writer, so that a reply never
        waits for another process's write transaction. The batch is stored afterwards
        (`receive`), on the database thread before anything of it is recorded handled, and
        before the poll that confirms it to Telegram. Raises the database's error."""
        asked = self.clock()
        known = await self.workers.read(self.updates.known, [u.update_id for u in received])
        fresh = [u for u in received if u.update_id not in known]
        self._hold([u.update_id for u in fresh], asked)
        return fresh

    async def receive(self, received: list[Update]) -> list[Update]:
        """Store the updates, claimed by this process; those to handle (the ones not stored
        before). Raises the database's error: then nothing may be confirmed to Telegram."""
        asked = self.clock()
        rows = [StoredUpdate(update_id=u.update_id, payload=json.dumps(u.to_dict(), ensure_ascii=False))
                for u in received]
        new = await self.workers.db(self.updates.receive, rows, self.claimant)
        self._hold(new, asked)
        fresh = set(new)
        return [u for u in received if u.update_id in fresh]

    async def recover(self, bot: Bot) -> list[Update]:
        """Take over the updates whose claims were not renewed for a term (their process died
        or lost the database), oldest first; those to handle. Raises the database's error."""
        taken: list[Update] = []
        while True:
            asked = self.clock()
            rows = await self.workers.db(self.updates.recover, self.claimant, self.term, RECOVER_AT_ONCE)
            for row in rows:
                known = row.update_id in self._held  # ours already: being handled here
                self._hold([row.update_id], asked)
                if known:
                    continue
                update = self._read(row, bot)
                if update is not None:
                    taken.append(update)
            if len(rows) < RECOVER_AT_ONCE:
                break
        if taken:
            log.warning("took over %d update(s) another process left unhandled: %s", len(taken),
                        ", ".join(str(u.update_id) for u in taken[:20]))
        return taken

    def _read(self, row: StoredUpdate, bot: Bot) -> Update | None:
        try:
            return Update.de_json(json.loads(row.payload), bot)
        except Exception:  # noqa: BLE001 (an unreadable row is recorded as handled, not retried forever)
            log.exception("update %d as stored cannot be read; skipping it", row.update_id)
            self._unrecorded.append(row.update_id)
            return None

    async def others_unhandled(self) -> int:
        """How many updates other processes hold and have not handled."""
        return await self.workers.db(self.updates.open_elsewhere, self.claimant)

    async def begin(self, update: object) -> bool:
        """Whether this process is to handle the update now: False when another process took
        it over (or it was handled) while it waited here."""
        update_id = _tracked_id(update)
        if update_id is None or update_id not in self._held:
            return True  # not one of the stored updates (tests feed some directly)
        if self.clock() < self._held[update_id]:
            return True
        asked = self.clock()
        try:
            ours = await self.workers.db(self.updates.renew, self.claimant, [update_id])
        except DATABASE_ERRORS as exc:
            log.warning("could not renew the claim on update %d; leaving it to the process that takes it "
                        "over: %s", update_id, exc)
            ours = []
        if ours:
            self._hold(ours, asked)
            return True
        del self._held[update_id]
        log.info("update %d was taken over by another process (or handled); not handling it here", update_id)
        return False

    async def finish(self, update: object) -> None:
        """Record the update as handled (with the others finishing meanwhile, in one statement)."""
        update_id = _tracked_id(update)
        if update_id is None or update_id not in self._held:
            return
        marks = self._marks
        if marks is None:
            marks = self._marks = _Marks()
            if self._writer is None or self._writer.done():
                self._writer = asyncio.get_running_loop().create_task(self._write_marks(), name="handled updates")
        marks.ids.append(update_id)
        await asyncio.shield(marks.done)

    async def _write_marks(self) -> None:
        while self._marks is not None:
            marks, self._marks = self._marks, None
            try:
                await self._record(marks.ids)
            finally:
                marks.done.set_result(None)

    async def _record(self, ids: list[int]) -> None:
        """Record the updates (and those left over from a failed attempt) as handled; on
        failure they stay held (their claims renewed) and are recorded with the next ones."""
        ids = [*self._unrecorded, *ids]
        self._unrecorded = []
        try:
            await self.workers.db(self.updates.handled, ids)
        except Exception as exc:  # noqa: BLE001 (whatever failed, the marks are tried again)
            log.warning("could not record %d handled update(s); trying again later: %s", len(ids), exc)
            self._unrecorded.extend(ids)
            return
        for update_id in ids:
            self._held.pop(update_id, None)

    async def run(self, recover_into: asyncio.Queue[object] | None = None, bot: Bot | None = None) -> None:
        """Renew this process's claims every third of a term and prune old handled updates;
        with `recover_into` (webhook mode) also take over the updates other processes left.
        Until cancelled."""
        next_prune = self.clock()
        while True:
            try:
                await self.renew()
                if self._unrecorded:
                    await self._record([])
                if recover_into is not None and bot is not None:
                    for update in await self.recover(bot):
                        recover_into.put_nowait(update)
                if self.clock() >= next_prune:
                    next_prune = self.clock() + PRUNE_EVERY_SECONDS
                    pruned = await self.workers.db(self.updates.prune, KEEP_HANDLED_SECONDS)
                    if pruned:
                        log.info("pruned %d handled update(s)", pruned)
            except DATABASE_ERRORS as exc:
                log.warning("could not keep the claims on the updates being handled: %s", exc)
            await asyncio.sleep(self.term / RENEWALS_PER_TERM)

    async def renew(self) -> None:
        """Renew the claims on the updates this process holds."""
        if not self._held:
            return
        asked = self.clock()
        renewed = await self.workers.db(self.updates.renew, self.claimant, list(self._held))
        self._hold([i for i in renewed if i in self._held], asked)

    async def close(self) -> None:
        """At the end: record what is left unrecorded, once more."""
        if self._writer is not None:
            await asyncio.shield(self._writer)
        if self._unrecorded:
            await self._record([])
