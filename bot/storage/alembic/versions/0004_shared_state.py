"""State that several bot processes on one database share: the flood guard's per-user
windows, and the cited results of each answered question (so that any process can turn
its "more results" pages).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "flood_windows",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=False),
        sa.Column("window_start", sa.BigInteger, nullable=False),
        sa.Column("hits", sa.Integer, nullable=False),
        sa.Column("previous_hits", sa.Integer, nullable=False),
        sa.Column("warned_at", sa.BigInteger),
        sa.Column("admission", sa.Text, nullable=False),
    )
    op.create_index("flood_windows_start", "flood_windows", ["window_start"])
    op.add_column("queries", sa.Column("results", sa.Text))


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        # in place (SQLite 3.35+): rebuilding the table would break feedback's foreign key
        op.execute(sa.text("ALTER TABLE queries DROP COLUMN results"))
    else:
        op.drop_column("queries", "results")
    op.drop_index("flood_windows_start", "flood_windows")
    op.drop_table("flood_windows")
