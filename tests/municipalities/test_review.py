"""Moving a municipality from the 2015 release to the 2019 release, with a three-way review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.municipalities.conftest import bearer

Factory = Callable[..., tuple[str, dict[str, str]]]

# LGSL 8 was relabelled in 2019; LGSL 10 too; LGSL 372 kept its label.
RELABELLED = "8"
OLD_LABEL = "Special educational needs co-ordinated support plan"
NEW_LABEL = "Education, health and care (EHC) plan"


def override(api: TestClient, town: str, token: str, service: str, values: dict[str, Any]) -> None:
    url = f"/v1/municipalities/{town}/services/{service}"
    response = api.patch(
        url,
        json={"set": values},
        headers={**bearer(token), "If-Match": api.get(url).headers["etag"]},
    )
    assert response.status_code == 200, response.text


def move(api: TestClient, town: str, token: str, release: int = 2) -> Any:
    url = f"/v1/municipalities/{town}"
    etag = api.get(url, headers=bearer(token)).headers["etag"]
    return api.post(
        f"{url}/release", json={"release": release}, headers={**bearer(token), "If-Match": etag}
    )


def review_items(api: TestClient, town: str, token: str, **params: str) -> list[dict[str, Any]]:
    response = api.get(
        f"/v1/municipalities/{town}/review",
        params={"limit": "1000", **params},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def prepared_town(api: TestClient, new_municipality: Factory) -> tuple[str, dict[str, str]]:
    town, tokens = new_municipality(published=True, release=1, tier="unitary")
    assert api.get(f"/v1/municipalities/{town}/services/{RELABELLED}").json()["label"] == OLD_LABEL
    override(api, town, tokens["editor"], RELABELLED, {"label.en": "EHC plans in our town"})
    override(api, town, tokens["editor"], "372", {"label.en": "Dumped cars"})
    return town, tokens


def test_preview_stores_nothing(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = prepared_town(api, new_municipality)
    preview = api.get(
        f"/v1/municipalities/{town}/review/preview",
        params={"release": "2"},
        headers=bearer(tokens["reader"]),
    ).json()
    assert preview["summary"]["conflict"] == 1
    assert review_items(api, town, tokens["reader"]) == []
    assert api.get(f"/v1/municipalities/{town}").json()["release"]["number"] == 1


def test_move_reports_label_changes(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = prepared_town(api, new_municipality)
    response = move(api, town, tokens["admin"])
    assert response.status_code == 200, response.text
    summary = response.json()["summary"]
    assert summary["conflict"] == 1
    assert summary["added"] == 48
    assert summary["open"] == 1

    taken = review_items(api, town, tokens["reader"], kind="taken-over")
    relabelled = {item["service"]["id"] for item in taken if item["path"] == "label.en"}
    # 71 labels changed in 2019; the one overridden locally is a conflict instead.
    assert len(relabelled) == 70
    assert RELABELLED not in relabelled
    example = next(
        item for item in taken if item["service"]["id"] == "10" and item["path"] == "label.en"
    )
    assert example["old_standard"] == "Special educational needs - placement in mainstream school"
    assert example["new_standard"] == "Special educational needs placement in mainstream school"

    (conflict,) = review_items(api, town, tokens["reader"], kind="conflict")
    assert conflict["path"] == "label.en"
    assert conflict["old_standard"] == OLD_LABEL
    assert conflict["new_standard"] == NEW_LABEL
    assert conflict["local"] == "EHC plans in our town"
    assert conflict["status"] == "open"
    assert conflict["resolutions"] == ["accept-upstream", "keep-local", "edit"]


def test_move_keeps_local_values(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = prepared_town(api, new_municipality)
    assert move(api, town, tokens["admin"]).status_code == 200
    base = f"/v1/municipalities/{town}/services"
    conflicted = api.get(f"{base}/{RELABELLED}").json()
    assert conflicted["label"] == "EHC plans in our town"
    assert conflicted["release"] == 2
    untouched_upstream = api.get(f"{base}/372").json()
    assert untouched_upstream["label"] == "Dumped cars"
    assert untouched_upstream["provenance"]["label.en"]["based_on_release"] == 2
    taken_over = api.get(f"{base}/10").json()
    assert taken_over["label"] == "Special educational needs placement in mainstream school"
    assert taken_over["provenance"]["label.en"] == {"source": "standard", "release": 2}


def resolve(
    api: TestClient, town: str, token: str, item: dict[str, Any], body: dict[str, Any]
) -> Any:
    url = f"/v1/municipalities/{town}/review/{item['id']}"
    etag = api.get(url, headers=bearer(token)).headers["etag"]
    return api.post(f"{url}/resolution", json=body, headers={**bearer(token), "If-Match": etag})


def test_resolve_accept_upstream(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = prepared_town(api, new_municipality)
    move(api, town, tokens["admin"])
    (conflict,) = review_items(api, town, tokens["reader"], kind="conflict")
    response = resolve(api, town, tokens["editor"], conflict, {"resolution": "accept-upstream"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "resolved"
    service = api.get(f"/v1/municipalities/{town}/services/{RELABELLED}").json()
    assert service["label"] == NEW_LABEL
    assert service["provenance"]["label.en"]["source"] == "standard"
    again = resolve(api, town, tokens["editor"], conflict, {"resolution": "keep-local"})
    assert again.status_code == 409


def test_resolve_keep_local(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = prepared_town(api, new_municipality)
    move(api, town, tokens["admin"])
    (conflict,) = review_items(api, town, tokens["reader"], kind="conflict")
    response = resolve(api, town, tokens["editor"], conflict, {"resolution": "keep-local"})
    assert response.status_code == 200, response.text
    service = api.get(f"/v1/municipalities/{town}/services/{RELABELLED}").json()
    assert service["label"] == "EHC plans in our town"
    assert service["provenance"]["label.en"]["based_on_release"] == 2
    assert review_items(api, town, tokens["reader"], status="open") == []


def test_resolve_edit_validates(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = prepared_town(api, new_municipality)
    move(api, town, tokens["admin"])
    (conflict,) = review_items(api, town, tokens["reader"], kind="conflict")
    missing = resolve(api, town, tokens["editor"], conflict, {"resolution": "edit"})
    assert missing.status_code == 422
    empty = resolve(api, town, tokens["editor"], conflict, {"resolution": "edit", "value": " "})
    assert empty.status_code == 422
    edited = resolve(
        api, town, tokens["editor"], conflict, {"resolution": "edit", "value": "EHC plans here"}
    )
    assert edited.status_code == 200, edited.text
    service = api.get(f"/v1/municipalities/{town}/services/{RELABELLED}").json()
    assert service["label"] == "EHC plans here"
    history = api.get(
        f"/v1/municipalities/{town}/services/{RELABELLED}/history", headers=bearer(tokens["reader"])
    ).json()
    assert history["items"][-1]["action"] == "review set"
    assert history["items"][-1]["before"] == "EHC plans in our town"


def test_stale_resolution_412(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = prepared_town(api, new_municipality)
    move(api, town, tokens["admin"])
    (conflict,) = review_items(api, town, tokens["reader"], kind="conflict")
    url = f"/v1/municipalities/{town}/review/{conflict['id']}"
    response = api.post(
        f"{url}/resolution",
        json={"resolution": "keep-local"},
        headers={**bearer(tokens["editor"]), "If-Match": '"stale"'},
    )
    assert response.status_code == 412
    assert review_items(api, town, tokens["reader"], status="open") != []


def test_move_guards(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = prepared_town(api, new_municipality)
    assert move(api, town, tokens["editor"]).status_code == 403
    assert move(api, town, tokens["admin"], release=1).status_code == 409
    assert move(api, town, tokens["admin"], release=99).status_code == 422
    assert move(api, town, tokens["admin"]).status_code == 200
    again = move(api, town, tokens["admin"])
    assert again.status_code == 409


def test_move_without_if_match_428(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = prepared_town(api, new_municipality)
    response = api.post(
        f"/v1/municipalities/{town}/release", json={"release": 2}, headers=bearer(tokens["admin"])
    )
    assert response.status_code == 428
    assert api.get(f"/v1/municipalities/{town}").json()["release"]["number"] == 1


def test_move_recorded_in_history(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = prepared_town(api, new_municipality)
    move(api, town, tokens["admin"])
    history = api.get(f"/v1/municipalities/{town}/history", headers=bearer(tokens["reader"]))
    entry = history.json()["items"][-1]
    assert (entry["entity"], entry["path"], entry["before"], entry["after"]) == (
        "municipality",
        "release",
        1,
        2,
    )
