"""The schema on both databases (Alembic), adoption of legacy SQLite files, `db copy`."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, UniqueConstraint, inspect, select, text

from bot.cli import main
from bot.digests.outbox import DeliveryStatus, Outbox
from bot.intake.feed_items import FeedItems
from bot.intake.feed_state import FeedStates
from bot.library import ingest_targets, open_store
from bot.settings import Settings
from bot.storage import (
    Activity,
    Conversations,
    QueryKind,
    StoredTurn,
    StoreError,
    revisions,
)
from bot.storage.activity import NewQuery
from bot.storage.engine import open_engine
from bot.storage.flood import FloodWindows
from bot.storage.migrations import MIGRATIONS, migrate
from bot.storage.revisions import (
    current_revision,
    head_revision,
    script_directory,
    upgrade,
)
from bot.storage.schema import metadata
from bot.storage.store import Store
from bot.storage.transfer import copy_database, data_tables

from .conftest import SEEDS

BIG_CHAT = -1001234567890123  # a supergroup id: beyond 32 bits
REVISIONS = [step.revision for step in reversed(list(script_directory().walk_revisions()))]
"""Every revision, oldest first."""


def _engine(url: str) -> Engine:
    return open_engine(url)


def _shape(engine: Engine) -> dict[str, Any]:
    """Tables, columns, keys, uniques and indexes as the database reports them.

    A primary key column counts as NOT NULL: the legacy SQLite tables did not say so for
    text keys (SQLite then reports them nullable), the schema does."""
    found = inspect(engine)
    shape: dict[str, Any] = {}
    for table in sorted(found.get_table_names()):
        if table == "alembic_version":
            continue
        key = found.get_pk_constraint(table)["constrained_columns"]
        shape[table] = {
            "columns": [(c["name"], c["nullable"] and c["name"] not in key) for c in found.get_columns(table)],
            "primary_key": key,
            "foreign_keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in found.get_foreign_keys(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
            "indexes": sorted(
                (i["name"], tuple(str(c) for c in i["column_names"]))
                for i in found.get_indexes(table) if not i.get("duplicates_constraint")
            ),
        }
    return shape


def _declared() -> dict[str, Any]:
    """The same, as bot/storage/schema.py declares it."""
    shape: dict[str, Any] = {}
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        shape[table.name] = {
            "columns": [(c.name, c.nullable) for c in table.columns],
            "primary_key": [c.name for c in table.primary_key.columns],
            "foreign_keys": sorted(
                ((f.parent.name,), f.column.table.name, (f.column.name,)) for f in table.foreign_keys
            ),
            "unique": sorted(
                {tuple(c.name for c in u.columns) for u in table.constraints if isinstance(u, UniqueConstraint)}
                | {(c.name,) for c in table.columns if c.unique}
            ),
            "indexes": sorted((i.name, tuple(c.name for c in i.columns)) for i in table.indexes),
        }
    return shape


def _schema_differences(engine: Engine, legacy: bool = False) -> list[Any]:
    """Alembic's comparison of the database with the schema, less the legacy quirk above.

    With `legacy`, foreign keys are left out: SQLAlchemy does not read ON DELETE from the
    legacy tables' inline REFERENCES clauses (the test reads them with PRAGMA instead)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        found = compare_metadata(context, metadata)
    differences: list[Any] = []
    for item in found:
        changes = item if isinstance(item, list) else [item]
        kept = [
            c for c in changes
            if not (c[0] == "modify_nullable" and c[3] in metadata.tables[c[2]].primary_key.columns)
            and not (legacy and c[0] in ("add_fk", "remove_fk"))
        ]
        differences += kept
    return differences


Columns = dict[str, list[str]]


def _columns(engine: Engine) -> Columns:
    """The columns each data table has in the database (a legacy one lacks the newer ones)."""
    found = inspect(engine)
    return {t.name: [c["name"] for c in found.get_columns(t.name)] for t in data_tables()}


def _rows(engine: Engine, columns: Columns | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every data table, in primary key order: the columns the database has,
    or those given (to compare a database with what it was before an upgrade)."""
    columns = columns or _columns(engine)
    with engine.connect() as connection:
        return {
            t.name: [
                tuple(r)
                for r in connection.execute(select(*(t.c[n] for n in columns[t.name])).order_by(*t.primary_key.columns))
            ]
            for t in data_tables()
        }


def _as_held(rows: dict[str, list[dict[str, Any]]], held: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """`rows` cut to the tables and columns `held` has."""
    return {t: [{k: r[k] for k in held[t][0]} for r in rows[t]] if held[t] else rows[t] for t in held}


def _stored_rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every data table the database has, with the columns it has (a legacy
    file lacks what later revisions add)."""
    found = inspect(engine)
    tables = set(found.get_table_names())
    with engine.connect() as connection:
        rows: dict[str, list[dict[str, Any]]] = {}
        for table in data_tables():
            if table.name in tables:
                names = {c["name"] for c in found.get_columns(table.name)}
                columns = [c for c in table.columns if c.name in names]
                query = select(*columns).order_by(*table.primary_key.columns)
                rows[table.name] = [dict(r) for r in connection.execute(query).mappings()]
        return rows


def test_alembic_creates_the_declared_schema(database_url: str) -> None:
    engine = _engine(database_url)
    try:
        report = upgrade(engine)
        assert [r.revision for r in report.applied] == REVISIONS and report.before is None
        assert REVISIONS[:5] == ["0001", "0002", "0003", "0004", "0005"]
        assert _shape(engine) == _declared()
        assert _schema_differences(engine) == []
        again = upgrade(engine)
        assert again.before == head_revision() and again.applied == ()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT value FROM meta WHERE key = 'corpus_version'")).scalar_one() == "0"
            legacy = {r[0] for r in connection.execute(text("SELECT name FROM migrations"))}
        assert legacy == {name for name, _ in MIGRATIONS}
    finally:
        engine.dispose()


def test_a_database_made_by_alembic_opens_in_the_store(database_url: str, settings: Settings) -> None:
    engine = _engine(database_url)
    upgrade(engine)
    engine.dispose()
    with Store(database_url) as store:
        report = ingest_targets(store, settings, [str(SEEDS)], progress=False)
        assert not report.refused and store.issue_count() == 5 and store.corpus_version() == 5


def _legacy_database(path: Path, settings: Settings, upto: int | None = None) -> None:
    """An SQLite file made the way every data dir was before Alembic, filled from the seeds
    (ingested into a store of today, whose rows are then copied over)."""
    db = sqlite3.connect(path, isolation_level=None)
    if upto is None:
        migrate(db)
        filled = path.with_name("filled.sqlite3")
        with Store(filled) as store:
            assert not ingest_targets(store, settings, [str(SEEDS)], progress=False).refused
        db.execute("ATTACH DATABASE ? AS filled", (str(filled),))
        for table in ("issues", "articles", "meta"):
            db.execute(f"DELETE FROM {table}")
            db.execute(f"INSERT INTO {table} SELECT * FROM filled.{table}")
        db.execute("DETACH DATABASE filled")
        db.close()
        return
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, step in MIGRATIONS[:upto]:
        step(db)
        db.execute("INSERT INTO migrations VALUES (?, ?)", (name, datetime.now(UTC).isoformat()))
    db.execute(
        "INSERT INTO issues (issue_id, content_hash, banner, origin, ingested_at) "
        "VALUES ('x', 'h', NULL, 'test', '2024-01-02T03:04:05+00:00')"
    )
    db.execute(
        "INSERT INTO feed_items (url, feed_url, outcome, seen_at) VALUES ('https://a/1', 'https://a/f', 'refused: gone', '2024')"
    )
    db.close()


def test_a_legacy_sqlite_database_is_adopted_and_keeps_its_rows(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "legacy.sqlite3"
    _legacy_database(path, settings)
    engine = _engine(f"sqlite:///{path}")
    try:
        before = _stored_rows(engine)
        assert len(before["articles"]) == 31
        report = upgrade(engine)
        assert report.adopted_at == "0002" and report.legacy_applied == ()
        assert [r.revision for r in report.applied] == REVISIONS[REVISIONS.index("0002") + 1:]
        with engine.connect() as connection:
            assert current_revision(connection) == head_revision()
        after = _stored_rows(engine)
        assert _as_held(after, before) == before  # what it held, untouched
        assert set(after) - set(before) == {"flood_windows", "updates"}  # revisions after the legacy ones
        assert not after["flood_windows"] and not after["updates"]
        assert _shape(engine) == _declared()
        assert _schema_differences(engine, legacy=True) == []
        with engine.connect() as connection:
            keys = connection.exec_driver_sql("PRAGMA foreign_key_list(articles)").mappings().all()
        assert [(k["table"], k["from"], k["to"], k["on_delete"]) for k in keys] == [
            ("issues", "issue_id", "issue_id", "CASCADE")
        ]
    finally:
        engine.dispose()


def test_a_legacy_database_behind_is_migrated_then_adopted(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "old.sqlite3"
    _legacy_database(path, settings, upto=4)
    engine = _engine(f"sqlite:///{path}")
    try:
        report = upgrade(engine)
        assert report.legacy_applied == ("005_feed_item_state", "006_conversations", "007_web_articles")
        assert report.adopted_at == "0002"
        with engine.connect() as connection:
            assert connection.execute(text("SELECT issue_id FROM issues")).scalars().all() == ["x"]
            item = connection.execute(text("SELECT state, reason FROM feed_items")).one()
        assert tuple(item) == ("refused", "gone")
        assert _shape(engine) == _declared()
    finally:
        engine.dispose()


def _deployment(data_dir: Path, legacy: bool = False) -> Path:
    """A data dir in use: the seeds, two subscribers with digests pending (one half sent),
    questions with feedback, conversations and feed items; returns its SQLite file. With
    `legacy`, the file is left as the hand-written migrations made them (no Alembic stamp)."""
    settings = Settings(data_dir=data_dir, seeds_dir=None)
    with open_store(settings) as store:
        outbox = Outbox(store)
        outbox.subscribe(BIG_CHAT, "supergroup", "工会群")
        outbox.subscribe(42, "private", None)
        assert not ingest_targets(store, settings, [str(SEEDS)], progress=False).refused
        first = outbox.due()[0]
        assert outbox.claim(first.delivery_id)
        outbox.part_sent(first.delivery_id, 7001)
        activity = Activity(store)
        activity.seen(5_000_000_001, "zh-hans")
        query = activity.record(NewQuery.of(QueryKind.ASK, "密云区总工会培训了多少人", 5_000_000_001, BIG_CHAT, True, "300余人"))
        activity.feedback(query, 5_000_000_001, 1)
        FloodWindows(store).admit(5_000_000_001, limit=20, window_ms=60_000)
        turns = Conversations(store, timedelta(minutes=5))
        turn = StoredTurn(question="朝阳呢", article_id=None, answer=None, kind="other", asked_at=datetime.now(UTC))
        turns.save_last(42, turn)
        turns.save_answer(BIG_CHAT, 2**40, turn)
        items = FeedItems(store, retry_after=30.0)
        items.done("https://paper.example/a/1", "https://paper.example/feed", "added")
        items.failed("https://paper.example/a/2", "https://paper.example/feed", "HTTP 503")
        FeedStates(store).answered("https://paper.example/feed", '"e1"', None, "rss")
        if legacy:  # the schema the hand-written migrations made: revision 0002, unstamped
            with store.transaction() as connection:
                command.downgrade(revisions._config(connection), "0002")
                connection.execute(text("DROP TABLE alembic_version"))
        assert store.path is not None
        return store.path


@pytest.mark.postgres
def test_copy_to_postgresql_and_back_keeps_every_row(tmp_path: Path, postgres_url: str) -> None:
    sqlite_path = _deployment(tmp_path / "deployment", legacy=True)
    source_url = f"sqlite:///{sqlite_path}"
    source = _engine(source_url)
    original = _stored_rows(source)
    source.dispose()
    assert len(original["deliveries"]) == 10 and all(len(rows) for rows in original.values())
    assert "flood_windows" not in original and "updates" not in original  # revisions after the legacy ones

    report = copy_database(source_url, postgres_url)
    assert report.source_upgrade is not None and report.source_upgrade.adopted_at == "0002"
    after_legacy = {"flood_windows": 0, "updates": 0}
    assert {t.table: t.rows for t in report.tables} == after_legacy | {n: len(r) for n, r in original.items()}

    target = _engine(postgres_url)
    try:
        copied = _stored_rows(target)
        assert _as_held(copied, original) == original
        with target.connect() as connection:
            sub = connection.execute(text("SELECT chat_type, title, active FROM subscriptions WHERE chat_id = :c"),
                                     {"c": BIG_CHAT}).one()
            assert tuple(sub) == ("supergroup", "工会群", 1)
            pending = connection.execute(
                text("SELECT COUNT(*) FROM deliveries WHERE status = :s"), {"s": DeliveryStatus.PENDING.value}
            ).scalar_one()
            assert pending == 9
            sending = connection.execute(text("SELECT chat_id, status, parts_sent, message_ids FROM deliveries "
                                              "WHERE status = 'sending'")).one()
            assert sending.parts_sent == 1 and sending.message_ids == "[7001]"
        with target.begin() as connection:  # new rows take ids past the copied ones
            new_seq = connection.execute(text(
                "INSERT INTO issues (issue_id, content_hash, origin, ingested_at) VALUES ('n', 'n', 't', 't') RETURNING seq"
            )).scalar_one()
            new_query = connection.execute(text(
                "INSERT INTO queries (kind, text, created_at) VALUES ('ask', 'q', 't') RETURNING query_id"
            )).scalar_one()
            new_delivery = connection.execute(text(
                "INSERT INTO deliveries (issue_id, chat_id, created_at) VALUES ('n', 1, 't') RETURNING delivery_id"
            )).scalar_one()
        assert new_seq == max(r["seq"] for r in original["issues"]) + 1
        assert new_query == max(r["query_id"] for r in original["queries"]) + 1
        assert new_delivery == max(r["delivery_id"] for r in original["deliveries"]) + 1
        with target.begin() as connection:
            for table in ("deliveries", "queries", "issues"):
                connection.execute(text(f"DELETE FROM {table} WHERE {'issue_id' if table != 'queries' else 'text'} IN ('n', 'q')"))
    finally:
        target.dispose()

    back_url = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    report = copy_database(postgres_url, back_url)
    assert report.source_upgrade is None and [r.revision for r in report.target_upgrade.applied] == REVISIONS
    back = _engine(back_url)
    try:
        assert _stored_rows(back) == copied
    finally:
        back.dispose()
    with Store(tmp_path / "back.sqlite3") as store:  # and the app still uses it
        assert len(Outbox(store).due()) == 9 and store.issue_count() == 5


def test_copy_into_a_database_with_data_is_refused(tmp_path: Path, database_url: str) -> None:
    source_url = f"sqlite:///{_deployment(tmp_path / 'deployment')}"
    copy_database(source_url, database_url)
    engine = _engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM subscriptions WHERE chat_id = 42"))
    before = _rows(engine)
    with pytest.raises(StoreError, match="already holds data .*--replace"):
        copy_database(source_url, database_url)
    assert _rows(engine) == before  # untouched
    report = copy_database(source_url, database_url, replace=True)
    assert dict((t.table, t.rows) for t in report.tables)["subscriptions"] == 2
    assert len(_rows(engine)["subscriptions"]) == 2
    engine.dispose()
    with pytest.raises(StoreError, match="same database"):
        copy_database(source_url, source_url)
    with pytest.raises(StoreError, match="no such database"):
        copy_database(f"sqlite:///{tmp_path / 'missing.sqlite3'}", database_url)


def test_db_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                     database_url: str, data_dir: Path) -> None:
    _deployment(data_dir, legacy=True)
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert "adopted an existing SQLite database at revision 0002" in out
    assert main(["db", "upgrade"]) == 0
    assert f"already at the newest revision {head_revision()}" in capsys.readouterr().out

    monkeypatch.setenv("UNIONBOT_DATABASE_URL", database_url)
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert "applied revision 0001" in out and "applied revision 0002" in out

    source = f"sqlite:///{data_dir / 'unionbot.sqlite3'}"
    assert main(["db", "copy", source, database_url]) == 0
    out = capsys.readouterr().out
    assert "subscriptions: 2 rows" in out and "deliveries: 10 rows" in out and "articles: 31 rows" in out
    assert main(["db", "copy", source, database_url]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("unionbot: the target already holds data") and len(err.splitlines()) == 1
    assert main(["db", "copy", source, database_url, "--replace"]) == 0
    capsys.readouterr()
    assert main(["db", "copy", source, "mysql://x/y"]) == 1
    assert "unsupported database" in capsys.readouterr().err


@pytest.mark.postgres
def test_unreachable_postgresql_is_one_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                            postgres_server: str) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("UNIONBOT_DATABASE_URL", f"postgresql://someone:s3cret@127.0.0.1:{port}/nowhere")
    assert main(["db", "upgrade"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("unionbot: cannot upgrade the database") and len(err.splitlines()) == 1
    assert "s3cret" not in err
