"""Fixtures of the municipality tests: the seeded councils and API keys of every role.

The seeded database is shared by the whole session. Tests that write create their own
municipality (``new_municipality``), so they never see each other's changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from servicelist.municipalities import keys
from servicelist.municipalities.seed import SeedResult, seed_if_empty
from servicelist.settings import Settings, default_data_dir

ROLES = ("reader", "editor", "admin")


@pytest.fixture(scope="session")
def seeded(engine: Engine, settings: Settings) -> SeedResult | None:
    """Seed the councils and GOV.UK links once per database; None when already seeded."""
    return seed_if_empty(engine, default_data_dir())


@pytest.fixture(scope="session")
def api(client: TestClient, seeded: SeedResult | None) -> TestClient:
    """The HTTP client, after the councils were seeded."""
    return client


def create_token(engine: Engine, role: str, municipality: str | None) -> str:
    with engine.begin() as connection:
        _, token = keys.create_key(
            connection, role=role, name=f"test {role}", municipality_id=municipality
        )
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def platform_token(engine: Engine, seeded: SeedResult | None) -> str:
    return create_token(engine, keys.PLATFORM_ADMIN, None)


@pytest.fixture
def new_municipality(
    api: TestClient, platform_token: str, engine: Engine
) -> Callable[..., tuple[str, dict[str, str]]]:
    """Create a municipality through the API; return its id and a token per role."""

    def create(**fields: object) -> tuple[str, dict[str, str]]:
        municipality_id = f"zz-{uuid.uuid4().hex[:10]}"
        body = {"id": municipality_id, "name": f"Test {municipality_id}", **fields}
        response = api.post(
            "/v1/municipalities",
            json=body,
            headers={**bearer(platform_token), "If-None-Match": "*"},
        )
        assert response.status_code == 201, response.text
        tokens = {role: create_token(engine, role, municipality_id) for role in ROLES}
        return municipality_id, tokens

    return create
