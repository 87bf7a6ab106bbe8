"""Search index of services and the municipalities' synonym lists.

SQLite gets two FTS5 tables with external content: ``search_document_fts`` over label,
keywords and description (Porter stemming, accents removed) and ``search_vocabulary_fts``
over the vocabulary with the trigram tokenizer, each kept in step by triggers. PostgreSQL gets
a ``document`` tsvector column with a GIN index and a pg_trgm GIN index on the vocabulary.
Its extensions are created in schema ``public`` and are called schema-qualified, so they
work whatever the ``search_path``. The downgrade leaves the extensions in place, because other
schemas of the database may use them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Serialises CREATE EXTENSION between migrations running at the same time against one database;
# without it the second one can fail on the unique name of pg_extension.
EXTENSION_LOCK_KEY = 7_360_051
EXTENSIONS = ("pg_trgm", "unaccent")

SQLITE_UPGRADE = (
    """
    CREATE VIRTUAL TABLE search_document_fts USING fts5(
        label, keywords, description,
        content='search_document', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER search_document_after_insert AFTER INSERT ON search_document BEGIN
        INSERT INTO search_document_fts(rowid, label, keywords, description)
        VALUES (new.id, new.label, new.keywords, new.description);
    END
    """,
    """
    CREATE TRIGGER search_document_after_delete AFTER DELETE ON search_document BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, label, keywords, description)
        VALUES ('delete', old.id, old.label, old.keywords, old.description);
    END
    """,
    """
    CREATE TRIGGER search_document_after_update AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, label, keywords, description)
        VALUES ('delete', old.id, old.label, old.keywords, old.description);
        INSERT INTO search_document_fts(rowid, label, keywords, description)
        VALUES (new.id, new.label, new.keywords, new.description);
    END
    """,
    """
    CREATE VIRTUAL TABLE search_vocabulary_fts USING fts5(
        word, content='search_vocabulary', content_rowid='id', tokenize='trigram'
    )
    """,
    """
    CREATE TRIGGER search_vocabulary_after_insert AFTER INSERT ON search_vocabulary BEGIN
        INSERT INTO search_vocabulary_fts(rowid, word) VALUES (new.id, new.word);
    END
    """,
    """
    CREATE TRIGGER search_vocabulary_after_delete AFTER DELETE ON search_vocabulary BEGIN
        INSERT INTO search_vocabulary_fts(search_vocabulary_fts, rowid, word)
        VALUES ('delete', old.id, old.word);
    END
    """,
    """
    CREATE TRIGGER search_vocabulary_after_update AFTER UPDATE ON search_vocabulary BEGIN
        INSERT INTO search_vocabulary_fts(search_vocabulary_fts, rowid, word)
        VALUES ('delete', old.id, old.word);
        INSERT INTO search_vocabulary_fts(rowid, word) VALUES (new.id, new.word);
    END
    """,
)

SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS search_vocabulary_after_update",
    "DROP TRIGGER IF EXISTS search_vocabulary_after_delete",
    "DROP TRIGGER IF EXISTS search_vocabulary_after_insert",
    "DROP TABLE IF EXISTS search_vocabulary_fts",
    "DROP TRIGGER IF EXISTS search_document_after_update",
    "DROP TRIGGER IF EXISTS search_document_after_delete",
    "DROP TRIGGER IF EXISTS search_document_after_insert",
    "DROP TABLE IF EXISTS search_document_fts",
)

POSTGRES_UPGRADE = (
    "ALTER TABLE search_document ADD COLUMN document tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX ix_search_document_document ON search_document USING gin (document)",
    "CREATE INDEX ix_search_vocabulary_word_trgm ON search_vocabulary"
    " USING gin (word public.gin_trgm_ops)",
)


def _create_postgres_extensions() -> None:
    bind = op.get_bind()
    bind.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": EXTENSION_LOCK_KEY})
    for extension in EXTENSIONS:
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension} SCHEMA public")
        schema = bind.execute(
            sa.text(
                "SELECT n.nspname FROM pg_extension e"
                " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = :name"
            ),
            {"name": extension},
        ).scalar_one()
        if schema != "public":
            raise RuntimeError(
                f"The PostgreSQL extension {extension} is installed in schema {schema!r}, but "
                "servicelist calls it as public.*. Move it with "
                f"'ALTER EXTENSION {extension} SET SCHEMA public' and migrate again."
            )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _create_postgres_extensions()

    op.create_table(
        "search_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("service_id", sa.String(length=80), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("keywords", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_document")),
    )
    op.create_index(
        "ix_search_document_scope", "search_document", ["scope", "service_id"], unique=False
    )
    op.create_table(
        "search_vocabulary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("word", sa.String(length=64), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_vocabulary")),
        sa.UniqueConstraint("scope", "word", name=op.f("uq_search_vocabulary_scope_word")),
    )
    op.create_table(
        "search_scope",
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_search_scope")),
    )
    op.create_table(
        "synonym_list",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_synonym_list_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_id", name=op.f("pk_synonym_list")),
    )

    statements = {"sqlite": SQLITE_UPGRADE, "postgresql": POSTGRES_UPGRADE}.get(dialect, ())
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
    op.drop_table("synonym_list")
    op.drop_table("search_scope")
    op.drop_table("search_vocabulary")
    op.drop_index("ix_search_document_scope", table_name="search_document")
    op.drop_table("search_document")
