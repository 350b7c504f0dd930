"""Where a running bot's blocking work goes, so that the event loop never waits on it:
database calls that may write on the one database thread, the reads a reply needs on the
reading thread (its own connection: reads never wait for a writer, on SQLite in WAL mode
as on PostgreSQL, so a reply never queues behind a write that waits for another process),
answering (segmentation, BM25, extraction) in a bounded pool of threads."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Workers:
    """The database thread, the reading thread and the answering pool; built by the
    composition root."""

    def __init__(self, database: ThreadPoolExecutor, reading: ThreadPoolExecutor, answering: ThreadPoolExecutor) -> None:
        self.database = database
        self.reading = reading
        self.answering = answering

    @classmethod
    def started(cls, answer_workers: int) -> Workers:
        """A database thread, a reading thread and `answer_workers` answering threads
        (started on first use)."""
        return cls(
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="database"),
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="reading"),
            ThreadPoolExecutor(max_workers=answer_workers, thread_name_prefix="answering"),
        )

    async def db(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a call that uses the database (and may write) on the database thread."""
        return await asyncio.get_running_loop().run_in_executor(self.database, partial(call, *args, **kwargs))

    async def read(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a call that only reads the database on the reading thread (what it leaves to
        write goes to the recorder, which the database thread writes)."""
        return await asyncio.get_running_loop().run_in_executor(self.reading, partial(call, *args, **kwargs))

    async def answer(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a call that answers (no database) in the answering pool."""
        return await asyncio.get_running_loop().run_in_executor(self.answering, partial(call, *args, **kwargs))

    def shutdown(self) -> None:
        """Finish what runs, drop what waits."""
        self.answering.shutdown(wait=True, cancel_futures=True)
        self.reading.shutdown(wait=True, cancel_futures=True)
        self.database.shutdown(wait=True, cancel_futures=True)
