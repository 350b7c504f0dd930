"""The running bot's clock: every UNIONBOT_POLL_SECONDS take in new issues (inbox, feeds,
and issues another process stored), swap the index, and send the digests.

Taking in and refreshing the index run in a worker thread (the new index is built there
and swapped in by one assignment, so questions keep being answered from the old one and
the index lock is never waited for on the event loop); outbox reads run on the database
thread. Of all the bots on one database only the holder of the sender lease polls the
feeds and sends, and it first puts back what a dead sender left claimed; of the bots on
one data dir only the holder of the inbox lock takes in the inbox. Every bot refreshes its
index.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.digests.outbox import Outbox
from bot.digests.sender import DigestSender
from bot.intake.feeds import Feeds
from bot.intake.inbox import Inbox
from bot.intake.inboxlock import InboxLock
from bot.library import Library
from bot.settings import Settings

from .leadership import LeaseKeeper
from .workers import Workers

log = logging.getLogger(__name__)


class Poller:
    """Runs `tick` every poll interval until cancelled; its parts are built by the caller."""

    def __init__(
        self,
        settings: Settings,
        library: Library,
        inbox: Inbox,
        inbox_lock: InboxLock,
        feeds: Feeds,
        outbox: Outbox,
        sender: DigestSender,
        sender_lease: LeaseKeeper,
        workers: Workers,
    ) -> None:
        self.settings = settings
        self.library = library
        self.inbox = inbox
        self.inbox_lock = inbox_lock
        self.feeds = feeds
        self.outbox = outbox
        self.sender = sender
        self.sender_lease = sender_lease
        self.workers = workers

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("poll failed")
            await self._pause()

    async def _pause(self) -> None:
        """Until the next round: the poll interval, or the next delivery due; a bot that
        is not the sender wakes up as soon as it becomes it."""
        pause = self.settings.poll_seconds
        lease = self.sender_lease
        if lease.holder is not None:
            due = await self.workers.db(self.outbox.next_due_in)
            if due is not None:
                pause = min(pause, max(due, 0.05))
        elif not lease.taken.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lease.taken.wait(), timeout=pause)
            return
        else:  # its safe share ran out: the keeper is giving it up or renewing it
            pause = min(pause, lease.seconds / 3)
        await asyncio.sleep(pause)

    async def tick(self) -> None:
        """One round: new issues in, index swapped, digests out."""
        sender = self.sender_lease.holder is not None
        if sender:
            recovered = await self.workers.db(self.outbox.recover)
            if recovered:
                log.info("%d digest deliveries left claimed by a stopped sender are pending again", recovered)
        inbox = self.inbox_lock.try_acquire()
        if await asyncio.to_thread(self._take_in, inbox, sender):
            log.info("the index now holds %d issues", len(self.library.corpus.issues))
        if self.sender_lease.holder is not None:
            await self.sender.run_once()

    def _take_in(self, inbox: bool, feeds: bool) -> bool:
        """In a worker thread: the inbox (its lock's holder only) and the feeds (the
        sender only), then the index brought up to date and swapped in; True when it
        changed."""
        before = self.library.corpus.issues
        if inbox:
            self.inbox.poll(self.library)
        if feeds:
            self.feeds.poll()
        self.library.refresh()
        return self.library.corpus.issues != before
