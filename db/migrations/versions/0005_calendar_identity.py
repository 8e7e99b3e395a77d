"""Calendar identity: a UID per event and a per-registration calendar revision.

Events created before this keep the UID their registrants already hold in their calendars
(``event-<id>@tideline``); new events get a random one (events.models.new_calendar_uid).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_uid", sa.String(length=255), nullable=True))
    op.execute(
        "UPDATE events SET calendar_uid = 'event-' || CAST(id AS VARCHAR(20)) || '@tideline'"
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column("calendar_uid", existing_type=sa.String(length=255), nullable=False)
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("calendar_revision", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.alter_column("calendar_revision", existing_type=sa.Integer(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("calendar_revision")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("calendar_uid")
