"""The command line's composition root: each command opens the database, seeds it on
first use, and builds the segmenter and the library, here and nowhere else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

from bot.library import Library, build_segmenter, open_store, seed_if_empty
from bot.settings import Settings
from bot.storage.store import Store
from retrieval import Segmenter


@contextmanager
def opened_store(settings: Settings) -> Iterator[Store]:
    """The database, seeded if this is its first use; closed at the end."""
    store = open_store(settings)
    try:
        seed_if_empty(store, settings)
        yield store
    finally:
        store.close()


@contextmanager
def opened_library(settings: Settings, segmenter: Segmenter | None = None) -> Iterator[Library]:
    """The library over the (seeded) database; `segmenter` may be given to share one."""
    with opened_store(settings) as store:
        yield Library(settings, store, segmenter if segmenter is not None else build_segmenter())


@dataclass(frozen=True)
class Context:
    """What a command works with: the settings, and the database and the library it opens
    from them. A `segmenter` given here is shared by every library opened (a caller that
    runs several commands loads its dictionary once); without one each builds its own."""

    settings: Settings
    segmenter: Segmenter | None = None

    def store(self) -> AbstractContextManager[Store]:
        return opened_store(self.settings)

    def library(self) -> AbstractContextManager[Library]:
        return opened_library(self.settings, self.segmenter)
