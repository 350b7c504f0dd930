"""RSS 2.0 (full content) and Atom (links only) feeds give the same articles as the pages."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.intake.web import DocumentKind, parse_feed

from .websites import ServedSite, get, read_url


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def fields(article: Any) -> dict[str, Any]:
    return {
        "title": article.title, "pretitle": article.pretitle, "subtitle": article.subtitle,
        "reporters": list(article.reporters), "source": article.source, "kind": article.kind.value,
        "paragraphs": [" ".join(p.split()) for p in article.paragraphs],
    }


def test_rss_with_full_content_gives_the_articles_without_fetching_pages(
    web_site: ServedSite, client: httpx.Client
) -> None:
    url = web_site.url(web_site.site.rss_path)
    feed = parse_feed(*get(client, url)[:1], url)
    assert feed.kind is DocumentKind.RSS and all(e.content_html for e in feed.entries)
    before = len(web_site.requests)
    articles = read_url(client, url)
    assert web_site.requests[before:] == [web_site.site.rss_path]
    assert [fields(a) for a in articles] == [s.expected() for s in web_site.site.articles]
    assert [a.url for a in articles] == [web_site.url(s.path) for s in web_site.site.articles]


def test_entry_dates_keep_the_feeds_own_day(web_site: ServedSite, client: httpx.Client) -> None:
    # entries are stamped 00:30-00:59 Beijing time: the day before in UTC
    for path in (web_site.site.rss_path, web_site.site.atom_path):
        url = web_site.url(path)
        feed = parse_feed(get(client, url)[0], url)
        assert [e.published for e in feed.entries] == [s.date for s in web_site.site.articles], path


def test_atom_with_links_only_gives_the_articles_from_their_pages(web_site: ServedSite, client: httpx.Client) -> None:
    url = web_site.url(web_site.site.atom_path)
    feed = parse_feed(get(client, url)[0], url)
    assert feed.kind is DocumentKind.ATOM and not any(e.content_html for e in feed.entries)
    articles = read_url(client, url)
    assert [fields(a) for a in articles] == [s.expected() for s in web_site.site.articles]
    assert web_site.site.paginated_path.replace(".htm", "_2.htm") in web_site.requests


def test_a_feed_entry_whose_content_is_a_teaser_is_fetched() -> None:
    rss = """<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
    <channel><title>t</title><item><title>职工书屋开放</title><link>/a.htm</link>
    <pubDate>Fri, 12 Jul 2024 08:00:00 +0800</pubDate><content:encoded>短</content:encoded></item></channel></rss>"""
    [entry] = parse_feed(rss.encode(), "http://p.example/rss.xml").entries
    assert entry.content_html is None
    assert entry.url == "http://p.example/a.htm"
    assert entry.published == datetime.date(2024, 7, 12)
