"""Requests the search tests share: searching, and editing through the API with ETags."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.municipalities.conftest import bearer

# LGSL services the tests expect, by the words a caller uses.
HOUSEHOLD_WASTE_COLLECTION = "524"
HOUSEHOLD_WASTE_CONTAINERS = "526"
FLYTIPPING = "587"
PARKING_PERMITS = "474"
DISABLED_PARKING_PERMITS = "279"
RECYCLING_SERVICES = {"533", "534", "851", "1130", "1423", "1779"}
STREET_CAFE_LICENCE = "742"


def search(api: TestClient, query: str, municipality: str | None = None, **params: Any) -> Any:
    """Return the JSON of a successful search; fail with the response body otherwise."""
    path = f"/v1/municipalities/{municipality}/search" if municipality else "/v1/search"
    headers = params.pop("headers", None)
    response = api.get(path, params={"q": query, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def ids(document: Any, top: int | None = None) -> list[str]:
    return [item["id"] for item in document["items"][:top]]


def patch_service(
    api: TestClient, municipality: str, service: str, token: str, body: dict[str, Any]
) -> Any:
    url = f"/v1/municipalities/{municipality}/services/{service}"
    etag = api.get(url, headers=bearer(token)).headers["etag"]
    response = api.patch(url, json=body, headers={**bearer(token), "If-Match": etag})
    assert response.status_code == 200, response.text
    return response.json()


def create_local_service(
    api: TestClient, municipality: str, token: str, service: str, values: dict[str, Any]
) -> Any:
    response = api.post(
        f"/v1/municipalities/{municipality}/services",
        json={"id": service, "set": values},
        headers={**bearer(token), "If-None-Match": "*"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def put_synonyms(
    api: TestClient,
    municipality: str,
    token: str,
    items: list[dict[str, str]],
    headers: dict[str, str] | None = None,
) -> Any:
    """PUT the list with the precondition a client would send; return the response."""
    url = f"/v1/municipalities/{municipality}/synonyms"
    if headers is None:
        current = api.get(url, headers=bearer(token))
        headers = (
            {"If-Match": current.headers["etag"]}
            if current.json()["revision"]
            else {"If-None-Match": "*"}
        )
    return api.put(url, json={"items": items}, headers={**bearer(token), **headers})
