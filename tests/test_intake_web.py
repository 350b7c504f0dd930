"""Fetched documents: what they are, an edition page's article links, pagination, decoding."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

import bot.intake.web
from bot.intake.web import (
    DocumentKind,
    IntakeError,
    classify,
    decode_page,
    edition_links,
    next_page_url,
)

from .websites import ServedSite, get, read_url


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def test_the_package_states_its_public_names() -> None:
    assert sorted(bot.intake.web.__all__) == bot.intake.web.__all__
    for name in bot.intake.web.__all__:
        assert getattr(bot.intake.web, name) is not None


def test_every_document_of_the_site_is_classified(web_site: ServedSite, client: httpx.Client) -> None:
    site = web_site.site
    expected = {site.rss_path: DocumentKind.RSS, site.atom_path: DocumentKind.ATOM}
    expected |= {e.path: DocumentKind.EDITION_PAGE for e in site.editions}
    expected |= {a.path: DocumentKind.ARTICLE_PAGE for a in site.articles}
    expected |= {p: DocumentKind.ISSUE_FILE for p in site.files if p.startswith("/files/")}
    for path, kind in expected.items():
        assert classify(*get(client, web_site.url(path))) is kind, path


def test_sniffing_without_a_content_type() -> None:
    assert classify(b'<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>') is DocumentKind.RSS
    assert classify(b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>', "text/xml") is DocumentKind.ATOM
    assert classify(b"http://a.example/1.txt\nhttp://a.example/2.txt\n", "text/plain") is DocumentKind.URL_LIST
    assert classify("标题\n\n本报讯（记者 张三）正文。".encode()) is DocumentKind.ISSUE_FILE
    with pytest.raises(IntakeError):
        classify(b"<?xml version='1.0'?><svg/>", "application/xml")


def test_an_edition_page_gives_its_articles_in_order(web_site: ServedSite, client: httpx.Client) -> None:
    for edition in web_site.site.editions:
        url = web_site.url(edition.path)
        links = edition_links(decode_page(*get(client, url)), url)
        # the list, not the page image's map (printed in another order), the sidebar, the navigation
        assert links == [web_site.url(a.path) for a in edition.articles]


def test_an_edition_page_read_whole_gives_the_seed_articles(web_site: ServedSite, client: httpx.Client) -> None:
    edition = web_site.site.editions[2]
    articles = read_url(client, web_site.url(edition.path))
    assert [a.title for a in articles] == [s.title for s in edition.articles]
    assert [list(a.paragraphs) for a in articles] == [s.expected()["paragraphs"] for s in edition.articles]


def test_links_elsewhere_are_not_followed() -> None:
    html = """<html><body><ul class="list">
      <li><a href="https://other.example.org/a.htm">别的网站的一篇新闻报道</a></li>
      <li><a href="../10/content_1.htm">本站的一篇新闻报道标题</a></li>
      <li><a href="javascript:void(0)">不是链接的一篇新闻报道</a></li>
      <li><a href="content_1.htm#top">本站的一篇新闻报道标题</a></li></ul></body></html>"""
    assert edition_links(html, "http://www.paper.example/h/10/node_1.htm") == ["http://www.paper.example/h/10/content_1.htm"]


def test_next_article_is_not_a_next_page() -> None:
    html = '<html><body><p>正文。</p><a href="c2.htm">下一篇</a><a href="c1_2.htm">下一页</a></body></html>'
    assert next_page_url(html, "http://p.example/c1.htm") == "http://p.example/c1_2.htm"
    assert next_page_url('<a href="c2.htm">下一篇</a>', "http://p.example/c1.htm") is None


def test_decoding_order_http_charset_then_meta_then_detection() -> None:
    text = "<html><head><title>职工书屋</title></head><body><p>本报讯（记者 边磊）近日，职工书屋向全区职工开放。</p></body></html>"
    gbk = text.encode("gbk")
    meta = text.replace("<head>", '<head><meta charset="gb2312">').encode("gbk")
    assert decode_page(gbk, "text/html; charset=GBK") == text
    assert "职工书屋" in decode_page(meta, "text/html")
    assert decode_page(gbk * 3, None) == text * 3  # nothing declared: detected
    assert decode_page(text.encode(), "text/html; charset=utf-8") == text
