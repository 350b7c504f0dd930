"""`unionbot ingest` of a newspaper's web site served on 127.0.0.1: e-paper edition pages,
RSS and Atom feeds give the hand-checked articles, with their URL and date; fetching is
polite (robots.txt, User-Agent with a contact, a page cap, a pause per site); an article
is stored once whatever URL brings it again."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli.compose import opened_library
from bot.intake.fetch import FetchLimits, http_client
from bot.intake.polite import PoliteFetcher
from bot.settings import Settings
from retrieval import Segmenter

from .cli import Cli
from .websites import ServedSite, serve_site


@pytest.fixture
def site() -> Iterator[ServedSite]:
    """A site of its own (tests here change its files)."""
    with serve_site() as served:
        yield served


@pytest.fixture(autouse=True)
def no_seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNIONBOT_SEEDS_DIR", "")


def stored(cli: Cli) -> list[dict[str, Any]]:
    code, out, _ = cli("articles", "--json")
    assert code == 0
    articles: list[dict[str, Any]] = json.loads(out)
    return articles


def fields(article: dict[str, Any]) -> dict[str, Any]:
    keys = ("title", "pretitle", "subtitle", "reporters", "source", "kind")
    return {**{k: article[k] for k in keys}, "paragraphs": [" ".join(p.split()) for p in article["paragraphs"]]}


def test_each_edition_page_gives_its_hand_checked_articles(site: ServedSite, cli: Cli) -> None:
    for edition in site.site.editions:
        code, _, err = cli("ingest", site.url(edition.path))
        assert code == 0, err
        assert "1 added" in err
        issue = f"127.0.0.1-{edition.date:%Y-%m-%d}-{edition.page:02d}"
        got = [a for a in stored(cli) if a["issue"] == issue]
        assert [fields(a) for a in got] == [s.expected() for s in edition.articles]
        assert [a["url"] for a in got] == [site.url(s.path) for s in edition.articles]
    # the same pages again: nothing new
    code, _, err = cli("ingest", site.url(site.site.editions[0].path))
    assert code == 0 and "0 added, 0 updated, 1 unchanged" in err


@pytest.mark.parametrize("feed", ["rss", "atom"])
def test_a_feed_gives_the_articles_one_issue_a_day(
    site: ServedSite, cli: Cli, feed: str
) -> None:
    path = site.site.rss_path if feed == "rss" else site.site.atom_path
    code, _, err = cli("ingest", site.url(path))
    assert code == 0, err
    got = stored(cli)
    assert [fields(a) for a in got] == [s.expected() for s in site.site.articles]
    assert [a["url"] for a in got] == [site.url(s.path) for s in site.site.articles]
    assert sorted({a["issue"] for a in got}) == ["127.0.0.1-2024-07-10", "127.0.0.1-2024-07-11"]
    if feed == "rss":  # the feed carries every article whole: no page fetched
        assert not any(p.startswith("/epaper/") for p in site.requests)
    code, _, err = cli("ingest", site.url(path))
    assert "0 added, 0 updated, 2 unchanged" in err


def test_an_answer_cites_the_web_article_with_its_date_and_url(
    site: ServedSite, cli: Cli
) -> None:
    for edition in site.site.editions:
        assert cli("ingest", site.url(edition.path))[0] == 0
    seed = next(a for a in site.site.articles if a.title == "密云区总工会推进经费收支规范化管理")
    code, out, _ = cli("ask", "--json", "密云区总工会培训了多少人")
    hit = json.loads(out)["results"][0]
    assert (hit["article"], hit["issue"]) == (seed.title, f"127.0.0.1-{seed.date:%Y-%m-%d}-{seed.page:02d}")
    code, out, _ = cli("ask", "密云区总工会培训了多少人")
    assert "300余人" in out
    assert f"{seed.date.year}年{seed.date.month}月{seed.date.day}日 第{seed.page}版" in out
    assert site.url(seed.path) in out.splitlines()[-1]


def test_robots_txt_disallowing_a_path_stops_its_fetch(site: ServedSite, cli: Cli) -> None:
    edition = site.site.editions[0]
    barred = edition.articles[1]
    site.site.files["/robots.txt"] = ("text/plain", f"User-agent: *\nDisallow: {barred.path}\n".encode())
    code, _, err = cli("ingest", site.url(edition.path))
    assert code == 1
    assert f"unionbot: ingest: {site.url(barred.path)}: disallowed by the site's robots.txt" in err.splitlines()
    assert barred.path not in site.requests
    assert site.requests.count("/robots.txt") == 1  # read once per site and run
    titles = [a["title"] for a in stored(cli)]
    assert barred.title not in titles and len(titles) == len(edition.articles) - 1


def test_the_user_agent_names_the_bot_and_its_contact(
    site: ServedSite, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIONBOT_CONTACT", "ops@union.example")
    assert cli("ingest", site.url(site.site.atom_path))[0] == 0
    assert site.agents and set(site.agents) == {"unionbot/1 (+ops@union.example)"}


def test_the_page_cap_holds(site: ServedSite, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNIONBOT_MAX_PAGES_PER_POLL", "3")
    edition = site.site.editions[1]
    code, _, err = cli("ingest", site.url(edition.path))
    assert code == 1
    pages = [p for p in site.requests if p != "/robots.txt"]
    assert pages == [edition.path, edition.articles[0].path, edition.articles[1].path]
    refused = [line for line in err.splitlines() if "pages is the limit of one poll" in line]
    assert len(refused) == len(edition.articles) - 2
    assert len(stored(cli)) == 2


def test_the_same_text_from_two_urls_is_stored_once(site: ServedSite, cli: Cli) -> None:
    article = site.site.editions[0].articles[0]
    copy = "/mirror/2024/07/10/copy.htm"
    site.site.files[copy] = site.site.files[article.path]
    assert cli("ingest", site.url(article.path))[0] == 0
    code, _, err = cli("ingest", site.url(copy))
    assert code == 0 and "0 added" in err
    assert [a["url"] for a in stored(cli)] == [site.url(article.path)]


def test_find_by_date(site: ServedSite, cli: Cli, tmp_path: Path, segmenter: Segmenter) -> None:
    assert cli("ingest", site.url(site.site.rss_path))[0] == 0
    with opened_library(Settings(data_dir=tmp_path / "data", seeds_dir=None), segmenter) as library:
        july11, total = library.store.find_articles(published="2024-07-11", limit=100)
        month, _ = library.store.find_articles(published="2024-07", limit=100)
        none, _ = library.store.find_articles(published="2024-08", limit=100)
    assert total == sum(1 for a in site.site.articles if a.date == dt.date(2024, 7, 11)) > 0
    assert {a.published for a in july11} == {dt.date(2024, 7, 11)}
    assert len(month) == len(site.site.articles) and none == []


def test_one_request_at_a_time_per_site_with_a_pause(site: ServedSite) -> None:
    pauses: list[float] = []
    limits = FetchLimits(max_bytes=1_000_000, deadline_seconds=10)
    with http_client(5.0) as client:
        fetcher = PoliteFetcher(client, limits, contact=None, delay=5.0, max_pages=10, sleep=pauses.append)
        for article in site.site.articles[:3]:
            assert not isinstance(fetcher.get(site.url(article.path)), type(None))
    # robots.txt, then three pages: each request waits for the pause after the one before
    assert len(pauses) == 3 and all(0 < p <= 5.0 for p in pauses)
    assert re.fullmatch(r"unionbot/1", fetcher.user_agent)
