"""Fetched web documents read into what the store takes: issue files, and web articles
from e-paper edition pages, article pages (all their pages) and RSS / Atom feed entries.

A document is opened into items: an edition page's article links (same site, one level),
a URL list's lines, a feed's entries (an entry that carries its full text is read from
the feed, else its page is fetched). Each item is then taken: fetched politely and read
as an issue file or an article page. Every failure is a `SourceFailure` naming the URL.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from .fetch import Fetched
from .polite import PoliteFetcher
from .sources import IssueFile, SourceFailure, issue_name_from_url
from .web import (
    DocumentKind,
    IntakeError,
    WebArticle,
    article_pages,
    classify,
    decode_page,
    edition_links,
    entry_article,
    extract_article,
    parse_feed,
)

log = logging.getLogger(__name__)

FEED_KINDS = (DocumentKind.RSS, DocumentKind.ATOM)


class Item(BaseModel):
    """One thing a document points at: a page to fetch, or a feed entry's carried article."""

    model_config = ConfigDict(frozen=True)

    url: str
    carried: WebArticle | None = None
    published: datetime.date | None = None  # the feed's date for the entry


class Opened(BaseModel):
    """A fetched document, opened: an issue file, or the items it points at."""

    model_config = ConfigDict(frozen=True)

    url: str
    kind: DocumentKind
    issue_file: IssueFile | None = None
    items: tuple[Item, ...] = ()

    @property
    def by_edition(self) -> bool:
        """Pages of an edition form one issue per printed page; a feed's entries one per day."""
        return self.kind not in FEED_KINDS


class _PageFailed(Exception):
    def __init__(self, failure: SourceFailure) -> None:
        super().__init__(failure.reason)
        self.failure = failure


def open_document(
    got: Fetched, url: str, links: Callable[[Fetched], list[str] | None] | None = None
) -> Opened | SourceFailure:
    """What a fetched document is and what it points at; `links` reads a page of links
    that is neither an article nor an edition page (the older lists of issue-file URLs)."""
    try:
        kind = classify(got.data, got.content_type)
    except IntakeError as exc:
        listed = links(got) if links is not None else None
        if listed is None:
            return SourceFailure(name=url, reason=exc.reason)
        return Opened(url=url, kind=DocumentKind.URL_LIST, items=tuple(Item(url=link) for link in listed))
    try:
        if kind is DocumentKind.ISSUE_FILE:
            issue_file = IssueFile(name=issue_name_from_url(url), origin=url, data=got.data)
            return Opened(url=url, kind=kind, issue_file=issue_file)
        if kind is DocumentKind.URL_LIST:
            lines = [line.strip() for line in decode_page(got.data, got.content_type).splitlines()]
            listed = [line for line in lines if line and not line.startswith("#")]
            return Opened(url=url, kind=kind, items=tuple(Item(url=link) for link in dict.fromkeys(listed)))
        if kind is DocumentKind.EDITION_PAGE:
            found = edition_links(decode_page(got.data, got.content_type), got.url)
            if not found and links is not None:
                found = links(got) or []
            return Opened(url=url, kind=kind, items=tuple(Item(url=link) for link in found))
        if kind is DocumentKind.ARTICLE_PAGE:
            return Opened(url=url, kind=kind, items=(Item(url=url),))
        feed = parse_feed(got.data, got.url)
    except IntakeError as exc:
        return SourceFailure(name=url, reason=exc.reason)
    items = []
    for entry in feed.entries:
        try:
            carried = entry_article(entry)
        except IntakeError as exc:
            log.info("feed %s: entry %s read from its page (%s)", url, entry.url, exc.reason)
            carried = None
        items.append(Item(url=entry.url, carried=carried, published=entry.published))
    return Opened(url=url, kind=kind, items=tuple(items))


def take(fetcher: PoliteFetcher, item: Item, first: Fetched | None = None) -> IssueFile | WebArticle | SourceFailure:
    """The issue file or article an item gives (`first`: its page when already fetched)."""
    if item.carried is not None:
        return item.carried
    got = first if first is not None else fetcher.get(item.url)
    if isinstance(got, SourceFailure):
        return got
    try:
        kind = classify(got.data, got.content_type)
        if kind is DocumentKind.ISSUE_FILE:
            return IssueFile(name=issue_name_from_url(item.url), origin=item.url, data=got.data)
        if kind is not DocumentKind.ARTICLE_PAGE:
            return SourceFailure(name=item.url, reason=f"an {kind.value}, not an article page or issue file")
        html = decode_page(got.data, got.content_type)
        article = extract_article(article_pages(got.url, html, _page_reader(fetcher)), item.url)
    except IntakeError as exc:
        return SourceFailure(name=item.url, reason=exc.reason)
    except _PageFailed as exc:
        return SourceFailure(name=item.url, reason=f"{exc.failure.name}: {exc.failure.reason}",
                             transient=exc.failure.transient)
    if article.published is None and item.published is not None:
        article = article.model_copy(update={"published": item.published})
    return article


def _page_reader(fetcher: PoliteFetcher) -> Callable[[str], str]:
    def read(url: str) -> str:
        got = fetcher.get(url)
        if isinstance(got, SourceFailure):
            raise _PageFailed(got)
        return decode_page(got.data, got.content_type)

    return read
