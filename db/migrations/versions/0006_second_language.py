"""Second language: the language an event's or a broadcast's readers get when theirs was not
written, before the main (fallback) one. Empty leaves it to each reader's likely second language
(i18n.fallback.LIKELY_SECOND), which is what every existing event and broadcast gets.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("events", "broadcasts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("second_language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    for table in ("broadcasts", "events"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("second_language")
