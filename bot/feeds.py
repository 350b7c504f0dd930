"""Feeds: URLs polled for new issues, politely (ETag / If-Modified-Since).

A feed URL may serve an issue file itself, or a list of issue-file URLs: one per line,
or as links in an HTML page. Each listed URL is fetched once; what it gave is recorded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

from .ingest import IngestResult, ingest_file
from .library import Library, project_layout
from .sources import IssueFile, fetch_url, issue_name_from_url

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

    def poll(self) -> list[IngestResult]:
        if not self.urls:
            return []
        results: list[IngestResult] = []
        with self.client_factory() as client:
            for url in self.urls:
                try:
                    results.extend(self._poll_one(client, url))
                except httpx.HTTPError as exc:
                    log.warning("feed %s: %s", url, exc)
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
        response = client.get(url, headers=headers)
        now = datetime.now(UTC).isoformat()
        if response.status_code == 304:
            db.execute("UPDATE feeds SET checked_at = ? WHERE url = ?", (now, url))
            return []
        if response.status_code != 200:
            log.warning("feed %s: HTTP %d", url, response.status_code)
            return []
        body = response.content[: self.library.settings.max_issue_bytes + 1]
        listed = listed_urls(body, response.headers.get("content-type", ""), str(response.url))
        layout = project_layout()
        results: list[IngestResult] = []
        if listed is None:
            item = IssueFile(name=issue_name_from_url(url), origin=url, data=body)
            results.append(ingest_file(self.library.store, item, layout))
        else:
            for link in dict.fromkeys(listed):
                if db.execute("SELECT 1 FROM feed_items WHERE url = ?", (link,)).fetchone():
                    continue
                got = fetch_url(link, client, self.library.settings.max_issue_bytes)
                if isinstance(got, IssueFile):
                    result = ingest_file(self.library.store, got, layout)
                else:
                    result = IngestResult(name=got.name, reason=got.reason)
                    if got.reason.startswith(("HTTP 5", "timed out", "unreachable")):
                        log.warning("feed item %s: %s (will retry)", link, got.reason)
                        continue
                results.append(result)
                outcome = result.outcome.value if result.outcome else f"refused: {result.reason}"
                db.execute(
                    "INSERT OR REPLACE INTO feed_items (url, feed_url, outcome, seen_at) VALUES (?, ?, ?, ?)",
                    (link, url, outcome, now),
                )
        for result in results:
            if result.refused:
                log.warning("feed %s: %s refused: %s", url, result.name, result.reason)
        db.execute(
            "INSERT INTO feeds (url, etag, last_modified, checked_at) VALUES (?, ?, ?, ?) ON CONFLICT(url) DO UPDATE "
            "SET etag = excluded.etag, last_modified = excluded.last_modified, checked_at = excluded.checked_at",
            (url, response.headers.get("etag"), response.headers.get("last-modified"), now),
        )
        return results
