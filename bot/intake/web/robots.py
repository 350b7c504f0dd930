"""robots.txt: where a site keeps it, and whether it lets the bot fetch a URL (urllib.robotparser)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser


def robots_url(url: str) -> str:
    """The robots.txt that governs `url`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


class Robots:
    """One site's robots.txt rules, as read from its text (no text, or a 404: all allowed)."""

    def __init__(self, text: str | None) -> None:
        self._parser = RobotFileParser()
        self._parser.parse((text or "").splitlines())

    def allows(self, url: str, user_agent: str) -> bool:
        """May `user_agent` fetch `url`?"""
        return self._parser.can_fetch(user_agent, url)

    def delay(self, user_agent: str) -> float | None:
        """The site's Crawl-delay (or Request-rate) for `user_agent`, in seconds, if it sets one."""
        delay = self._parser.crawl_delay(user_agent)
        if delay is not None:
            return float(delay)
        rate = self._parser.request_rate(user_agent)
        return rate.seconds / rate.requests if rate is not None and rate.requests else None
