"""Polite fetching of web pages: every request through the bounded `fetch`, with a
User-Agent that names the bot and its operator's contact, robots.txt honoured (read once
per site and run), one request at a time per site with a pause between requests (the
site's Crawl-delay when longer), and a cap on the pages one poll or ingest may fetch.

robots.txt that is missing (or any 4xx answer) allows everything; one that cannot be
fetched for a passing reason (a timeout, HTTP 503) holds the site's pages back for this
run, as a transient refusal, so they are asked for again later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from bot.settings import Settings

from .fetch import Fetched, FetchLimits, fetch
from .sources import SourceFailure
from .web import Robots, robots_url

log = logging.getLogger(__name__)

BOT_NAME = "unionbot"
VERSION = "1"
MAX_CRAWL_DELAY = 30.0  # a longer Crawl-delay is read as this many seconds
ROBOTS_MAX_BYTES = 512_000


def user_agent(contact: str | None) -> str:
    """`unionbot/1 (+contact)`: the bot's name, and whom a site may write to about it."""
    return f"{BOT_NAME}/{VERSION} (+{contact})" if contact else f"{BOT_NAME}/{VERSION}"


class PoliteFetcher:
    """Fetches pages for one poll or one ingest: built per run, so robots.txt is read
    again and the page count starts afresh on the next."""

    def __init__(
        self,
        client: httpx.Client,
        limits: FetchLimits,
        *,
        contact: str | None,
        delay: float,
        max_pages: int,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.limits = limits
        self.user_agent = user_agent(contact)
        self.delay = delay
        self.max_pages = max_pages
        self.pages = 0  # pages fetched so far (robots.txt not counted)
        self._sleep = sleep
        self._robots: dict[str, Robots | SourceFailure] = {}
        self._last: dict[str, float] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @classmethod
    def for_settings(cls, client: httpx.Client, settings: Settings) -> PoliteFetcher:
        return cls(
            client,
            FetchLimits.from_settings(settings),
            contact=settings.contact,
            delay=settings.fetch_delay_seconds,
            max_pages=settings.max_pages_per_poll,
        )

    @property
    def exhausted(self) -> bool:
        """Whether this run has fetched all the pages it may."""
        return self.pages >= self.max_pages

    def get(self, url: str, headers: dict[str, str] | None = None) -> Fetched | SourceFailure:
        """GET a page if robots.txt allows it and the run's page cap is not reached."""
        site = _site(url)
        if not site:
            return SourceFailure(name=url, reason="not a valid URL (no host)")
        rules = self._rules(site, url)
        if isinstance(rules, SourceFailure):
            return SourceFailure(name=url, reason=rules.reason, transient=rules.transient)
        if not rules.allows(url, self.user_agent):
            return SourceFailure(name=url, reason="disallowed by the site's robots.txt")
        if self.exhausted:
            return SourceFailure(
                name=url, reason=f"not fetched: {self.max_pages} pages is the limit of one poll", transient=True
            )
        self.pages += 1
        pause = max(self.delay, min(rules.delay(self.user_agent) or 0.0, MAX_CRAWL_DELAY))
        return self._paced(site, url, pause, headers or {})

    def _rules(self, site: str, url: str) -> Robots | SourceFailure:
        with self._guard:
            known = self._robots.get(site)
        if known is not None:
            return known
        limits = FetchLimits(max_bytes=ROBOTS_MAX_BYTES, deadline_seconds=self.limits.deadline_seconds)
        got = self._paced(site, robots_url(url), self.delay, {}, limits)
        rules: Robots | SourceFailure
        if isinstance(got, Fetched):
            rules = Robots(got.data.decode("utf-8", errors="replace"))
        elif got.reason.startswith("HTTP 4") and got.reason != "HTTP 429":
            rules = Robots(None)  # no robots.txt: everything is allowed
        else:
            log.warning("robots.txt of %s unavailable (%s): its pages wait for a later run", site, got.reason)
            rules = SourceFailure(name=url, reason=f"robots.txt unavailable ({got.reason})", transient=True)
        with self._guard:
            self._robots[site] = rules
        return rules

    def _paced(
        self, site: str, url: str, pause: float, headers: dict[str, str], limits: FetchLimits | None = None
    ) -> Fetched | SourceFailure:
        """One request to the site at a time, `pause` seconds after the previous one ended."""
        with self._guard:
            lock = self._locks.setdefault(site, threading.Lock())
        with lock:
            last = self._last.get(site)
            if last is not None:
                wait = last + pause - time.monotonic()
                if wait > 0:
                    self._sleep(wait)
            try:
                return fetch(self.client, url, limits or self.limits, {"User-Agent": self.user_agent, **headers})
            finally:
                self._last[site] = time.monotonic()


def _site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.netloc else ""
