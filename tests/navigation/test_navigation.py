"""Navigation trees of a municipality through HTTP: headings, local terms, caching, languages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi.testclient import TestClient

from tests.municipalities.conftest import bearer
from tests.navigation.helpers import edit, put_term

Factory = Callable[..., tuple[str, dict[str, str]]]

STREET_CARE = "115"  # LGNL "Street care and cleaning", below 107 "Transport and streets"
BUSINESS_RATES = "13"  # LGNL "Business rates", below 11 "Business and economy"
BUSINESS_RATE_RELIEF = "55"  # provided by district and unitary councils only


def tree_url(municipality: str, tree: str = "functions") -> str:
    return f"/v1/municipalities/{municipality}/navigation/{tree}"


def walk(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in nodes:
        yield node
        yield from walk(node["children"])


def node_of(document: dict[str, Any], node_id: str) -> dict[str, Any] | None:
    return next((node for node in walk(document["items"]) if node["id"] == node_id), None)


def service_ids(document: dict[str, Any]) -> set[str]:
    return {service["id"] for node in walk(document["items"]) for service in node["services"]}


def test_leicester_heading_has_gov_uk_urls(api: TestClient) -> None:
    response = api.get(tree_url("leicester"))
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["tree"] == "functions"
    assert document["list"] == "navigation"
    assert document["language"] == "en"
    assert document["empty_branches"] == "pruned"

    transport = node_of(document, "107")
    assert transport is not None
    assert transport["label"] == "Transport and streets"
    street_care = node_of(document, STREET_CARE)
    assert street_care is not None
    assert street_care in transport["children"]
    assert street_care["label"] == "Street care and cleaning"
    assert street_care["local"] is False
    assert street_care["href"] == "/v1/lists/navigation/items/115"

    services = {service["id"]: service for service in street_care["services"]}
    vehicles = services["372"]
    assert vehicles["label"] == "Abandoned vehicles"
    assert vehicles["web_url"] == (
        "http://www.leicester.gov.uk/your-environment/street-cleaning-and-care"
    )
    assert vehicles["href"] == "/v1/municipalities/leicester/services/372"
    assert vehicles["page"] == "/v1/municipalities/leicester/services/372/page"
    assert services["580"]["web_url"] == "http://www.leicester.gov.uk/index.asp?pgid=2603"
    labels = [service["label"] for service in street_care["services"]]
    assert labels == sorted(labels, key=str.casefold)
    assert street_care["service_count"] == len(street_care["services"])
    assert transport["service_count"] >= street_care["service_count"]


def test_every_node_has_offered_services(api: TestClient) -> None:
    document = api.get(tree_url("leicester")).json()
    nodes = list(walk(document["items"]))
    assert all(node["service_count"] > 0 for node in nodes)
    assert document["service_count"] == len(service_ids(document))
    assert document["unassigned_count"] > 0

    everything = api.get(tree_url("leicester"), params={"include_empty": "true"}).json()
    assert everything["empty_branches"] == "included"
    assert len(list(walk(everything["items"]))) >= len(nodes)


def test_county_omits_district_service(api: TestClient) -> None:
    county = api.get(tree_url("west-sussex")).json()
    assert BUSINESS_RATE_RELIEF not in service_ids(county)
    rates = node_of(county, BUSINESS_RATES)
    assert rates is None or BUSINESS_RATE_RELIEF not in {s["id"] for s in rates["services"]}

    district = api.get(tree_url("adur")).json()
    district_rates = node_of(district, BUSINESS_RATES)
    assert district_rates is not None
    assert BUSINESS_RATE_RELIEF in {service["id"] for service in district_rates["services"]}

    page = api.get("/v1/municipalities/west-sussex/services/55/page")
    assert page.status_code == 404
    assert page.headers["content-type"] == "application/problem+json"
    assert "does not offer service '55'" in page.json()["detail"]


def test_patch_navigation_moves_service(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, tier="unitary", country="England")
    before = api.get(tree_url(town)).json()
    street_care = node_of(before, STREET_CARE)
    assert street_care is not None
    assert "372" in {service["id"] for service in street_care["services"]}

    edit(api, town, tokens["editor"], "372", {"set": {"navigation": [BUSINESS_RATES]}})

    after = api.get(tree_url(town)).json()
    moved_from = node_of(after, STREET_CARE)
    moved_to = node_of(after, BUSINESS_RATES)
    assert moved_from is not None
    assert moved_to is not None
    assert "372" not in {service["id"] for service in moved_from["services"]}
    assert "372" in {service["id"] for service in moved_to["services"]}


def test_withdrawn_service_leaves_tree(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, tier="unitary", country="England")
    edit(api, town, tokens["editor"], "372", {"offered": False})
    for tree in ("functions", "life-events", "audiences"):
        document = api.get(tree_url(town, tree)).json()
        assert "372" not in service_ids(document), tree


def test_local_heading_below_standard(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, tier="unitary")
    before = api.get(tree_url(town)).json()
    assert node_of(before, "beach-cleaning") is None
    put_term(
        api,
        town,
        tokens["editor"],
        "beach-cleaning",
        {"labels": {"en": "Beach cleaning"}, "parent": STREET_CARE},
    )
    edit(api, town, tokens["editor"], "580", {"set": {"navigation": ["beach-cleaning"]}})

    document = api.get(tree_url(town)).json()
    street_care = node_of(document, STREET_CARE)
    assert street_care is not None
    beach = next(node for node in street_care["children"] if node["id"] == "beach-cleaning")
    assert beach["local"] is True
    assert beach["label"] == "Beach cleaning"
    assert beach["href"] == f"/v1/municipalities/{town}/terms/navigation/beach-cleaning"
    assert [service["id"] for service in beach["services"]] == ["580"]
    assert "580" not in {service["id"] for service in street_care["services"]}


def test_cycle_of_local_headings_listed(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, tier="unitary")
    editor = tokens["editor"]
    put_term(api, town, editor, "harbour", {"labels": {"en": "Harbour"}})
    put_term(api, town, editor, "moorings", {"labels": {"en": "Moorings"}, "parent": "harbour"})
    put_term(api, town, editor, "harbour", {"labels": {"en": "Harbour"}, "parent": "moorings"})
    edit(api, town, editor, "372", {"set": {"navigation": ["moorings"]}})

    document = api.get(tree_url(town))
    assert document.status_code == 200, document.text
    nodes = [node["id"] for node in walk(document.json()["items"])]
    assert nodes.count("harbour") == 1
    assert nodes.count("moorings") == 1


def test_life_events_and_audiences(api: TestClient) -> None:
    events = api.get(tree_url("leicester", "life-events")).json()
    assert events["list"] == "life-events"
    moving = node_of(events, "moving-house")
    assert moving is not None
    assert moving["label"] == "Moving house"
    assert moving["children"] == []
    assert moving["services"]

    audiences = api.get(tree_url("leicester", "audiences")).json()
    residents = node_of(audiences, "residents")
    assert residents is not None
    drivers = next(node for node in residents["children"] if node["id"] == "drivers")
    assert "372" in {service["id"] for service in drivers["services"]}
    assert residents["service_count"] >= drivers["service_count"]


def test_etag_304_and_cache_headers(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, tier="unitary")
    url = tree_url(town, "audiences")
    first = api.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert first.headers["cache-control"] == "public, max-age=60"

    again = api.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag

    edit(api, town, tokens["editor"], "372", {"set": {"audiences": ["visitors"]}})
    changed = api.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag

    private = api.get(url, headers=bearer(tokens["reader"]))
    assert private.headers["cache-control"] == "private, no-cache"


def test_welsh_label_falls_back_to_english(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(
        published=True, tier="unitary", country="Wales", languages=["en", "cy"]
    )
    edit(api, town, tokens["editor"], "372", {"set": {"label.cy": "Cerbydau wedi'u gadael"}})

    welsh = api.get(tree_url(town), params={"lang": "cy"}).json()
    assert welsh["language"] == "cy"
    assert welsh["languages"] == ["en", "cy"]
    street_care = node_of(welsh, STREET_CARE)
    assert street_care is not None
    assert street_care["label"] == "Street care and cleaning"
    assert street_care["language"] == "en"
    services = {service["id"]: service for service in street_care["services"]}
    assert services["372"]["label"] == "Cerbydau wedi'u gadael"
    assert services["372"]["language"] == "cy"
    assert services["372"]["page"].endswith("/services/372/page?lang=cy")
    assert services["580"]["label"] == "Litter removal"
    assert services["580"]["language"] == "en"

    default = api.get(tree_url(town)).json()
    assert default["language"] == "en"
    english = {service["id"]: service for service in node_of(default, STREET_CARE)["services"]}
    assert english["372"]["label"] == "Abandoned vehicles"


def test_unsupported_language_400(api: TestClient) -> None:
    response = api.get(tree_url("cardiff"), params={"lang": "fr"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:servicelist:problem:invalid-parameter"
    assert problem["errors"][0]["name"] == "lang"
    assert problem["errors"][0]["value"] == "fr"
    assert "en, cy" in problem["detail"]


def test_unknown_municipality_404(api: TestClient) -> None:
    response = api.get(tree_url("atlantis"))
    assert response.status_code == 404
    assert response.json()["type"] == "urn:servicelist:problem:not-found"


def test_unpublished_needs_own_key(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(tier="unitary")
    assert api.get(tree_url(town)).status_code == 404
    keyed = api.get(tree_url(town), headers=bearer(tokens["reader"]))
    assert keyed.status_code == 200
    assert keyed.headers["cache-control"] == "private, no-cache"


def test_cors_on_cross_origin_get(api: TestClient) -> None:
    origin = "https://www.example.org"
    response = api.get(tree_url("leicester", "life-events"), headers={"Origin": origin})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    header = response.headers["access-control-expose-headers"]
    exposed = {name.strip().lower() for name in header.split(",")}
    assert {"etag", "link"} <= exposed
    assert "access-control-allow-credentials" not in response.headers

    preflight = api.options(
        tree_url("leicester"),
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert "if-none-match" in preflight.headers["access-control-allow-headers"].lower()
