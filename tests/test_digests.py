"""Digests end to end: subscriptions through Telegram, new issues reaching a running bot
(another process's ingest, the inbox), and the outbox under faults, crashes and a second
bot, against the project's own Bot API server."""

from __future__ import annotations

import http.server
import os
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.digests.outbox import DeliveryStatus, Outbox
from bot.library import open_store
from bot.settings import Settings

from .cli import Cli
from .conftest import LATER_SEED, SEEDS, copy_data_dir
from .fakebotapi import FakeBotApi, FakeChat, FakeUser
from .test_bot import BotProcess, stop_all

NEW_ISSUE = LATER_SEED
DIGEST = f"📰 新一期：{NEW_ISSUE}"
POLL = "0.1"
LEASE = "1"  # seconds of the sender lease, where a test waits for it to run out
FAST = "30"  # digests a second, where the pace is not what a test is about (the most the setting allows)


@pytest.fixture
def seeds(earlier_seeds: Path) -> Path:
    """The seeds without the issue the tests publish."""
    return earlier_seeds


@pytest.fixture
def data_dir_with_seeds(data_dir: Path, earlier_session_dir: Path) -> Path:
    """The test's data dir, holding those seeds and their index."""
    return copy_data_dir(earlier_session_dir, data_dir)


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


def start_bot(api: FakeBotApi, data: Path, seeds: Path, **env: str) -> BotProcess:
    process = BotProcess(api, data, UNIONBOT_SEEDS_DIR=str(seeds), UNIONBOT_POLL_SECONDS=POLL, **env)
    api.wait_for(lambda: process.proc.poll() is not None or bool(api.calls("setMyCommands")), timeout=60)
    assert process.proc.poll() is None, process.output()[-3000:]
    return process


def ingest_elsewhere(cli: Cli, data: Path, seeds: Path, *paths: Path) -> str:
    """`unionbot ingest` on the same data dir, run by another process than the bot's: this
    one."""
    cli.monkeypatch.setenv("UNIONBOT_DATA_DIR", str(data))
    cli.monkeypatch.setenv("UNIONBOT_SEEDS_DIR", str(seeds))
    done = cli("ingest", *map(str, paths))
    assert done.code == 0, done.err
    return done.err


def wait_settled(api: FakeBotApi, data: Path, seeds: Path) -> None:
    """Until no digest waits to be sent or is being sent: what will be sent has been (new
    deliveries are made with the issue, by the ingest that stores it)."""
    unsettled = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
    with _outbox(data, seeds) as outbox:
        api.wait_for(lambda: not any(d.status in unsettled for d in outbox.deliveries()), timeout=60,
                     what="every digest delivery sent or given up")


def digests(api: FakeBotApi, chat_id: int) -> list[str]:
    return [m.text for m in api.bot_messages(chat_id) if m.text.startswith(DIGEST)]


def subscribe(api: FakeBotApi, chat: FakeChat | FakeUser, user: FakeUser) -> str:
    before = len(api.bot_messages(chat.id))
    api.send_command(chat, user, "subscribe")
    api.wait_for(lambda: len(api.bot_messages(chat.id)) > before, timeout=20, what="subscribe reply")
    return api.bot_messages(chat.id)[-1].text


def settings_for(data: Path, seeds: Path) -> Settings:
    return Settings(data_dir=data, seeds_dir=seeds)


def test_subscriptions_are_for_administrators_in_groups(
    api: FakeBotApi, data_dir_with_seeds: Path, seeds: Path
) -> None:
    bot = start_bot(api, data_dir_with_seeds, seeds)
    try:
        alice = api.new_user("Alice")
        assert subscribe(api, alice, alice).startswith("已订阅")
        assert subscribe(api, alice, alice).startswith("这里已经订阅")
        api.send_command(alice, alice, "status")
        api.wait_for(lambda: "已订阅新一期摘要" in api.bot_messages(alice.id)[-1].text, timeout=20)
        status = api.bot_messages(alice.id)[-1]
        api.press_button(status, alice, "s:off")
        api.wait_for(lambda: "未订阅" in api.message(alice.id, status.message_id).text, timeout=20)

        owner, member = api.new_user("群主"), api.new_user("群员")
        group = api.new_supergroup("工会群", members={owner: "creator", member: "member"})
        assert "只有群管理员" in subscribe(api, group, member)
        assert subscribe(api, group, owner).startswith("已订阅")
        api.send_command(group, member, "status")
        api.wait_for(lambda: "已订阅新一期摘要" in api.bot_messages(group.id)[-1].text, timeout=20)
        status = api.bot_messages(group.id)[-1]
        api.press_button(status, member, "s:off")  # checked again when the button is pressed
        api.wait_for(lambda: any("只有群管理员" in str(a.get("text")) for a in api.callback_answers().values()), timeout=20)
        with _outbox(data_dir_with_seeds, seeds) as outbox:
            sub = outbox.subscription(group.id)
            assert sub is not None and sub.active
        before = len(api.bot_messages(group.id))
        api.anonymous_admin_text(group, "/unsubscribe")
        api.wait_for(lambda: len(api.bot_messages(group.id)) > before, timeout=20)
        assert api.bot_messages(group.id)[-1].text.startswith("已退订")

        other = api.new_group("新群", members={owner: "creator"}, bot_status="left")
        api.my_chat_member(other, "left", "member", by=owner)
        api.wait_for(lambda: api.bot_messages(other.id), timeout=20, what="hello in a new group")
        assert "/subscribe" in api.bot_messages(other.id)[0].text
        assert subscribe(api, other, owner).startswith("已订阅")
        api.my_chat_member(other, "member", "kicked", by=owner)
        with _outbox(data_dir_with_seeds, seeds) as outbox:
            api.wait_for(lambda: not _active(outbox, other.id), timeout=20, what="subscription ended on removal")
    finally:
        assert bot.stop() == 0, bot.output()[-3000:]


class _outbox:
    """An Outbox on the data dir, opened and closed around a block."""

    def __init__(self, data: Path, seeds: Path) -> None:
        self.store = open_store(settings_for(data, seeds))

    def __enter__(self) -> Outbox:
        return Outbox(self.store)

    def __exit__(self, *exc: object) -> None:
        self.store.close()


def _active(outbox: Outbox, chat_id: int) -> bool:
    sub = outbox.subscription(chat_id)
    return sub is not None and sub.active


def test_a_new_issue_reaches_every_subscriber_once(api: FakeBotApi, data_dir_with_seeds: Path, seeds: Path, tmp_path: Path, cli: Cli) -> None:
    bot = start_bot(api, data_dir_with_seeds, seeds)
    try:
        users = [api.new_user(f"订阅者{i}") for i in range(3)]
        for user in users:
            subscribe(api, user, user)
        owner = api.new_user("群主")
        group = api.new_supergroup("工会群", members={owner: "creator"})
        subscribe(api, group, owner)
        asker = api.new_user("提问者")

        ingest_elsewhere(cli, data_dir_with_seeds, seeds, SEEDS / f"{NEW_ISSUE}.txt")
        chats = [u.id for u in users] + [group.id]
        api.wait_for(lambda: all(digests(api, c) for c in chats), timeout=30, what="digests")
        # answerable from the new issue once the bot's index holds it: the digests are made
        # from the database, and may go out before the index takes the issue in (an ingest
        # that commits between a poll's refresh and its sending)
        issues = len(list(seeds.glob("*.txt"))) + 1
        api.wait_for(lambda: f"the index now holds {issues} issues" in bot.output(), timeout=30,
                     what="the new issue in the bot's index")
        api.send_text(asker, asker, "香港工会联合会副理事长是谁")
        api.wait_for(lambda: api.bot_messages(asker.id), timeout=20)
        assert "林伟江" in api.bot_messages(asker.id)[0].text
        digest = [m for m in api.bot_messages(users[0].id) if m.text.startswith(DIGEST)][0]
        assert "7 篇报道" in digest.text and "📷 图片新闻" in digest.text
        assert len(digest.callback_data) == 7 and all(d.startswith("a:") for d in digest.callback_data)

        # the same issue again, by file and by inbox: nothing more is sent
        ingest_elsewhere(cli, data_dir_with_seeds, seeds, SEEDS / f"{NEW_ISSUE}.txt")
        inbox = data_dir_with_seeds / "inbox"
        inbox.mkdir(exist_ok=True)
        (inbox / "again.txt").write_bytes((SEEDS / f"{NEW_ISSUE}.txt").read_bytes())
        (inbox / "broken.txt").write_bytes(b"\x00\x00 not an issue")
        api.wait_for(lambda: (inbox / "failed" / "broken.txt").exists() and (inbox / "done" / "again.txt").exists(), timeout=20)
        wait_settled(api, data_dir_with_seeds, seeds)
        assert all(len(digests(api, c)) == 1 for c in chats)
        assert "broken.txt refused" in bot.output()
    finally:
        assert bot.stop() == 0, bot.output()[-3000:]


def test_inbox_issue_reaches_subscribers(api: FakeBotApi, data_dir_with_seeds: Path, seeds: Path) -> None:
    with _outbox(data_dir_with_seeds, seeds) as outbox:
        user = api.new_user()
        outbox.subscribe(user.id, "private", None)
    bot = start_bot(api, data_dir_with_seeds, seeds)
    try:
        inbox = data_dir_with_seeds / "inbox"
        inbox.mkdir(exist_ok=True)
        (inbox / f"{NEW_ISSUE}.txt.part").write_bytes((SEEDS / f"{NEW_ISSUE}.txt").read_bytes())
        (inbox / f"{NEW_ISSUE}.txt.part").rename(inbox / f"{NEW_ISSUE}.txt")
        api.wait_for(lambda: digests(api, user.id), timeout=30, what="digest from the inbox")
        assert (inbox / "done" / f"{NEW_ISSUE}.txt").exists()
    finally:
        assert bot.stop() == 0


def test_faults_during_delivery(api: FakeBotApi, data_dir_with_seeds: Path, seeds: Path, cli: Cli) -> None:
    ok = [api.new_user(f"u{i}") for i in range(4)]
    blocked = api.new_user("blocked")
    owner = api.new_user("群主")
    group = api.new_group("老群", members={owner: "creator"})
    upgraded = api.new_supergroup("老群", members={owner: "creator"})
    with _outbox(data_dir_with_seeds, seeds) as outbox:
        for user in [*ok, blocked]:
            outbox.subscribe(user.id, "private", None)
        outbox.subscribe(group.id, "group", "老群")
    api.block_bot(blocked)
    api.mark_migrated(group, upgraded.id)
    bot = start_bot(
        api, data_dir_with_seeds, seeds, UNIONBOT_DELIVERY_WORKERS="1", UNIONBOT_TELEGRAM_TIMEOUT_SECONDS="1"
    )
    try:
        api.fail_next("sendMessage", retry_after=1)
        api.fail_next("sendMessage", status=502)
        api.fail_next("sendMessage", status=500)
        api.fail_next("sendMessage", timeout=2)  # longer than the bot's read timeout
        ingest_elsewhere(cli, data_dir_with_seeds, seeds, SEEDS / f"{NEW_ISSUE}.txt")
        api.wait_for(
            lambda: all(digests(api, u.id) for u in ok) and digests(api, upgraded.id),
            timeout=120, what="digests despite faults",
        )
        wait_settled(api, data_dir_with_seeds, seeds)
        counts = [len(digests(api, u.id)) for u in ok]
        assert all(c >= 1 for c in counts) and sum(counts) <= len(ok) + 1  # a timed-out send may repeat
        assert digests(api, group.id) == []
        to_blocked = [c for c in api.calls("sendMessage") if c.params.get("chat_id") == blocked.id]
        assert len(to_blocked) == 1  # 403: no retry loop
        with _outbox(data_dir_with_seeds, seeds) as outbox:
            assert not _active(outbox, blocked.id)
            assert not _active(outbox, group.id) and _active(outbox, upgraded.id)
    finally:
        assert bot.stop() == 0, bot.output()[-3000:]


def test_kill_9_during_fan_out_then_restart(api: FakeBotApi, data_dir_with_seeds: Path, seeds: Path, cli: Cli) -> None:
    """45 chats, the sender killed a third of the way through; sending at 30 a second (the
    most UNIONBOT_DELIVERY_RATE allows: the pace is not what this test is about), with a
    short sender lease, so that the restarted bot (another holder, its pid new) takes it
    over within a second instead of the default ten."""
    users = [api.new_user(f"s{i}") for i in range(45)]
    with _outbox(data_dir_with_seeds, seeds) as outbox:
        for user in users:
            outbox.subscribe(user.id, "private", None)
    bot = start_bot(api, data_dir_with_seeds, seeds, UNIONBOT_LEASE_SECONDS=LEASE, UNIONBOT_DELIVERY_RATE=FAST)
    sent = lambda: sum(1 for m in api.bot_messages() if m.text.startswith(DIGEST))  # noqa: E731
    try:
        ingest_elsewhere(cli, data_dir_with_seeds, seeds, SEEDS / f"{NEW_ISSUE}.txt")
        api.wait_for(lambda: sent() >= 15, timeout=60, what="fan-out under way")
        bot.proc.send_signal(signal.SIGKILL)
        bot.proc.wait()
        before = sent()
        assert before < len(users), "the fan-out finished before the kill; the test proves nothing"
    finally:
        if bot.proc.poll() is None:
            bot.stop()
    again = start_bot(api, data_dir_with_seeds, seeds, UNIONBOT_LEASE_SECONDS=LEASE, UNIONBOT_DELIVERY_RATE=FAST)
    try:
        api.wait_for(lambda: all(digests(api, u.id) for u in users), timeout=120, what="everyone served after restart")
        wait_settled(api, data_dir_with_seeds, seeds)
        per_chat = Counter({u.id: len(digests(api, u.id)) for u in users})
        duplicates = sum(n - 1 for n in per_chat.values())
        assert duplicates <= 8, duplicates  # only sends in flight at the kill (8 workers)
        assert "pending again" in again.output()
    finally:
        assert again.stop() == 0


def test_two_bots_on_one_data_dir_send_once(api: FakeBotApi, data_dir_with_seeds: Path, seeds: Path, cli: Cli) -> None:
    users = [api.new_user(f"t{i}") for i in range(5)]
    with _outbox(data_dir_with_seeds, seeds) as outbox:
        for user in users:
            outbox.subscribe(user.id, "private", None)
    first = start_bot(api, data_dir_with_seeds, seeds)
    second = BotProcess(api, data_dir_with_seeds, UNIONBOT_SEEDS_DIR=str(seeds), UNIONBOT_POLL_SECONDS=POLL)
    try:
        api.wait_for(lambda: second.proc.poll() is not None or "serving as" in second.output(), timeout=60,
                     what="the second bot running")
        assert second.proc.poll() is None, second.output()[-3000:]
        ingest_elsewhere(cli, data_dir_with_seeds, seeds, SEEDS / f"{NEW_ISSUE}.txt")
        api.wait_for(lambda: all(digests(api, u.id) for u in users), timeout=60, what="digests")
        wait_settled(api, data_dir_with_seeds, seeds)
        api.wait_for(lambda: "the index now holds" in second.output(), timeout=30, what="the second bot taking the issue in")
        assert [len(digests(api, u.id)) for u in users] == [1] * 5
        with _outbox(data_dir_with_seeds, seeds) as outbox:
            assert [d.attempts for d in outbox.deliveries(NEW_ISSUE)] == [1] * 5  # one sender claimed each once
    finally:
        stop_all([first, second])



def test_feed_urls_bring_new_issues(api: FakeBotApi, data_dir_with_seeds: Path, seeds: Path, tmp_path: Path) -> None:
    import threading
    from functools import partial

    site = tmp_path / "site"
    site.mkdir()
    (site / "list.txt").write_text("", encoding="utf-8")
    (site / f"{NEW_ISSUE}.txt").write_bytes((SEEDS / f"{NEW_ISSUE}.txt").read_bytes())
    requested: list[str] = []
    handler = partial(_QuietHandler, directory=str(site), requested=requested)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    user = api.new_user()
    with _outbox(data_dir_with_seeds, seeds) as outbox:
        outbox.subscribe(user.id, "private", None)
    bot = start_bot(api, data_dir_with_seeds, seeds, UNIONBOT_FEED_URLS=f"{base}/list.txt")
    try:
        api.wait_for(lambda: requested.count("/list.txt") >= 2, timeout=30, what="polls of the empty feed list")
        assert digests(api, user.id) == []
        listing = site / "list.txt"
        listed_at = listing.stat().st_mtime
        listing.write_text(f"{base}/{NEW_ISSUE}.txt\n", encoding="utf-8")
        # Last-Modified has whole seconds: a list changed within the second it was first
        # served would be answered 304 to If-Modified-Since
        os.utime(listing, (listed_at + 2, listed_at + 2))
        api.wait_for(lambda: digests(api, user.id), timeout=30, what="digest from the feed")
        polls = requested.count("/list.txt")
        api.wait_for(lambda: requested.count("/list.txt") >= polls + 2, timeout=30, what="re-polls of the feed list")
        wait_settled(api, data_dir_with_seeds, seeds)
        assert len(digests(api, user.id)) == 1
    finally:
        assert bot.stop() == 0
        server.shutdown()
        server.server_close()


def test_fan_out_stays_inside_telegrams_limits(data_dir_with_seeds: Path, seeds: Path, cli: Cli) -> None:
    from .fakebotapi import FloodLimits

    with FakeBotApi(flood_limits=FloodLimits(per_second=30, per_group_per_minute=20, per_chat_per_second=1)) as api:
        # 43 chats: 2 s at the default 20 a second; unpaced, 8 workers would send them
        # in a fraction of a second, well over Telegram's 30 a second
        users = [api.new_user(f"f{i}") for i in range(40)]
        owner = api.new_user("群主")
        groups = [api.new_supergroup(f"群{i}", members={owner: "creator"}) for i in range(3)]
        with _outbox(data_dir_with_seeds, seeds) as outbox:
            for chat in [*users, *groups]:
                outbox.subscribe(chat.id, "private" if chat in users else "supergroup", None)
        bot = start_bot(api, data_dir_with_seeds, seeds)
        try:
            ingest_elsewhere(cli, data_dir_with_seeds, seeds, SEEDS / f"{NEW_ISSUE}.txt")
            chats = [c.id for c in [*users, *groups]]
            api.wait_for(lambda: all(digests(api, c) for c in chats), timeout=60, what="fan-out")
            assert [c for c in api.calls("sendMessage") if c.status == 429] == []
        finally:
            assert bot.stop() == 0


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder, keeping the paths asked for in `requested`."""

    def __init__(self, *args: Any, requested: list[str] | None = None, **kwargs: Any) -> None:
        self.requested = requested if requested is not None else []
        super().__init__(*args, **kwargs)  # handles the request

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.requested.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        return


def test_an_rss_feed_brings_one_digest_per_new_issue_and_none_on_re_poll(
    api: FakeBotApi, tmp_path: Path
) -> None:
    from .websites import rss_feed, serve_site

    empty = tmp_path / "no-seeds"
    empty.mkdir()
    data = tmp_path / "web-data"
    user = api.new_user()
    with serve_site() as site:
        content_type, full = site.site.files[site.site.rss_path]
        site.site.files[site.site.rss_path] = (content_type, rss_feed([], site.base).encode())
        with _outbox(data, empty) as outbox:
            outbox.subscribe(user.id, "private", None)
        feed = site.url(site.site.rss_path)
        bot = start_bot(api, data, empty, UNIONBOT_FEED_URLS=feed)
        try:
            api.wait_for(lambda: site.requests.count(site.site.rss_path) >= 2, timeout=30, what="polls of the feed")
            assert [m.text for m in api.bot_messages(user.id)] == []
            site.site.files[site.site.rss_path] = (content_type, full)
            web = "📰 新一期：127.0.0.1-"
            api.wait_for(lambda: len([m for m in api.bot_messages(user.id) if m.text.startswith(web)]) >= 2,
                         timeout=30, what="digests from the feed")
            polls = site.requests.count(site.site.rss_path)
            api.wait_for(lambda: site.requests.count(site.site.rss_path) >= polls + 3, timeout=30, what="re-polls")
            texts = [m.text for m in api.bot_messages(user.id) if m.text.startswith(web)]
            assert [t.split(" · ")[:2] for t in texts] == [
                ["📰 新一期：127.0.0.1-2024-07-10", "2024年7月10日"], ["📰 新一期：127.0.0.1-2024-07-11", "2024年7月11日"]
            ]
        finally:
            assert bot.stop() == 0
