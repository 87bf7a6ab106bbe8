"""Engine settings for SQLite and URL handling for PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from servicelist.database import create_database_engine, normalise_url


def test_sqlite_connection_pragmas(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'nested' / 'db.sqlite3'}")

    with engine.connect() as connection:
        journal = connection.execute(text("PRAGMA journal_mode")).scalar_one()
        foreign_keys = connection.execute(text("PRAGMA foreign_keys")).scalar_one()
        busy_timeout = connection.execute(text("PRAGMA busy_timeout")).scalar_one()
        synchronous = connection.execute(text("PRAGMA synchronous")).scalar_one()

    assert journal == "wal"
    assert foreign_keys == 1
    assert busy_timeout == 10000
    assert synchronous == 1  # NORMAL
    assert (tmp_path / "nested").is_dir()


def test_sqlite_synchronous_setting(tmp_path: Path) -> None:
    engine = create_database_engine(
        f"sqlite:///{tmp_path / 'db.sqlite3'}", sqlite_synchronous="FULL"
    )

    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 2


def test_postgres_url_uses_psycopg() -> None:
    assert normalise_url("postgresql://user@127.0.0.1:5432/test") == (
        "postgresql+psycopg://user@127.0.0.1:5432/test"
    )
    assert normalise_url("postgresql+psycopg://u:p@127.0.0.1/db") == (
        "postgresql+psycopg://u:p@127.0.0.1/db"
    )
