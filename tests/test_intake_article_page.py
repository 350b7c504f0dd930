"""Article pages: every seed article read from its page among the clutter equals the
hand-checked article (headings, reporters, source, kind, paragraphs)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.intake.web import PageError, WebArticle, extract_article
from bot.intake.web.body import read_body

from .websites import ServedSite, read_url, seed_articles

SEEDS = [a for arts in seed_articles().values() for a in arts]


def fields(article: WebArticle) -> dict[str, Any]:
    return {
        "title": article.title, "pretitle": article.pretitle, "subtitle": article.subtitle,
        "reporters": list(article.reporters), "source": article.source, "kind": article.kind.value,
        "paragraphs": [" ".join(p.split()) for p in article.paragraphs],
    }


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


@pytest.mark.parametrize("index", range(len(SEEDS)), ids=[a.title[:12] for a in SEEDS])
def test_every_seed_article_page_gives_the_hand_checked_article(
    web_site: ServedSite, client: httpx.Client, index: int
) -> None:
    seed = web_site.site.articles[index]
    [article] = read_url(client, web_site.url(seed.path))
    assert fields(article) == seed.expected()
    assert article.url == web_site.url(seed.path)
    assert (article.published, article.edition) == (seed.date, seed.page)


def test_a_long_article_over_two_pages_is_joined(web_site: ServedSite, client: httpx.Client) -> None:
    seed = next(a for a in web_site.site.articles if a.path == web_site.site.paginated_path)
    [article] = read_url(client, web_site.url(seed.path))
    assert fields(article)["paragraphs"] == seed.expected()["paragraphs"]
    assert web_site.url(seed.path) == article.url  # the article is its first page
    assert seed.path.replace(".htm", "_2.htm") in web_site.requests


def test_a_gbk_page_declared_only_in_a_meta_tag_decodes(web_site: ServedSite, client: httpx.Client) -> None:
    seed = next(a for a in web_site.site.articles if a.path == web_site.site.gbk_path)
    response = client.get(web_site.url(seed.path))
    assert "charset" not in response.headers["content-type"]
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    [article] = read_url(client, web_site.url(seed.path))
    assert fields(article) == seed.expected()


def test_a_page_with_no_article_text_is_refused() -> None:
    html = "<html><head><title>劳动午报</title></head><body><h1>劳动午报数字报</h1><p>版权所有</p></body></html>"
    with pytest.raises(PageError, match="no article text"):
        extract_article(html, "http://127.0.0.1/x.htm")


def test_a_byline_line_names_the_reporters_when_the_text_has_no_lead() -> None:
    html = """<html><head><title>职工书屋开放 - 某报</title></head><body>
    <div class="article"><h1>职工书屋开放</h1><div class="info">2024-07-12 第5版 作者：边磊、张雪</div>
    <div class="content"><p>近日，某区总工会职工书屋正式向职工开放，藏书三千余册，职工可凭会员卡借阅。</p>
    <p>书屋还将定期举办读书分享会，邀请劳模讲述读书心得。</p></div></div></body></html>"""
    article = extract_article(html, "http://127.0.0.1/a.htm")
    assert article.reporters == ("边磊", "张雪")
    assert (article.published, article.edition) == (datetime.date(2024, 7, 12), 5)


def test_clutter_at_the_edges_of_the_text_is_dropped_and_credits_kept() -> None:
    body = read_body(["劳动午报 2024年07月10日", "近日，某车队工会组织职工开展趣味活动。", "本报记者 孙妍 通讯员 金洋 摄影报道",
                      "责任编辑：李明"])
    assert body.paragraphs == ("近日，某车队工会组织职工开展趣味活动。",)
    assert body.reporters == ("孙妍", "金洋") and body.kind.value == "photo"
