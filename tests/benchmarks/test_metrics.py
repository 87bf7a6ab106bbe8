"""Metrics and comparisons of municipalities through HTTP, on the seeded UK councils."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from typing import Any

from fastapi.testclient import TestClient

from tests.benchmarks.conftest import Factory, bearer, patch_service

CHANNELS = ("desk", "phone", "letter", "email", "web", "chat", "home-visit", "mobile-office", "sms")


def offered_services(api: TestClient, town: str, token: str | None = None) -> list[dict[str, Any]]:
    """Return every offered service of ``town`` as the effective catalogue lists it."""
    headers = bearer(token) if token else {}
    items: list[dict[str, Any]] = []
    url: str | None = f"/v1/municipalities/{town}/services?offered=true&limit=1000"
    while url:
        response = api.get(url, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        url = body["next"]
    return items


def expected_counts(services: list[dict[str, Any]]) -> dict[str, Any]:
    """Count what the metrics count, service by service, from the catalogue's own summaries."""
    abc = Counter(service["abc_class"] or "unclassified" for service in services)
    return {
        "offered_services": len(services),
        "online_services": sum(
            1 for service in services if "web" in service["channels"] and service["web_url"]
        ),
        "channels": {
            channel: sum(1 for service in services if channel in service["channels"])
            for channel in CHANNELS
        },
        "abc": {name: abc.get(name, 0) for name in ("A", "B", "C", "unclassified")},
        "customised_services": sum(1 for service in services if service["overridden"]),
    }


def metrics_of(api: TestClient, town: str, token: str | None = None) -> dict[str, Any]:
    headers = bearer(token) if token else {}
    response = api.get(f"/v1/benchmarks/municipalities/{town}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_region_returns_every_council(api: TestClient) -> None:
    members = api.get("/v1/regions/england").json()["municipalities"]
    response = api.get("/v1/benchmarks", params={"region": "england"})

    assert response.status_code == 200, response.text
    body = response.json()
    rows = {item["municipality"]["id"]: item for item in body["items"]}
    assert set(rows) == {member["id"] for member in members}
    assert len(rows) >= 317
    for item in rows.values():
        assert 0 <= item["values"]["coverage"] <= 1
        assert 0 <= item["values"]["online_share"] <= 1
    (region,) = body["statistics"]["regions"]
    assert region["id"] == "england"
    coverage = [item["values"]["coverage"] for item in rows.values()]
    online = [item["values"]["online_share"] for item in rows.values()]
    assert region["metrics"]["coverage"]["median"] == statistics.median(coverage)
    assert region["metrics"]["online_share"]["median"] == statistics.median(online)
    quartiles = statistics.quantiles(online, n=4, method="inclusive")
    assert region["metrics"]["online_share"]["q1"] == quartiles[0]
    assert region["metrics"]["online_share"]["q3"] == quartiles[2]


def test_region_online_share_uses_govuk_links(api: TestClient) -> None:
    body = api.get("/v1/benchmarks", params={"region": "england", "metrics": "online_share"}).json()
    online = {item["municipality"]["id"]: item["values"]["online_share"] for item in body["items"]}

    # GOV.UK's 2017 links give Leicester a web page for some services; councils merged away
    # before the list was published, and those without links, have none.
    assert online["leicester"] > 0
    assert min(online.values()) < max(online.values())


def test_ranks_and_peer_groups(api: TestClient) -> None:
    body = api.get(
        "/v1/benchmarks",
        params={"region": "england", "tier": "district", "metrics": "online_share,coverage"},
    ).json()
    items = body["items"]
    ordered = sorted(items, key=lambda item: -item["values"]["online_share"])

    assert ordered[0]["ranks"]["online_share"] == 1
    for before, after in itertools.pairwise(ordered):
        if before["values"]["online_share"] == after["values"]["online_share"]:
            assert before["ranks"]["online_share"] == after["ranks"]["online_share"]
        else:
            assert before["ranks"]["online_share"] < after["ranks"]["online_share"]
    assert {group["id"] for group in body["peer_groups"]} == {"england/district"}
    (peers,) = body["peer_groups"]
    assert peers["tier"] == "district"
    assert peers["count"] == len(items)


def test_metrics_match_catalogue_leicester(api: TestClient) -> None:
    body = metrics_of(api, "leicester")
    expected = expected_counts(offered_services(api, "leicester"))
    counts = body["counts"]

    assert counts["offered_services"] == expected["offered_services"]
    assert counts["online_services"] == expected["online_services"]
    assert counts["channels"] == expected["channels"]
    assert counts["abc"] == expected["abc"]
    assert counts["customised_services"] == expected["customised_services"]
    assert body["values"]["online_share"] == (
        expected["online_services"] / expected["offered_services"]
    )
    assert body["values"]["release"] == 1
    assert body["values"]["releases_behind"] == body["newest_release"] - 1


def test_metrics_follow_local_decisions(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(tier="district", published=True, release=2)
    before = metrics_of(api, town)
    editor = tokens["editor"]

    # None of these services names a providing tier, so a district should offer them all.
    patch_service(api, town, editor, "1512", {"offered": False})
    patch_service(api, town, editor, "1152", {"set": {"abc_class": "C"}})
    patch_service(
        api, town, editor, "785", {"set": {"channels.web.url": "https://example.org/loads"}}
    )
    patch_service(api, town, editor, "429", {"set": {"channels.desk.available": True}})
    created = api.post(
        f"/v1/municipalities/{town}/services",
        json={
            "id": "town-market",
            "set": {"label.en": "Town market", "channels.web.available": True},
        },
        headers={**bearer(editor), "If-None-Match": "*"},
    )
    assert created.status_code == 201, created.text

    after = metrics_of(api, town)
    expected = expected_counts(offered_services(api, town))
    counts = after["counts"]
    assert counts["offered_services"] == expected["offered_services"]
    assert counts["online_services"] == expected["online_services"]
    assert counts["channels"] == expected["channels"]
    assert counts["abc"] == expected["abc"]
    assert counts["customised_services"] == expected["customised_services"]
    assert counts["local_services"] == 1
    assert counts["offered_expected_services"] == before["counts"]["expected_services"] - 1
    assert after["values"]["coverage"] < 1
    assert after["values"]["online_share"] > before["values"]["online_share"]
    # ABC class, web URL and desk: the offered flag is no field, and the local service's
    # fields are left out of the field share.
    assert counts["overridden_fields"] == 3


def test_unpublished_hidden_from_others(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=False)

    anonymous = api.get("/v1/benchmarks", params={"municipalities": town})
    own = api.get(
        "/v1/benchmarks", params={"municipalities": town}, headers=bearer(tokens["reader"])
    )
    single = api.get(f"/v1/benchmarks/municipalities/{town}")

    assert anonymous.status_code == 400
    assert town in anonymous.json()["detail"]
    assert own.status_code == 200, own.text
    assert [item["municipality"]["id"] for item in own.json()["items"]] == [town]
    assert own.headers["cache-control"] == "private, no-cache"
    assert single.status_code == 404


def test_unknown_parameters_rejected(api: TestClient) -> None:
    metric = api.get("/v1/benchmarks", params={"metrics": "coverage,speed"})
    region = api.get("/v1/benchmarks", params={"region": "atlantis"})
    town = api.get("/v1/benchmarks", params={"municipalities": "leicester,nowhere"})
    service = api.get("/v1/benchmarks/services/99999999")

    assert metric.status_code == 400
    assert metric.headers["content-type"] == "application/problem+json"
    assert "'speed'" in metric.json()["detail"]
    assert metric.json()["errors"][0]["name"] == "metrics"
    assert region.status_code == 400
    assert "atlantis" in region.json()["detail"]
    assert town.status_code == 400
    assert "'nowhere'" in town.json()["detail"]
    assert service.status_code == 404


def test_listed_municipalities_only(api: TestClient) -> None:
    response = api.get(
        "/v1/benchmarks", params={"municipalities": "leicester,adur,west-sussex", "metrics": "all"}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert [item["municipality"]["id"] for item in body["items"]] == [
        "adur",
        "leicester",
        "west-sussex",
    ]
    assert body["statistics"]["selection"]["count"] == 3
    assert {group["id"] for group in body["peer_groups"]} == {
        "england/district",
        "england/unitary",
        "england/county",
    }
    assert "channel_web_share" in body["items"][0]["values"]


def test_not_modified_with_etag(api: TestClient) -> None:
    first = api.get("/v1/benchmarks", params={"region": "wales"})
    second = api.get(
        "/v1/benchmarks",
        params={"region": "wales"},
        headers={"If-None-Match": first.headers["etag"]},
    )

    assert second.status_code == 304


def test_service_comparison_channels(api: TestClient) -> None:
    response = api.get("/v1/benchmarks/services/372", params={"region": "wales"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(api.get("/v1/regions/wales").json()["municipalities"])
    for item in body["items"]:
        town = item["municipality"]["id"]
        view = api.get(f"/v1/municipalities/{town}/services/372").json()
        assert item["offered"] == view["offered"]
        assert item["abc_class"] == (view["abc_class"] or {}).get("class")
        assert item["channels"] == [channel["id"] for channel in view["channels"]]
        web = next((channel for channel in view["channels"] if channel["id"] == "web"), None)
        assert item["web_url"] == (web["url"] if web else None)
    summary = body["summary"]
    assert summary["offered"] == sum(1 for item in body["items"] if item["offered"])
    assert summary["channels"]["web"] == sum(
        1 for item in body["items"] if item["offered"] and "web" in item["channels"]
    )


def test_service_comparison_tier_rule(api: TestClient) -> None:
    # GOV.UK names county and unitary councils as the providers of service 1, so a district
    # does not offer it.
    body = api.get(
        "/v1/benchmarks/services/1", params={"municipalities": "adur,west-sussex"}
    ).json()
    offered = {item["municipality"]["id"]: item["offered"] for item in body["items"]}

    assert offered == {"adur": False, "west-sussex": True}
