"""What the intake package hands on: web articles, feeds and their entries, document kinds."""

from __future__ import annotations

import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from retrieval import ArticleKind


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DocumentKind(StrEnum):
    """What a fetched document is, and so how it is read."""

    ISSUE_FILE = "issue file"  # text or Markdown in the seeds' layout: retrieval.parse_issue
    URL_LIST = "url list"  # plain text, one issue-file URL a line
    EDITION_PAGE = "edition page"  # an e-paper page listing its articles: edition_links
    ARTICLE_PAGE = "article page"  # one article among clutter: extract_article
    RSS = "rss"  # RSS 2.0: parse_feed
    ATOM = "atom"  # Atom: parse_feed


class WebArticle(_Frozen):
    """One article read from a web page or a feed entry, before it is placed in an issue."""

    url: str
    title: str
    pretitle: str | None = None
    subtitle: str | None = None
    section: str | None = None
    kind: ArticleKind = ArticleKind.NEWS
    reporters: tuple[str, ...] = ()
    source: str | None = None
    paragraphs: tuple[str, ...]
    published: datetime.date | None = None
    edition: int | None = None  # the printed page (第N版), when the page says


class FeedEntry(_Frozen):
    """One entry of a feed: its link, title, date, and its full content when the feed has it."""

    url: str
    title: str
    published: datetime.date | None = None
    content_html: str | None = None  # content:encoded or Atom content; None: fetch `url`
    summary: str | None = None


class Feed(_Frozen):
    """An RSS 2.0 or Atom feed's entries, in the feed's order."""

    url: str
    kind: DocumentKind
    title: str | None = None
    entries: tuple[FeedEntry, ...]
