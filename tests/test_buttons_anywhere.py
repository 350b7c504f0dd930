"""Buttons work whichever bot process gets the press: two services on one database, each
with its own data dir and index (as behind a reverse proxy that spreads webhook updates),
one answering and the other handling the buttons of its answer. The second one's index
lags (it has not taken in the newest issue yet), as it may for a few seconds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli.compose import opened_library
from bot.library import Library
from bot.richtext import plain
from bot.settings import Settings
from bot.telegram.compose import build_service
from bot.telegram.responder import Responder
from bot.telegram.service import Asker, BotService
from bot.telegram.workers import Workers
from retrieval import Segmenter

from .conftest import LATER_SEED, SEEDS, copy_data_dir

NEW_ISSUE = SEEDS / f"{LATER_SEED}.txt"  # not among earlier_seeds: added by the tests
QUESTION = "数控工匠人才培训班有多少人参加"  # answered by the new issue, with more results
READER = Asker(user_id=31, chat_id=31, chat_type="private", language="zh-hans")


@pytest.fixture
def instances(
    earlier_database_url: str, earlier_session_dir: Path, tmp_path: Path, earlier_seeds: Path, segmenter: Segmenter
) -> Iterator[list[BotService]]:
    """Two bot services on one database holding the earlier seeds, each with its data dir
    and its index (a copy of one built over those seeds) loaded."""
    with ExitStack() as stack:
        services = []
        for name in ("a", "b"):
            data = tmp_path / name
            copy_data_dir(earlier_session_dir / "index", data / "index")
            settings = Settings(data_dir=data, seeds_dir=earlier_seeds, database_url=earlier_database_url)
            library: Library = stack.enter_context(opened_library(settings, segmenter))
            library.refresh()
            services.append(build_service(library, library.store, [99]))
        yield services


def _texts(buttons: list[str], prefix: str) -> list[str]:
    return [data for data in buttons if data.startswith(prefix)]


async def test_a_button_made_by_one_process_is_answered_by_another(instances: list[BotService]) -> None:
    here, there = instances
    here.library.ingest([str(NEW_ISSUE)])  # `here` takes the new issue in; `there` has not yet
    assert NEW_ISSUE.stem not in {hit.article.issue for hit in there.library.answer(QUESTION).hits}

    reply = here.ask(QUESTION, READER)
    assert reply is not None and reply.keyboard is not None and "20余名" in reply.text
    buttons = [button.data for button in reply.keyboard.buttons]
    [more] = _texts(buttons, "m:")
    [article] = _texts(buttons, "a:")
    _, query_id, index = more.split(":")

    workers = Workers.started(1)
    try:
        elsewhere = Responder(there, workers)
        second = await elsewhere.more(int(query_id), int(index), READER)
        assert second is not None and second == here.more(int(query_id), int(index), READER)
        assert "第 2 条结果" in second.text
        back = await elsewhere.more(int(query_id), 0, READER)  # ◀ back to the first: the answer as sent
        assert back is not None and back.text == reply.text and back.keyboard == reply.keyboard
        page = await elsewhere.article(article.split(":")[1], 0, READER)
        assert page == here.article(article.split(":")[1], 0, READER) and "首钢技师学院" in page.text
        assert await elsewhere.feedback(int(query_id), 1, READER) == "谢谢反馈！"
    finally:
        workers.shutdown()
    assert "👍 1 · 👎 0" in plain(here.stats(Asker(user_id=99)).text)


def test_find_pages_turn_in_another_process(instances: list[BotService]) -> None:
    here, there = instances
    first = here.find("工会", READER)
    assert first.keyboard is not None
    [next_page] = [b.data for b in first.keyboard.buttons if b.data.startswith("p:")]
    _, query_id, page = next_page.split(":")
    assert there.find_page(int(query_id), int(page), READER) == here.find_page(int(query_id), int(page), READER)


def test_a_question_recorded_before_its_results_were_is_answered_again(instances: list[BotService]) -> None:
    here, there = instances
    reply = here.ask("职工交友活动有多少人参加", READER)
    assert reply is not None and reply.keyboard is not None
    [more] = _texts([button.data for button in reply.keyboard.buttons], "m:")
    with here.store.transaction() as connection:  # as a question asked before results were recorded
        connection.execute(text("UPDATE queries SET results = NULL"))
    second = there.more(int(more.split(":")[1]), 1, READER)
    assert second is not None and "第 2 条结果" in second.text
