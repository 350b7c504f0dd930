"""Feeds: URLs polled for new issues, politely (see `polite`; ETag / If-Modified-Since).

A feed URL may serve an issue file itself, a list of issue-file URLs (one per line, or as
links in an HTML page), an e-paper edition page, an article page, or an RSS 2.0 / Atom
feed (`webread`); web articles become issues by day and printed page (`webissues`).
Every download is bounded (`fetch`): a feed or item that is too large or too slow is
refused by name and the poll goes on. Each listed URL or entry is fetched until it is
done or refused for good; its state is kept per item (`feed_items`), so an item that
failed for a passing reason, or was left over by the page cap, is tried again on later
polls even when the list itself answers 304.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

from bot.library import Library, project_layout

from .feed_items import FeedItems
from .feed_state import FeedStates
from .fetch import Fetched
from .ingest import IngestResult, ingest_file
from .polite import PoliteFetcher
from .sources import IssueFile, SourceFailure, printable
from .web import WebArticle
from .webissues import store_web_articles
from .webread import FEED_KINDS, Item, open_document, take

log = logging.getLogger(__name__)

_URL_LINE = re.compile(r"^https?://\S+$")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href and not href.startswith(("#", "mailto:", "javascript:")):
                self.links.append(href)


def listed_urls(body: bytes, content_type: str, base: str) -> list[str] | None:
    """The issue URLs a feed lists, or None when the body is an issue file itself."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if not text.strip():
        return []  # an empty list: nothing published yet
    if "html" in content_type.lower() or re.search(r"<a\s[^>]*href", text, re.IGNORECASE):
        parser = _Links()
        parser.feed(text)
        return [urljoin(base, link) for link in parser.links]
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if lines and all(_URL_LINE.match(line) for line in lines):
        return lines
    return None


class Feeds:
    """Polls the configured feed URLs and ingests what is new."""

    def __init__(self, library: Library, urls: list[str], client_factory: Callable[[], httpx.Client]) -> None:
        self.library = library
        self.urls = urls
        self.client_factory = client_factory
        self.items = FeedItems(library.store, retry_after=library.settings.poll_seconds)
        self.states = FeedStates(library.store)

    def poll(self) -> list[IngestResult]:
        """One look at every feed; what was ingested or refused (a refusal the next
        polls will try again is marked `transient`)."""
        if not self.urls:
            return []
        results: list[IngestResult] = []
        with self.client_factory() as client:
            fetcher = PoliteFetcher.for_settings(client, self.library.settings)
            for url in self.urls:
                results.extend(self._poll_one(fetcher, url))
        for result in results:
            if result.refused:
                log.warning("feed: %s refused: %s%s", result.name, result.reason,
                            " (will try again)" if result.transient else "")
        if any(r.outcome is not None for r in results):
            self.library.refresh()
        return results

    def _poll_one(self, fetcher: PoliteFetcher, url: str) -> list[IngestResult]:
        state = self.states.get(url)
        headers = {}
        if state is not None and state.etag:
            headers["If-None-Match"] = state.etag
        if state is not None and state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        by_edition = state is None or state.kind not in FEED_KINDS
        if fetcher.exhausted:
            return []
        got = fetcher.get(url, headers)
        if isinstance(got, SourceFailure):
            return [IngestResult.refusal(got), *self._take(fetcher, url, self._due(url), by_edition)]
        if got.status == 304:
            self.states.checked(url)
            return self._take(fetcher, url, self._due(url), by_edition)
        results: list[IngestResult] = []
        opened = open_document(got, url, lambda page: listed_urls(page.data, page.content_type, page.url))
        kind: str | None = None
        if not got.data.strip():
            pass  # an empty list: nothing published yet
        elif isinstance(opened, SourceFailure):
            results.append(IngestResult.refusal(opened))
        elif opened.issue_file is not None:
            results.append(ingest_file(self.library.store, opened.issue_file, project_layout()))
            kind = opened.kind.value
        else:
            kind = opened.kind.value
            new = [item for item in opened.items if not self.items.known(item.url)]
            results.extend(self._take(fetcher, url, [*new, *self._due(url)], opened.by_edition, got))
        # every listed item now has a state of its own: the list may be skipped while unchanged
        self.states.answered(url, got.etag, got.last_modified, kind)
        return results

    def _due(self, feed_url: str) -> list[Item]:
        return [Item(url=link) for link in self.items.due(feed_url)]

    def _take(
        self, fetcher: PoliteFetcher, feed_url: str, items: list[Item], by_edition: bool, first: Fetched | None = None
    ) -> list[IngestResult]:
        """Fetch and ingest the items (articles of one poll are stored together), and
        record what became of each; items past the poll's page cap wait for the next."""
        results: list[IngestResult] = []
        articles: list[WebArticle] = []
        unique: dict[str, Item] = {}
        for item in items:
            unique.setdefault(item.url, item)
        for item in unique.values():
            if item.carried is None and fetcher.exhausted:
                self.items.deferred(item.url, feed_url)
                continue
            got = take(fetcher, item, first if first is not None and first.url == item.url else None)
            if isinstance(got, WebArticle):
                articles.append(got)
                continue
            result = ingest_file(self.library.store, got, project_layout()) if isinstance(got, IssueFile) else (
                IngestResult.refusal(got))
            results.append(self._record(feed_url, item.url, result, fetcher))
        if articles:
            stored = store_web_articles(self.library.store, articles, feed_url, by_edition=by_edition)
            for article in articles:
                self.items.done(article.url, feed_url, "stored")
            results.extend(stored)
        return results

    def _record(self, feed_url: str, link: str, result: IngestResult, fetcher: PoliteFetcher) -> IngestResult:
        """Record what became of one item."""
        if result.outcome is not None:
            self.items.done(link, feed_url, result.outcome.value)
        elif result.transient and fetcher.exhausted:
            self.items.deferred(link, feed_url)
        elif result.transient:
            next_at = self.items.failed(link, feed_url, result.reason or "")
            if next_at is None:
                log.warning("feed item %s: given up after repeated failures", printable(link))
                return result.model_copy(update={"transient": False})
        else:
            self.items.refused(link, feed_url, result.reason or "")
        return result
