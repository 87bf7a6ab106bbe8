"""Search of the standard list through HTTP, on the real LGSL services of the newest release."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.search.helpers import (
    DISABLED_PARKING_PERMITS,
    FLYTIPPING,
    HOUSEHOLD_WASTE_COLLECTION,
    HOUSEHOLD_WASTE_CONTAINERS,
    PARKING_PERMITS,
    RECYCLING_SERVICES,
    STREET_CAFE_LICENCE,
    ids,
    search,
)


def test_bin_finds_household_waste(client: TestClient) -> None:
    document = search(client, "bin")
    top = ids(document, 3)
    assert HOUSEHOLD_WASTE_COLLECTION in top
    assert HOUSEHOLD_WASTE_CONTAINERS in top
    assert document["words"][0]["synonyms"]


def test_fly_tipping_finds_flytipping(client: TestClient) -> None:
    for query in ("fly tipping", "fly-tipping", "Fly Tipping on my road"):
        document = search(client, query)
        assert ids(document, 1) == [FLYTIPPING], query


def test_spelling_slip_corrected(client: TestClient) -> None:
    document = search(client, "recyling")
    assert document["did_you_mean"] == "recycling"
    assert document["words"][0]["corrected_to"] == "recycling"
    top = ids(document, 3)
    assert len(top) == 3
    assert set(top) <= RECYCLING_SERVICES
    assert document["items"][0]["matched"] == ["recyling"]


def test_parking_permit_top_three(client: TestClient) -> None:
    top = ids(search(client, "parking permit"), 3)
    assert PARKING_PERMITS in top
    assert DISABLED_PARKING_PERMITS in top


def test_licence_spellings_same_top_hit(client: TestClient) -> None:
    british = search(client, "licence")
    american = search(client, "license")
    assert ids(british, 1) == ids(american, 1)
    assert "licen" in british["items"][0]["label"].casefold()
    assert american["words"][0]["synonyms"] == ["licence"]


def test_prefix_of_last_word(client: TestClient) -> None:
    document = search(client, "licen")
    assert "licence" in document["words"][0]["completions"]
    assert document["items"]
    for item in document["items"]:
        assert "licen" in item["label"].casefold() or item["matched_as_prefix"] == ["licen"]
    assert document["items"][0]["matched_as_prefix"] == ["licen"]


def test_prefix_ignored_after_space(client: TestClient) -> None:
    assert search(client, "licen ")["words"][0]["completions"] == []


def test_prefix_finds_stemmed_word(client: TestClient) -> None:
    # Porter stems "collection" to "collect", which "collectio" is no prefix of; the
    # vocabulary completes the prefix to whole words first.
    document = search(client, "household waste collectio")
    assert HOUSEHOLD_WASTE_COLLECTION in ids(document, 3)


def test_compound_split_and_joined(client: TestClient) -> None:
    joined = search(client, "flytipping")
    assert ids(joined, 1) == [FLYTIPPING]
    split = search(client, "dogfouling")
    assert split["words"][0]["split"] == "dog fouling"
    assert ids(split, 1) == ["577"]


def test_previous_label_found(client: TestClient) -> None:
    # The 2019 label of 742 has a broken character; its 2015 label "Street café licence"
    # is indexed as a keyword.
    document = search(client, "cafe")
    assert ids(document, 1) == [STREET_CAFE_LICENCE]
    assert document["items"][0]["matched"] == ["cafe"]


def test_stopwords_ignored(client: TestClient) -> None:
    document = search(client, "how do I report a pothole")
    assert ids(document, 1) == ["557"]
    assert document["ignored"] == ["how", "do", "i", "a"]


def test_hit_fields_for_agents(client: TestClient) -> None:
    item = search(client, "household waste collection", limit=1)["items"][0]
    assert item["id"] == HOUSEHOLD_WASTE_COLLECTION
    assert item["href"] == "/v1/services/524"
    assert item["label"] == "Household waste collection"
    assert item["abc_class"] == "A"
    assert "web" in item["channels"]
    assert item["primary_channel"] in item["channels"]
    assert item["department"]
    assert item["first_contact"]["resolution"] == "settle"
    assert item["first_contact"]["href"] == "/v1/services/524/first-contact"
    assert item["status"] == "live"
    assert item["score"] > 0
    assert item["coverage"] == 1.0
    assert item["matched"] == ["household", "waste", "collection"]


def test_first_contact_matches_route(client: TestClient) -> None:
    for query in ("bin", "passport", "planning permission"):
        for item in search(client, query, limit=3)["items"]:
            expected = client.get(item["first_contact"]["href"]).json()["resolution"]
            assert item["first_contact"]["resolution"] == expected, item["id"]


def test_limit_and_more(client: TestClient) -> None:
    document = search(client, "licence", limit=2)
    assert document["count"] == 2
    assert document["limit"] == 2
    assert document["more"] is True
    assert len(search(client, "licence", limit=50)["items"]) == 50


def test_filters_narrow_results(client: TestClient) -> None:
    unfiltered = search(client, "licence", limit=50)
    for params, check in (
        ({"abc": "C"}, lambda item: item["abc_class"] == "C"),
        ({"channel": "desk"}, lambda item: "desk" in item["channels"]),
    ):
        filtered = search(client, "licence", limit=50, **params)
        assert filtered["filters"] == params
        assert filtered["items"], params
        assert all(check(item) for item in filtered["items"]), params
        assert ids(filtered) != ids(unfiltered), params


def test_filters_by_links(client: TestClient) -> None:
    for params in (
        {"audience": "drivers"},
        {"life_event": "moving-house"},
        {"interaction": "17"},
    ):
        name, value = next(iter(params.items()))
        listed = client.get("/v1/services", params={**params, "limit": 1000}).json()
        allowed = {item["id"] for item in listed["items"]}
        found = ids(search(client, "council", limit=50, **params))
        assert found, params
        assert set(found) <= allowed, (name, value)


def test_audience_includes_finer_groups(client: TestClient) -> None:
    # "students" is a finer group of "young-people".
    found = ids(search(client, "student", limit=50, audience="young-people"))
    assert "25" in found


def test_no_match_is_empty(client: TestClient) -> None:
    document = search(client, "zzxqv")
    assert document["items"] == []
    assert document["count"] == 0
    assert document["more"] is False


def test_accents_ignored(client: TestClient) -> None:
    assert ids(search(client, "Récycling"), 3) == ids(search(client, "recycling"), 3)


def test_etag_and_not_modified(client: TestClient) -> None:
    first = client.get("/v1/search", params={"q": "bin"})
    assert first.headers["etag"].startswith('"')
    again = client.get(
        "/v1/search", params={"q": "bin"}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304


def test_query_problems(client: TestClient) -> None:
    for params, status, name in (
        ({}, 422, "q"),
        ({"q": ""}, 422, "q"),
        ({"q": "x" * 201}, 422, "q"),
        ({"q": "!!! ???"}, 400, "q"),
        ({"q": "bin", "limit": "0"}, 422, "limit"),
        ({"q": "bin", "limit": "51"}, 422, "limit"),
        ({"q": "bin", "abc": "D"}, 422, "abc"),
        ({"q": "bin", "channel": "pigeon"}, 400, "channel"),
        ({"q": "bin", "audience": "martians"}, 400, "audience"),
        ({"q": "bin", "life_event": "winning-the-lottery"}, 400, "life_event"),
        ({"q": "bin", "interaction": "9999"}, 400, "interaction"),
    ):
        response = client.get("/v1/search", params=params)
        assert response.status_code == status, params
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["errors"][0]["name"] == name, params
        assert problem["detail"], params


def test_long_query_bounded(client: TestClient) -> None:
    words = " ".join(f"word{number}" for number in range(40))[:200]
    document = search(client, words)
    assert len(document["words"]) <= 8
    assert document["ignored"]


def test_query_syntax_read_as_words(client: TestClient) -> None:
    # FTS5 and tsquery operators in the query are plain text, never query syntax.
    for query in ('bin" OR *', "fly & tipping | !x", "licen:*", "(rubbish))", "🗑 bin", "ゴミ"):
        response = client.get("/v1/search", params={"q": query})
        assert response.status_code == 200, query
    assert ids(search(client, "fly & tipping"), 1) == [FLYTIPPING]
