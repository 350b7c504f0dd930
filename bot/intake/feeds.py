"""Feeds: URLs polled for new issues, politely (ETag / If-Modified-Since).

A feed URL may serve an issue file itself, or a list of issue-file URLs: one per line,
or as links in an HTML page. Every download is bounded (`fetch`): a feed or item that is
too large or too slow is refused by name and the poll goes on. Each listed URL is fetched
until it is done or refused for good; its state is kept per item (`feed_items`), so an
item that failed for a passing reason is tried again on later polls even when the list
itself answers 304.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

from bot.library import Library, project_layout
from retrieval import Layout

from .feed_items import FeedItems
from .fetch import FetchLimits, fetch, fetch_issue
from .ingest import IngestResult, ingest_file
from .sources import IssueFile, SourceFailure, issue_name_from_url, printable

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
        self.limits = FetchLimits.from_settings(library.settings)
        self.items = FeedItems(library.store.db, retry_after=library.settings.poll_seconds)

    def poll(self) -> list[IngestResult]:
        """One look at every feed; what was ingested or refused (a refusal the next
        polls will try again is marked `transient`)."""
        if not self.urls:
            return []
        results: list[IngestResult] = []
        with self.client_factory() as client:
            for url in self.urls:
                results.extend(self._poll_one(client, url))
        for result in results:
            if result.refused:
                log.warning("feed: %s refused: %s%s", result.name, result.reason,
                            " (will try again)" if result.transient else "")
        if any(r.outcome is not None for r in results):
            self.library.refresh()
        return results

    def _poll_one(self, client: httpx.Client, url: str) -> list[IngestResult]:
        db = self.library.store.db
        row = db.execute("SELECT etag, last_modified FROM feeds WHERE url = ?", (url,)).fetchone()
        headers = {}
        if row is not None and row[0]:
            headers["If-None-Match"] = row[0]
        if row is not None and row[1]:
            headers["If-Modified-Since"] = row[1]
        got = fetch(client, url, self.limits, headers)
        layout = project_layout()
        if isinstance(got, SourceFailure):
            return [IngestResult.refusal(got), *self._retry_due(client, url, layout)]
        now = datetime.now(UTC).isoformat()
        if got.status == 304:
            db.execute("UPDATE feeds SET checked_at = ? WHERE url = ?", (now, url))
            return self._retry_due(client, url, layout)
        listed = listed_urls(got.data, got.content_type, got.url)
        results: list[IngestResult] = []
        if listed is None:
            item = IssueFile(name=issue_name_from_url(url), origin=url, data=got.data)
            results.append(ingest_file(self.library.store, item, layout))
        else:
            new = [link for link in dict.fromkeys(listed) if not self.items.known(link)]
            results.extend(self._take(client, url, link, layout) for link in new)
            results.extend(self._retry_due(client, url, layout))
        # every listed item now has a state of its own: the list may be skipped while unchanged
        db.execute(
            "INSERT INTO feeds (url, etag, last_modified, checked_at) VALUES (?, ?, ?, ?) ON CONFLICT(url) DO UPDATE "
            "SET etag = excluded.etag, last_modified = excluded.last_modified, checked_at = excluded.checked_at",
            (url, got.etag, got.last_modified, now),
        )
        return results

    def _retry_due(self, client: httpx.Client, feed_url: str, layout: Layout) -> list[IngestResult]:
        return [self._take(client, feed_url, link, layout) for link in self.items.due(feed_url)]

    def _take(self, client: httpx.Client, feed_url: str, link: str, layout: Layout) -> IngestResult:
        """Fetch and ingest one listed item, and record what became of it."""
        got = fetch_issue(client, link, self.limits)
        if isinstance(got, IssueFile):
            result = ingest_file(self.library.store, got, layout)
        else:
            result = IngestResult.refusal(got)
        if result.outcome is not None:
            self.items.done(link, feed_url, result.outcome.value)
        elif result.transient:
            next_at = self.items.failed(link, feed_url, result.reason or "")
            if next_at is None:
                log.warning("feed item %s: given up after repeated failures", printable(link))
                return result.model_copy(update={"transient": False})
        else:
            self.items.refused(link, feed_url, result.reason or "")
        return result
