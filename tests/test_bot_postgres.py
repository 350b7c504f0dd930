"""The bot end to end on PostgreSQL: `unionbot serve` with UNIONBOT_DATABASE_URL pointing
at a PostgreSQL database, through the project's own Bot API server; another process, with
a data dir of its own (as on another host), ingests a new issue into the same database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.storage.engine import open_engine

from .cli import Cli
from .conftest import SEEDS
from .fakebotapi import FakeBotApi
from .test_bot import BotProcess
from .test_digests import NEW_ISSUE, digests, subscribe

pytestmark = pytest.mark.postgres


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


def _ingest(cli: Cli, url: str, data: Path, *paths: Path) -> None:
    """`unionbot ingest` into the database at `url`, from this process (not the bot's)."""
    cli.monkeypatch.setenv("UNIONBOT_DATABASE_URL", url)
    cli.monkeypatch.setenv("UNIONBOT_DATA_DIR", str(data))
    cli.monkeypatch.setenv("UNIONBOT_SEEDS_DIR", "")
    done = cli("ingest", *map(str, paths))
    assert done.code == 0, done.err


def _deliveries(url: str) -> list[tuple[str, int]]:
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT status, COUNT(*) FROM deliveries GROUP BY status")).all()
    finally:
        engine.dispose()
    return [(str(status), int(count)) for status, count in rows]


def test_serving_from_postgresql(api: FakeBotApi, postgres_url: str, tmp_path: Path, earlier_seeds: Path, cli: Cli) -> None:
    seeds = earlier_seeds
    bot = BotProcess(api, tmp_path / "bot-data", UNIONBOT_DATABASE_URL=postgres_url, UNIONBOT_SEEDS_DIR=str(seeds),
                     UNIONBOT_POLL_SECONDS="0.3")
    try:
        api.wait_for(lambda: bot.proc.poll() is not None or bool(api.calls("setMyCommands")), timeout=60)
        assert bot.proc.poll() is None, bot.output()[-3000:]
        assert not (tmp_path / "bot-data" / "unionbot.sqlite3").exists()

        asker = api.new_user("提问者")
        api.send_text(asker, asker, "密云区总工会培训了多少人")
        api.wait_for(lambda: api.bot_messages(asker.id), timeout=20, what="answer")
        assert "300余人" in api.bot_messages(asker.id)[0].text  # the answer line, or the cited evidence when it is withheld

        reader = api.new_user("订阅者")
        assert subscribe(api, reader, reader).startswith("已订阅")
        owner = api.new_user("群主")
        group = api.new_supergroup("工会群", members={owner: "creator"})
        assert subscribe(api, group, owner).startswith("已订阅")

        _ingest(cli, postgres_url, tmp_path / "elsewhere", SEEDS / f"{NEW_ISSUE}.txt")
        chats = [reader.id, group.id]
        api.wait_for(lambda: all(digests(api, c) for c in chats), timeout=30, what="digests")
        # the digests are made from the database; the index takes the issue in at a poll or an
        # index check, which may come after them (an ingest that commits between the poll's
        # refresh and its sending)
        issues = len(list(seeds.glob("*.txt"))) + 1
        api.wait_for(lambda: f"the index now holds {issues} issues" in bot.output(), timeout=30,
                     what="the new issue in the bot's index")
        before = len(api.bot_messages(asker.id))
        api.send_text(asker, asker, "香港工会联合会副理事长是谁")  # from the new issue
        api.wait_for(lambda: len(api.bot_messages(asker.id)) > before, timeout=20, what="answer from the new issue")
        assert "林伟江" in api.bot_messages(asker.id)[-1].text

        _ingest(cli, postgres_url, tmp_path / "elsewhere", SEEDS / f"{NEW_ISSUE}.txt")  # the same again: nothing new
        # deliveries are made by the ingest that stores an issue: wait until none is left to send
        api.wait_for(lambda: not any(s in ("pending", "sending") for s, _ in _deliveries(postgres_url)), timeout=30,
                     what="every delivery sent")
        assert all(len(digests(api, c)) == 1 for c in chats)
        engine = open_engine(postgres_url)
        try:
            with engine.connect() as connection:
                questions = connection.execute(text("SELECT COUNT(*) FROM queries")).scalar_one()
        finally:
            engine.dispose()
        assert _deliveries(postgres_url) == [("sent", 2)] and questions == 2
    finally:
        assert bot.stop() == 0, bot.output()[-3000:]
