"""Brand audits and roundtable audiences: the brands counted on each cleanup data card, and a
broadcast audience of the members of companies with an accepted pledge (or not reporting).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cleanup_brand_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("brand", sa.String(length=80), nullable=False),
        sa.Column("brand_key", sa.String(length=80), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["cleanup_reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id", "brand_key"),
    )
    with op.batch_alter_table("cleanup_brand_counts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cleanup_brand_counts_brand_key"), ["brand_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cleanup_brand_counts_report_id"), ["report_id"], unique=False
        )
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audience_companies", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("audience_companies")
    with op.batch_alter_table("cleanup_brand_counts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cleanup_brand_counts_report_id"))
        batch_op.drop_index(batch_op.f("ix_cleanup_brand_counts_brand_key"))
    op.drop_table("cleanup_brand_counts")
