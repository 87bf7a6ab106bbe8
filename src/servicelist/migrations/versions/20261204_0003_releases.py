"""Create the release table: numbered, immutable releases of the lists with their content.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Databases loaded before this revision get their first release at their next load, which
    # records the stored lists first (servicelist.lists.repository.replace_all).
    op.create_table(
        "release",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("link_count", sa.Integer(), nullable=False),
        sa.Column("notes", sa.String(), nullable=False),
        sa.Column("list_counts", sa.JSON(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_release")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_release_content_hash")),
    )


def downgrade() -> None:
    op.drop_table("release")
