"""Fixtures of the benchmark tests: the seeded councils, keys and helpers to make towns.

The seeded-council fixtures are the municipality tests' own, so both directories share one
seeding per database.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.municipalities import conftest as municipal
from tests.municipalities.conftest import bearer

# The municipality tests' fixtures, registered here too.
seeded = municipal.seeded
api = municipal.api
platform_token = municipal.platform_token
new_municipality = municipal.new_municipality

Factory = Callable[..., tuple[str, dict[str, str]]]
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture
def new_region(api: TestClient, platform_token: str) -> Callable[[], str]:
    """Create a region of its own for a test, so its members are only that test's towns."""

    def create(name: str | None = None) -> str:
        region_id = f"zz-region-{uuid.uuid4().hex[:8]}"
        response = api.post(
            "/v1/regions",
            json={"id": region_id, "name": name or f"Region {region_id}"},
            headers={**bearer(platform_token), "If-None-Match": "*"},
        )
        assert response.status_code == 201, response.text
        return region_id

    return create


def municipality_etag(api: TestClient, town: str, token: str) -> str:
    response = api.get(f"/v1/municipalities/{town}", headers={**bearer(token), **IDENTITY})
    assert response.status_code == 200, response.text
    return str(response.headers["etag"])


def patch_service(
    api: TestClient, town: str, token: str, service: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Apply a PATCH to one service of ``town`` with the service's current ETag."""
    url = f"/v1/municipalities/{town}/services/{service}"
    current = api.get(url, headers={**bearer(token), **IDENTITY})
    assert current.status_code == 200, current.text
    response = api.patch(
        url, json=body, headers={**bearer(token), "If-Match": current.headers["etag"]}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
