"""The UK councils seeded as municipalities, with GOV.UK's links as their first local values."""

from __future__ import annotations

from fastapi.testclient import TestClient

from servicelist.municipalities.seed import SeedResult


def test_seed_counts(api: TestClient, seeded: SeedResult | None) -> None:
    listing = api.get("/v1/municipalities").json()
    councils = [item for item in listing["items"] if not item["id"].startswith("zz-")]
    assert len(councils) == 382
    regions = {region["id"]: region for region in api.get("/v1/regions").json()["items"]}
    nations = ("england", "northern-ireland", "scotland", "wales")
    assert {key: regions[key]["municipality_count"] for key in nations} == {
        "england": 317,
        "northern-ireland": 11,
        "scotland": 32,
        "wales": 22,
    }


def test_seed_link_import_figures(seeded: SeedResult | None) -> None:
    if seeded is None:
        return
    links = seeded.links
    assert seeded.municipalities == 382
    assert seeded.release == 1
    # 7,405 rows: 743 belong to 44 councils merged away before the councils list.
    assert links.skipped_unknown_councils == 743
    assert len(links.unknown_councils) == 44
    assert links.links + links.skipped_unknown_councils + links.skipped_unknown_services == 7405


def test_district_has_county_parent(api: TestClient) -> None:
    adur = api.get("/v1/municipalities/adur").json()
    assert adur["tier"] == "district"
    assert adur["parent"]["id"] == "west-sussex"
    assert adur["region"]["id"] == "england"
    assert adur["release"]["number"] == 1
    assert adur["published"] is True
    assert adur["created_at"].endswith("+00:00")


def test_district_county_service_resolves_to_county(api: TestClient) -> None:
    # LGSL 1 (home education) is provided by county and unitary councils.
    service = api.get("/v1/municipalities/adur/services/1").json()
    assert service["offered"] is False
    assert service["offered_source"] == "standard"
    assert service["provided_by"]["id"] == "west-sussex"
    assert service["provided_by"]["href"] == "/v1/municipalities/west-sussex/services/1"
    county = api.get("/v1/municipalities/west-sussex/services/1").json()
    assert county["offered"] is True


def test_district_offers_district_service(api: TestClient) -> None:
    # LGSL 372 (abandoned vehicles) is provided by district and unitary councils.
    service = api.get("/v1/municipalities/adur/services/372").json()
    assert service["offered"] is True
    assert service["provided_by"] is None
    county = api.get("/v1/municipalities/west-sussex/services/372").json()
    assert county["offered"] is False
    assert county["provided_by"] is None


def test_council_web_link_from_govuk(api: TestClient) -> None:
    service = api.get("/v1/municipalities/leicester/services/2").json()
    web = next(channel for channel in service["channels"] if channel["id"] == "web")
    url = "http://www.leicester.gov.uk/schools-and-learning/grants-and-allowances"
    assert web["url"] == url
    assert web["interaction_urls"] == {"8": url}
    provenance = service["provenance"]
    assert provenance["channels.web.url"]["source"] == "local"
    assert "lgsl_lgil_fallback_links.csv" in provenance["channels.web.url"]["origin"]
    assert provenance["label.en"] == {"source": "standard", "release": 1}
    assert service["overridden"] == ["channels.web.interaction_urls", "channels.web.url"]


def test_council_offered_list_has_links(api: TestClient) -> None:
    page = api.get(
        "/v1/municipalities/leicester/services", params={"overridden": "true", "limit": 1000}
    ).json()
    assert page["total"] >= 10
    assert all(item["web_url"].startswith("http") for item in page["items"])


def test_council_service_links_history(api: TestClient, platform_token: str) -> None:
    from tests.municipalities.conftest import bearer

    history = api.get(
        "/v1/municipalities/leicester/services/2/history", headers=bearer(platform_token)
    ).json()
    paths = {entry["path"] for entry in history["items"]}
    assert {"channels.web.url", "channels.web.interaction_urls"} <= paths
    assert history["items"][0]["actor"] == "import of GOV.UK fallback links"
    assert history["items"][0]["before"] is None


def test_council_service_rdf_derivation(api: TestClient) -> None:
    response = api.get("/v1/municipalities/leicester/services/2", params={"format": "nt"})
    assert response.status_code == 200
    line = (
        "<http://127.0.0.1:8000/municipalities/leicester/services/2> "
        "<http://www.w3.org/ns/prov#wasDerivedFrom> <http://127.0.0.1:8000/services/2> ."
    )
    assert line in response.text
    assert "<http://data.europa.eu/m8g/contactPage>" in response.text


def test_municipality_unknown_is_problem(api: TestClient) -> None:
    response = api.get("/v1/municipalities/atlantis")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "atlantis" in response.json()["detail"]


def test_service_unknown_is_problem(api: TestClient) -> None:
    response = api.get("/v1/municipalities/leicester/services/999999")
    assert response.status_code == 404
    assert "999999" in response.json()["detail"]


def test_service_etag_revalidates(api: TestClient) -> None:
    first = api.get("/v1/municipalities/leicester/services/2")
    again = api.get(
        "/v1/municipalities/leicester/services/2", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
