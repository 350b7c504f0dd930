"""Keeps a running bot's index in step with the database, whichever process (on whichever
host) stores new issues.

Every `UNIONBOT_INDEX_CHECK_SECONDS` the corpus version is read: one row of `meta`, bumped
in the same transaction that stores an issue, read on the database thread (about half a
millisecond, against tens of milliseconds for every issue's id and hash at ten thousand
issues). When it moved, the index is brought up to date in a worker thread, from the
database's articles (the process's own data dir holds only its own index), and swapped
in by one assignment: questions are answered from the old index meanwhile. A refresh
that fails is tried again at the next check.

Polling one row was chosen over PostgreSQL's LISTEN/NOTIFY: it works on SQLite as well,
needs no connection held open per process nor a reconnection path, and what NOTIFY would
save (at most one interval) is small beside segmenting the new issue.
"""

from __future__ import annotations

import asyncio
import logging

from bot.library import Library
from bot.storage.store import Store

from .workers import Workers

log = logging.getLogger(__name__)


class CorpusWatch:
    """Runs `check` every `interval` seconds until cancelled."""

    def __init__(self, library: Library, store: Store, workers: Workers, interval: float) -> None:
        self.library = library
        self.store = store
        self.workers = workers
        self.interval = interval
        self._seen: int | None = None  # the corpus version the index was last brought up to

    async def run(self) -> None:
        while True:
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("bringing the index up to date failed; trying again at the next check")
            await asyncio.sleep(self.interval)

    async def check(self) -> bool:
        """Read the corpus version; when it moved, bring the index up to date. True when
        the index changed."""
        version = await self.workers.db(self.store.corpus_version)
        if version == self._seen:
            return False
        changed = await asyncio.to_thread(self.library.refresh)
        self._seen = version  # read before the refresh: a later bump is seen at the next check
        if changed:
            log.info("the index now holds %d issues", len(self.library.corpus.issues))
        return changed
