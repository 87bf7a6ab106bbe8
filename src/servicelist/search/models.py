"""Tables of the search index and of the municipalities' synonym lists. Storage only.

The portable part of the index lives here: one ``SearchDocument`` per service and language
and scope, the ``SearchVocabulary`` of the words those documents contain, and one
``SearchScope`` row per scope recording what the documents were built from. Migration
``0005`` adds what only one database has. On SQLite these are the FTS5 tables
``search_document_fts`` (words) and ``search_vocabulary_fts`` (trigrams) with the triggers
that keep them in step. On PostgreSQL they are the ``document`` tsvector column with its GIN
index and a pg_trgm GIN index on the vocabulary. ``include_in_comparison`` keeps those
objects out of Alembic's comparison of models and database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKeyConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from servicelist.database import metadata

SQLModel.metadata = metadata

# Objects that migration 0005 creates with dialect-specific DDL, unknown to the models.
SQLITE_FTS_TABLES = ("search_document_fts", "search_vocabulary_fts")
POSTGRES_DOCUMENT_COLUMN = "document"
POSTGRES_INDEXES = ("ix_search_document_document", "ix_search_vocabulary_word_trgm")


def include_in_comparison(name: str | None, type_: str, parent_names: Mapping[Any, Any]) -> bool:
    """Return False for the search objects that only exist in one database (Alembic's
    ``include_name`` hook), so ``alembic check`` compares the portable tables alone.

    FTS5 keeps each virtual table's data in shadow tables named after it, such as
    ``search_document_fts_data``, so every table starting with a virtual table's name is left
    out.
    """
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(SQLITE_FTS_TABLES)
    if type_ == "column":
        return not (
            parent_names.get("table_name") == "search_document" and name == POSTGRES_DOCUMENT_COLUMN
        )
    if type_ == "index":
        return name not in POSTGRES_INDEXES
    return True


class SearchDocument(SQLModel, table=True):
    """The searchable text of one service in one language within one scope.

    ``scope`` is ``release:<n>`` for the standard services of release n, or
    ``municipality:<id>`` for a municipality's local services and the standard services whose
    label, description or keywords it overrides. ``keywords`` joins the service's keywords and
    its previous label.
    """

    __tablename__ = "search_document"
    __table_args__ = (Index("ix_search_document_scope", "scope", "service_id"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=100)
    service_id: str = Field(max_length=80)
    language: str = Field(max_length=35)
    label: str
    keywords: str
    description: str


class SearchVocabulary(SQLModel, table=True):
    """A normalised word of a scope's documents and how many documents contain it."""

    __tablename__ = "search_vocabulary"
    __table_args__ = (UniqueConstraint("scope", "word"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=100)
    word: str = Field(max_length=64)
    frequency: int


class SearchScope(SQLModel, table=True):
    """The origin of one scope's documents.

    ``source`` is the catalogue version of a release, or ``<release>:<revision>`` of a
    municipality. ``revision`` is the municipality revision (0 for a release), which lets a
    sync skip a build when newer documents are stored already.
    """

    __tablename__ = "search_scope"

    scope: str = Field(primary_key=True, max_length=100)
    source: str = Field(max_length=200)
    revision: int = 0
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    documents: int = 0
    words: int = 0
    built_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class SynonymList(SQLModel, table=True):
    """A municipality's own synonyms, used on top of the authored ones in its searches.

    ``entries`` is the list of ``{"term": ..., "expansion": ...}`` in the order it was sent.
    """

    __tablename__ = "synonym_list"
    __table_args__ = (ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),)

    municipality_id: str = Field(primary_key=True, max_length=64)
    entries: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    revision: int = 1
    updated_by: str
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
