"""The bot's service without Telegram: questions, flood guard, find, feedback, stats."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.cli.compose import opened_library
from bot.question import clean_question
from bot.richtext import plain
from bot.settings import Settings
from bot.storage.activity import QueryKind
from bot.storage.flood import FloodWindows
from bot.telegram.compose import build_service
from bot.telegram.flood import FloodGuard
from bot.telegram.render import FLOODED, NOT_ADMIN, Reply
from bot.telegram.service import Asker, BotService
from retrieval import Segmenter

ALICE = Asker(user_id=1, chat_id=1, language="zh-hans", first_name="Alice")
ADMIN = Asker(user_id=99, chat_id=99, language="zh-hans")


@pytest.fixture
def svc(seeded_settings: Settings, segmenter: Segmenter) -> Iterator[BotService]:
    with opened_library(seeded_settings, segmenter) as library:
        yield build_service(library, library.store, [99])


def query_id_of(reply: Reply | None, prefix: str = "m:") -> int:
    """The query id a reply's buttons carry (the id is made at random)."""
    assert reply is not None and reply.keyboard is not None
    return int(next(b.data for b in reply.keyboard.buttons if b.data.startswith(prefix)).split(":")[1])


def test_question_reply_and_more(svc: BotService) -> None:
    reply = svc.ask("职工交友活动有多少人参加", ALICE)
    assert reply is not None and "800余名" in reply.text and reply.keyboard is not None
    query_id = query_id_of(reply)
    assert f"m:{query_id}:1" in [b.data for b in reply.keyboard.buttons]
    stored = svc.activity.query(query_id)
    assert stored is not None and stored.text == "职工交友活动有多少人参加" and stored.kind is QueryKind.ASK
    more = svc.more(query_id, 1, ALICE)
    assert more is not None and "第 2 条结果" in more.text
    assert svc.more(query_id, 99, ALICE) is None and svc.more(12345, 0, ALICE) is None


def test_traditional_readers_get_traditional_replies(svc: BotService) -> None:
    reply = svc.ask("平谷區總工會黨組書記是誰", Asker(user_id=2, language="en"))
    assert reply is not None and "張豔革" in reply.text and "總工會" in reply.text
    reply = svc.ask("平谷区总工会党组书记是谁", Asker(user_id=3, language="zh-hk"))
    assert reply is not None and "總工會" in reply.text


def test_flooding_user_is_told_politely(seeded_settings: Settings, segmenter: Segmenter) -> None:
    with opened_library(seeded_settings, segmenter) as library:
        svc = build_service(library, library.store, [], flood=FloodGuard(FloodWindows(library.store), limit=2))
        replies = [svc.ask("密云区总工会培训了多少人", ALICE) for _ in range(4)]
        assert svc.inline("密云区总工会培训了多少人", ALICE) == []  # inline too
    assert replies[2] is not None and replies[2].text == FLOODED
    assert replies[3] is None


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("培训 区:密云", ["密云区总工会推进经费收支规范化管理"]),
        ("记者:王路曼", ["密云区总工会推进经费收支规范化管理"]),
        ("記者:王路曼", ["密云区总工会推进经费收支规范化管理"]),
        ("区:东城 期:002", ["东城区总工会列出12项重点工作清单"]),
    ],
)
def test_find_filters(svc: BotService, query: str, titles: list[str]) -> None:
    reply = svc.find(query, ALICE)
    text = svc.library.segmenter.to_simplified(plain(reply.text))  # a traditional query gets a traditional reply
    for title in titles:
        assert f"《{title}》" in text
    assert text.count("《") == len(titles)


def test_find_pages(svc: BotService) -> None:
    reply = svc.find("工会", ALICE)
    assert "找到" in reply.text and "第 1–5 篇" in reply.text
    page = svc.find_page(query_id_of(reply, "p:"), 1, ALICE)
    assert page is not None and "第 6–10 篇" in page.text
    assert "没有找到" in svc.find("不存在的词语组合", ALICE).text


def test_feedback_and_stats(svc: BotService) -> None:
    query_id = query_id_of(svc.ask("密云区总工会培训了多少人", ALICE), "f:")
    svc.ask("怎么注册微信", ALICE)
    svc.ask("怎么注册微信", Asker(user_id=5))
    assert svc.feedback(query_id, 1, ALICE) == "谢谢反馈！"
    assert svc.feedback(query_id, -1, ALICE) == "谢谢反馈！"  # changes the earlier vote
    assert svc.feedback(77, 1, ALICE) == "这条反馈已失效。"
    assert svc.stats(ALICE).text == NOT_ADMIN
    stats = plain(svc.stats(ADMIN).text)
    assert "用户：2" in stats and "今日提问：3" in stats and "👍 0 · 👎 1" in stats
    assert "2× 怎么注册微信" in stats and "订阅摘要的聊天：0" in stats
    svc.subscribe(1, "private", None, ALICE)
    assert "订阅摘要的聊天：1" in plain(svc.stats(ADMIN).text)


def test_article_lookup(svc: BotService) -> None:
    reply = svc.ask("密云区总工会培训了多少人", ALICE)
    assert reply is not None and reply.keyboard is not None
    article_id = reply.keyboard.rows[0][0].data.split(":")[1]
    page = svc.article(article_id, 0, ALICE)
    assert "<b>密云区总工会推进经费收支规范化管理</b>" in page.text and "300余人" in page.text
    assert "没有这篇报道" in svc.article("nope<>", 0, ALICE).text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  密云\x00区\u202e总工会\u200d培训 ", "密云区总工会培训"),
        ("a\nb\tc", "a b c"),
        ("x" * 600, "x" * 500),
    ],
)
def test_clean_question(raw: str, clean: str) -> None:
    assert clean_question(raw) == clean


def test_hostile_questions_get_replies(svc: BotService) -> None:
    for text in ("<script>alert(1)</script>", "*_`[", "密" * 10_000, "👩‍👩‍👧‍👦" * 50, "\u200f\u202eabc", ""):
        reply = svc.ask(text, Asker(user_id=7))
        assert reply is not None and reply.text


def test_find_by_date(svc: BotService) -> None:
    import datetime as dt

    month = f"{dt.datetime.now(dt.UTC).date():%Y-%m}"  # seed files' names have no date: the day of ingest
    assert "找到" in svc.find(f"工会 日期:{month}", ALICE).text
    assert "没有找到" in svc.find("工会 日期:2001-01-02", ALICE).text
    assert "日期请写成" in svc.find("工会 日期:七月", ALICE).text
