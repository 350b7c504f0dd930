"""The running bot's clock: every UNIONBOT_POLL_SECONDS take in new issues (inbox, feeds,
and issues another process stored), swap the index, and send the digests.

Only one bot sends: the one holding the sender lock in the data dir (an OS file lock,
released even on kill -9). Every bot refreshes its index.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from functools import partial
from typing import IO

from telegram import Bot

from bot.digests.outbox import Outbox
from bot.digests.sender import DigestSender
from bot.intake.feeds import Feeds
from bot.intake.fetch import http_client
from bot.intake.inbox import Inbox
from bot.library import Library
from bot.settings import Settings
from bot.storage.store import Store

log = logging.getLogger(__name__)


class SenderLock:
    """An exclusive, non-blocking lock on a file; held until released or the process ends."""

    def __init__(self, path: os.PathLike[str] | str) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def try_acquire(self) -> bool:
        if self._handle is not None:
            return True
        handle = open(self.path, "a+")  # noqa: SIM115 (held open while the lock is held)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


class Poller:
    """Runs `tick` every poll interval until cancelled."""

    def __init__(self, bot: Bot, library: Library, settings: Settings) -> None:
        self.library = library
        self.settings = settings
        # Ingesting and index building run in a worker thread, on a connection of their own,
        # so that questions keep being answered meanwhile.
        self.worker = Library(settings, store=Store(settings.sqlite_path), segmenter=library.segmenter)
        self.inbox = Inbox(settings.inbox)
        self.feeds = Feeds(self.worker, list(settings.feed_urls), partial(http_client, settings.fetch_timeout_seconds))
        self.sender = DigestSender(
            bot,
            library,
            workers=settings.delivery_workers,
            give_up_after=settings.delivery_give_up_seconds,
            rate=settings.delivery_rate,
        )
        self.lock = SenderLock(settings.data_dir / "sender.lock")
        self.outbox = Outbox(library.store)

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("poll failed")
            await asyncio.sleep(self._pause())

    def _pause(self) -> float:
        pause = self.settings.poll_seconds
        if self.lock.held:
            due = self.outbox.next_due_in()
            if due is not None:
                pause = min(pause, max(due, 0.05))
        return pause

    async def tick(self) -> None:
        """One round: new issues in, index swapped, digests out."""
        sender = self.lock.try_acquire()
        if sender and not getattr(self, "_recovered", False):
            recovered = self.outbox.recover()
            if recovered:
                log.info("%d digest deliveries left claimed by a stopped sender are pending again", recovered)
            self._recovered = True
        await asyncio.to_thread(self._take_in, sender)
        if self.library.refresh():
            log.info("the index now holds %d issues", len(self.library.corpus.issues))
        if sender:
            await self.sender.run_once()

    def _take_in(self, sender: bool) -> None:
        """In the worker thread: inbox and feeds (sender only), then the saved index."""
        if sender:
            self.inbox.poll(self.worker)
            self.feeds.poll()
        self.worker.refresh()

    def close(self) -> None:
        self.lock.release()
        self.worker.close()
