"""Articles from the web: their URL and a key of their text; issues' publication date and
printed page; what each feed URL served (the hand-written migration 007_web_articles).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from bot.storage.identity import date_in_name, text_key

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

LEGACY_MIGRATION = "007_web_articles"
BATCH_ROWS = 1000


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("url", sa.Text))
        batch.add_column(sa.Column("text_key", sa.Text))
    with op.batch_alter_table("issues") as batch:
        batch.add_column(sa.Column("published", sa.Text))
        batch.add_column(sa.Column("edition", sa.Integer))
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("kind", sa.Text))
    _backfill()
    op.create_index("articles_url", "articles", ["url"])
    op.create_index("articles_text_key", "articles", ["text_key"])
    op.create_index("issues_published", "issues", ["published"])
    migrations = sa.table("migrations", sa.column("name", sa.Text), sa.column("applied_at", sa.Text))
    op.bulk_insert(migrations, [{"name": LEGACY_MIGRATION, "applied_at": datetime.now(UTC).isoformat()}])


def _backfill() -> None:
    """Stored articles get their text's key; issues the day in their origin's name, else
    the day they were ingested."""
    bind = op.get_bind()
    articles = sa.table("articles", sa.column("article_id", sa.Text), sa.column("paragraphs", sa.Text),
                        sa.column("text_key", sa.Text))
    issues = sa.table("issues", sa.column("issue_id", sa.Text), sa.column("origin", sa.Text),
                      sa.column("ingested_at", sa.Text), sa.column("published", sa.Text))
    keys = [
        {"id": row.article_id, "key": text_key(json.loads(row.paragraphs))}
        for row in bind.execute(sa.select(articles.c.article_id, articles.c.paragraphs))
    ]
    set_key = articles.update().where(articles.c.article_id == sa.bindparam("id")).values(text_key=sa.bindparam("key"))
    for start in range(0, len(keys), BATCH_ROWS):
        bind.execute(set_key, keys[start:start + BATCH_ROWS])
    days = []
    for row in bind.execute(sa.select(issues.c.issue_id, issues.c.origin, issues.c.ingested_at)):
        day = date_in_name(str(row.origin).rsplit("/", 1)[-1]) or datetime.fromisoformat(row.ingested_at).date()
        days.append({"id": row.issue_id, "day": day.isoformat()})
    set_day = issues.update().where(issues.c.issue_id == sa.bindparam("id")).values(published=sa.bindparam("day"))
    if days:
        bind.execute(set_day, days)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM migrations WHERE name = :name").bindparams(name=LEGACY_MIGRATION))
    op.drop_index("issues_published", "issues")
    op.drop_index("articles_text_key", "articles")
    op.drop_index("articles_url", "articles")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("issues") as batch:
        batch.drop_column("edition")
        batch.drop_column("published")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("text_key")
        batch.drop_column("url")
