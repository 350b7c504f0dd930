"""The store on SQLite and PostgreSQL: one transaction per issue, idempotent adds, lookups;
the frozen legacy SQLite migrations and the revision that stands for the last of them."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.storage.engine import open_engine, write_transaction
from bot.storage.migrations import MIGRATIONS, migrate
from bot.storage.revisions import _config, head_revision, upgrade
from bot.storage.store import AddOutcome, Store
from retrieval import Issue, parse_issue


def seed_issue(path: Path) -> Issue:
    return parse_issue(path.stem, path.read_bytes())


def test_migrations_build_an_empty_database_once(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)
    assert migrate(db) == [name for name, _ in MIGRATIONS]
    assert migrate(db) == []
    recorded = [row[0] for row in db.execute("SELECT name FROM migrations ORDER BY name")]
    assert recorded == sorted(name for name, _ in MIGRATIONS)
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"issues", "articles", "meta", "migrations", "feeds", "feed_items"} <= tables
    columns = {row[1] for row in db.execute("PRAGMA table_info(feed_items)")}
    assert {"state", "reason", "attempts", "next_attempt_at"} <= columns


def test_feed_items_recorded_before_item_states_keep_their_meaning(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, migration in MIGRATIONS[:4]:
        migration(db)
        db.execute("INSERT INTO migrations VALUES (?, 'then')", (name,))
    db.executemany("INSERT INTO feed_items VALUES (?, 'https://f/list', ?, '2024-01-01T00:00:00+00:00')",
                   [("https://f/1.txt", "added"), ("https://f/2.txt", "refused: HTTP 404")])
    assert migrate(db)[0] == "005_feed_item_state"
    rows = db.execute("SELECT url, state, outcome, reason, attempts FROM feed_items ORDER BY url").fetchall()
    assert rows == [("https://f/1.txt", "done", "added", None, 1), ("https://f/2.txt", "refused", None, "HTTP 404", 1)]


def test_issues_stored_before_dates_get_one_from_their_name_or_ingest(tmp_path: Path, seed_files: list[Path]) -> None:
    path = tmp_path / "x.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    names = [name for name, _ in MIGRATIONS]
    for name, migration in MIGRATIONS[: names.index("007_web_articles")]:
        migration(db)
        db.execute("INSERT INTO migrations VALUES (?, 'then')", (name,))
    issue = seed_issue(seed_files[0])
    for issue_id, origin in (("a", "/in/paper-20240710.txt"), ("b", "/in/b.txt")):
        db.execute("INSERT INTO issues (issue_id, content_hash, origin, ingested_at) VALUES (?, ?, ?, ?)",
                   (issue_id, issue_id, origin, "2024-08-01T09:00:00+00:00"))
    db.execute("INSERT INTO articles (article_id, issue_id, ordinal, title, kind, reporters, paragraphs) "
               "VALUES ('x', 'a', 1, 't', 'news', '[]', ?)", (json.dumps(list(issue.articles[0].paragraphs)),))
    db.close()
    with Store(path) as store:
        dates = {a.issue: a.published for a in store.articles()}
        assert dates == {"a": dt.date(2024, 7, 10)}
        with store.reading() as connection:
            published = connection.execute(text("SELECT published FROM issues WHERE issue_id = 'b'")).scalar_one()
        assert published == "2024-08-01"
        # the text already stored is known by its text, whatever URL brings it again
        assert store.stored_as("https://elsewhere.example/x.htm", issue.articles[0].paragraphs) == "x"
        assert store.stored_as("https://elsewhere.example/x.htm", ("其他文字。",)) is None


def test_revision_0002_gives_stored_rows_their_text_key_and_date(database_url: str, seed_files: list[Path]) -> None:
    """A database at the baseline with issues in it: the upgrade fills the new columns."""
    engine = open_engine(database_url)
    try:
        with write_transaction(engine) as connection:
            command.upgrade(_config(connection), "0001")
            for issue_id, origin in (("a", "/in/paper-20240710.txt"), ("b", "https://x.example/b.txt")):
                connection.execute(
                    text("INSERT INTO issues (issue_id, content_hash, origin, ingested_at) VALUES (:i, :i, :o, :t)"),
                    {"i": issue_id, "o": origin, "t": "2024-08-01T09:00:00+00:00"},
                )
            paragraphs = list(seed_issue(seed_files[0]).articles[0].paragraphs)
            connection.execute(
                text("INSERT INTO articles (article_id, issue_id, ordinal, title, kind, reporters, paragraphs) "
                     "VALUES ('x', 'a', 1, 't', 'news', '[]', :p)"),
                {"p": json.dumps(paragraphs, ensure_ascii=False)},
            )
        applied = [r.revision for r in upgrade(engine).applied]
        assert applied[0] == "0002" and applied[-1] == head_revision()
        with engine.connect() as connection:
            days = {r.issue_id: r.published for r in connection.execute(text("SELECT issue_id, published FROM issues"))}
            legacy = set(connection.execute(text("SELECT name FROM migrations")).scalars())
        assert days == {"a": "2024-07-10", "b": "2024-08-01"} and "007_web_articles" in legacy
    finally:
        engine.dispose()
    with Store(database_url) as store:
        assert store.stored_as("https://elsewhere.example/x.htm", paragraphs) == "x"


def test_add_is_idempotent_and_bumps_the_version(database_url: str, seed_files: list[Path]) -> None:
    with Store(database_url) as store:
        issue = seed_issue(seed_files[1])
        assert store.add_issue(issue, "a") is AddOutcome.ADDED
        version = store.corpus_version()
        assert store.add_issue(issue, "a") is AddOutcome.UNCHANGED
        renamed = issue.model_copy(update={"issue_id": "copy-of-001"})
        assert store.add_issue(renamed, "b") is AddOutcome.UNCHANGED
        assert store.corpus_version() == version
        assert store.issue_ids() == [issue.issue_id]
        assert [a.title for a in store.articles()] == [a.title for a in issue.articles]
        # as parsed, with their issue's date (the day of ingest: the name has none)
        today = dt.datetime.now(dt.UTC).date()
        assert store.articles([issue.issue_id]) == [a.model_copy(update={"published": today}) for a in issue.articles]


def test_new_content_under_the_same_name_replaces_the_issue(database_url: str, seed_files: list[Path]) -> None:
    with Store(database_url) as store:
        first = seed_issue(seed_files[0])
        store.add_issue(first, "a")
        other = seed_issue(seed_files[1]).model_copy(update={"issue_id": first.issue_id})
        assert store.add_issue(other, "b") is AddOutcome.UPDATED
        assert [a.title for a in store.articles()] == [a.title for a in other.articles]


def test_a_failure_inside_an_issue_leaves_the_previous_state(database_url: str, seed_files: list[Path]) -> None:
    with Store(database_url) as store:
        good = seed_issue(seed_files[0])
        store.add_issue(good, "a")
        before = store.articles()
        version = store.corpus_version()
        # Same issue id, new content, but two articles share an id: the insert fails
        # after the old rows were deleted, inside the transaction.
        broken_articles = seed_issue(seed_files[1]).articles
        twin = broken_articles[0].model_copy(update={"ordinal": 99})
        broken = Issue(
            issue_id=good.issue_id, content_hash="broken", banner=None, articles=broken_articles + (twin,)
        )
        with pytest.raises(IntegrityError):
            store.add_issue(broken, "b")
        assert store.articles() == before
        assert store.corpus_version() == version


def test_article_lookup(database_url: str, seed_files: list[Path]) -> None:
    with Store(database_url) as store:
        issue = seed_issue(seed_files[2]).model_copy(update={"published": dt.date(2024, 7, 10)})
        store.add_issue(issue, "a")
        wanted = issue.articles[3]
        assert store.article(wanted.article_id) == wanted.model_copy(update={"published": dt.date(2024, 7, 10)})
        assert store.article("nope") is None


def test_find_articles_by_word_reporter_issue_and_date(database_url: str, seed_files: list[Path]) -> None:
    with Store(database_url) as store:
        first = seed_issue(seed_files[1]).model_copy(update={"published": dt.date(2024, 7, 10)})
        second = seed_issue(seed_files[2]).model_copy(update={"published": dt.date(2024, 8, 2)})
        store.add_issue(first, "a")
        store.add_issue(second, "b")
        found, total = store.find_articles(["密云"])
        assert total >= 1 and all("密云" in a.title or any("密云" in p for p in a.paragraphs) for a in found)
        everything, count = store.find_articles(limit=100)
        assert count == len(first.articles) + len(second.articles) == len(everything)
        assert everything[0].issue == second.issue_id  # newest issue first
        in_july, july = store.find_articles(published="2024-07", limit=100)
        assert july == len(first.articles) and {a.issue for a in in_july} == {first.issue_id}
        assert store.find_articles(published="2024-07-1")[1] == len(first.articles)
        assert store.find_articles(issue=second.issue_id[:6])[1] == len(second.articles)
        assert store.find_articles(["100%_不存在"])[1] == 0  # LIKE's wildcards are taken literally
        reporter = next(r for a in first.articles for r in a.reporters)
        by_reporter, _ = store.find_articles(reporter=reporter, limit=100)
        assert by_reporter and all(reporter in a.reporters for a in by_reporter)
