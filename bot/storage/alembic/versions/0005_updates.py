"""Updates from Telegram, stored before they are confirmed to Telegram and kept until they
are handled, so that an update the process handling it was killed over is handled by
another one.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "updates",
        sa.Column("update_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("received_at", sa.Double, nullable=False),
        sa.Column("claimed_by", sa.Text, nullable=False),
        sa.Column("claimed_at", sa.Double, nullable=False),
        sa.Column("handled_at", sa.Double),
    )
    op.create_index("updates_open", "updates", ["handled_at", "claimed_at"])


def downgrade() -> None:
    op.drop_index("updates_open", "updates")
    op.drop_table("updates")
