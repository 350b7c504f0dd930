"""`unionbot ingest`: issue files from paths and folders, and from URLs whatever they
serve (an issue file, a list of issue-file URLs, an e-paper edition page, an article
page, an RSS or Atom feed), fetched politely. The good ones are stored even when others
are refused."""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from bot.storage.store import Store
from retrieval import Layout

from .ingest import IngestReport, IngestResult, ingest_file
from .sources import SourceFailure, expand, read_file

if TYPE_CHECKING:
    from .polite import PoliteFetcher

log = logging.getLogger(__name__)


def ingest(
    store: Store,
    targets: Iterable[str],
    *,
    layout: Layout,
    max_bytes: int,
    fetcher_factory: Callable[[], PoliteFetcher],
    progress: bool | None = None,
) -> IngestReport:
    """Ingest everything `targets` name; the good ones are stored even when others fail."""
    items = list(expand(list(targets)))
    show = sys.stderr.isatty() if progress is None else progress
    results: list[IngestResult] = []
    fetcher: PoliteFetcher | None = None
    try:
        bar = tqdm(
            items,
            desc="ingest",
            unit="file",
            disable=not show or len(items) < 2,
            file=sys.stderr,
            # a terminal that reports no size (0x0) would hide the bar: assume 80x24
            ncols=shutil.get_terminal_size().columns,
            nrows=shutil.get_terminal_size().lines,
        )
        for item in bar:
            if isinstance(item, SourceFailure):
                results.append(IngestResult.refusal(item))
            elif isinstance(item, Path):
                got = read_file(item, max_bytes)
                results.append(
                    IngestResult.refusal(got) if isinstance(got, SourceFailure) else ingest_file(store, got, layout)
                )
            else:
                from .webingest import ingest_url  # the web's readers, for the first URL

                fetcher = fetcher or fetcher_factory()
                results.extend(ingest_url(store, fetcher, item, layout))
    finally:
        if fetcher is not None:
            fetcher.client.close()
    return IngestReport(results=tuple(results))
