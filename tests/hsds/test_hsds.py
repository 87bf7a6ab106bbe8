"""The HSDS 3.0 read API through HTTP, every response validated against the HSDS schemas."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from referencing.exceptions import Unresolvable

from tests.conftest import BASE_URI
from tests.hsds.schemas import PAGE, assert_valid, errors_of
from tests.municipalities.conftest import bearer
from tests.navigation.helpers import edit, put_term

Factory = Callable[..., tuple[str, dict[str, str]]]

LEICESTER_372_URL = "http://www.leicester.gov.uk/your-environment/street-cleaning-and-care"


def hsds_id(path: str) -> str:
    """Return the HSDS id of the object at ``path`` under the test base URI."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, BASE_URI + path))


def service_uuid(municipality: str, service: str) -> str:
    return hsds_id(f"municipalities/{municipality}/services/{service}")


def get_page(api: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    assert_valid(PAGE, document)
    return document


def all_contents(api: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    first = get_page(api, path, per_page=1000, **params)
    contents = list(first["contents"])
    for number in range(2, first["total_pages"] + 1):
        contents += get_page(api, path, per_page=1000, page=number, **params)["contents"]
    return contents


def test_root_describes_api(api: TestClient) -> None:
    response = api.get("/hsds/leicester")
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["version"] == "3.0"
    assert document["openapi_url"] == "http://testserver/openapi.json"
    assert document["profile"].startswith("https://")
    assert api.get("/hsds/leicester/").json() == document


def test_services_page_validates(api: TestClient) -> None:
    document = get_page(api, "/hsds/leicester/services", per_page=50)
    assert document["page_number"] == 1
    assert document["size"] == 50
    assert document["first_page"] is True
    assert document["last_page"] is False
    assert document["empty"] is False
    assert document["total_items"] == 1519
    assert document["total_pages"] == 31
    for service in document["contents"]:
        assert_valid("compiled/service_list.json", service)
        assert_valid("service.json", service)
        assert service["status"] == "active"
        assert service["organization_id"] == hsds_id("municipalities/leicester")
        datetime.fromisoformat(service["last_modified"])


def test_service_of_leicester_validates(api: TestClient) -> None:
    response = api.get(f"/hsds/leicester/services/{service_uuid('leicester', '372')}")
    assert response.status_code == 200, response.text
    service = response.json()
    assert_valid("service.json", service)
    assert service["name"] == "Abandoned vehicles"
    assert service["url"] == LEICESTER_372_URL
    assert service["wait_time"] == "P4DT20M"
    assert service["application_process"].startswith("1. Intake: ")
    assert service["organization"]["name"] == "Leicester City Council"
    assert service["contacts"][0]["department"] == "Street care and cleaning"
    assert service["service_areas"][0]["description"] == (
        "The area of Leicester City Council (GSS code E06000016)."
    )
    assert [language["code"] for language in service["languages"]] == ["en"]

    weekly = [s for s in service["schedules"] if s.get("freq") == "WEEKLY"]
    phone = next(s for s in weekly if s["attending_type"] == "Telephone")
    assert (phone["byday"], phone["opens_at"], phone["closes_at"]) == (
        "MO,TU,WE,TH,FR",
        "08:30",
        "17:30",
    )
    christmas = [s for s in service["schedules"] if s.get("valid_from") == "2026-12-25"]
    assert christmas
    assert all("opens_at" not in s for s in christmas)

    terms = {
        attribute["taxonomy_term"]["term_uri"]: attribute for attribute in service["attributes"]
    }
    lgsl = terms["http://id.esd.org.uk/service/372"]
    assert lgsl["link_id"] == service["id"]
    assert lgsl["link_entity"] == "service"
    assert lgsl["link_type"] == "services"
    assert lgsl["taxonomy_term"]["code"] == "372"
    assert "http://id.esd.org.uk/navigation/115" in terms
    assert f"{BASE_URI}lists/abc-classes/A" in terms
    assert f"{BASE_URI}lists/audiences/drivers" in terms
    assert f"{BASE_URI}lists/channels/phone" in terms


def test_full_services_page_validates(api: TestClient) -> None:
    document = get_page(api, "/hsds/adur/services", per_page=5, page=3, full="true")
    assert document["size"] == 5
    for service in document["contents"]:
        assert_valid("service.json", service)
        assert service["attributes"]


def test_minimal_services(api: TestClient) -> None:
    document = get_page(api, "/hsds/leicester/services", per_page=3, minimal="true")
    for service in document["contents"]:
        assert set(service) == {"id", "last_modified"}


def test_ids_are_stable_uuid5(api: TestClient) -> None:
    services = all_contents(api, "/hsds/leicester/services")
    ids = [service["id"] for service in services]
    assert len(ids) == len(set(ids))
    by_name = {service["name"]: service["id"] for service in services}
    assert by_name["Abandoned vehicles"] == service_uuid("leicester", "372")
    again = get_page(api, "/hsds/leicester/services", per_page=1)["contents"][0]["id"]
    assert again == ids[0]


def test_county_leaves_out_district_service(api: TestClient) -> None:
    ids = {service["id"] for service in all_contents(api, "/hsds/west-sussex/services")}
    assert service_uuid("west-sussex", "55") not in ids
    assert service_uuid("west-sussex", "1") in ids
    missing = api.get(f"/hsds/west-sussex/services/{service_uuid('west-sussex', '55')}")
    assert missing.status_code == 404


def test_taxonomies_validate(api: TestClient) -> None:
    document = get_page(api, "/hsds/leicester/taxonomies")
    names = [taxonomy["name"] for taxonomy in document["contents"]]
    assert names[0] == "Local Government Services List (LGSL)"
    assert len(names) == 8
    for taxonomy in document["contents"]:
        assert_valid("taxonomy.json", taxonomy)
        single = api.get(f"/hsds/leicester/taxonomies/{taxonomy['id']}")
        assert single.status_code == 200
        assert single.json() == taxonomy
    lgsl = document["contents"][0]
    assert lgsl["id"] == hsds_id("lists/services")


def test_taxonomy_terms_have_code_name_uri(api: TestClient) -> None:
    terms = all_contents(api, "/hsds/leicester/taxonomy_terms")
    assert len(terms) == len({term["id"] for term in terms})
    for term in terms:
        assert_valid("taxonomy_term.json", term)
        assert term["code"]
        assert term["name"]
        assert term["term_uri"]
    by_uri = {term["term_uri"]: term for term in terms}
    vehicles = by_uri["http://id.esd.org.uk/service/372"]
    assert (vehicles["code"], vehicles["name"]) == ("372", "Abandoned vehicles")
    assert vehicles["taxonomy"] == "Local Government Services List (LGSL)"
    assert vehicles["id"] == hsds_id("lists/services/372")
    reporting = by_uri["http://id.esd.org.uk/interaction/17"]
    assert reporting["name"] == "Reporting"
    street_care = by_uri["http://id.esd.org.uk/navigation/115"]
    assert street_care["parent_id"] == by_uri["http://id.esd.org.uk/navigation/107"]["id"]
    assert street_care["description"] == (
        "Street care and cleaning: an entry of the Local Government Navigation List (LGNL), "
        "under Transport and streets."
    )
    moving = by_uri[f"{BASE_URI}lists/life-events/moving-house"]
    assert moving["code"] == "moving-house"
    assert moving["taxonomy_detail"]["name"] == "Life events"

    single = api.get(f"/hsds/leicester/taxonomy_terms/{vehicles['id']}")
    assert single.status_code == 200
    assert single.json() == vehicles


def test_taxonomy_term_filters(api: TestClient) -> None:
    navigation = hsds_id("lists/navigation")
    top = all_contents(
        api, "/hsds/leicester/taxonomy_terms", taxonomy_id=navigation, top_only="true"
    )
    assert len(top) == 13
    assert all("parent_id" not in term for term in top)
    transport = next(term for term in top if term["name"] == "Transport and streets")
    children = all_contents(api, "/hsds/leicester/taxonomy_terms", parent_id=transport["id"])
    assert "Street care and cleaning" in {term["name"] for term in children}
    assert all(term["parent_id"] == transport["id"] for term in children)
    found = get_page(api, "/hsds/leicester/taxonomy_terms", search="abandoned VEHICLES")
    assert [term["code"] for term in found["contents"]] == ["372"]


def test_service_filters_combine(api: TestClient) -> None:
    street_care = hsds_id("lists/navigation/115")
    filed = all_contents(api, "/hsds/leicester/services", taxonomy_term_id=street_care)
    names = {service["name"] for service in filed}
    assert {"Abandoned vehicles", "Litter removal", "Graffiti removal"} <= names
    narrowed = all_contents(
        api, "/hsds/leicester/services", taxonomy_term_id=street_care, search="litter"
    )
    narrowed_names = {service["name"] for service in narrowed}
    assert "Litter removal" in narrowed_names
    assert "Abandoned vehicles" not in narrowed_names
    assert narrowed_names < names
    for service in narrowed:
        assert "litter" in f"{service['name']} {service.get('description', '')}".casefold()

    abc = all_contents(api, "/hsds/leicester/services", taxonomy_id=hsds_id("lists/abc-classes"))
    assert len(abc) == 1519

    other = get_page(api, "/hsds/leicester/services", organization_id=str(uuid.uuid4()))
    assert (other["total_items"], other["empty"], other["contents"]) == (0, True, [])
    own = get_page(
        api, "/hsds/leicester/services", organization_id=hsds_id("municipalities/leicester")
    )
    assert own["total_items"] == 1519

    recent = all_contents(api, "/hsds/leicester/services", modified_after="2020-01-01T00:00:00Z")
    assert 0 < len(recent) < 1519
    assert LEICESTER_372_URL in {service.get("url") for service in recent}


def test_paging_fields_and_links(api: TestClient) -> None:
    response = api.get("/hsds/leicester/taxonomies", params={"per_page": 3, "page": 2})
    document = response.json()
    assert_valid(PAGE, document)
    assert (document["total_items"], document["total_pages"], document["size"]) == (8, 3, 3)
    assert (document["first_page"], document["last_page"]) == (False, False)
    link = response.headers["link"]
    assert 'page=3>; rel="next"' in link
    assert 'page=1>; rel="prev"' in link

    last = get_page(api, "/hsds/leicester/taxonomies", per_page=3, page=3)
    assert (last["size"], last["last_page"]) == (2, True)
    beyond = get_page(api, "/hsds/leicester/taxonomies", per_page=3, page=9)
    assert (beyond["size"], beyond["empty"], beyond["contents"]) == (0, True, [])


def test_bad_paging_rejected(api: TestClient) -> None:
    for params in ({"page": 0}, {"page": "two"}, {"per_page": 0}, {"per_page": 1001}):
        response = api.get("/hsds/leicester/services", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["errors"][0]["name"] == next(iter(params)), problem
        assert problem["errors"][0]["value"] == str(next(iter(params.values())))

    full = api.get("/hsds/leicester/services", params={"full": "true", "per_page": 500})
    assert full.status_code == 400
    assert full.json()["errors"][0]["name"] == "per_page"
    assert "at most 100" in full.json()["detail"]

    ndjson = api.get("/hsds/leicester/services", params={"format": "ndjson"})
    assert ndjson.status_code == 422
    assert ndjson.json()["errors"][0]["name"] == "format"

    not_uuid = api.get("/hsds/leicester/services", params={"taxonomy_id": "services"})
    assert not_uuid.status_code == 422


def test_unknown_things_404(api: TestClient) -> None:
    for path in (
        "/hsds/atlantis",
        "/hsds/atlantis/services",
        f"/hsds/leicester/services/{uuid.uuid4()}",
        "/hsds/leicester/services/372",
        f"/hsds/leicester/taxonomies/{uuid.uuid4()}",
        f"/hsds/leicester/taxonomy_terms/{uuid.uuid4()}",
        f"/hsds/leicester/organizations/{hsds_id('municipalities/adur')}",
    ):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:servicelist:problem:not-found"
    detail = api.get("/hsds/leicester/services/372").json()["detail"]
    assert "UUIDs" in detail
    assert "/hsds/leicester/services" in detail


def test_organizations_validate(api: TestClient) -> None:
    listing = get_page(api, "/hsds/adur/organizations")
    assert listing["total_items"] == 1
    organization = listing["contents"][0]
    assert_valid("organization.json", organization)
    assert organization["id"] == hsds_id("municipalities/adur")
    assert organization["name"] == "Adur District Council"
    assert organization["description"] == "Adur District Council, a district council in England."
    assert organization["parent_organization_id"] == hsds_id("municipalities/west-sussex")

    response = api.get(f"/hsds/adur/organizations/{organization['id']}")
    assert response.status_code == 200, response.text
    full = response.json()
    assert_valid("organization.json", full)
    identifiers = {i["identifier_type"]: i["identifier"] for i in full["organization_identifiers"]}
    assert identifiers["GSS code"].startswith("E07")
    assert identifiers["servicelist municipality id"] == "adur"
    assert len(full["services"]) == 1463
    for service in full["services"][:50]:
        assert_valid("compiled/service_list.json", service)

    nested = get_page(api, "/hsds/adur/organizations", full="true")
    assert nested["contents"][0]["services"] == full["services"]

    too_big = api.get(f"/hsds/adur/organizations/{organization['id']}?full_service=true")
    assert too_big.status_code == 400
    assert "services?full=true" in too_big.json()["detail"]


def test_local_terms_form_own_taxonomy(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, tier="unitary")
    put_term(
        api,
        town,
        tokens["editor"],
        "beach-cleaning",
        {"labels": {"en": "Beach cleaning"}, "parent": "115"},
    )
    edit(
        api,
        town,
        tokens["editor"],
        "580",
        {"set": {"navigation": ["beach-cleaning"], "label.en": "Litter picking"}},
    )

    taxonomies = get_page(api, f"/hsds/{town}/taxonomies")["contents"]
    local = taxonomies[-1]
    assert_valid("taxonomy.json", local)
    assert local["id"] == hsds_id(f"municipalities/{town}/terms/navigation")
    assert local["name"] == f"Test {town}: local navigation headings"

    terms = all_contents(api, f"/hsds/{town}/taxonomy_terms", taxonomy_id=local["id"])
    assert len(terms) == 1
    beach = terms[0]
    assert_valid("taxonomy_term.json", beach)
    assert beach["code"] == "beach-cleaning"
    assert beach["term_uri"] == f"{BASE_URI}municipalities/{town}/terms/navigation/beach-cleaning"
    assert beach["parent_id"] == hsds_id("lists/navigation/115")

    service = api.get(f"/hsds/{town}/services/{service_uuid(town, '580')}").json()
    assert_valid("service.json", service)
    assert service["name"] == "Litter picking"
    assert service["alternate_name"] == "Litter removal"
    attached = {attribute["taxonomy_term_id"] for attribute in service["attributes"]}
    assert beach["id"] in attached
    assert hsds_id("lists/navigation/115") not in attached


def test_cache_headers_and_304(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, tier="unitary")
    url = f"/hsds/{town}/services/{service_uuid(town, '372')}"
    first = api.get(url)
    assert first.headers["cache-control"] == "public, max-age=60"
    again = api.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    edit(api, town, tokens["editor"], "372", {"set": {"fees": "£25 per vehicle"}})
    changed = api.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200
    assert changed.json()["fees_description"] == "£25 per vehicle"
    private = api.get(url, headers=bearer(tokens["reader"]))
    assert private.headers["cache-control"] == "private, no-cache"


def test_schema_rejects_null_fields() -> None:
    # The HSDS schemas type optional fields without null, which is why responses leave
    # missing values out instead of sending null.
    assert (
        errors_of("service.json", {"id": str(uuid.uuid4()), "name": "x", "status": "active"}) == []
    )
    assert errors_of(
        "service.json", {"id": str(uuid.uuid4()), "name": "x", "status": "active", "url": None}
    )


def test_schema_refs_resolve_locally() -> None:
    # Every reference of the copied schemas resolves inside tests/data/hsds; one that does not
    # fails at once, so validation never reaches for the network.
    service = {"id": str(uuid.uuid4()), "name": "x", "status": "active", "phones": [{}]}
    errors = errors_of("service.json", service)
    assert any("'id' is a required property" in error for error in errors)
    with pytest.raises(Unresolvable):
        errors_of("no-such-schema.json", {})
