"""Fixtures of the Open311 tests: the municipality fixtures, and a server with one municipality."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from servicelist.api.app import create_app
from servicelist.lists import operations
from servicelist.municipalities import repository
from servicelist.municipalities.models import Municipality
from servicelist.settings import Settings, default_data_dir
from tests.conftest import BASE_URI
from tests.municipalities.conftest import api, new_municipality, platform_token, seeded

__all__ = ["api", "new_municipality", "platform_token", "seeded", "single_town"]


@pytest.fixture
def single_town(empty_database: tuple[Engine, str]) -> Iterator[tuple[TestClient, str]]:
    """A server whose database contains the bundled lists and one published municipality."""
    engine, url = empty_database
    operations.load_bundled(engine, default_data_dir())
    stamp = repository.now()
    with engine.begin() as connection:
        repository.insert_municipalities(
            connection,
            [
                Municipality(
                    id="kortrijk",
                    name="Kortrijk",
                    country="Belgium",
                    languages=["nl", "en"],
                    release=2,
                    published=True,
                    source="test",
                    created_at=stamp,
                    updated_at=stamp,
                )
            ],
        )
    settings = Settings(database_url=url, base_uri=BASE_URI, refresh_interval_seconds=3600)
    with TestClient(create_app(settings, engine), raise_server_exceptions=False) as client:
        yield client, "kortrijk"
