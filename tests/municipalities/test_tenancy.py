"""Tenancy: keys of one municipality never see or change another's private data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from servicelist.municipalities import keys
from tests.municipalities.conftest import ROLES, bearer, create_token

Factory = Callable[..., tuple[str, dict[str, str]]]

# Every route that needs a key, as (method, path template, JSON body).
PRIVATE_ROUTES = (
    ("GET", "/v1/municipalities/{m}/review", None),
    ("GET", "/v1/municipalities/{m}/review/preview?release=2", None),
    ("GET", "/v1/municipalities/{m}/review/1", None),
    ("POST", "/v1/municipalities/{m}/review/1/resolution", {"resolution": "keep-local"}),
    ("GET", "/v1/municipalities/{m}/history", None),
    ("GET", "/v1/municipalities/{m}/services/372/history", None),
    ("GET", "/v1/municipalities/{m}/keys", None),
    ("PATCH", "/v1/municipalities/{m}", {"name": "Taken over"}),
    ("PATCH", "/v1/municipalities/{m}/services/372", {"set": {"fees": "£1"}}),
    ("POST", "/v1/municipalities/{m}/services", {"id": "intruder", "set": {"label.en": "x"}}),
    ("PUT", "/v1/municipalities/{m}/terms/life-events/intruder", {"labels": {"en": "x"}}),
    ("POST", "/v1/municipalities/{m}/release", {"release": 2}),
    ("GET", "/v1/municipalities/{m}/export.csv", None),
    ("POST", "/v1/municipalities/{m}/import?dry_run=true", None),
)
# Routes that are public for a published municipality and hidden for an unpublished one.
PUBLIC_ROUTES = (
    "/v1/municipalities/{m}",
    "/v1/municipalities/{m}/services",
    "/v1/municipalities/{m}/services/372",
    "/v1/municipalities/{m}/terms",
)


@pytest.mark.parametrize("role", ROLES)
def test_other_tenant_private_routes_404(
    api: TestClient, new_municipality: Factory, role: str
) -> None:
    _, mine = new_municipality(published=True, release=1)
    theirs, _ = new_municipality(published=True, release=1)
    for method, template, body in PRIVATE_ROUTES:
        response = api.request(
            method,
            template.format(m=theirs),
            json=body,
            headers={**bearer(mine[role]), "If-Match": "*", "If-None-Match": "*"},
        )
        assert response.status_code == 404, (method, template, response.text)
        assert theirs in response.json()["detail"]


@pytest.mark.parametrize("role", ROLES)
def test_other_tenant_unpublished_404(
    api: TestClient, new_municipality: Factory, role: str
) -> None:
    _, mine = new_municipality(published=True)
    theirs, their_tokens = new_municipality(published=False)
    for template in PUBLIC_ROUTES:
        url = template.format(m=theirs)
        assert api.get(url, headers=bearer(mine[role])).status_code == 404, url
        assert api.get(url).status_code == 404, url
        assert api.get(url, headers=bearer(their_tokens["reader"])).status_code == 200, url
    listing = api.get("/v1/municipalities", headers=bearer(mine[role])).json()
    assert theirs not in {item["id"] for item in listing["items"]}


def test_other_tenant_write_changes_nothing(api: TestClient, new_municipality: Factory) -> None:
    _, mine = new_municipality(published=True)
    theirs, _ = new_municipality(published=True)
    url = f"/v1/municipalities/{theirs}/services/372"
    etag = api.get(url).headers["etag"]
    response = api.patch(
        url, json={"set": {"fees": "£1"}}, headers={**bearer(mine["admin"]), "If-Match": etag}
    )
    assert response.status_code == 404
    assert api.get(url).headers["etag"] == etag


def test_private_route_without_key_401(api: TestClient, new_municipality: Factory) -> None:
    town, _ = new_municipality(published=True)
    response = api.get(f"/v1/municipalities/{town}/history")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="servicelist"'
    assert response.json()["type"] == "urn:servicelist:problem:unauthorized"


def test_malformed_and_unknown_keys_401(api: TestClient, new_municipality: Factory) -> None:
    town, _ = new_municipality(published=True)
    url = f"/v1/municipalities/{town}/history"
    for header in ("Basic abc", "Bearer ", "Bearer sl_nothere_secret", "Bearer garbage"):
        response = api.get(url, headers={"Authorization": header})
        assert response.status_code == 401, header


def test_revoked_key_401(api: TestClient, new_municipality: Factory, engine: Engine) -> None:
    town, _ = new_municipality(published=True)
    token = create_token(engine, "reader", town)
    url = f"/v1/municipalities/{town}/history"
    assert api.get(url, headers=bearer(token)).status_code == 200
    with engine.begin() as connection:
        keys.revoke_key(connection, token.split("_")[1])
    assert api.get(url, headers=bearer(token)).status_code == 401


def test_wrong_secret_401(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    forged = tokens["admin"][:-4] + "AAAA"
    response = api.get(f"/v1/municipalities/{town}/history", headers=bearer(forged))
    assert response.status_code == 401


def test_platform_admin_sees_every_tenant(
    api: TestClient, new_municipality: Factory, platform_token: str
) -> None:
    theirs, _ = new_municipality(published=False)
    for url in (f"/v1/municipalities/{theirs}", f"/v1/municipalities/{theirs}/history"):
        assert api.get(url, headers=bearer(platform_token)).status_code == 200


def test_only_platform_admin_creates(api: TestClient, new_municipality: Factory) -> None:
    _, mine = new_municipality(published=True)
    response = api.post(
        "/v1/municipalities",
        json={"id": "zz-not-allowed", "name": "No"},
        headers={**bearer(mine["admin"]), "If-None-Match": "*"},
    )
    assert response.status_code == 403


def test_keys_stored_hashed(engine: Engine, new_municipality: Factory) -> None:
    town, tokens = new_municipality()
    with engine.connect() as connection:
        stored = keys.list_keys(connection, town)
    secrets_ = {token.split("_", 2)[2] for token in tokens.values()}
    assert len(stored) == 3
    for key in stored:
        assert key.secret_hash not in secrets_
        assert len(key.secret_hash) == 64
