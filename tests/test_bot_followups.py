"""Follow-up questions end to end: `unionbot serve` against the project's Bot API server.

A private chat leans on its last question for a few minutes; in a group a reply to one of
the bot's answers is a follow-up of it; the context is in the database, so it survives a
restart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import copy_data_dir
from .fakebotapi import FakeBotApi, FakeUser, StoredMessage
from .test_bot import BotProcess, ask

MIYUN = "《密云区总工会推进经费收支规范化管理》"
DAXING = "《市推进产业工人队伍建设改革工作评价组赴大兴调研》"


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(privacy_mode=False) as server:
        yield server


def start(api: FakeBotApi, data_dir: Path) -> BotProcess:
    before = len(api.calls("getUpdates"))
    process = BotProcess(api, data_dir)
    api.wait_for(lambda: len(api.calls("getUpdates")) > before, timeout=60, what="the bot polling")
    return process


def stop(process: BotProcess) -> None:
    code = process.stop()
    assert code == 0, process.output()[-3000:]


@pytest.fixture(scope="module")
def bot(api: FakeBotApi, tmp_path_factory: pytest.TempPathFactory, seeded_session_dir: Path) -> Iterator[BotProcess]:
    process = start(api, copy_data_dir(seeded_session_dir, tmp_path_factory.mktemp("bot") / "data"))
    try:
        yield process
    finally:
        stop(process)


def titles(message: StoredMessage) -> list[str]:
    return re.findall(r"《[^》]+》", message.text)


def reply_in_group(api: FakeBotApi, user: FakeUser, group: object, text: str, to: StoredMessage) -> StoredMessage:
    chat_id = to.chat_id
    before = len(api.bot_messages(chat_id))
    api.send_text(group, user, text, reply_to=to)  # type: ignore[arg-type]
    api.wait_for(lambda: len(api.bot_messages(chat_id)) > before, timeout=20, what=f"reply to {text!r}")
    return api.bot_messages(chat_id)[-1]


def test_private_follow_ups(api: FakeBotApi, bot: BotProcess) -> None:
    user = api.new_user()
    [first] = ask(api, user, "密云区总工会培训了多少人")
    assert "300余人" in first.text and MIYUN in first.text  # with an answer line only when sure
    [chaoyang] = ask(api, user, "那朝阳呢？")
    assert "接着问：朝阳区总工会培训了多少人" in chaoyang.text
    assert MIYUN not in chaoyang.text
    cited = titles(chaoyang)
    assert cited and all("朝阳" in t for t in cited), chaoyang.text  # about 朝阳, or says plainly it is not
    ask(api, user, "密云区总工会培训了多少人")
    [author] = ask(api, user, "谁写的这篇？")
    assert author.text.startswith("王路曼\n") and "记者 王路曼" in author.text and MIYUN in author.text
    [when] = ask(api, user, "具体哪天？")
    assert "接着问：密云区总工会培训具体哪天" in when.text
    # the previous article first, or plainly no date where the paper gives none ("近日")
    assert MIYUN in when.text or "没有找到" in when.text
    [whole] = ask(api, user, "原文")
    assert whole.text.startswith("密云区总工会推进经费收支规范化管理") and "本报讯" in whole.text
    # an answered substitution, and a question of its own is not rewritten
    [fengtai] = ask(api, user, "丰台区总工会主席是谁")
    assert fengtai.text.startswith("连宇\n") and "接着问" not in fengtai.text
    [daxing] = ask(api, user, "那大兴呢？")
    assert "接着问：大兴区总工会主席是谁" in daxing.text and "李达" in daxing.text and DAXING in daxing.text


def test_group_reply_to_an_answer_is_a_follow_up(api: FakeBotApi, bot: BotProcess) -> None:
    alice = api.new_user("Alice")
    group = api.new_supergroup("工会小组", members=[alice])
    [answer] = ask(api, alice, "/ask 丰台区总工会主席是谁", chat=group)
    assert "连宇" in answer.text
    followup = reply_in_group(api, alice, group, "那大兴呢？", answer)
    assert "接着问：大兴区总工会主席是谁" in followup.text and "李达" in followup.text
    assert followup.message["reply_to_message"]["message_id"] != answer.message_id
    # a reply to the follow-up's answer leans on that one
    author = reply_in_group(api, alice, group, "谁写的这篇？", followup)
    assert "孙艳" in author.text and DAXING in author.text
    # plain group chatter, follow-up-shaped or not, is still not answered
    count = len(api.bot_messages(group.id))
    api.send_text(group, alice, "那朝阳呢？")
    ask(api, alice, "/ask 东城区覆盖了多少家企业", chat=group)
    assert len(api.bot_messages(group.id)) == count + 1


def test_context_survives_a_restart(seeded_data_dir: Path) -> None:
    data = seeded_data_dir
    with FakeBotApi(privacy_mode=False) as api:
        user = api.new_user()
        bob = api.new_user("Bob")
        group = api.new_supergroup("工会小组", members=[bob])
        process = start(api, data)
        try:
            [first] = ask(api, user, "丰台区总工会主席是谁")
            [answer] = ask(api, bob, "/ask 丰台区总工会主席是谁", chat=group)
            assert "连宇" in first.text and "连宇" in answer.text
        finally:
            stop(process)
        process = start(api, data)
        try:
            [private] = ask(api, user, "那大兴呢？")
            assert "接着问：大兴区总工会主席是谁" in private.text and "李达" in private.text
            in_group = reply_in_group(api, bob, group, "那大兴呢？", answer)
            assert "接着问：大兴区总工会主席是谁" in in_group.text and "李达" in in_group.text
        finally:
            stop(process)
