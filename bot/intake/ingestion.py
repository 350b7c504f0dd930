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

from tqdm import tqdm

from bot.storage.store import Store
from retrieval import Layout

from .fetch import Fetched
from .ingest import IngestReport, IngestResult, ingest_file
from .polite import PoliteFetcher
from .sources import IssueFile, SourceFailure, expand, read_file
from .web import DocumentKind, WebArticle
from .webissues import store_web_articles
from .webread import Opened, open_document, take

log = logging.getLogger(__name__)


def take_items(
    store: Store, fetcher: PoliteFetcher, opened: Opened, layout: Layout, first: Fetched | None = None
) -> tuple[list[IngestResult], list[tuple[str, WebArticle]]]:
    """Issue files an opened document points at, stored; its articles, to be stored together."""
    results: list[IngestResult] = []
    articles: list[tuple[str, WebArticle]] = []
    for item in opened.items:
        got = take(fetcher, item, first if opened.kind is DocumentKind.ARTICLE_PAGE else None)
        if isinstance(got, SourceFailure):
            results.append(IngestResult.refusal(got))
        elif isinstance(got, IssueFile):
            results.append(ingest_file(store, got, layout))
        else:
            articles.append((item.url, got))
    return results, articles


def ingest_url(store: Store, fetcher: PoliteFetcher, url: str, layout: Layout) -> list[IngestResult]:
    """Everything a URL gives, stored; one result per issue file, issue or refusal."""
    got = fetcher.get(url)
    if isinstance(got, SourceFailure):
        return [IngestResult.refusal(got)]
    opened = open_document(got, url)
    if isinstance(opened, SourceFailure):
        return [IngestResult.refusal(opened)]
    if opened.issue_file is not None:
        return [ingest_file(store, opened.issue_file, layout)]
    results, articles = take_items(store, fetcher, opened, layout, got)
    stored = store_web_articles(store, [a for _, a in articles], url, by_edition=opened.by_edition)
    return results + stored


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
                fetcher = fetcher or fetcher_factory()
                results.extend(ingest_url(store, fetcher, item, layout))
    finally:
        if fetcher is not None:
            fetcher.client.close()
    return IngestReport(results=tuple(results))
