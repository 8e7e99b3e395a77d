"""Survey sending: how many hours after its event ends a post-event survey is invited (default
one), and the broadcast filters choosing a partnership-wide survey's audience.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("invite_delay_hours", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("audience_filters", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_column("audience_filters")
        batch_op.drop_column("invite_delay_hours")
