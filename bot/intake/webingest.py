"""One URL ingested: whatever it serves (an issue file, a list of issue-file URLs, an
e-paper edition page, an article page, an RSS or Atom feed), its issue files and articles
stored. Apart from `ingestion` so that ingesting files loads no HTTP client or page reader."""

from __future__ import annotations

from bot.storage.store import Store
from retrieval import Layout

from .fetch import Fetched
from .ingest import IngestResult, ingest_file
from .polite import PoliteFetcher
from .sources import IssueFile, SourceFailure
from .web import DocumentKind, WebArticle
from .webissues import store_web_articles
from .webread import Opened, open_document, take


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
