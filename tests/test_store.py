"""The SQLite store: migrations, one transaction per issue, idempotent adds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage.migrations import MIGRATIONS, migrate
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


def test_add_is_idempotent_and_bumps_the_version(tmp_path: Path, seed_files: list[Path]) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        issue = seed_issue(seed_files[1])
        assert store.add_issue(issue, "a") is AddOutcome.ADDED
        version = store.corpus_version()
        assert store.add_issue(issue, "a") is AddOutcome.UNCHANGED
        renamed = issue.model_copy(update={"issue_id": "copy-of-001"})
        assert store.add_issue(renamed, "b") is AddOutcome.UNCHANGED
        assert store.corpus_version() == version
        assert store.issue_ids() == [issue.issue_id]
        assert [a.title for a in store.articles()] == [a.title for a in issue.articles]
        assert store.articles([issue.issue_id]) == list(issue.articles)


def test_new_content_under_the_same_name_replaces_the_issue(tmp_path: Path, seed_files: list[Path]) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        first = seed_issue(seed_files[0])
        store.add_issue(first, "a")
        other = seed_issue(seed_files[1]).model_copy(update={"issue_id": first.issue_id})
        assert store.add_issue(other, "b") is AddOutcome.UPDATED
        assert [a.title for a in store.articles()] == [a.title for a in other.articles]


def test_a_failure_inside_an_issue_leaves_the_previous_state(tmp_path: Path, seed_files: list[Path]) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
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
        with pytest.raises(sqlite3.IntegrityError):
            store.add_issue(broken, "b")
        assert store.articles() == before
        assert store.corpus_version() == version


def test_article_lookup(tmp_path: Path, seed_files: list[Path]) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        issue = seed_issue(seed_files[2])
        store.add_issue(issue, "a")
        wanted = issue.articles[3]
        assert store.article(wanted.article_id) == wanted
        assert store.article("nope") is None
