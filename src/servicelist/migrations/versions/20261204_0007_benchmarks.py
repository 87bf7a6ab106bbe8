"""Contact volumes and channel costs per municipality (filled in by the benchmarks feature).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_volume",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=80), nullable=False),
        sa.Column("channel_id", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_contact_volume_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint(
            "municipality_id",
            "service_id",
            "channel_id",
            "period",
            name=op.f("pk_contact_volume"),
        ),
    )
    op.create_table(
        "channel_cost",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.String(length=24), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_channel_cost_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint(
            "municipality_id", "channel_id", "currency", name=op.f("pk_channel_cost")
        ),
    )


def downgrade() -> None:
    op.drop_table("channel_cost")
    op.drop_table("contact_volume")
