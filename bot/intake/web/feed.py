"""RSS 2.0 and Atom feeds (feedparser): entries with their full content when the feed
carries it (content:encoded, Atom <content>), else their link to fetch; entry dates as
the feed states them (its own time zone, so an entry at 00:30 Beijing time keeps its day).
"""

from __future__ import annotations

import datetime
import email.utils
import logging
import re
from typing import Any

import feedparser
from lxml.etree import _Element

from retrieval import MAX_HEADING_CHARS, compact, normalise_line, terminated

from .body import read_body
from .documents import parse_html
from .errors import IntakeError, PageError
from .models import DocumentKind, Feed, FeedEntry, WebArticle
from .site import absolute_url

log = logging.getLogger(__name__)

_PRETITLE_MARK = re.compile(r"pre-?title|yinti|\byt\b|引题|kicker", re.IGNORECASE)
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "div", "td")
_MIN_CONTENT_CHARS = 20  # shorter content is a teaser: fetch the page instead


def _entry_date(entry: Any) -> datetime.date | None:
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        try:
            return datetime.datetime.fromisoformat(raw.strip().replace("Z", "+00:00")).date()
        except ValueError:
            pass
        try:
            return email.utils.parsedate_to_datetime(raw).date()
        except (TypeError, ValueError):
            pass
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return datetime.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None


def _content(entry: Any) -> str | None:
    for item in entry.get("content") or ():
        value = item.get("value") or ""
        if "html" in (item.get("type") or "html") and len(compact(value)) >= _MIN_CONTENT_CHARS:
            return str(value)
        if len(compact(value)) >= _MIN_CONTENT_CHARS:
            return "".join(f"<p>{line}</p>" for line in value.splitlines())
    return None


def parse_feed(data: bytes, url: str) -> Feed:
    """A feed's entries in order; IntakeError when the bytes are not RSS or Atom."""
    parsed = feedparser.parse(data, response_headers={"content-location": url})
    version = str(parsed.get("version") or "")
    if not version:
        raise IntakeError(url, "not an RSS or Atom feed")
    if parsed.get("bozo"):
        log.info("feed %s is not well-formed (%s); reading what feedparser could", url, parsed.get("bozo_exception"))
    kind = DocumentKind.ATOM if version.startswith("atom") else DocumentKind.RSS
    entries = []
    for entry in parsed.entries:
        link = entry.get("link") or (entry.get("id") if str(entry.get("id", "")).startswith("http") else None)
        title = normalise_line(entry.get("title") or "")
        if not link or not title:
            log.info("feed %s: an entry without a link or title is skipped", url)
            continue
        entries.append(
            FeedEntry(
                url=absolute_url(url, link),
                title=title,
                published=_entry_date(entry),
                content_html=_content(entry),
                summary=normalise_line(entry.get("summary") or "") or None,
            )
        )
    return Feed(url=url, kind=kind, title=normalise_line(parsed.feed.get("title") or "") or None, entries=tuple(entries))


def _heading(el: _Element) -> bool:
    text = normalise_line(el.text_content())
    marked = f"{el.get('class', '')} {el.get('id', '')}".strip() != ""
    return (el.tag.startswith("h") or marked) and 0 < len(text) <= MAX_HEADING_CHARS and not terminated(text)


def entry_article(entry: FeedEntry) -> WebArticle | None:
    """The article an entry carries in full, or None when its page must be fetched (then
    read it with extract_article). Headings above the text: the entry's title, and a
    heading marked as a pretitle (引题) or printed above the title is the pretitle, one
    below it the subtitle."""
    if entry.content_html is None:
        return None
    root = parse_html(f"<html><body>{entry.content_html}</body></html>")
    body_el = root.find("body")
    blocks = [el for el in (body_el.iter(*_BLOCKS) if body_el is not None else ()) if not el.findall(".//p")]
    pretitle: str | None = None
    subtitle: str | None = None
    seen_title = False
    lines: list[str] = []
    for el in blocks:
        text = normalise_line(el.text_content())
        if not lines and isinstance(el.tag, str) and _heading(el):
            if compact(text) == compact(entry.title):
                seen_title = True
            elif _PRETITLE_MARK.search(f"{el.get('class', '')} {el.get('id', '')}") or (
                not seen_title and el.tag in ("h3", "h4", "h5", "h6") and "sub" not in el.get("class", "")
            ):
                pretitle = pretitle or text
            else:
                subtitle = subtitle or text
            continue
        lines.append(text)
    body = read_body(lines)
    if not body.paragraphs:
        raise PageError(entry.url, "the feed entry's content has no article text")
    return WebArticle(
        url=entry.url,
        title=entry.title,
        pretitle=pretitle,
        subtitle=subtitle,
        kind=body.kind,
        reporters=body.reporters,
        source=body.source,
        paragraphs=body.paragraphs,
        published=entry.published,
    )
