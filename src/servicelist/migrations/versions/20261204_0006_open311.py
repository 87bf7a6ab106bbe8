"""Open311 service selection per municipality, and the change feed's prune horizon.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open311_selection",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("interactions", sa.JSON(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("service_codes", sa.JSON(), nullable=False),
        sa.Column("request_type", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_open311_selection_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_id", name=op.f("pk_open311_selection")),
    )
    op.create_table(
        "change_horizon",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("pruned_through", sa.Integer(), nullable=False),
        sa.Column("pruned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_change_horizon_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_id", name=op.f("pk_change_horizon")),
    )
    # The change feed reads one municipality's changes in id order after a cursor.
    op.create_index(
        "ix_change_municipality_id_id", "change", ["municipality_id", "id"], unique=False
    )
    _change_ids_never_reused(True)


def downgrade() -> None:
    _change_ids_never_reused(False)
    op.drop_index("ix_change_municipality_id_id", table_name="change")
    op.drop_table("change_horizon")
    op.drop_table("open311_selection")


def _change_ids_never_reused(enabled: bool) -> None:
    """Rebuild ``change`` on SQLite with or without AUTOINCREMENT.

    Without it SQLite gives a new row the largest id in the table plus one, so after a prune
    deleted the newest rows it would hand out their ids again and feed cursors would skip the
    new changes. PostgreSQL's sequence never reuses ids.
    """
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "change", recreate="always", table_kwargs={"sqlite_autoincrement": enabled}
    ):
        pass
