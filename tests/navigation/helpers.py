"""Writes that the navigation and HSDS tests make through the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.municipalities.conftest import bearer


def edit(api: TestClient, municipality: str, token: str, service: str, body: object) -> None:
    url = f"/v1/municipalities/{municipality}/services/{service}"
    etag = api.get(url, headers=bearer(token)).headers["etag"]
    response = api.patch(url, json=body, headers={**bearer(token), "If-Match": etag})
    assert response.status_code == 200, response.text


def put_term(
    api: TestClient, municipality: str, token: str, identifier: str, body: dict[str, Any]
) -> None:
    url = f"/v1/municipalities/{municipality}/terms/navigation/{identifier}"
    current = api.get(url)
    headers = bearer(token)
    if current.status_code == 200:
        headers["If-Match"] = current.headers["etag"]
    else:
        headers["If-None-Match"] = "*"
    response = api.put(url, json=body, headers=headers)
    assert response.status_code == 200, response.text
