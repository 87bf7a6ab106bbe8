"""Fixtures shared by the suite: the real bundled lists loaded into SQLite and PostgreSQL.

Every test that takes ``engine`` or ``client`` runs once per database. PostgreSQL is the
server named by ``SERVICELIST_TEST_POSTGRES_URL`` (default: the local server on 127.0.0.1,
database ``test``); each run works in its own schema, dropped afterwards. Setting the variable
to an empty string skips the PostgreSQL runs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from servicelist import migrations
from servicelist.api.app import create_app
from servicelist.database import create_database_engine
from servicelist.lists import operations
from servicelist.settings import Settings, default_data_dir

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BASE_URI = "http://127.0.0.1:8000/"
BACKENDS = ("sqlite", "postgresql")


def postgres_url() -> str | None:
    value = os.environ.get("SERVICELIST_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    return value or None


def make_engine(backend: str, tmp_path: Path) -> tuple[Engine, str]:
    """Return an empty database engine of ``backend`` and its URL."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'servicelist.sqlite3'}"
        return create_database_engine(url), url
    base = postgres_url()
    if base is None:
        pytest.skip("SERVICELIST_TEST_POSTGRES_URL is empty: PostgreSQL runs are skipped")
    schema = f"servicelist_test_{uuid.uuid4().hex[:12]}"
    admin = create_database_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}"
    return create_database_engine(url), url


def drop_engine(engine: Engine, backend: str) -> None:
    if backend == "postgresql":
        with engine.begin() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def loaded_database(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, str]]:
    """A database of ``backend`` migrated and loaded with the bundled lists, shared read-only."""
    engine, url = make_engine(backend, tmp_path_factory.mktemp(backend))
    migrations.upgrade(engine)
    operations.load_bundled(engine, default_data_dir())
    yield engine, url
    drop_engine(engine, backend)


@pytest.fixture(scope="session")
def engine(loaded_database: tuple[Engine, str]) -> Engine:
    return loaded_database[0]


@pytest.fixture(scope="session")
def settings(loaded_database: tuple[Engine, str]) -> Settings:
    return Settings(
        database_url=loaded_database[1], base_uri=BASE_URI, refresh_interval_seconds=3600
    )


@pytest.fixture(scope="session")
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """An HTTP client of the app serving the bundled lists; tests must not write through it."""
    with TestClient(create_app(settings, engine), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def empty_database(backend: str, tmp_path: Path) -> Iterator[tuple[Engine, str]]:
    """A fresh migrated database of ``backend`` with nothing loaded, for tests that write."""
    engine, url = make_engine(backend, tmp_path)
    migrations.upgrade(engine)
    yield engine, url
    drop_engine(engine, backend)
