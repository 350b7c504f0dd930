"""Intake from the web: e-paper edition pages, article pages, and RSS 2.0 / Atom feeds, read
into the same `Article`s and `Issue`s as issue files.

fetched bytes -> decode_page -> classify ->
    ISSUE_FILE: retrieval.parse_issue
    EDITION_PAGE: edition_links -> each link fetched and classified again
    ARTICLE_PAGE: article_pages (pagination) -> extract_article -> WebArticle
    RSS / ATOM: parse_feed -> entry_article (full content) or the entry's page
-> group_articles -> Issue (one per day and printed page; per day for a feed)

Fetching itself (politeness, limits) is the caller's: functions here take bytes or text,
and `article_pages` a callable that returns a page's text.
"""

from .article_page import edition_number, extract_article, main_text, publication_date
from .decode import declared_charset, decode_page, http_charset
from .documents import article_pages, classify, edition_links, html_kind, next_page_url
from .errors import IntakeError, PageError
from .feed import entry_article, parse_feed
from .grouping import group_articles, issue_id_for
from .models import DocumentKind, Feed, FeedEntry, WebArticle
from .robots import Robots, robots_url
from .site import absolute_url, host_of, same_site, site_name

__all__ = [
    "DocumentKind",
    "Feed",
    "FeedEntry",
    "IntakeError",
    "PageError",
    "Robots",
    "WebArticle",
    "absolute_url",
    "article_pages",
    "classify",
    "declared_charset",
    "decode_page",
    "edition_links",
    "edition_number",
    "entry_article",
    "extract_article",
    "group_articles",
    "host_of",
    "html_kind",
    "issue_id_for",
    "main_text",
    "next_page_url",
    "parse_feed",
    "publication_date",
    "robots_url",
    "same_site",
    "site_name",
]
