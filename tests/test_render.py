"""Rendering for Telegram: escaping, highlighting, splitting under 4,096, buttons, scripts."""

from __future__ import annotations

import html
import re

import pytest

from bot.telegram.locale import localise, script_for
from bot.telegram.render import (
    MESSAGE_LIMIT,
    Reply,
    answer_reply,
    article_pages,
    article_reply,
    find_reply,
    not_found_reply,
    start_reply,
)
from bot.digests.digest import digest_parts
from bot.richtext import plain
from retrieval import Answer, Article, Headline, Hit

ALLOWED = {"b", "i", "u", "s", "code", "pre", "a"}


def article(paragraphs: tuple[str, ...] = ("第一段。",), title: str = "密云区<总工会>&培训") -> Article:
    return Article(
        issue="001_x", article_id="abc123", ordinal=1, title=title, reporters=("王路曼",), paragraphs=paragraphs
    )


def check_html(text: str) -> None:
    """What Telegram checks: known tags only, balanced, & < > escaped, length after entities."""
    stack: list[str] = []
    for match in re.finditer(r"<(/?)([a-z]+)[^>]*>", text):
        closing, tag = match.group(1), match.group(2)
        assert tag in ALLOWED, tag
        if closing:
            assert stack and stack.pop() == tag
        else:
            stack.append(tag)
    assert not stack
    bare = re.sub(r"<[^>]+>", "", text)
    assert "<" not in bare and ">" not in bare
    assert not re.search(r"&(?!(amp|lt|gt|quot|#\d+);)", bare)
    assert len(html.unescape(bare).encode("utf-16-le")) // 2 <= MESSAGE_LIMIT


def all_callback_data(reply: Reply) -> list[str]:
    if reply.keyboard is None:
        return []
    return [b.data for b in reply.keyboard.buttons]


def test_answer_is_escaped_highlighted_and_cited() -> None:
    a = article(("为全区<b>共300余人</b>&答疑解惑。",))
    hit = Hit(article=a, paragraph=0, snippet="为全区<b>共300余人</b>&答疑解惑。", answer="300余人", answer_start=7, score=1.0)
    answer = Answer(question="q", found=True, answer="300余人", hits=(hit, hit))
    reply = answer_reply(answer, query_id=12)
    check_html(reply.text)
    assert reply.text.startswith("<b>300余人</b>\n")
    assert "&lt;b&gt;共<b><u>300余人</u></b>&lt;/b&gt;&amp;答疑解惑。" in reply.text
    assert "《密云区&lt;总工会&gt;&amp;培训》 · 001_x · 记者 王路曼" in reply.text
    assert all_callback_data(reply) == ["a:abc123:0", "m:12:1", "f:12:1", "f:12:-1"]
    second = answer_reply(answer, query_id=12, index=1)
    assert "m:12:0" in all_callback_data(second)


def test_not_found_offers_related_headlines() -> None:
    answer = Answer(
        question="q", found=False, reason="unsaid",
        related=(Headline(article_id="abc123", title="标题<一>", issue="001"),),
    )
    reply = not_found_reply(answer)
    check_html(reply.text)
    assert "没有找到" in reply.text and "《标题&lt;一&gt;》" in reply.text
    assert all_callback_data(reply) == ["a:abc123:0"]


def test_long_articles_split_under_the_limit_at_boundaries() -> None:
    paragraph = "这是一句很长的话，" * 30 + "结束。"
    long_sentence = "长" * 9000 + "。"
    a = article(tuple([paragraph] * 40 + [long_sentence, "最后一段<&>。"]))
    pages = article_pages(a)
    assert len(pages) > 3
    for page in pages:
        check_html(page)
    text = "".join(plain(p) for p in pages)
    assert text.count("结束。") == 40 and "最后一段<&>。" in text
    # pages break between paragraphs: no page starts in the middle of one (but the 9,000-char sentence)
    for page in pages[1:]:
        body = plain(page).split("\n\n", 1)[1]
        assert body.startswith(("这是", "长", "最后"))
    reply = article_reply(a, 1)
    assert all_callback_data(reply)[:3] == ["g:abc123:0", "g:abc123:1", "g:abc123:2"]


def test_callback_data_fits_64_bytes() -> None:
    a = article()
    reply = find_reply([a] * 5, total=12, query_id=10**9, page=1, query="词 区:密云")
    check_html(reply.text)
    data = all_callback_data(reply)
    assert all(len(d.encode()) <= 64 for d in data)
    assert "p:1000000000:0" in data and "p:1000000000:2" in data


def test_start_has_three_example_buttons() -> None:
    reply = start_reply("<Bob>")
    check_html(reply.text)
    assert "&lt;Bob&gt;" in reply.text and all_callback_data(reply) == ["x:0", "x:1", "x:2"]


@pytest.mark.parametrize(
    ("language", "text", "script"),
    [
        ("zh-hant", "", "s2t"),
        ("zh-TW", "", "s2tw"),
        ("zh-hk", "", "s2hk"),
        ("zh-hans", "", None),
        ("en", "平谷區總工會黨組書記是誰", "s2t"),
        (None, "平谷区总工会", None),
    ],
)
def test_script_for(language: str | None, text: str, script: str | None) -> None:
    assert script_for(language, text) == script


def test_localise_converts_text_and_buttons() -> None:
    reply = localise(start_reply(None), "s2t")
    assert "機器人" in reply.text
    assert reply.keyboard is not None
    labels = [b.text for b in reply.keyboard.buttons]
    assert "密雲區總工會培訓了多少人" in labels
    assert all_callback_data(reply) == ["x:0", "x:1", "x:2"]


def test_a_web_article_shows_its_date_page_and_link() -> None:
    import datetime as dt

    web = article(("为全区共300余人答疑解惑。",)).model_copy(update={
        "url": 'http://paper.example/a?x=1&y="2"', "published": dt.date(2024, 7, 10), "edition": 3})
    hit = Hit(article=web, paragraph=0, snippet="为全区共300余人答疑解惑。", score=1.0)
    reply = answer_reply(Answer(question="q", found=True, hits=(hit,)), query_id=1)
    check_html(reply.text)
    assert "· 001_x · 2024年7月10日 第3版 · 记者 王路曼" in reply.text
    assert '<a href="http://paper.example/a?x=1&amp;y=&quot;2&quot;">原文链接</a>' in reply.text
    page = article_pages(web)[0]
    check_html(page)
    assert "2024年7月10日 第3版" in page and 'href="http://paper.example/a?x=1&amp;y=' in page
    digest = digest_parts("001_x", [web])[0]
    assert plain(digest.text).startswith("📰 新一期：001_x · 2024年7月10日 第3版 · 1 篇报道")
