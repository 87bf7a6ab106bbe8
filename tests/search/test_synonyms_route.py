"""A municipality's own synonyms through HTTP: reading, replacing with preconditions,
validation, roles, history, and their effect on that municipality's searches only."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.municipalities.conftest import bearer
from tests.search.helpers import HOUSEHOLD_WASTE_COLLECTION, ids, put_synonyms, search

Factory = Callable[..., tuple[str, dict[str, str]]]

GUBBINS = [{"term": "gubbins", "expansion": "household waste collection"}]


def test_empty_list_before_first_put(api: TestClient, new_municipality: Factory) -> None:
    town, _ = new_municipality(published=True)
    response = api.get(f"/v1/municipalities/{town}/synonyms")
    assert response.status_code == 200
    assert response.json() == {
        "municipality": town,
        "href": f"/v1/municipalities/{town}/synonyms",
        "items": [],
        "count": 0,
        "revision": 0,
        "updated_at": None,
    }


def test_synonyms_change_own_results_only(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    other, _ = new_municipality(published=True)
    assert search(api, "gubbins", town)["items"] == []

    response = put_synonyms(api, town, tokens["editor"], GUBBINS)
    assert response.status_code == 200, response.text
    assert response.json()["items"] == GUBBINS
    assert response.json()["revision"] == 1

    document = search(api, "gubbins", town)
    assert ids(document, 1) == [HOUSEHOLD_WASTE_COLLECTION]
    assert document["words"][0]["synonyms"] == ["household waste collection"]
    assert search(api, "gubbins", other)["items"] == []
    assert search(api, "gubbins")["items"] == []
    # The authored synonyms still apply besides the municipality's own.
    assert HOUSEHOLD_WASTE_COLLECTION in ids(search(api, "bin", town), 3)


def test_replace_needs_current_etag(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = f"/v1/municipalities/{town}/synonyms"
    editor = bearer(tokens["editor"])
    empty_etag = api.get(url).headers["etag"]
    missing = api.put(url, json={"items": GUBBINS}, headers=editor)
    assert missing.status_code == 428
    assert missing.json()["type"] == "urn:servicelist:problem:precondition-required"

    created = api.put(url, json={"items": GUBBINS}, headers={**editor, "If-Match": empty_etag})
    assert created.status_code == 200, created.text
    etag = created.headers["etag"]
    assert api.get(url).headers["etag"] == etag

    stale = api.put(url, json={"items": []}, headers={**editor, "If-Match": empty_etag})
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == etag
    again = api.put(url, json={"items": []}, headers={**editor, "If-None-Match": "*"})
    assert again.status_code == 412

    cleared = api.put(url, json={"items": []}, headers={**editor, "If-Match": etag})
    assert cleared.status_code == 200
    assert cleared.json()["items"] == []
    assert cleared.json()["revision"] == 2
    assert search(api, "gubbins", town)["items"] == []


def test_create_with_if_none_match(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    response = put_synonyms(api, town, tokens["editor"], GUBBINS, headers={"If-None-Match": "*"})
    assert response.status_code == 200
    assert api.get(f"/v1/municipalities/{town}/synonyms").json()["count"] == 1


def test_history_records_synonyms(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    assert put_synonyms(api, town, tokens["editor"], GUBBINS).status_code == 200
    replacement = [{"term": "wheelie", "expansion": "household waste containers"}]
    assert put_synonyms(api, town, tokens["editor"], replacement).status_code == 200
    history = api.get(
        f"/v1/municipalities/{town}/history", headers=bearer(tokens["reader"])
    ).json()["items"]
    changes = [change for change in history if change["entity"] == "synonyms"]
    assert [change["action"] for change in changes] == ["create", "set"]
    assert changes[0]["before"] is None
    assert changes[0]["after"] == GUBBINS
    assert changes[1]["before"] == GUBBINS
    assert changes[1]["after"] == replacement
    assert changes[1]["actor"].endswith("(test editor)")
    assert changes[1]["entity_id"] == town


def test_invalid_entries_rejected(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    items = [
        {"term": "gubbins", "expansion": "household waste collection"},
        {"term": "  ", "expansion": "litter"},
        {"term": "bins", "expansion": "bin"},
        {"term": "one two three four five six seven", "expansion": "litter"},
        {"term": "Gubbins", "expansion": "Household  waste collection"},
    ]
    response = put_synonyms(api, town, tokens["editor"], items)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:servicelist:problem:invalid-value"
    found = {(error["row"], error["column"]) for error in problem["errors"]}
    assert found == {(2, "term"), (3, "expansion"), (4, "term"), (5, "expansion")}
    assert api.get(f"/v1/municipalities/{town}/synonyms").json()["count"] == 0


def test_malformed_bodies_rejected(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = f"/v1/municipalities/{town}/synonyms"
    headers = {**bearer(tokens["editor"]), "If-None-Match": "*"}
    for body in (
        {"items": [{"term": "a"}]},
        {"items": [{"term": "a", "expansion": "b", "weight": 3}]},
        {"items": [{"term": "a" * 101, "expansion": "b"}]},
        {"items": [{"term": "a", "expansion": "b"}] * 1001},
        {"entries": []},
        [],
    ):
        response = api.put(url, json=body, headers=headers)
        assert response.status_code == 422, str(body)[:80]
        assert response.headers["content-type"] == "application/problem+json"


def test_roles_and_tenancy(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    _, others = new_municipality(published=True)
    url = f"/v1/municipalities/{town}/synonyms"
    body = {"items": GUBBINS}
    anonymous = api.put(url, json=body, headers={"If-None-Match": "*"})
    assert anonymous.status_code == 401
    reader = api.put(url, json=body, headers={**bearer(tokens["reader"]), "If-None-Match": "*"})
    assert reader.status_code == 403
    foreign = api.put(url, json=body, headers={**bearer(others["admin"]), "If-None-Match": "*"})
    assert foreign.status_code == 404
    assert api.get(url).json()["count"] == 0


def test_unpublished_list_hidden(api: TestClient, new_municipality: Factory) -> None:
    hidden, tokens = new_municipality()
    url = f"/v1/municipalities/{hidden}/synonyms"
    assert api.get(url).status_code == 404
    assert api.get(url, headers=bearer(tokens["reader"])).status_code == 200


def test_get_not_modified(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    put_synonyms(api, town, tokens["editor"], GUBBINS)
    url = f"/v1/municipalities/{town}/synonyms"
    etag = api.get(url).headers["etag"]
    assert api.get(url, headers={"If-None-Match": etag}).status_code == 304
