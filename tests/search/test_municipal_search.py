"""Search of a municipality's effective catalogue through HTTP: seeded councils, local
wording in several languages, local services, offered services and tenancy."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.municipalities.conftest import bearer
from tests.search.helpers import (
    FLYTIPPING,
    HOUSEHOLD_WASTE_COLLECTION,
    HOUSEHOLD_WASTE_CONTAINERS,
    PARKING_PERMITS,
    RECYCLING_SERVICES,
    STREET_CAFE_LICENCE,
    create_local_service,
    ids,
    patch_service,
    search,
)

Factory = Callable[..., tuple[str, dict[str, str]]]


def test_leicester_caller_words(api: TestClient) -> None:
    document = search(api, "bin", "leicester")
    assert document["municipality"]["id"] == "leicester"
    assert document["release"] == 1
    top = ids(document, 3)
    assert HOUSEHOLD_WASTE_COLLECTION in top
    assert HOUSEHOLD_WASTE_CONTAINERS in top
    assert ids(search(api, "fly tipping", "leicester"), 1) == [FLYTIPPING]
    assert PARKING_PERMITS in ids(search(api, "parking permit", "leicester"), 3)
    recycling = search(api, "recyling", "leicester")
    assert recycling["did_you_mean"] == "recycling"
    assert set(ids(recycling, 3)) <= RECYCLING_SERVICES


def test_leicester_hits_show_local_values(api: TestClient) -> None:
    item = search(api, "household waste collection", "leicester", limit=1)["items"][0]
    assert item["id"] == HOUSEHOLD_WASTE_COLLECTION
    assert item["href"] == "/v1/municipalities/leicester/services/524"
    assert item["kind"] == "standard"
    assert item["offered"] is True
    assert item["provided_by"] is None
    assert item["local_text"] is False
    # The seeded GOV.UK link of the council is its web address for the service.
    service = api.get("/v1/municipalities/leicester/services/524").json()
    web = next(channel for channel in service["channels"] if channel["id"] == "web")
    assert item["web_url"] == web["url"]
    assert item["web_url"] == (
        "http://www.leicester.gov.uk/your-environment/recycling-and-waste/"
        "report-a-problem-with-your-bin"
    )


def test_cafe_matches_accented_label(api: TestClient) -> None:
    # Leicester uses release 1, whose label of 742 is "Street café licence".
    item = search(api, "cafe", "leicester")["items"][0]
    assert item["id"] == STREET_CAFE_LICENCE
    assert item["label"] == "Street café licence"
    assert item["matched"] == ["cafe"]


def test_local_label_found_after_patch(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    before = search(api, "dumped vans", town)
    assert "372" not in ids(before, 3)
    patch_service(api, town, "372", tokens["editor"], {"set": {"label.en": "Dumped cars and vans"}})

    after = search(api, "dumped vans", town)
    assert ids(after, 1) == ["372"]
    assert after["items"][0]["label"] == "Dumped cars and vans"
    assert after["items"][0]["local_text"] is True
    # Other municipalities keep the standard wording.
    assert "372" not in ids(search(api, "dumped vans", "leicester"), 3)

    patch_service(api, town, "372", tokens["editor"], {"reset": ["label.en"]})
    assert "372" not in ids(search(api, "dumped vans", town), 3)
    assert ids(search(api, "abandoned vehicles", town), 1) == ["372"]


def test_local_keywords_found(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    patch_service(api, town, "431", tokens["editor"], {"set": {"keywords": ["rat catcher"]}})
    document = search(api, "rat catcher", town)
    assert ids(document, 1) == ["431"]
    assert document["items"][0]["coverage"] == 1.0


def test_welsh_label_searchable(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, languages=["cy", "en"])
    patch_service(
        api,
        town,
        HOUSEHOLD_WASTE_COLLECTION,
        tokens["editor"],
        {"set": {"label.cy": "Casglu gwastraff o'r cartref"}},
    )
    welsh = search(api, "gwastraff cartref", town)
    assert ids(welsh, 1) == [HOUSEHOLD_WASTE_COLLECTION]
    assert welsh["items"][0]["language"] == "cy"
    assert welsh["items"][0]["label"] == "Casglu gwastraff o'r cartref"
    english = search(api, "household waste collection", town)
    assert ids(english, 1) == [HOUSEHOLD_WASTE_COLLECTION]
    assert english["items"][0]["language"] == "en"
    assert english["items"][0]["label"] == "Household waste collection"


def test_local_service_found(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    create_local_service(
        api,
        town,
        tokens["editor"],
        "park-cafe-bookings",
        {
            "label.en": "Café in the park: table bookings",
            "description.en": "Book a table at the café in Victoria Park.",
            "abc_class": "A",
        },
    )
    document = search(api, "cafe park", town)
    item = document["items"][0]
    assert item["id"] == "park-cafe-bookings"
    assert item["kind"] == "local"
    assert item["offered"] is True
    assert item["href"] == f"/v1/municipalities/{town}/services/park-cafe-bookings"
    assert item["first_contact"]["resolution"] == "settle"
    assert item["first_contact"]["href"] is None
    assert ids(search(api, "cafe park", town, kind="local")) == ["park-cafe-bookings"]
    assert "park-cafe-bookings" not in ids(search(api, "cafe park", town, kind="standard"))
    assert "park-cafe-bookings" not in ids(search(api, "cafe park", "leicester"))


def test_offered_filter(api: TestClient) -> None:
    # Adur is a district council: West Sussex provides the county services.
    everything = search(api, "school", "adur", limit=50)
    offered = search(api, "school", "adur", limit=50, offered="true")
    not_offered = search(api, "school", "adur", limit=50, offered="false")
    assert offered["items"]
    assert not_offered["items"]
    assert all(item["offered"] for item in offered["items"])
    assert all(not item["offered"] for item in not_offered["items"])
    assert all(
        item["provided_by"] == {"id": "west-sussex", "name": "West Sussex County Council"}
        for item in not_offered["items"]
    )
    assert set(ids(offered)) | set(ids(not_offered)) >= set(ids(everything, 10))


def test_local_abc_class_filters(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    assert search(api, "household waste collection", town, limit=1)["items"][0]["abc_class"] == "A"
    patch_service(
        api, town, HOUSEHOLD_WASTE_COLLECTION, tokens["editor"], {"set": {"abc_class": "B"}}
    )
    found = search(api, "household waste collection", town, abc="B")
    assert HOUSEHOLD_WASTE_COLLECTION in ids(found)
    assert found["items"][0]["first_contact"]["resolution"] == "explain-and-forward"
    assert HOUSEHOLD_WASTE_COLLECTION not in ids(
        search(api, "household waste collection", town, abc="A")
    )


def test_unpublished_needs_own_key(api: TestClient, new_municipality: Factory) -> None:
    hidden, tokens = new_municipality()
    _, others = new_municipality(published=True)
    url = f"/v1/municipalities/{hidden}/search"
    assert api.get(url, params={"q": "bin"}).status_code == 404
    assert api.get(url, params={"q": "bin"}, headers=bearer(others["admin"])).status_code == 404
    own = api.get(url, params={"q": "bin"}, headers=bearer(tokens["reader"]))
    assert own.status_code == 200
    assert own.headers["cache-control"] == "private, no-cache"


def test_unknown_municipality_404(api: TestClient) -> None:
    response = api.get("/v1/municipalities/atlantis/search", params={"q": "bin"})
    assert response.status_code == 404
    assert response.json()["type"] == "urn:servicelist:problem:not-found"


def test_municipal_query_problems(api: TestClient) -> None:
    url = "/v1/municipalities/leicester/search"
    for params, status, name in (
        ({}, 422, "q"),
        ({"q": "bin", "offered": "perhaps"}, 422, "offered"),
        ({"q": "bin", "kind": "foreign"}, 422, "kind"),
        ({"q": "bin", "life_event": "nothing-like-it"}, 400, "life_event"),
        ({"q": "..."}, 400, "q"),
    ):
        response = api.get(url, params=params)
        assert response.status_code == status, params
        assert response.json()["errors"][0]["name"] == name, params


def test_local_life_event_filter(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    response = api.put(
        f"/v1/municipalities/{town}/terms/life-events/school-run",
        json={"labels": {"en": "School run"}},
        headers={**bearer(tokens["editor"]), "If-None-Match": "*"},
    )
    assert response.status_code == 200, response.text
    assert search(api, "school", town, life_event="school-run")["items"] == []
    patch_service(api, town, "891", tokens["editor"], {"set": {"life_events": ["school-run"]}})
    assert ids(search(api, "school", town, life_event="school-run")) == ["891"]
