"""The lists, their items, hierarchy and mappings in both directions."""

from __future__ import annotations

from fastapi.testclient import TestClient

from servicelist.api import schemas


def test_lists_carry_licence_and_attribution(client: TestClient) -> None:
    body = schemas.ListIndex.model_validate(client.get("/v1/lists").json())

    by_id = {entry.id: entry for entry in body.lists}
    assert set(by_id) == {
        "services",
        "interactions",
        "functions",
        "navigation",
        "tiers",
        "councils",
        "abc-classes",
        "channels",
        "audiences",
        "life-events",
        "process-templates",
    }
    assert by_id["services"].item_count == 1567
    assert by_id["interactions"].item_count == 33
    assert by_id["functions"].item_count == 113
    assert by_id["navigation"].item_count == 118
    assert by_id["councils"].item_count == 382
    assert by_id["services"].licence == "Open Government Licence v3.0"
    assert "esd-toolkit" in by_id["services"].attribution
    assert by_id["services"].version.startswith("4.0.1")
    assert any("esd-toolkit" in text for text in body.catalogue.attribution)


def test_one_list(client: TestClient) -> None:
    body = schemas.ListMetadata.model_validate(client.get("/v1/lists/navigation").json())

    assert body.status == "discontinued"
    assert body.items_href == "/v1/lists/navigation/items"


def test_unknown_list_is_404(client: TestClient) -> None:
    response = client.get("/v1/lists/parishes")

    assert response.status_code == 404
    assert "parishes" in response.json()["detail"]


def test_function_hierarchy(client: TestClient) -> None:
    parent = schemas.Item.model_validate(client.get("/v1/lists/functions/items/1").json())
    child = schemas.Item.model_validate(client.get("/v1/lists/functions/items/2").json())

    assert parent.label == "Advice and benefits"
    assert parent.parent is None
    assert [ref.id for ref in parent.children] == ["2", "3", "4", "5"]
    assert child.parent is not None
    assert child.parent.id == "1"


def test_function_lists_its_services(client: TestClient) -> None:
    body = client.get("/v1/lists/functions/items/40").json()

    services = body["related"]["services"]
    assert "372" in {entry["id"] for entry in services}
    assert all(entry["direction"] == "outgoing" for entry in services)
    assert all(entry["relation"] == "contains" for entry in services)
    assert services[0]["href"].startswith("/v1/services/")


def test_service_item_lists_its_functions(client: TestClient) -> None:
    body = client.get("/v1/lists/services/items/372").json()

    functions = body["related"]["functions"]
    assert [entry["id"] for entry in functions] == ["40"]
    assert functions[0]["direction"] == "incoming"


def test_top_level_items(client: TestClient) -> None:
    body = client.get("/v1/lists/functions/items", params={"parent": "none"}).json()

    assert body["total"] == 13


def test_children_of_item(client: TestClient) -> None:
    body = client.get("/v1/lists/navigation/items", params={"parent": "18"}).json()

    assert [item["id"] for item in body["items"]] == [str(n) for n in range(19, 27)]


def test_council_with_parent(client: TestClient) -> None:
    items = client.get("/v1/lists/councils/items", params={"q": "district", "limit": 1000}).json()
    district = next(item for item in items["items"] if item["parent"] is not None)

    assert district["properties"]["tier"] == "district"
    parent = client.get(district["parent"]["href"]).json()
    assert parent["properties"]["tier"] == "county"
    assert district["id"] in {child["id"] for child in parent["children"]}


def test_item_pages(client: TestClient) -> None:
    first = client.get("/v1/lists/councils/items", params={"limit": 200}).json()
    second = client.get(first["next"]).json()

    assert first["total"] == 382
    assert second["count"] == 182
    assert second["next"] is None


def test_catalogue_document(client: TestClient) -> None:
    response = client.get("/v1/catalogue")

    body = schemas.CatalogueDocument.model_validate(response.json())
    counts = {entry.id: len(entry.items) for entry in body.lists}
    assert counts["services"] == 1567
    assert counts["councils"] == 382
    services = next(entry for entry in body.lists if entry.id == "services")
    schemas.Service.model_validate(services.items[0])


def test_authored_lists_are_labelled(client: TestClient) -> None:
    body = client.get("/v1/lists").json()

    authored = {entry["id"]: entry for entry in body["lists"] if entry["authored"]}
    assert set(authored) == {
        "abc-classes",
        "channels",
        "audiences",
        "life-events",
        "process-templates",
    }
    for entry in authored.values():
        assert entry["licence"] == "Creative Commons Attribution 4.0 International"
        assert "servicelist" in entry["attribution"]


def test_audience_hierarchy(client: TestClient) -> None:
    body = client.get("/v1/lists/audiences/items", params={"parent": "none", "limit": 1000}).json()

    top = {item["id"] for item in body["items"]}
    assert {"residents", "businesses", "visitors", "community-organisations"} <= top
