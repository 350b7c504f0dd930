"""The Telegram bot end to end: `unionbot serve`, unchanged, through python-telegram-bot's
real HTTP stack, against the project's own Bot API server on 127.0.0.1 (which checks
HTML the way Telegram does and can inject faults)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import forkserver
from .conftest import ROOT, SEEDS, copy_data_dir
from .fakebotapi import FakeBotApi, FakeUser, RecordedCall, StoredMessage
from .forkserver import Forked

ADMIN_ID = 424242


class BotProcess:
    """`unionbot serve` in a child process, its log in a file: forked from the session's
    fork server (tests/forkserver.py), or with `fresh`, a new interpreter."""

    def __init__(self, api: FakeBotApi, data_dir: Path, fresh: bool = False, **env: str) -> None:
        self.log = data_dir.parent / f"bot-{time.monotonic_ns()}.log"
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": api.token,
            "UNIONBOT_TELEGRAM_API_URL": api.base_url,
            "UNIONBOT_DATA_DIR": str(data_dir),
            "UNIONBOT_SEEDS_DIR": str(SEEDS),
            "UNIONBOT_ADMIN_IDS": str(ADMIN_ID),
            "PTB_TIMEDELTA": "true",  # python-telegram-bot 22: durations as timedelta
            **env,
        }
        self.proc: subprocess.Popen[bytes] | Forked
        if not fresh:
            self.proc = forkserver.server().start(["-v", "serve"], self.env, ROOT, self.log)
            return
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "-v", "serve"], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        self.signal(sig)
        return self.stopped(timeout)

    def signal(self, sig: int = signal.SIGTERM) -> None:
        """Tell the bot to stop (when it still runs); `stopped` waits for it."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def stopped(self, timeout: float = 20) -> int:
        """Its exit status, once it has ended; killed (and the test failed) after `timeout`."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the bot did not stop in time:\n" + self.output()[-3000:]) from None


def stop_all(processes: list[BotProcess], sig: int = signal.SIGTERM) -> list[int]:
    """Stop the bots together (each told, then each waited for); their exit statuses."""
    for process in processes:
        process.signal(sig)
    return [process.stopped() for process in processes]


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(privacy_mode=False) as server:
        yield server


@pytest.fixture(scope="module")
def bot(api: FakeBotApi, tmp_path_factory: pytest.TempPathFactory, seeded_session_dir: Path) -> Iterator[BotProcess]:
    """The bot over a data dir that holds the seeds and their index, as a first run left it."""
    process = BotProcess(api, copy_data_dir(seeded_session_dir, tmp_path_factory.mktemp("bot") / "data"))
    try:
        api.wait_for_calls("setMyCommands", timeout=60)
        wait_polling(api, process)
        yield process
    finally:
        code = process.stop()
        assert code == 0, process.output()[-3000:]


def wait_polling(api: FakeBotApi, process: BotProcess, timeout: float = 60) -> None:
    """Until the bot asks for updates (a long poll is recorded when it arrives, answered
    when it ends); fails at once when the bot exits instead."""
    api.wait_for(lambda: process.proc.poll() is not None or api.calls("getUpdates"), timeout=timeout, what="polling")
    assert process.proc.poll() is None, process.output()[-3000:]


def ask(api: FakeBotApi, user: FakeUser, text: str, chat: Any = None, n: int = 1) -> list[StoredMessage]:
    chat_id = (chat or user).id
    before = len(api.bot_messages(chat_id))
    api.send_text(chat or user, user, text)
    api.wait_for(lambda: len(api.bot_messages(chat_id)) >= before + n, timeout=20, what=f"reply to {text[:30]!r}")
    return api.bot_messages(chat_id)[before:]


def test_command_menu_in_chinese(api: FakeBotApi, bot: BotProcess) -> None:
    commands = {c["command"]: c["description"] for c in api.commands()}
    assert set(commands) == {"start", "help", "ask", "find", "article", "stats", "subscribe", "unsubscribe", "status"}
    assert commands["ask"].startswith("提问")


def test_start_offers_three_examples_that_answer(api: FakeBotApi, bot: BotProcess) -> None:
    user = api.new_user("小王")
    [start] = ask(api, user, "/start")
    assert "小王" in start.text and len(start.callback_data) == 3
    api.press_button(start, user, start.callback_data[0])
    api.wait_for(lambda: len(api.bot_messages(user.id)) == 2, timeout=20)
    assert "300余人" in api.bot_messages(user.id)[-1].text
    [help_message] = ask(api, user, "/help")
    assert "/find" in help_message.text and "@unionbot_test_bot" in help_message.text


def test_private_question_gets_a_cited_answer(api: FakeBotApi, bot: BotProcess) -> None:
    user = api.new_user()
    [reply] = ask(api, user, "密云区总工会培训了多少人")
    assert reply.parse_mode == "HTML"
    # the answer line only when the answer model is sure; the evidence always
    assert reply.text.startswith(("300余人\n", "近日，密云区总工会")) and "300余人" in reply.text
    # the issue, the day it was published (a seed file's name has none: the day of ingest), the reporter
    assert re.search(r"《密云区总工会推进经费收支规范化管理》 · 001_4042bde3bc384a6e · \d{4}年\d{1,2}月\d{1,2}日 · 记者 王路曼",
                     reply.text)
    bold = [e for e in reply.entities if e["type"] == "bold"]
    assert bool(bold) == reply.text.startswith("300余人\n"), reply.entities  # the printed answer, highlighted
    assert reply.callback_data[0].startswith("a:") and "f:" in reply.callback_data[-1]


def test_full_article_more_results_and_feedback(api: FakeBotApi, bot: BotProcess) -> None:
    user = api.new_user()
    [reply] = ask(api, user, "职工交友活动有多少人参加")
    more = [d for d in reply.callback_data if d.startswith("m:")]
    assert more
    first_text = reply.text
    api.press_button(reply, user, more[0])
    api.wait_for(lambda: api.message(reply.chat_id, reply.message_id).text != first_text, timeout=20)
    edited = api.message(reply.chat_id, reply.message_id)
    assert edited.text.startswith("第 2 条结果") and len(api.bot_messages(user.id)) == 1  # edited in place
    api.press_button(edited, user, edited.callback_data[0])  # 📄 全文
    api.wait_for(lambda: len(api.bot_messages(user.id)) == 2, timeout=20)
    article = api.bot_messages(user.id)[-1]
    assert len(article.text) <= 4096 and "本报讯" in article.text
    api.press_button(edited, user, f"f:{edited.callback_data[-1].split(':')[1]}:1")
    api.wait_for(lambda: any(a.get("text") == "谢谢反馈！" for a in api.callback_answers().values()), timeout=20)


def test_no_answer_is_kind_and_cites_nothing(api: FakeBotApi, bot: BotProcess) -> None:
    user = api.new_user()
    [reply] = ask(api, user, "怎么注册微信")
    assert "没有找到" in reply.text and "《" not in reply.text and "记者" not in reply.text
    [reply] = ask(api, user, "密云区总工会主席是谁")
    assert "没有写到" in reply.text and "相关报道" in reply.text
    assert all(d.startswith("a:") for d in reply.callback_data)


def test_groups_answer_only_when_addressed(api: FakeBotApi, bot: BotProcess) -> None:
    alice = api.new_user("Alice")
    group = api.new_supergroup("工会小组", members=[alice])
    [r1] = ask(api, alice, "/ask 东城区覆盖了多少家企业", chat=group)
    assert "8327家" in r1.text and r1.message.get("reply_to_message")
    [r2] = ask(api, alice, "/ask@unionbot_test_bot 平谷区总工会党组书记是谁", chat=group)
    assert "张艳革" in r2.text
    [r3] = ask(api, alice, "@unionbot_test_bot 丰台区总工会主席是谁", chat=group)
    assert "连宇" in r3.text
    before = len(api.bot_messages(group.id))
    api.send_text(group, alice, "大兴区总工会主席是谁", reply_to=r3)
    api.wait_for(lambda: len(api.bot_messages(group.id)) > before, timeout=20)
    assert "李达" in api.bot_messages(group.id)[-1].text
    [usage] = ask(api, alice, "/ask", chat=group)
    assert "用法" in usage.text
    # plain chatter is not answered
    count = len(api.bot_messages(group.id))
    api.send_text(group, alice, "密云区总工会培训了多少人")
    api.send_text(group, alice, "/start@someotherbot")
    ask(api, alice, "/ask 东城区覆盖了多少家企业", chat=group)
    assert len(api.bot_messages(group.id)) == count + 1


def test_inline_mode_offers_cited_answers(api: FakeBotApi, bot: BotProcess) -> None:
    user = api.new_user()
    update = api.inline_query(user, "密云区总工会培训了多少人")
    query_id = update["inline_query"]["id"]
    api.wait_for(lambda: query_id in api.inline_answers(), timeout=20)
    results = api.inline_answers()[query_id]["results"]
    assert results and results[0]["type"] == "article"
    content = results[0]["input_message_content"]
    assert "300余人" in content["message_text"] and content["parse_mode"] == "HTML"
    assert "《密云区总工会推进经费收支规范化管理》" in content["message_text"]


def test_staff_find_article_and_stats(api: FakeBotApi, bot: BotProcess) -> None:
    staff = api.new_user("编辑")
    [found] = ask(api, staff, "/find 培训 区:密云")
    assert "密云区总工会推进经费收支规范化管理" in found.text
    [paged] = ask(api, staff, "/find 工会")
    nxt = [d for d in paged.callback_data if d.startswith("p:")]
    api.press_button(paged, staff, nxt[-1])
    api.wait_for(lambda: "第 6–10 篇" in api.message(paged.chat_id, paged.message_id).text, timeout=20)
    article_id = found.callback_data[0].split(":")[1]
    [article] = ask(api, staff, f"/article {article_id}")
    assert article.text.startswith("密云区总工会推进经费收支规范化管理")
    [missing] = ask(api, staff, "/article nope")
    assert "没有这篇报道" in missing.text
    [refused] = ask(api, staff, "/stats")
    assert "管理员" in refused.text
    admin = api.new_user("管理员", user_id=ADMIN_ID)
    [stats] = ask(api, admin, "/stats")
    assert "今日提问" in stats.text and "怎么注册微信" in stats.text


def test_traditional_readers(api: FakeBotApi, bot: BotProcess) -> None:
    hant = api.new_user(language_code="zh-hant")
    [reply] = ask(api, hant, "平谷区总工会党组书记是谁")
    assert "總工會" in reply.text
    writer = api.new_user(language_code="en")
    [reply] = ask(api, writer, "平谷區總工會黨組書記是誰")
    assert "黨組書記" in reply.text


@pytest.mark.parametrize(
    "text",
    [
        "<b>bold</b> & <script>alert(1)</script> 密云",
        "*_[`]~ >>> ||spoiler||",
        "密" * 10_000,
        "👩‍👩‍👧‍👦👍🏽 东城区覆盖了多少家企业",
        "\u200f\u202eمرحبا\u202c 密云区",
        "密云\x07区\x1b[31m总工会",
        "/ask",
        "/find",
        "/article",
    ],
    ids=["html", "markdown", "10k", "emoji-zwj", "rtl", "controls", "empty-ask", "empty-find", "empty-article"],
)
def test_hostile_input_gets_an_accepted_reply(api: FakeBotApi, bot: BotProcess, text: str) -> None:
    user = api.new_user()
    [reply] = ask(api, user, text)
    assert reply.text

    def mine() -> list[RecordedCall]:
        return [c for c in api.calls("sendMessage") if c.params.get("chat_id") == user.id]

    # the reply is stored before its call's answer is recorded: wait for every answer
    api.wait_for(lambda: all(c.status is not None for c in mine()), timeout=5, what="the answers to the replies")
    failed = [c for c in mine() if not c.ok]
    assert not failed, [c.description for c in failed]


def test_flood_guard(api: FakeBotApi, bot: BotProcess) -> None:
    user = api.new_user()
    for _ in range(25):
        api.send_text(user, user, "东城区覆盖了多少家企业")
    api.wait_for(lambda: any("太快" in m.text for m in api.bot_messages(user.id)), timeout=30)
    # /help is never held back, and a chat's updates are handled in the order they came:
    # its reply comes after every question above was answered or dropped
    api.send_command(user, user, "help")
    api.wait_for(lambda: any("/find" in m.text for m in api.bot_messages(user.id)), timeout=30, what="the help")
    texts = [m.text for m in api.bot_messages(user.id) if "/find" not in m.text]
    assert sum("太快" in t for t in texts) == 1
    assert sum("8327家" in t for t in texts) == 20


def test_retry_after_and_network_errors_are_survived(api: FakeBotApi, bot: BotProcess) -> None:
    """Three chats ask at once; their replies meet a flood wait, a 502 and a dropped
    connection (the faults go to the next three replies, whichever chats they are for), and
    each chat still gets its one reply: the waits before the retries run side by side."""
    asked = {"东城区覆盖了多少家企业": "8327家", "平谷区总工会党组书记是谁": "张艳革", "丰台区总工会主席是谁": "连宇"}
    api.fail_next("sendMessage", retry_after=1)
    api.fail_next("sendMessage", status=502)
    api.fail_next("sendMessage", drop=True)
    users = [api.new_user() for _ in asked]
    for user, question in zip(users, asked, strict=True):
        api.send_text(user, user, question)
    api.wait_for(lambda: all(api.bot_messages(u.id) for u in users), timeout=20, what="every reply despite the faults")
    for user, answer in zip(users, asked.values(), strict=True):
        [reply] = api.bot_messages(user.id)
        assert answer in reply.text
    failed = [c.status for c in api.calls("sendMessage") if c.params.get("chat_id") in {u.id for u in users}]
    assert 429 in failed and 502 in failed, failed


def test_blocked_user_does_not_stop_the_bot(api: FakeBotApi, bot: BotProcess) -> None:
    gone = api.new_user()
    api.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    api.send_text(gone, gone, "东城区覆盖了多少家企业")
    api.wait_for(lambda: any(c.status == 403 for c in api.calls("sendMessage")), timeout=20)
    other = api.new_user()
    [reply] = ask(api, other, "东城区覆盖了多少家企业")
    assert "8327家" in reply.text


def test_errors_are_logged_and_the_user_still_hears_back(api: FakeBotApi, bot: BotProcess) -> None:
    user = api.new_user()
    api.fail_next("sendMessage", status=400, description="Bad Request: can't parse entities: injected")
    [reply] = ask(api, user, "东城区覆盖了多少家企业")
    assert "出了点问题" in reply.text
    api.wait_for(lambda: "Traceback" in bot.output(), timeout=10)


def test_token_never_reaches_the_log(api: FakeBotApi, bot: BotProcess) -> None:
    out = bot.output()
    assert "serving as @unionbot_test_bot" in out
    assert api.token not in out and api.token.split(":")[1] not in out


def test_webhook_mode_with_secret(seeded_data_dir: Path) -> None:
    with FakeBotApi(privacy_mode=False) as server:
        port = _free_port()
        process = BotProcess(
            server,
            seeded_data_dir,
            UNIONBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/unionbot/hook",
            UNIONBOT_WEBHOOK_SECRET="s3cret-token",
            UNIONBOT_WEBHOOK_PORT=str(port),
        )
        try:
            server.wait_for(lambda: server.webhook is not None, timeout=60, what="setWebhook")
            assert server.webhook is not None and server.webhook["secret_token"] == "s3cret-token"
            user = server.new_user()
            update = server.send_text(user, user, "东城区覆盖了多少家企业", enqueue=False)
            url = f"http://127.0.0.1:{port}/unionbot/hook"
            assert server.post_update_to(url, update, secret_token="wrong") == 403
            assert server.post_update_to(url, update) == 403
            assert server.post_update_to(url, update, secret_token="s3cret-token") == 200
            server.wait_for(lambda: server.bot_messages(user.id), timeout=20, what="webhook reply")
            assert "8327家" in server.bot_messages(user.id)[0].text
        finally:
            assert process.stop(signal.SIGINT) == 0, process.output()[-3000:]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
