"""The bot's composition root: every long-lived part of `unionbot serve` is built here,
once, and handed to what uses it; constructors elsewhere only assign.

Start-up opens the database, seeds it on first run (an explicit step), loads the search
index, and builds the service, the poller's parts and the workers that keep blocking work
off the event loop. The intake (inbox, feeds, index refreshes) runs in a worker thread on
a connection of its own: an SQLite connection serves one thread at a time, and the
database and reading threads hold the others. What replies leave to record is written by
the record writer after them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from telegram import Bot

from bot.digests.outbox import Outbox
from bot.digests.sender import DigestSender
from bot.intake.feeds import Feeds
from bot.intake.fetch import http_client
from bot.intake.inbox import Inbox
from bot.intake.inboxlock import InboxLock
from bot.library import Library, build_segmenter, open_store, seed_if_empty
from bot.settings import Settings
from bot.storage.activity import Activity
from bot.storage.conversations import Conversations
from bot.storage.flood import FloodWindows
from bot.storage.leases import LeaseName, Leases
from bot.storage.store import Store
from bot.storage.updates import Updates
from retrieval import Segmenter

from .corpuswatch import CorpusWatch
from .flood import FloodGuard
from .journal import UpdateJournal
from .leadership import LeaseKeeper
from .messenger import TelegramMessenger
from .records import Recorder
from .recordwriter import RecordWriter
from .responder import Responder
from .service import BotService
from .workers import Workers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotParts:
    """What a running bot is made of, built once by `compose_bot`."""

    settings: Settings
    store: Store  # the database thread's connection: questions, conversations, the outbox
    intake_store: Store  # the intake thread's connection: ingesting, the index's reads
    segmenter: Segmenter
    library: Library
    workers: Workers
    service: BotService
    responder: Responder
    outbox: Outbox
    inbox: Inbox
    inbox_lock: InboxLock
    feeds: Feeds
    sender: DigestSender
    leases: Leases  # who polls Telegram and who sends, among the processes on the database
    sender_lease: LeaseKeeper  # started in post_init; the sender claims under it
    corpus_watch: CorpusWatch  # the index kept in step with issues other processes store
    record_writer: RecordWriter  # started in post_init: writes what replies leave to record
    journal: UpdateJournal  # the updates this process received and has not handled yet

    def close(self) -> None:
        """Stop the workers, write the records replies left, release the inbox lock, close
        both stores (the leases are given back before, on the event loop)."""
        self.workers.shutdown()
        recorder = self.service.recorder
        try:
            recorder.write_pending()
        except Exception:
            log.exception("the records of %d replies could not be written at stop", recorder.waiting())
        self.inbox_lock.release()
        self.intake_store.close()
        self.store.close()


def compose_bot(settings: Settings, bot: Bot, segmenter: Segmenter | None = None) -> BotParts:
    """Open, seed and load everything the bot needs (blocking: call it off the event loop).
    `segmenter` may be given to share one (its dictionary is large)."""
    store = open_store(settings)
    try:
        seed_if_empty(store, settings)
        intake_store = open_store(settings)
    except BaseException:
        store.close()
        raise
    try:
        return _assemble(settings, bot, store, intake_store, segmenter or build_segmenter())
    except BaseException:
        intake_store.close()
        store.close()
        raise


def _assemble(settings: Settings, bot: Bot, store: Store, intake_store: Store, segmenter: Segmenter) -> BotParts:
    library = Library(settings, intake_store, segmenter)
    library.refresh()  # load (or bring up to date) the index before the first question
    outbox = Outbox(store)
    workers = Workers.started(settings.answer_workers)
    service = build_service(library, store, list(settings.admin_ids), outbox=outbox)
    record_writer = RecordWriter(service.recorder, workers)
    service.recorder.defer_to(record_writer.wake)
    leases = Leases(store)
    sender_lease = LeaseKeeper(leases, LeaseName.SENDER, settings.lease_seconds)
    return BotParts(
        settings=settings,
        store=store,
        intake_store=intake_store,
        segmenter=segmenter,
        library=library,
        workers=workers,
        service=service,
        responder=Responder(service, workers),
        outbox=outbox,
        inbox=Inbox(settings.inbox),
        inbox_lock=InboxLock(settings.data_dir / "inbox.lock"),
        feeds=Feeds(library, list(settings.feed_urls), partial(http_client, settings.fetch_timeout_seconds)),
        sender=DigestSender(
            TelegramMessenger(bot),
            outbox,
            store,
            workers=settings.delivery_workers,
            give_up_after=settings.delivery_give_up_seconds,
            rate=settings.delivery_rate,
            fence=sender_lease,
            database=workers.database,
        ),
        leases=leases,
        sender_lease=sender_lease,
        corpus_watch=CorpusWatch(library, store, workers, settings.index_check_seconds),
        record_writer=record_writer,
        journal=UpdateJournal(Updates(store), workers, settings.lease_seconds),
    )


def build_service(
    library: Library,
    store: Store,
    admin_ids: list[int],
    flood: FloodGuard | None = None,
    clock: Callable[[], datetime] | None = None,
    outbox: Outbox | None = None,
) -> BotService:
    """The service over `store` (its repositories made here) and `library`. Its recorder
    writes a reply's records at once, until `defer_to` a writer."""
    activity = Activity(store)
    conversations = Conversations(store, timedelta(seconds=library.settings.followup_seconds))
    guard = flood if flood is not None else FloodGuard(FloodWindows(store))
    return BotService(
        library,
        store,
        activity,
        conversations,
        outbox if outbox is not None else Outbox(store),
        guard,
        Recorder(store, activity, conversations, guard),
        admin_ids,
        clock,
    )
