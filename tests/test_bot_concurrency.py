"""`unionbot serve` under many questions at once, through the local Bot API server with
some latency on every call: every chat is answered, each chat's replies come in the
order asked, and a question asked while the index is being brought up to date is
answered from the old one (later ones from the new)."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from bot.cli.compose import opened_library, opened_store
from bot.indexlock import IndexLock
from bot.library import ingest_targets
from bot.settings import Settings
from retrieval import Segmenter

from .conftest import LATER_SEED, SEEDS, copy_data_dir
from .fakebotapi import FakeBotApi
from .test_bot import BotProcess

NEW_ISSUE = LATER_SEED
ANSWERS = {  # question -> what its reply must hold
    "密云区总工会培训了多少人": "300余人",
    "平谷区总工会党组书记是谁": "张艳革",
    "东城区覆盖了多少家企业": "8327家",
}


@contextmanager
def serving(data: Path, seeds: Path) -> Iterator[tuple[FakeBotApi, BotProcess]]:
    """The Bot API server (some latency on every call) and the bot over `data`."""
    with FakeBotApi(privacy_mode=False, latency=0.05) as api:
        process = BotProcess(api, data, UNIONBOT_SEEDS_DIR=str(seeds), UNIONBOT_POLL_SECONDS="0.2")
        try:
            api.wait_for(lambda: process.proc.poll() is not None or bool(api.calls("getUpdates")), timeout=60)
            assert process.proc.poll() is None, process.output()[-3000:]
            yield api, process
        finally:
            assert process.stop() == 0, process.output()[-3000:]


@pytest.fixture(scope="module")
def asked(
    tmp_path_factory: pytest.TempPathFactory, earlier_session_dir: Path, earlier_seeds: Path
) -> Iterator[tuple[FakeBotApi, BotProcess]]:
    """One bot for the tests that only ask (each with chats of its own)."""
    data = copy_data_dir(earlier_session_dir, tmp_path_factory.mktemp("asked") / "data")
    with serving(data, earlier_seeds) as both:
        yield both


@pytest.fixture
def seeds(earlier_seeds: Path) -> Path:
    return earlier_seeds


@pytest.fixture
def updating(data_dir: Path, earlier_session_dir: Path, seeds: Path) -> Iterator[tuple[FakeBotApi, BotProcess]]:
    """A bot of this test's own, over its data dir (the seeds but NEW_ISSUE, and their index)."""
    with serving(copy_data_dir(earlier_session_dir, data_dir), seeds) as both:
        yield both


def test_many_chats_asking_at_once_are_all_answered(asked: tuple[FakeBotApi, BotProcess]) -> None:
    api, _ = asked
    questions = list(ANSWERS)
    users = [api.new_user(f"用户{i}") for i in range(40)]
    for i, user in enumerate(users):
        api.send_text(user, user, questions[i % len(questions)])
    api.wait_for(lambda: all(api.bot_messages(u.id) for u in users), timeout=60, what="forty replies")
    for i, user in enumerate(users):
        [reply] = api.bot_messages(user.id)
        assert ANSWERS[questions[i % len(questions)]] in reply.text


def test_replies_in_one_chat_come_in_the_order_asked(asked: tuple[FakeBotApi, BotProcess]) -> None:
    api, _ = asked
    busy = [api.new_user(f"旁人{i}") for i in range(10)]
    user = api.new_user("连问")
    asked = list(ANSWERS) * 2
    for i, question in enumerate(asked):
        api.send_text(user, user, question)
        api.send_text(busy[i], busy[i], question)  # other chats in between
    api.wait_for(lambda: len(api.bot_messages(user.id)) == len(asked), timeout=60, what="every reply")
    replies = api.bot_messages(user.id)
    assert [ANSWERS[q] in r.text for q, r in zip(asked, replies, strict=True)] == [True] * len(asked)


def test_a_question_during_an_index_update_is_answered_from_the_old_index(
    updating: tuple[FakeBotApi, BotProcess], tmp_path: Path, seeds: Path, segmenter: Segmenter
) -> None:
    api, bot = updating
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=seeds)
    user = api.new_user()
    with IndexLock(settings.index_dir) as lock, lock.held(10):
        # another process stores an issue and is still writing the index: the bot sees the
        # new issue in the database and waits for the index lock, in a worker thread
        with opened_store(settings) as store:
            ingest_targets(store, settings, [str(SEEDS / f"{NEW_ISSUE}.txt")], progress=False)
        api.wait_for(lambda: "waiting for" in bot.output().lower() or "index lock" in bot.output().lower(),
                     timeout=20, what="the bot waiting for the index lock")
        api.send_text(user, user, "密云区总工会培训了多少人")
        api.wait_for(lambda: api.bot_messages(user.id), timeout=20, what="an answer while the index is locked")
        assert "300余人" in api.bot_messages(user.id)[0].text
    with opened_library(settings, segmenter) as library:
        library.corpus  # noqa: B018 (the other process finishes writing the index)
    api.wait_for(lambda: "the index now holds" in bot.output(), timeout=30, what="the new index swapped in")
    api.send_text(user, user, "香港工会联合会副理事长是谁")
    api.wait_for(lambda: len(api.bot_messages(user.id)) == 2, timeout=20, what="an answer from the new issue")
    assert "林伟江" in api.bot_messages(user.id)[1].text


class _Lookups(importlib.abc.MetaPathFinder):
    """Records the modules Python searches for (and finds none of them itself)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        self.names.append(fullname)
        return None


async def test_a_request_to_the_bot_api_searches_for_no_module() -> None:
    """The HTTP client's connection pool asks which async library runs at every request by
    importing sniffio; had sniffio not been installed, every request would search the
    module path for it again (a failed import is not remembered): stat calls on the event
    loop, each giving the interpreter lock up to the answering threads and waiting to get
    it back, which delayed every reply of a bot busy answering."""
    with FakeBotApi() as api:
        async with httpx.AsyncClient() as client:
            await client.post(f"{api.base_url}{api.token}/getMe")
            lookups = _Lookups()
            sys.meta_path.insert(0, lookups)
            try:
                for _ in range(3):
                    response = await client.post(f"{api.base_url}{api.token}/getMe")
                    assert response.json()["ok"] is True
            finally:
                sys.meta_path.remove(lookups)
    assert lookups.names == []
