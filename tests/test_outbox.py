"""The digest outbox (on SQLite and PostgreSQL), digest rendering, the inbox folder and
feeds, without Telegram."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.cli.compose import opened_library
from bot.digests.digest import DIGEST_BUDGET, digest_parts, lead_sentence
from bot.digests.outbox import DeliveryStatus, Outbox
from bot.intake.feeds import Feeds, listed_urls
from bot.intake.inbox import Inbox
from bot.library import Library
from bot.richtext import plain
from bot.settings import Settings
from bot.storage.store import Store
from bot.telegram.render import MESSAGE_LIMIT
from retrieval import Article, ArticleKind, Issue, Segmenter

from .conftest import SEEDS

NEW_ISSUE = SEEDS / "003_8c0f42011e5a1360.txt"


@pytest.fixture
def library(tmp_path: Path, migrated_database_url: str, segmenter: Segmenter) -> Iterator[Library]:
    few = tmp_path / "few"
    few.mkdir()
    (few / "001_4042bde3bc384a6e.txt").write_bytes((SEEDS / "001_4042bde3bc384a6e.txt").read_bytes())
    with opened_library(Settings(data_dir=tmp_path / "data", seeds_dir=few, database_url=migrated_database_url), segmenter) as opened:
        yield opened


def test_deliveries_are_created_with_the_issue_for_active_subscriptions(library: Library) -> None:
    outbox = Outbox(library.store)
    assert outbox.subscribe(11, "private", "a") and not outbox.subscribe(11, "private", "a")
    outbox.subscribe(-22, "supergroup", "group")
    outbox.subscribe(33, "private", "c")
    assert outbox.unsubscribe(33) and not outbox.unsubscribe(33)
    library.ingest([str(NEW_ISSUE)])
    rows = outbox.deliveries("003_8c0f42011e5a1360")
    assert sorted(d.chat_id for d in rows) == [-22, 11]
    assert all(d.status is DeliveryStatus.PENDING for d in rows)
    library.ingest([str(NEW_ISSUE)])  # the same content again: nothing new to send
    assert len(outbox.deliveries()) == 2
    assert outbox.deliveries("001_4042bde3bc384a6e") == []  # issues from before subscribing


def test_a_failed_issue_insert_creates_no_delivery(library: Library) -> None:
    outbox = Outbox(library.store)
    outbox.subscribe(11, "private", "a")
    stored = library.store.articles()
    # two articles with one id: the insert fails inside the issue's transaction
    broken_articles = (*stored[:2], stored[0].model_copy(update={"ordinal": 50}))
    broken = Issue(issue_id="999_broken", content_hash="x", articles=broken_articles)
    with pytest.raises(IntegrityError):
        library.store.add_issue(broken, "test")
    assert outbox.deliveries() == [] and "999_broken" not in library.store.issue_ids()


def test_claim_record_recover_finish(library: Library) -> None:
    outbox = Outbox(library.store)
    outbox.subscribe(11, "private", "a")
    library.ingest([str(NEW_ISSUE)])
    [delivery] = outbox.due()
    assert outbox.claim(delivery.delivery_id) and not outbox.claim(delivery.delivery_id)
    outbox.part_sent(delivery.delivery_id, 501)
    assert outbox.due() == []
    assert outbox.recover() == 1  # a crashed sender: pending again, the recorded part kept
    [again] = outbox.due()
    assert again.parts_sent == 1 and again.message_ids == (501,)
    outbox.claim(again.delivery_id)
    outbox.finish(again.delivery_id)
    assert outbox.deliveries()[0].status is DeliveryStatus.SENT and outbox.due() == []


def test_retry_later_and_migration(library: Library) -> None:
    outbox = Outbox(library.store)
    outbox.subscribe(-5, "group", "old group")
    library.ingest([str(NEW_ISSUE)])
    [delivery] = outbox.due()
    outbox.claim(delivery.delivery_id)
    outbox.retry_later(delivery.delivery_id, 60, "flood")
    assert outbox.due() == [] and 59 < (outbox.next_due_in() or 0) <= 60
    outbox.migrate(-5, -100500)
    [moved] = outbox.due()
    assert moved.chat_id == -100500
    old, new = outbox.subscription(-5), outbox.subscription(-100500)
    assert old is not None and not old.active and new is not None and new.active


def test_a_migrated_group_keeps_one_digest_per_issue(library: Library) -> None:
    """The new chat already has the issue's digest: the old chat's copy is cancelled, not moved."""
    outbox = Outbox(library.store)
    outbox.subscribe(-5, "group", "old group")
    outbox.subscribe(-100500, "supergroup", "new group")
    library.ingest([str(NEW_ISSUE)])
    outbox.migrate(-5, -100500)
    assert [d.chat_id for d in outbox.due()] == [-100500]
    assert sorted(d.status.value for d in outbox.deliveries()) == ["cancelled", "pending"]
    new = outbox.subscription(-100500)
    assert new is not None and new.active


def _deliveries_for(library: Library, chats: int) -> Outbox:
    outbox = Outbox(library.store)
    for chat in range(1, chats + 1):
        outbox.subscribe(chat, "private", None)
    library.ingest([str(NEW_ISSUE)])
    return outbox


@pytest.mark.postgres
def test_two_senders_never_claim_the_same_delivery(tmp_path: Path, migrated_postgres_url: str, segmenter: Segmenter) -> None:
    """Two senders, each with its own engine, race through one PostgreSQL outbox."""
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=None, database_url=migrated_postgres_url)
    with opened_library(settings, segmenter) as library:
        outbox = _deliveries_for(library, 60)
        ids = [d.delivery_id for d in outbox.due()]
    claimed: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def sender(mine: list[int]) -> None:
        with Store(migrated_postgres_url) as store:
            own = Outbox(store)
            due = own.due()
            start.wait()
            mine.extend(d.delivery_id for d in due if own.claim(d.delivery_id))

    threads = [threading.Thread(target=sender, args=(mine,)) for mine in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not set(claimed[0]) & set(claimed[1])
    assert sorted(claimed[0] + claimed[1]) == sorted(ids) and len(ids) == 60
    with Store(migrated_postgres_url) as store:
        assert all(d.status is DeliveryStatus.SENDING and d.attempts == 1 for d in Outbox(store).deliveries())


@pytest.mark.postgres
def test_a_delivery_another_sender_is_claiming_is_skipped_not_waited_for(tmp_path: Path, migrated_postgres_url: str, segmenter: Segmenter) -> None:
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=None, database_url=migrated_postgres_url)
    with opened_library(settings, segmenter) as library:
        outbox = _deliveries_for(library, 2)
        first, second = outbox.due()
        with Store(migrated_postgres_url) as other, other.transaction() as connection:
            # another process is in the middle of claiming the first delivery
            connection.execute(text("SELECT 1 FROM deliveries WHERE delivery_id = :d FOR UPDATE"), {"d": first.delivery_id})
            answers: list[bool] = []
            claiming = threading.Thread(target=lambda: answers.extend(
                [outbox.claim(first.delivery_id), outbox.claim(second.delivery_id)]))
            claiming.start()
            claiming.join(timeout=20)
            finished = not claiming.is_alive()
        claiming.join()
        assert finished, "a claim waited for another sender's lock"
        assert answers == [False, True]
        assert outbox.claim(first.delivery_id)  # its claim never happened: free again


def articles(n: int, kind: ArticleKind = ArticleKind.NEWS) -> list[Article]:
    return [
        Article(
            issue="i", article_id=f"id{i:04d}", ordinal=i, title=f"第{i}篇<报道>", kind=kind,
            paragraphs=(f"本报讯（记者 张三）这是第{i}篇的导语&说明。" + "后文。" * 40,),
        )
        for i in range(n)
    ]


def test_digest_lists_headlines_with_leads_and_splits_between_articles() -> None:
    many = articles(80) + articles(3, ArticleKind.PHOTO)
    parts = digest_parts("005_new", many)
    assert len(parts) > 1
    texts = [plain(p.text) for p in parts]
    assert texts[0].startswith("📰 新一期：005_new · 83 篇报道")
    assert all(len(p.text) <= DIGEST_BUDGET + 200 and len(t) <= MESSAGE_LIMIT for p, t in zip(parts, texts))
    joined = "\n".join(texts)
    for i in range(80):
        assert joined.count(f"第{i}篇<报道>\n这是第{i}篇的导语&说明。") == 1  # byline removed, never split
    assert "📷 图片新闻" in texts[-1]
    buttons = [b.data for p in parts if p.keyboard for b in p.keyboard.buttons]
    assert len(buttons) == 83 and len(set(buttons)) == 80  # photos share ids here


def test_lead_sentence_drops_the_dispatch_line() -> None:
    [article] = articles(1)
    assert lead_sentence(article) == "这是第0篇的导语&说明。"


def test_inbox_waits_for_a_file_to_settle_and_moves_it(library: Library, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    inbox = Inbox(folder)
    good = folder / "003_8c0f42011e5a1360.txt"
    good.write_bytes(NEW_ISSUE.read_bytes()[:2000])
    (folder / "004.txt.part").write_bytes(b"partial")
    (folder / ".hidden.txt").write_bytes(b"hidden")
    assert inbox.poll(library) == []  # first sight: not settled yet
    good.write_bytes(NEW_ISSUE.read_bytes())  # still being written: it changed since
    os.utime(good, (time.time() + 5, time.time() + 5))
    bad = folder / "broken.txt"
    bad.write_bytes(b"\x00\x01binary")
    assert inbox.poll(library) == []
    assert "003_8c0f42011e5a1360" not in library.store.issue_ids()
    results = inbox.poll(library)  # both unchanged since the last look
    assert {Path(r.name).name: r.refused for r in results} == {"003_8c0f42011e5a1360.txt": False, "broken.txt": True}
    assert (folder / "done" / "003_8c0f42011e5a1360.txt").exists()
    assert "binary" in (folder / "failed" / "broken.txt.reason").read_text()
    assert (folder / "004.txt.part").exists() and (folder / ".hidden.txt").exists()
    assert library.answer("香港工会联合会副理事长是谁").hits[0].answer == "林伟江"


def test_feed_lists_and_conditional_requests(library: Library) -> None:
    issue_body = NEW_ISSUE.read_bytes()
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/list.txt":
            if request.headers.get("if-none-match") == '"v1"':
                return httpx.Response(304)
            return httpx.Response(200, text="https://feed.test/issues/003_8c0f42011e5a1360.txt\nhttps://feed.test/issues/gone.txt\n", headers={"ETag": '"v1"'})
        if request.url.path == "/index.html":
            return httpx.Response(200, html='<ul><li><a href="issues/003_8c0f42011e5a1360.txt">3</a></li></ul>')
        if request.url.path.endswith("003_8c0f42011e5a1360.txt"):
            return httpx.Response(200, content=issue_body)
        return httpx.Response(404)

    def client() -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(handler))

    feeds = Feeds(library, ["https://feed.test/list.txt", "https://feed.test/index.html"], client)
    results = feeds.poll()
    assert [(Path(r.name).name, r.refused) for r in results] == [
        ("003_8c0f42011e5a1360.txt", False), ("gone.txt", True)
    ]
    assert library.answer("香港工会联合会副理事长是谁").hits[0].answer == "林伟江"
    seen.clear()
    assert [r for r in feeds.poll() if r.outcome is not None] == []
    conditional = [r for r in seen if r.url.path == "/list.txt"]
    assert conditional and conditional[0].headers["if-none-match"] == '"v1"'
    assert not any(r.url.path.startswith("/issues/") for r in seen)  # listed URLs are fetched once


def test_listed_urls() -> None:
    assert listed_urls(b"https://a/1.txt\n\nhttps://a/2.md\n", "text/plain", "https://a/") == ["https://a/1.txt", "https://a/2.md"]
    assert listed_urls('<a href="x/1.txt">1</a>'.encode(), "text/html", "https://a/b/") == ["https://a/b/x/1.txt"]
    assert listed_urls("标题\n\n正文。".encode(), "text/plain", "https://a/") is None


class _Bot:
    """A stand-in for telegram.Bot whose sends fail the way we tell it."""

    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.sent: list[int] = []

    async def send_message(self, chat_id: int, text: str, **kwargs: object) -> object:
        if self.error is not None:
            raise self.error
        self.sent.append(chat_id)

        class _Message:
            message_id = 1000 + len(self.sent)

        return _Message()


async def test_network_errors_are_retried_then_given_up(library: Library, caplog: pytest.LogCaptureFixture) -> None:
    from telegram.error import NetworkError

    from bot.digests.sender import DigestSender
    from bot.telegram.messenger import TelegramMessenger

    outbox = Outbox(library.store)
    outbox.subscribe(11, "private", "a")
    library.ingest([str(NEW_ISSUE)])
    messenger = TelegramMessenger(_Bot(NetworkError("Bad Gateway")))  # type: ignore[arg-type]
    sender = DigestSender(messenger, Outbox(library.store), library.store, workers=2, give_up_after=3600)
    assert await sender.run_once() == 1
    [delivery] = outbox.deliveries()
    assert delivery.status is DeliveryStatus.PENDING and delivery.attempts == 1 and outbox.due() == []
    with library.store.transaction() as connection:
        connection.execute(text("UPDATE deliveries SET next_attempt_at = NULL"))
    sender.give_up_after = 0
    with caplog.at_level("ERROR"):
        assert await sender.run_once() == 1
    assert outbox.deliveries()[0].status is DeliveryStatus.FAILED
    assert "given up" in caplog.text


async def test_a_sent_digest_records_its_message_ids(library: Library) -> None:
    from bot.digests.sender import DigestSender
    from bot.telegram.messenger import TelegramMessenger

    outbox = Outbox(library.store)
    outbox.subscribe(11, "private", "a")
    library.ingest([str(NEW_ISSUE)])
    bot = _Bot(None)
    sender = DigestSender(TelegramMessenger(bot), Outbox(library.store), library.store)  # type: ignore[arg-type]
    assert await sender.run_once() == 1
    [delivery] = outbox.deliveries()
    assert delivery.status is DeliveryStatus.SENT and delivery.message_ids == (1001,) and bot.sent == [11]
    assert await sender.run_once() == 0  # nothing twice


def test_a_fifo_dropped_in_the_inbox_is_refused_and_moved_aside(library: Library, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    inbox = Inbox(folder)
    assert inbox.poll(library) == []  # first sight
    results = inbox.poll(library)
    assert [(Path(r.name).name, r.refused) for r in results] == [("pipe.txt", True)]
    assert "not a regular file" in (folder / "failed" / "pipe.txt.reason").read_text()
    assert not (folder / "pipe.txt").exists()
