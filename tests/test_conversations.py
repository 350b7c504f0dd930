"""Conversation context in the database (SQLite or PostgreSQL) and the service's follow-ups."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli.compose import opened_library
from bot.richtext import plain
from bot.settings import Settings
from bot.storage import conversations as conversations_module
from bot.storage.conversations import Conversations, StoredTurn
from bot.storage.migrations import MIGRATIONS, migrate
from bot.storage.store import Store
from bot.telegram.compose import build_service
from bot.telegram.service import Asker
from retrieval import Segmenter

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
PRIVATE = Asker(user_id=5, chat_id=5, chat_type="private", language="zh-hans")
GROUP = Asker(user_id=6, chat_id=-100, chat_type="supergroup", language="zh-hans")


def test_an_existing_database_gains_the_conversation_tables(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)
    for name, migration in MIGRATIONS[: [n for n, _ in MIGRATIONS].index("006_conversations")]:
        migration(db)
        db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        db.execute("INSERT INTO migrations VALUES (?, '')", (name,))
    assert "006_conversations" in migrate(db)
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"chat_turns", "answer_turns"} <= tables


@pytest.fixture
def db_settings(settings: Settings, migrated_database_url: str) -> Settings:
    """The seeds in a database of each kind."""
    return settings.model_copy(update={"database_url": migrated_database_url})


def test_old_turns_are_pruned(migrated_database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = 30  # GROUP_ANSWERS_KEPT (500) made small: the same pruning, a few dozen writes instead of 520
    monkeypatch.setattr(conversations_module, "GROUP_ANSWERS_KEPT", kept)
    with Store(migrated_database_url) as store:
        conversations = Conversations(store, timedelta(minutes=5))
        conversations.save_last(1, StoredTurn(question="旧问题", asked_at=T0))
        conversations.save_last(2, StoredTurn(question="新问题", asked_at=T0 + timedelta(minutes=6)))
        assert conversations.last(1) is None and conversations.last(2) is not None
        for message_id in range(kept + 20):
            conversations.save_answer(-100, message_id, StoredTurn(question=f"问{message_id}", asked_at=T0))
        conversations.save_answer(-200, 1, StoredTurn(question="别的群", asked_at=T0))
        with store.reading() as connection:
            count = connection.execute(text("SELECT COUNT(*) FROM answer_turns WHERE chat_id = -100")).scalar_one()
        assert count == kept
        assert conversations.answered(-100, 0) is None and conversations.answered(-100, 19) is None
        assert conversations.answered(-100, 20) is not None
        newest = conversations.answered(-100, kept + 19)
        assert newest is not None and newest.question == f"问{kept + 19}"
        assert conversations.answered(-200, 1) is not None


def test_private_context_survives_a_new_process_within_the_window(db_settings: Settings, segmenter: Segmenter) -> None:
    settings = db_settings
    now = [T0]
    with opened_library(settings, segmenter) as library:
        first = build_service(library, library.store, [], clock=lambda: now[0]).ask("丰台区总工会主席是谁", PRIVATE)
        assert first is not None and first.text.startswith("<b>连宇</b>")
    now[0] += timedelta(minutes=4)
    with opened_library(settings, segmenter) as library:  # a restart: only the database carries the context
        service = build_service(library, library.store, [], clock=lambda: now[0])
        reply = service.ask("那大兴呢？", PRIVATE)
        assert reply is not None and "接着问：大兴区总工会主席是谁" in plain(reply.text) and "李达" in reply.text
        now[0] += timedelta(seconds=settings.followup_seconds + 1)
        late = service.ask("谁写的这篇？", PRIVATE)
        assert late is not None and "孙艳" not in late.text  # too late: a question on its own


def test_groups_lean_only_on_the_answer_replied_to(db_settings: Settings, segmenter: Segmenter) -> None:
    with opened_library(db_settings, segmenter) as library:
        service = build_service(library, library.store, [])
        answer = service.ask("丰台区总工会主席是谁", GROUP)
        assert answer is not None and answer.turn is not None
        service.remember(-100, 77, answer)
        plain_message = service.ask("那大兴呢？", GROUP)
        assert plain_message is not None and "接着问" not in plain_message.text
        followup = service.ask("那大兴呢？", GROUP, reply_to=77)
        assert followup is not None and "接着问：大兴区总工会主席是谁" in plain(followup.text)
        traditional = service.ask("那大興呢？", GROUP.model_copy(update={"language": "zh-hant"}), reply_to=77)
        assert traditional is not None and "李達" in traditional.text and traditional.turn is not None
