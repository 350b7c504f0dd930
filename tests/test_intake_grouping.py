"""Web articles into issues: one per day and printed page (one per day for a feed), with
stable ids and publication dates."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import httpx
import pytest

from bot.intake.web import group_articles, issue_id_for, site_name
from retrieval.parse import content_hash

from .websites import ServedSite, read_url


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def test_edition_pages_group_into_one_issue_per_day_and_page(web_site: ServedSite, client: httpx.Client) -> None:
    site = web_site.site
    articles = [a for e in site.editions for a in read_url(client, web_site.url(e.path))]
    issues = group_articles(articles, web_site.base, ingested=datetime.date(2030, 1, 1))
    assert [i.issue_id for i in issues] == [
        "127.0.0.1-2024-07-10-01", "127.0.0.1-2024-07-10-02", "127.0.0.1-2024-07-10-03",
        "127.0.0.1-2024-07-11-01", "127.0.0.1-2024-07-11-02",
    ]
    assert [i.published for i in issues] == [e.date for e in site.editions]
    for issue, edition in zip(issues, site.editions, strict=True):
        assert [a.title for a in issue.articles] == [s.title for s in edition.articles]
        assert [a.ordinal for a in issue.articles] == list(range(1, len(edition.articles) + 1))
        assert all(a.issue == issue.issue_id and a.url for a in issue.articles)
    again = group_articles(articles, web_site.base, ingested=datetime.date(2031, 1, 1))
    assert [(i.issue_id, i.content_hash, [a.article_id for a in i.articles]) for i in again] == [
        (i.issue_id, i.content_hash, [a.article_id for a in i.articles]) for i in issues
    ]


def test_a_feed_groups_into_one_issue_per_day(web_site: ServedSite, client: httpx.Client) -> None:
    articles = read_url(client, web_site.url(web_site.site.rss_path))
    issues = group_articles(articles, web_site.base, ingested=datetime.date(2030, 1, 1), by_edition=False)
    assert [(i.issue_id, i.published, len(i.articles)) for i in issues] == [
        ("127.0.0.1-2024-07-10", datetime.date(2024, 7, 10), 18),
        ("127.0.0.1-2024-07-11", datetime.date(2024, 7, 11), 13),
    ]


def test_the_same_text_from_the_feed_and_the_pages_hashes_the_same(web_site: ServedSite, client: httpx.Client) -> None:
    edition = web_site.site.editions[0]
    from_pages = read_url(client, web_site.url(edition.path))
    from_feed = read_url(client, web_site.url(web_site.site.rss_path))[: len(from_pages)]
    [a] = group_articles(from_pages, "x", ingested=datetime.date(2030, 1, 1), by_edition=False)
    [b] = group_articles(from_feed, "x", ingested=datetime.date(2030, 1, 1), by_edition=False)
    assert a.content_hash == b.content_hash == content_hash(list(a.articles))


def test_undated_articles_take_the_day_of_ingest_and_repeats_are_dropped(
    web_site: ServedSite, client: httpx.Client
) -> None:
    [article] = read_url(client, web_site.url(web_site.site.articles[0].path))
    undated = article.model_copy(update={"published": None, "edition": None})
    [issue] = group_articles([undated, undated], "https://www.Paper.example:8443/", ingested=datetime.date(2024, 8, 1))
    assert issue.issue_id == "paper.example-2024-08-01" and len(issue.articles) == 1


def test_site_names_are_safe() -> None:
    assert site_name("https://www.WORKERCN.cn/epaper/") == "workercn.cn"
    assert site_name("http://报纸.中国/a") == "xn--4ruw83d.xn--fiqs8s"
    assert issue_id_for("ldwb bj/../x", datetime.date(2024, 7, 10), 3) == "ldwb-bj---x-2024-07-10-03"
