"""The schema of the six hand-written SQLite migrations (001 to 006), on any database.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

LEGACY_MIGRATIONS = (
    "001_issues_and_articles",
    "002_meta",
    "003_bot_activity",
    "004_digests",
    "005_feed_item_state",
    "006_conversations",
)


def _big_id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "issues",
        sa.Column("seq", _big_id(), sa.Identity(), primary_key=True),
        sa.Column("issue_id", sa.Text, nullable=False, unique=True),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("banner", sa.Text),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("ingested_at", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("issues_hash", "issues", ["content_hash"])
    op.create_table(
        "articles",
        sa.Column("article_id", sa.Text, primary_key=True),
        sa.Column("issue_id", sa.Text, sa.ForeignKey("issues.issue_id", ondelete="CASCADE"), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("pretitle", sa.Text),
        sa.Column("subtitle", sa.Text),
        sa.Column("section", sa.Text),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("reporters", sa.Text, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("paragraphs", sa.Text, nullable=False),
        sa.UniqueConstraint("issue_id", "ordinal"),
    )
    meta = op.create_table(
        "meta",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.bulk_insert(meta, [{"key": "corpus_version", "value": "0"}])
    op.create_table(
        "users",
        sa.Column("user_id", _big_id(), primary_key=True, autoincrement=False),
        sa.Column("language", sa.Text),
        sa.Column("first_seen", sa.Text, nullable=False),
        sa.Column("last_seen", sa.Text, nullable=False),
    )
    op.create_table(
        "queries",
        sa.Column("query_id", _big_id(), sa.Identity(), primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("user_id", _big_id()),
        sa.Column("chat_id", _big_id()),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("found", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("answer", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("queries_created", "queries", ["created_at"])
    op.create_table(
        "feedback",
        sa.Column("query_id", _big_id(), sa.ForeignKey("queries.query_id"), nullable=False),
        sa.Column("user_id", _big_id(), nullable=False),
        sa.Column("value", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("query_id", "user_id"),
    )
    op.create_table(
        "subscriptions",
        sa.Column("chat_id", _big_id(), primary_key=True, autoincrement=False),
        sa.Column("chat_type", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("active", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.Column("ended_reason", sa.Text),
    )
    op.create_table(
        "deliveries",
        sa.Column("delivery_id", _big_id(), sa.Identity(), primary_key=True),
        sa.Column("issue_id", sa.Text, nullable=False),
        sa.Column("chat_id", _big_id(), nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default=sa.text("'pending'")),
        sa.Column("parts_sent", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("message_ids", sa.Text, nullable=False, server_default=sa.text("'[]'")),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", sa.Text),
        sa.Column("first_attempt_at", sa.Text),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("sent_at", sa.Text),
        sa.UniqueConstraint("issue_id", "chat_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("deliveries_due", "deliveries", ["status", "next_attempt_at"])
    op.create_table(
        "feeds",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("checked_at", sa.Text),
    )
    op.create_table(
        "feed_items",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("feed_url", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", sa.Text),
        sa.Column("first_seen_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.CheckConstraint("state IN ('done', 'refused', 'retry')", name="feed_items_state"),
    )
    op.create_index("feed_items_due", "feed_items", ["feed_url", "state", "next_attempt_at"])
    op.create_table(
        "chat_turns",
        sa.Column("chat_id", _big_id(), primary_key=True, autoincrement=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("article_id", sa.Text),
        sa.Column("answer", sa.Text),
        sa.Column("kind", sa.Text),
        sa.Column("asked_at", sa.Text, nullable=False),
    )
    op.create_index("chat_turns_asked", "chat_turns", ["asked_at"])
    op.create_table(
        "answer_turns",
        sa.Column("chat_id", _big_id(), nullable=False),
        sa.Column("message_id", _big_id(), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("article_id", sa.Text),
        sa.Column("answer", sa.Text),
        sa.Column("kind", sa.Text),
        sa.Column("asked_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "message_id"),
    )
    # The hand-written migrations' bookkeeping, all of them recorded: the repositories
    # still run them on open, and must find this database current.
    migrations = op.create_table(
        "migrations",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("applied_at", sa.Text, nullable=False),
    )
    now = datetime.now(UTC).isoformat()
    op.bulk_insert(migrations, [{"name": name, "applied_at": now} for name in LEGACY_MIGRATIONS])


def downgrade() -> None:
    for table in (
        "migrations", "answer_turns", "chat_turns", "feed_items", "feeds", "deliveries",
        "subscriptions", "feedback", "queries", "users", "meta", "articles", "issues",
    ):
        op.drop_table(table)
