"""Create the tables of the standard lists and their loads.

Revision ID: 0001
Revises:
Create Date: 2026-12-04 20:25:24.397382
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "catalogue_load",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("link_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_load")),
    )
    op.create_table(
        "standard_list",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("modified", sa.String(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("publisher", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_url", sa.String(), nullable=False),
        sa.Column("licence", sa.String(), nullable=False),
        sa.Column("licence_url", sa.String(), nullable=False),
        sa.Column("attribution", sa.String(), nullable=False),
        sa.Column("rights", sa.String(), nullable=False),
        sa.Column("authored", sa.Boolean(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("esd_uri_pattern", sa.String(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standard_list")),
    )
    op.create_table(
        "list_item",
        sa.Column("list_id", sa.String(length=40), nullable=False),
        sa.Column("identifier", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("descriptions", sa.JSON(), nullable=False),
        sa.Column("created", sa.String(length=10), nullable=True),
        sa.Column("modified", sa.String(length=10), nullable=True),
        sa.Column("history_notes", sa.String(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("parent", sa.String(length=80), nullable=True),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"], ["standard_list.id"], name=op.f("fk_list_item_list_id_standard_list")
        ),
        sa.PrimaryKeyConstraint("list_id", "identifier", name=op.f("pk_list_item")),
    )
    with op.batch_alter_table("list_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_list_item_list_id_position", ["list_id", "position"], unique=False
        )

    op.create_table(
        "item_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_list", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=80), nullable=False),
        sa.Column("relation", sa.String(length=40), nullable=False),
        sa.Column("object_list", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["object_list", "object_id"],
            ["list_item.list_id", "list_item.identifier"],
            name=op.f("fk_item_link_object_list_object_id_list_item"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_list", "subject_id"],
            ["list_item.list_id", "list_item.identifier"],
            name=op.f("fk_item_link_subject_list_subject_id_list_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_link")),
        sa.UniqueConstraint(
            "subject_list",
            "subject_id",
            "relation",
            "object_list",
            "object_id",
            name="uq_item_link_mapping",
        ),
    )
    with op.batch_alter_table("item_link", schema=None) as batch_op:
        batch_op.create_index("ix_item_link_object", ["object_list", "object_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("item_link", schema=None) as batch_op:
        batch_op.drop_index("ix_item_link_object")

    op.drop_table("item_link")
    with op.batch_alter_table("list_item", schema=None) as batch_op:
        batch_op.drop_index("ix_list_item_list_id_position")

    op.drop_table("list_item")
    op.drop_table("standard_list")
    op.drop_table("catalogue_load")
