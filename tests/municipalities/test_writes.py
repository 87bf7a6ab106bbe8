"""Field-level edits through the API: preconditions, validation, provenance and history."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.municipalities.conftest import bearer

Factory = Callable[..., tuple[str, dict[str, str]]]


def service_url(municipality: str, service: str = "372") -> str:
    return f"/v1/municipalities/{municipality}/services/{service}"


def patch(
    api: TestClient, url: str, token: str, body: object, etag: str | None
) -> tuple[int, dict[str, object], str | None]:
    headers = bearer(token)
    if etag is not None:
        headers["If-Match"] = etag
    response = api.patch(url, json=body, headers=headers)
    return response.status_code, response.json(), response.headers.get("etag")


def test_override_label_provenance(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = service_url(town)
    etag = api.get(url).headers["etag"]
    status, body, new_etag = patch(
        api, url, tokens["editor"], {"set": {"label.en": "Dumped cars"}}, etag
    )
    assert status == 200, body
    assert body["label"] == "Dumped cars"
    assert body["provenance"]["label.en"]["source"] == "local"
    assert body["provenance"]["label.en"]["set_by"].endswith("(test editor)")
    assert body["provenance"]["description.en"]["source"] == "standard"
    assert new_etag is not None and new_etag != etag
    assert api.get(url).json()["label"] == "Dumped cars"


def test_write_without_if_match_428(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    status, body, _ = patch(api, service_url(town), tokens["editor"], {"set": {"fees": "£5"}}, None)
    assert status == 428
    assert body["type"] == "urn:servicelist:problem:precondition-required"
    assert api.get(service_url(town)).json()["fees"] is None


def test_stale_if_match_412_keeps_first(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = service_url(town)
    etag = api.get(url).headers["etag"]
    first, _, _ = patch(api, url, tokens["editor"], {"set": {"fees": "£10"}}, etag)
    assert first == 200
    second, body, _ = patch(api, url, tokens["editor"], {"set": {"fees": "£99"}}, etag)
    assert second == 412
    assert body["type"] == "urn:servicelist:problem:precondition-failed"
    identity = {"Accept-Encoding": "identity"}
    assert body["current_etag"] == api.get(url, headers=identity).headers["etag"]
    assert api.get(url).json()["fees"] == "£10"


def test_gzip_etag_accepted(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = service_url(town)
    etag = api.get(url, headers={"Accept-Encoding": "gzip"}).headers["etag"]
    assert etag.endswith('-gzip"')
    status, _, _ = patch(api, url, tokens["editor"], {"set": {"fees": "£1"}}, etag)
    assert status == 200


def test_weak_etag_rejected(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = service_url(town)
    etag = api.get(url).headers["etag"]
    status, _, _ = patch(api, url, tokens["editor"], {"set": {"fees": "£1"}}, "W/" + etag)
    assert status == 412


def test_unknown_body_field_422(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = service_url(town)
    etag = api.get(url).headers["etag"]
    status, body, _ = patch(api, url, tokens["editor"], {"sett": {"fees": "x"}}, etag)
    assert status == 422
    assert body["errors"][0]["name"] == "sett"


def test_invalid_paths_and_values_422(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = service_url(town)
    etag = api.get(url).headers["etag"]
    body = {
        "set": {
            "colour": "red",
            "abc_class": "Z",
            "channels.web.url": "ftp://example.org/x",
            "channels.fax.url": "https://example.org",
            "label.english": "x",
            "audiences": ["nobody"],
        }
    }
    status, problem, _ = patch(api, url, tokens["editor"], body, etag)
    assert status == 422
    assert problem["type"] == "urn:servicelist:problem:invalid-value"
    columns = {error["column"]: error["reason"] for error in problem["errors"]}
    assert "not an overridable field" in columns["set.colour"]
    assert "not a known ABC class" in columns["set.abc_class"]
    assert "not an absolute http or https URL" in columns["set.channels.web.url"]
    assert "no channel 'fax'" in columns["set.channels.fax.url"]
    assert "not a language tag" in columns["set.label.english"]
    assert "not a known audience" in columns["set.audiences"]
    assert api.get(url).headers["etag"] == etag


def test_deeply_nested_body_rejected(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = service_url(town)
    etag = api.get(url).headers["etag"]
    nested = '{"set": {"keywords": ' + "[" * 5000 + "]" * 5000 + "}}"
    response = api.patch(
        url,
        content=nested,
        headers={**bearer(tokens["editor"]), "If-Match": etag, "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"


def test_empty_edit_422(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = service_url(town)
    etag = api.get(url).headers["etag"]
    status, body, _ = patch(api, url, tokens["editor"], {}, etag)
    assert status == 422
    assert "changes nothing" in body["detail"]


def test_reset_returns_to_standard(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = service_url(town)
    standard_label = api.get(url).json()["label"]
    etag = api.get(url).headers["etag"]
    _, _, etag = patch(api, url, tokens["editor"], {"set": {"label.en": "Local"}}, etag)
    status, body, _ = patch(api, url, tokens["editor"], {"reset": ["label.en"]}, etag)
    assert status == 200
    assert body["label"] == standard_label
    assert body["provenance"]["label.en"]["source"] == "standard"
    assert body["overridden"] == []


def test_offered_flag_and_back(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, tier="county")
    url = service_url(town)
    before = api.get(url).json()
    assert before["offered"] is False
    status, body, etag = patch(
        api, url, tokens["editor"], {"offered": True}, api.get(url).headers["etag"]
    )
    assert status == 200
    assert body["offered"] is True
    assert body["offered_source"] == "local"
    _, body, _ = patch(api, url, tokens["editor"], {"offered": None}, etag)
    assert body["offered"] is False
    assert body["offered_source"] == "standard"


def test_channel_attributes_override(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = service_url(town)
    body = {
        "set": {
            "channels.chat.available": True,
            "channels.phone.phone": "+44 20 7946 0000",
            "channels.phone.opening_hours": [{"day": "Mo", "opens": "09:00", "closes": "12:00"}],
        }
    }
    status, service, _ = patch(api, url, tokens["editor"], body, api.get(url).headers["etag"])
    assert status == 200, service
    channels = {channel["id"]: channel for channel in service["channels"]}
    assert "chat" in channels
    assert channels["chat"]["url"] is None
    assert channels["phone"]["phone"] == "+44 20 7946 0000"
    assert channels["phone"]["opening_hours"] == [
        {"day": "Mo", "opens": "09:00", "closes": "12:00"}
    ]


def test_history_records_before_after(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = service_url(town)
    standard = api.get(url).json()["description"]
    etag = api.get(url).headers["etag"]
    _, _, etag = patch(api, url, tokens["editor"], {"set": {"description.en": "Ours"}}, etag)
    patch(api, url, tokens["editor"], {"reset": ["description.en"]}, etag)
    history = api.get(url + "/history", headers=bearer(tokens["reader"])).json()
    entries = [(e["action"], e["path"], e["before"], e["after"]) for e in history["items"]]
    assert entries == [
        ("set", "description.en", standard, "Ours"),
        ("reset", "description.en", "Ours", standard),
    ]
    assert all(entry["actor"].endswith("(test editor)") for entry in history["items"])


def test_local_service_lifecycle(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, languages=["nl", "en"])
    collection = f"/v1/municipalities/{town}/services"
    body = {"id": "bike-shed-permit", "set": {"label.nl": "Fietsenhokvergunning"}}
    missing = api.post(collection, json=body, headers=bearer(tokens["editor"]))
    assert missing.status_code == 428
    created = api.post(
        collection, json=body, headers={**bearer(tokens["editor"]), "If-None-Match": "*"}
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"{collection}/bike-shed-permit"
    service = created.json()
    assert service["kind"] == "local"
    assert service["label"] == "Fietsenhokvergunning"
    assert service["standard"] is None
    again = api.post(
        collection, json=body, headers={**bearer(tokens["editor"]), "If-None-Match": "*"}
    )
    assert again.status_code == 409
    numeric = api.post(
        collection,
        json={"id": "372", "set": {"label.en": "x"}},
        headers={**bearer(tokens["editor"]), "If-None-Match": "*"},
    )
    assert numeric.status_code == 422
    listing = api.get(collection, params={"kind": "local"}).json()
    assert [item["id"] for item in listing["items"]] == ["bike-shed-permit"]


def test_local_life_event_term(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    term_url = f"/v1/municipalities/{town}/terms/life-events/harbour-berth"
    created = api.put(
        term_url,
        json={"labels": {"en": "Getting a harbour berth"}},
        headers={**bearer(tokens["editor"]), "If-None-Match": "*"},
    )
    assert created.status_code == 200, created.text
    url = service_url(town)
    status, service, _ = patch(
        api,
        url,
        tokens["editor"],
        {"set": {"life_events": ["harbour-berth"]}},
        api.get(url).headers["etag"],
    )
    assert status == 200, service
    assert service["life_events"][0]["local"] is True
    assert service["life_events"][0]["label"] == "Getting a harbour berth"


def test_reader_cannot_write(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = service_url(town)
    status, body, _ = patch(
        api, url, tokens["reader"], {"set": {"fees": "x"}}, api.get(url).headers["etag"]
    )
    assert status == 403
    assert "editor" in body["detail"]


def test_municipality_settings_patch(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality()
    url = f"/v1/municipalities/{town}"
    etag = api.get(url, headers=bearer(tokens["admin"])).headers["etag"]
    response = api.patch(
        url,
        json={"published": True, "languages": ["nl", "fr"]},
        headers={**bearer(tokens["admin"]), "If-Match": etag},
    )
    assert response.status_code == 200, response.text
    assert response.json()["published"] is True
    assert api.get(url).status_code == 200
    stale = api.patch(
        url, json={"name": "Other"}, headers={**bearer(tokens["admin"]), "If-Match": etag}
    )
    assert stale.status_code == 412
    assert api.get(url).json()["name"] == f"Test {town}"


def test_create_belgian_town(api: TestClient, platform_token: str) -> None:
    body = {
        "id": "zz-knokke-heist",
        "name": "Knokke-Heist",
        "country": "Belgium",
        "languages": ["nl"],
        "release": 2,
    }
    headers = {**bearer(platform_token), "If-None-Match": "*"}
    response = api.post("/v1/municipalities", json=body, headers=headers)
    assert response.status_code == 201, response.text
    town = response.json()
    assert town["release"]["number"] == 2
    assert town["published"] is False
    assert api.get("/v1/municipalities/zz-knokke-heist").status_code == 404
    service = api.get(
        "/v1/municipalities/zz-knokke-heist/services/1", headers=bearer(platform_token)
    ).json()
    assert service["offered"] is True
    assert "no tier" in service["offered_reason"]
