"""Tables of municipalities and their local catalogues. Storage only; API shapes live elsewhere.

A municipality adopts one release of the standard list. Its local catalogue stores only what
differs from that release: one ``LocalEntry`` per service it touched (offered or not, or a
local-only service) and one ``LocalOverride`` per overridden field. Everything else follows the
standard. ``Change`` rows record every write; ``ReviewItem`` rows record what a move to a new
release took over or left for the cataloguer to decide.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKeyConstraint, Index
from sqlmodel import Field, SQLModel

from servicelist.database import metadata

SQLModel.metadata = metadata


def _timestamp(nullable: bool = False) -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), nullable=nullable))


class Region(SQLModel, table=True):
    """A group of municipalities that benchmarks compare, such as a nation or a province."""

    __tablename__ = "region"

    id: str = Field(primary_key=True, max_length=64)
    name: str
    country: str | None = Field(default=None, max_length=80)
    source: str


class Municipality(SQLModel, table=True):
    """A municipality with its adopted release. ``revision`` grows with every write to it."""

    __tablename__ = "municipality"
    __table_args__ = (
        ForeignKeyConstraint(["region_id"], ["region.id"]),
        ForeignKeyConstraint(["parent_id"], ["municipality.id"]),
        ForeignKeyConstraint(["release"], ["release.number"]),
        Index("ix_municipality_region_id", "region_id"),
    )

    id: str = Field(primary_key=True, max_length=64)
    name: str
    country: str | None = Field(default=None, max_length=80)
    tier: str | None = Field(default=None, max_length=20)
    parent_id: str | None = Field(default=None, max_length=64)
    region_id: str | None = Field(default=None, max_length=64)
    council_id: str | None = Field(default=None, max_length=80)
    gss: str | None = Field(default=None, max_length=20)
    homepage_url: str | None = None
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    release: int
    published: bool = True
    revision: int = 1
    source: str
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class LocalEntry(SQLModel, table=True):
    """A service in one municipality's catalogue that differs from the standard in some way.

    ``offered`` None means the default from the tier rules. ``kind`` is "standard" for an LGSL
    service and "local" for a service only this municipality has.
    """

    __tablename__ = "local_entry"
    __table_args__ = (ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),)

    municipality_id: str = Field(primary_key=True, max_length=64)
    service_id: str = Field(primary_key=True, max_length=80)
    kind: str = Field(max_length=20)
    offered: bool | None = None
    revision: int = 1
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class LocalOverride(SQLModel, table=True):
    """The local value of one field of one service.

    ``base`` is the standard value the override was made against (in release ``base_release``),
    so a later release can tell whether upstream changed the same field.
    """

    __tablename__ = "local_override"
    __table_args__ = (
        ForeignKeyConstraint(
            ["municipality_id", "service_id"],
            ["local_entry.municipality_id", "local_entry.service_id"],
        ),
    )

    municipality_id: str = Field(primary_key=True, max_length=64)
    service_id: str = Field(primary_key=True, max_length=80)
    path: str = Field(primary_key=True, max_length=120)
    value: Any = Field(sa_column=Column(JSON, nullable=True))
    base: Any = Field(sa_column=Column(JSON, nullable=True))
    base_release: int
    source: str
    updated_by: str
    updated_at: datetime = _timestamp()


class LocalTerm(SQLModel, table=True):
    """A municipality's own life event or navigation heading."""

    __tablename__ = "local_term"
    __table_args__ = (ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),)

    municipality_id: str = Field(primary_key=True, max_length=64)
    list_id: str = Field(primary_key=True, max_length=40)
    identifier: str = Field(primary_key=True, max_length=80)
    labels: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    descriptions: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    parent: str | None = Field(default=None, max_length=80)
    revision: int = 1
    updated_at: datetime = _timestamp()


class ApiKey(SQLModel, table=True):
    """An API key. Only a hash of the secret is stored; ``id`` is the public part of the key.

    ``municipality_id`` is None for platform administrators, who manage the standard list and
    every municipality.
    """

    __tablename__ = "api_key"
    __table_args__ = (ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),)

    id: str = Field(primary_key=True, max_length=32)
    secret_hash: str = Field(max_length=128)
    municipality_id: str | None = Field(default=None, max_length=64)
    role: str = Field(max_length=20)
    name: str
    created_at: datetime = _timestamp()
    revoked_at: datetime | None = _timestamp(nullable=True)


class Change(SQLModel, table=True):
    """One recorded change: who changed which field of which entry, when, from what to what."""

    __tablename__ = "change"
    __table_args__ = (
        ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        Index("ix_change_entry", "municipality_id", "entity", "entity_id"),
        # The change feed reads one municipality's changes in id order (revision 0006).
        Index("ix_change_municipality_id_id", "municipality_id", "id"),
        # Pruned ids are never handed out again on SQLite, so feed cursors stay ordered.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: str = Field(max_length=64)
    entity: str = Field(max_length=20)
    entity_id: str = Field(max_length=80)
    path: str = Field(max_length=120)
    action: str = Field(max_length=40)
    before: Any = Field(sa_column=Column(JSON, nullable=True))
    after: Any = Field(sa_column=Column(JSON, nullable=True))
    actor: str
    release: int
    at: datetime = _timestamp()


class ReviewItem(SQLModel, table=True):
    """One field or service that a move from one release to another touched.

    ``kind`` is "conflict" (local and upstream both changed the field), "taken-over" (upstream
    changed a field the municipality never overrode), "retired" (an offered service left the
    standard) or "added" (a new standard service). Only conflicts and retirements are open
    until the cataloguer resolves them.
    """

    __tablename__ = "review_item"
    __table_args__ = (
        ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        Index("ix_review_item_municipality_id", "municipality_id", "to_release"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: str = Field(max_length=64)
    from_release: int
    to_release: int
    service_id: str = Field(max_length=80)
    path: str | None = Field(default=None, max_length=120)
    kind: str = Field(max_length=20)
    old: Any = Field(sa_column=Column(JSON, nullable=True))
    new: Any = Field(sa_column=Column(JSON, nullable=True))
    local: Any = Field(sa_column=Column(JSON, nullable=True))
    status: str = Field(max_length=20)
    resolution: str | None = Field(default=None, max_length=20)
    resolved_value: Any = Field(sa_column=Column(JSON, nullable=True))
    resolved_by: str | None = None
    resolved_at: datetime | None = _timestamp(nullable=True)
    created_at: datetime = _timestamp()
