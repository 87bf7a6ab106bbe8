"""Create municipalities, regions, local catalogues, API keys, change history and reviews.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "region",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("country", sa.String(length=80), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region")),
    )
    op.create_table(
        "municipality",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("country", sa.String(length=80), nullable=True),
        sa.Column("tier", sa.String(length=20), nullable=True),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.Column("council_id", sa.String(length=80), nullable=True),
        sa.Column("gss", sa.String(length=20), nullable=True),
        sa.Column("homepage_url", sa.String(), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("release", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["municipality.id"], name=op.f("fk_municipality_parent_id_municipality")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_municipality_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["release"], ["release.number"], name=op.f("fk_municipality_release_release")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality")),
    )
    op.create_index("ix_municipality_region_id", "municipality", ["region_id"], unique=False)
    op.create_table(
        "local_entry",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("offered", sa.Boolean(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_local_entry_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_id", "service_id", name=op.f("pk_local_entry")),
    )
    op.create_table(
        "local_override",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=80), nullable=False),
        sa.Column("path", sa.String(length=120), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("base", sa.JSON(), nullable=True),
        sa.Column("base_release", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["municipality_id", "service_id"],
            ["local_entry.municipality_id", "local_entry.service_id"],
            name=op.f("fk_local_override_municipality_id_local_entry"),
        ),
        sa.PrimaryKeyConstraint(
            "municipality_id", "service_id", "path", name=op.f("pk_local_override")
        ),
    )
    op.create_table(
        "local_term",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("list_id", sa.String(length=40), nullable=False),
        sa.Column("identifier", sa.String(length=80), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("descriptions", sa.JSON(), nullable=False),
        sa.Column("parent", sa.String(length=80), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_local_term_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint(
            "municipality_id", "list_id", "identifier", name=op.f("pk_local_term")
        ),
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("secret_hash", sa.String(length=128), nullable=False),
        sa.Column("municipality_id", sa.String(length=64), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        _timestamp("created_at"),
        _timestamp("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_api_key_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
    )
    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.Column("path", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("release", sa.Integer(), nullable=False),
        _timestamp("at"),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_change_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change")),
    )
    op.create_index(
        "ix_change_entry", "change", ["municipality_id", "entity", "entity_id"], unique=False
    )
    op.create_table(
        "review_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("from_release", sa.Integer(), nullable=False),
        sa.Column("to_release", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=80), nullable=False),
        sa.Column("path", sa.String(length=120), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("new", sa.JSON(), nullable=True),
        sa.Column("local", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.Column("resolved_value", sa.JSON(), nullable=True),
        sa.Column("resolved_by", sa.String(), nullable=True),
        _timestamp("resolved_at", nullable=True),
        _timestamp("created_at"),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_review_item_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_item")),
    )
    op.create_index(
        "ix_review_item_municipality_id",
        "review_item",
        ["municipality_id", "to_release"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_review_item_municipality_id", table_name="review_item")
    op.drop_table("review_item")
    op.drop_index("ix_change_entry", table_name="change")
    op.drop_table("change")
    op.drop_table("api_key")
    op.drop_table("local_term")
    op.drop_table("local_override")
    op.drop_table("local_entry")
    op.drop_index("ix_municipality_region_id", table_name="municipality")
    op.drop_table("municipality")
    op.drop_table("region")
