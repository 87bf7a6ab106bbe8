"""Tables of the standard lists. API shapes live elsewhere; these classes are storage only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from servicelist.database import metadata

SQLModel.metadata = metadata


class StandardList(SQLModel, table=True):
    """One published list with its provenance and licence."""

    __tablename__ = "standard_list"

    id: str = Field(primary_key=True, max_length=40)
    title: str
    description: str
    version: str
    modified: str
    status: str = Field(max_length=20)
    publisher: str
    source: str
    source_url: str
    licence: str
    licence_url: str
    attribution: str
    rights: str
    authored: bool = False
    files: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    esd_uri_pattern: str | None = None
    position: int = 0


class ListItem(SQLModel, table=True):
    """An entry of a list. ``labels`` and ``descriptions`` map language tags to text."""

    __tablename__ = "list_item"
    __table_args__ = (
        ForeignKeyConstraint(["list_id"], ["standard_list.id"]),
        Index("ix_list_item_list_id_position", "list_id", "position"),
    )

    list_id: str = Field(primary_key=True, max_length=40)
    identifier: str = Field(primary_key=True, max_length=80)
    position: int
    labels: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    descriptions: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    created: str | None = Field(default=None, max_length=10)
    modified: str | None = Field(default=None, max_length=10)
    history_notes: str | None = None
    status: str = Field(max_length=20)
    parent: str | None = Field(default=None, max_length=80)
    properties: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ItemLink(SQLModel, table=True):
    """A mapping "subject relation object" between two list items."""

    __tablename__ = "item_link"
    __table_args__ = (
        ForeignKeyConstraint(
            ["subject_list", "subject_id"], ["list_item.list_id", "list_item.identifier"]
        ),
        ForeignKeyConstraint(
            ["object_list", "object_id"], ["list_item.list_id", "list_item.identifier"]
        ),
        UniqueConstraint(
            "subject_list",
            "subject_id",
            "relation",
            "object_list",
            "object_id",
            name="uq_item_link_mapping",
        ),
        Index("ix_item_link_object", "object_list", "object_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_list: str = Field(max_length=40)
    subject_id: str = Field(max_length=80)
    relation: str = Field(max_length=40)
    object_list: str = Field(max_length=40)
    object_id: str = Field(max_length=80)
    status: str = Field(max_length=20)
    note: str | None = None
    source: str
    properties: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CatalogueLoad(SQLModel, table=True):
    """One successful load of the lists. The newest row names the version being served."""

    __tablename__ = "catalogue_load"

    id: int | None = Field(default=None, primary_key=True)
    loaded_at: datetime
    content_hash: str = Field(max_length=64)
    origin: str
    item_count: int
    link_count: int


class Release(SQLModel, table=True):
    """One numbered, immutable release of the lists, with its whole content.

    ``content`` is the zlib-compressed orjson of the release's ``ListBundle`` (see
    ``servicelist.lists.releases``). Rows are only ever inserted, never updated or deleted.
    ``list_counts`` maps each list to its number of items and of retired items.
    """

    __tablename__ = "release"

    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    title: str
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    origin: str
    content_hash: str = Field(max_length=64, unique=True)
    item_count: int
    link_count: int
    notes: str
    list_counts: dict[str, dict[str, int]] = Field(sa_column=Column(JSON, nullable=False))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
