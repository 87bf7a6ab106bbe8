"""GET /v1/services and /v1/services/{id} on the real lists, on SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from servicelist.api import schemas


def test_service_372_is_abandoned_vehicles(client: TestClient) -> None:
    response = client.get("/v1/services/372")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = schemas.Service.model_validate(response.json())
    assert body.label == "Abandoned vehicles"
    assert body.description is not None
    assert body.description.startswith("The local council will deal with any vehicles")
    assert body.esd_uri == "http://id.esd.org.uk/service/372"
    assert body.history_notes is not None
    assert body.created == "2013-04-03"
    assert body.status == "live"


def test_service_links_to_other_lists(client: TestClient) -> None:
    body = client.get("/v1/services/372").json()

    assert {entry["id"] for entry in body["navigation"]} == {"115"}
    assert {entry["id"] for entry in body["functions"]} == {"40"}
    assert body["functions"][0]["href"] == "/v1/lists/functions/items/40"
    assert {entry["id"] for entry in body["interactions"]} >= {"17"}


def test_service_tiers(client: TestClient) -> None:
    body = client.get("/v1/services/1").json()

    assert {entry["id"] for entry in body["tiers"]} == {"county", "unitary"}
    assert body["tiers"][0]["note"].startswith("GOV.UK providing tier county/unitary")


def test_unknown_service_is_404_problem(client: TestClient) -> None:
    response = client.get("/v1/services/999999")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:servicelist:problem:not-found"
    assert problem["status"] == 404
    assert "999999" in problem["detail"]
    assert problem["instance"] == "/v1/services/999999"


def test_list_has_every_service(client: TestClient) -> None:
    response = client.get("/v1/services", params={"limit": 1000})

    page = schemas.ServicePage.model_validate(response.json())
    assert page.total == 1567
    assert page.count == 1000
    assert page.next_cursor is not None


def test_pages_follow_link_header(client: TestClient) -> None:
    seen: list[str] = []
    url: str | None = "/v1/services?limit=400"
    pages = 0
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        seen.extend(item["id"] for item in body["items"])
        link = response.headers.get("link")
        if body["next_cursor"] is None:
            assert link is None
            url = None
        else:
            assert link is not None
            assert link.endswith('>; rel="next"')
            url = link[1 : link.index(">")]
            assert url == body["next"]
        pages += 1

    assert pages == 4
    assert len(seen) == 1567
    assert len(set(seen)) == 1567
    assert seen == sorted(seen, key=int)


def test_cursor_keeps_filters(client: TestClient) -> None:
    first = client.get("/v1/services", params={"tier": "district", "limit": 10}).json()
    second = client.get(first["next"]).json()

    assert first["total"] == second["total"]
    assert int(second["items"][0]["id"]) > int(first["items"][-1]["id"])


def test_malformed_cursor_is_400_problem(client: TestClient) -> None:
    response = client.get("/v1/services", params={"cursor": "not-a-cursor"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:servicelist:problem:invalid-cursor"
    assert problem["errors"][0]["name"] == "cursor"
    assert problem["errors"][0]["value"] == "not-a-cursor"


def test_filter_by_function_includes_sub_functions(client: TestClient) -> None:
    street = client.get("/v1/services", params={"function": "40", "limit": 1000}).json()
    environment = client.get("/v1/services", params={"function": "30", "limit": 1000}).json()

    street_ids = {item["id"] for item in street["items"]}
    assert "372" in street_ids
    assert street_ids <= {item["id"] for item in environment["items"]}
    assert environment["total"] > street["total"]


def test_filter_by_navigation_heading(client: TestClient) -> None:
    body = client.get("/v1/services", params={"navigation": "115", "limit": 1000}).json()

    labels = {item["label"] for item in body["items"]}
    assert {"Abandoned vehicles", "Graffiti removal", "Street cleaning"} <= labels


def test_filter_by_interaction(client: TestClient) -> None:
    body = client.get("/v1/services", params={"interaction": "17", "limit": 1000}).json()

    assert body["total"] > 0
    assert all(any(i["id"] == "17" for i in item["interactions"]) for item in body["items"])


def test_filter_by_tier(client: TestClient) -> None:
    body = client.get("/v1/services", params={"tier": "district", "limit": 1000}).json()

    assert body["total"] == 51 + 16
    assert all(any(t["id"] == "district" for t in item["tiers"]) for item in body["items"])


def test_filters_combine(client: TestClient) -> None:
    body = client.get(
        "/v1/services", params={"navigation": "115", "q": "vehicles", "limit": 1000}
    ).json()

    assert [item["id"] for item in body["items"]] == ["372"]


def test_text_filter_matches_description_any_case(client: TestClient) -> None:
    body = client.get("/v1/services", params={"q": "SHOPPING trolleys"}).json()

    assert "1152" in {item["id"] for item in body["items"]}


def test_unknown_filter_value_is_400_problem(client: TestClient) -> None:
    response = client.get("/v1/services", params={"function": "9999"})

    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "urn:servicelist:problem:invalid-parameter"
    assert problem["errors"] == [
        {
            "location": "query",
            "name": "function",
            "value": "9999",
            "reason": problem["detail"],
        }
    ]


def test_invalid_tier_is_422_problem(client: TestClient) -> None:
    response = client.get("/v1/services", params={"tier": "parish"})

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:servicelist:problem:validation-error"
    assert problem["errors"][0]["name"] == "tier"
    assert problem["errors"][0]["value"] == "parish"


def test_limit_is_capped(client: TestClient) -> None:
    body = client.get("/v1/services", params={"limit": 5000}).json()

    assert body["limit"] == 1000
    assert body["count"] == 1000
