"""Add properties to item links, for channel details and other per-link data.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 20:43:20.680441
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing links get an empty object, so the column can be NOT NULL at once.
    with op.batch_alter_table("item_link", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("properties", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("item_link", schema=None) as batch_op:
        batch_op.drop_column("properties")
