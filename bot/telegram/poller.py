"""The running bot's clock: every UNIONBOT_POLL_SECONDS take in new issues (inbox, feeds,
and issues another process stored), swap the index, and send the digests.

Taking in and refreshing the index run in a worker thread (the new index is built there
and swapped in by one assignment, so questions keep being answered from the old one and
the index lock is never waited for on the event loop); outbox reads run on the database
thread. Only one bot sends: the one holding the sender lock. Every bot refreshes its index.
"""

from __future__ import annotations

import asyncio
import logging

from bot.digests.outbox import Outbox
from bot.digests.sender import DigestSender
from bot.intake.feeds import Feeds
from bot.intake.inbox import Inbox
from bot.library import Library
from bot.settings import Settings

from .senderlock import SenderLock
from .workers import Workers

log = logging.getLogger(__name__)


class Poller:
    """Runs `tick` every poll interval until cancelled; its parts are built by the caller."""

    def __init__(
        self,
        settings: Settings,
        library: Library,
        inbox: Inbox,
        feeds: Feeds,
        outbox: Outbox,
        sender: DigestSender,
        lock: SenderLock,
        workers: Workers,
    ) -> None:
        self.settings = settings
        self.library = library
        self.inbox = inbox
        self.feeds = feeds
        self.outbox = outbox
        self.sender = sender
        self.lock = lock
        self.workers = workers
        self._recovered = False

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("poll failed")
            await asyncio.sleep(await self._pause())

    async def _pause(self) -> float:
        pause = self.settings.poll_seconds
        if self.lock.held:
            due = await self.workers.db(self.outbox.next_due_in)
            if due is not None:
                pause = min(pause, max(due, 0.05))
        return pause

    async def tick(self) -> None:
        """One round: new issues in, index swapped, digests out."""
        sender = self.lock.try_acquire()
        if sender and not self._recovered:
            recovered = await self.workers.db(self.outbox.recover)
            if recovered:
                log.info("%d digest deliveries left claimed by a stopped sender are pending again", recovered)
            self._recovered = True
        if await asyncio.to_thread(self._take_in, sender):
            log.info("the index now holds %d issues", len(self.library.corpus.issues))
        if sender:
            await self.sender.run_once()

    def _take_in(self, sender: bool) -> bool:
        """In a worker thread: inbox and feeds (sender only), then the index brought up to
        date and swapped in; True when it changed."""
        before = self.library.corpus.issues
        if sender:
            self.inbox.poll(self.library)
            self.feeds.poll()
        self.library.refresh()
        return self.library.corpus.issues != before
