"""The release routes: the numbered releases, one release, and the changes between two."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from servicelist import migrations
from servicelist.api import schemas
from servicelist.api.app import create_app
from servicelist.api.state import CatalogueState
from servicelist.lists import operations, repository
from servicelist.settings import Settings, default_data_dir
from tests.conftest import BASE_URI, drop_engine, make_engine

ESD_HEADER = "Identifier,Label,Description,Created,Modified,History notes,Replaces\r\n"


def test_releases_are_listed(client: TestClient) -> None:
    response = client.get("/v1/releases")

    assert response.status_code == 200
    body = schemas.ReleaseIndex.model_validate(response.json())
    assert body.current == 2
    assert body.count == 2
    first, second = body.releases
    assert (first.number, first.title, first.current) == (1, "LGSL v4.0.1 (2015)", False)
    assert (second.number, second.title, second.current) == (2, "LGSL 2019 revision", True)
    assert first.lists["services"] == schemas.ListCounts(items=1519, retired=0)
    assert second.lists["services"] == schemas.ListCounts(items=1567, retired=0)
    assert second.item_count == 2296
    assert second.href == "/v1/releases/2"
    assert len(second.content_hash) == 64
    assert second.created_at.endswith("+00:00")


def test_one_release(client: TestClient) -> None:
    first = schemas.Release.model_validate(client.get("/v1/releases/1").json())
    second = schemas.Release.model_validate(client.get("/v1/releases/2").json())

    assert first.previous is None
    assert first.changes is None
    assert "1,519 services" in first.notes
    assert second.previous == "/v1/releases/1"
    assert second.changes == "/v1/releases/1/diff/2"
    assert second.current


def test_release_etag_gives_304(client: TestClient) -> None:
    first = client.get("/v1/releases/1")

    again = client.get("/v1/releases/1", headers={"If-None-Match": first.headers["etag"]})

    assert first.headers["etag"].startswith('"')
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("path", ["/v1/releases/3", "/v1/releases/0", "/v1/releases/3/diff/1"])
def test_unknown_release_is_404(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:servicelist:problem:not-found"
    assert "the releases are 1 to 2" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("/v1/releases/two", "number", "two"),
        ("/v1/releases/1.5", "number", "1.5"),
        ("/v1/releases/-1", "number", "-1"),
        ("/v1/releases/x/diff/2", "before", "x"),
        ("/v1/releases/1/diff/2a", "after", "2a"),
    ],
)
def test_non_integer_release_is_400(client: TestClient, path: str, name: str, value: str) -> None:
    response = client.get(path)

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "urn:servicelist:problem:invalid-parameter"
    assert body["errors"][0]["location"] == "path"
    assert body["errors"][0]["name"] == name
    assert body["errors"][0]["value"] == value


def test_diff_lists_added_services(client: TestClient) -> None:
    response = client.get("/v1/releases/1/diff/2?list=services&change=added&limit=1000")

    assert response.status_code == 200
    body = schemas.ReleaseDiff.model_validate(response.json())
    assert body.from_.number == 1
    assert body.to.number == 2
    assert body.total == 48
    assert body.count == 48
    assert body.next_cursor is None
    assert body.items[0].id == "1750"
    assert body.items[0].label == "Civil injunction"
    assert body.items[0].href == "/v1/services/1750"
    assert {entry.change for entry in body.items} == {"added"}
    assert [entry.list_id for entry in body.summary.lists] == ["services"]
    assert body.summary.added == 48
    assert body.summary.retired == 0


def test_diff_shows_label_before_and_after(client: TestClient) -> None:
    body = schemas.ReleaseDiff.model_validate(
        client.get("/v1/releases/1/diff/2?list=services&change=changed&limit=50").json()
    )

    entry = next(item for item in body.items if item.id == "8")
    fields = {change.field: change for change in entry.fields}
    assert entry.change == "changed"
    assert fields["labels.en"].before == "Special educational needs co-ordinated support plan"
    assert fields["labels.en"].after == "Education, health and care (EHC) plan"
    assert fields["links.hasAbcClass"].before == ["A"]
    assert fields["links.hasAbcClass"].after == ["C"]
    assert body.total == 941


def test_diff_summary_covers_every_list(client: TestClient) -> None:
    body = schemas.ReleaseDiff.model_validate(client.get("/v1/releases/1/diff/2").json())

    lists = {entry.list_id: entry for entry in body.summary.lists}
    assert body.summary.lists[0].list_id == "services"
    assert len(lists) == 11
    assert lists["services"].added == 48
    assert lists["councils"].changed == 0
    assert lists["navigation"].changed == 28
    assert body.summary.changed == 1004
    assert body.total == 1052
    assert body.count == 100
    assert body.items[0].list_id == "services"
    assert "version" in {change.field for change in lists["services"].metadata}


def test_diff_pages_follow_next_links(client: TestClient) -> None:
    url: str | None = "/v1/releases/1/diff/2?list=navigation&limit=10"
    seen: list[str] = []
    pages = 0

    while url is not None:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        seen.extend(entry["id"] for entry in body["items"])
        if body["next"] is not None:
            assert response.headers["link"] == f'<{body["next"]}>; rel="next"'
        url = body["next"]
        pages += 1

    assert pages == 3
    assert len(seen) == len(set(seen)) == 28


def test_diff_backwards_lists_removed(client: TestClient) -> None:
    body = client.get("/v1/releases/2/diff/1?list=services&change=removed").json()

    assert body["total"] == 48
    assert body["summary"]["removed"] == 48


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("?list=parishes", "invalid-parameter"),
        ("?cursor=bm90LWEtY3Vyc29y", "invalid-cursor"),
        ("?cursor=%25%25", "invalid-cursor"),
        ("?change=renamed", "validation-error"),
        ("?limit=0", "validation-error"),
    ],
)
def test_diff_rejects_invalid_query(client: TestClient, query: str, problem: str) -> None:
    response = client.get(f"/v1/releases/1/diff/2{query}")

    assert response.status_code in (400, 422)
    assert response.json()["type"] == f"urn:servicelist:problem:{problem}"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/v1/releases/1/diff/2", {"Accept": "text/turtle"}),
        ("/v1/releases/1/diff/2?format=ttl", {}),
        ("/v1/releases", {"Accept": "application/ld+json"}),
        ("/v1/releases/1", {"Accept": "text/html"}),
    ],
)
def test_release_routes_are_json_only(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    response = client.get(path, headers=headers)

    assert response.status_code == 406
    assert response.json()["type"] == "urn:servicelist:problem:not-acceptable"
    assert "application/json" in response.json()["supported"]


def test_catalogue_of_each_release(client: TestClient) -> None:
    assert client.get("/v1/releases").status_code == 200
    state: CatalogueState = client.app.state.catalogue_state  # type: ignore[attr-defined]

    first = state.release_catalogue_sync(1)
    second = state.release_catalogue_sync(2)

    assert first.release == 1
    assert len(first.items["services"]) == 1519
    assert first.get_service("8").label == "Special educational needs co-ordinated support plan"
    assert second.release == 2
    assert len(second.items["services"]) == 1567
    assert state.release_catalogue_sync(1) is first


# --- Retirement, on a database of its own --------------------------------------------------------


@pytest.fixture(scope="module")
def retiring_client(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of a database where release 3 retired service 372 and replaced 373 by 5001.

    The tests only read, so they share one database per backend.
    """
    tmp_path = tmp_path_factory.mktemp(f"retiring-{backend}")
    engine, url = make_engine(backend, tmp_path)
    migrations.upgrade(engine)
    operations.load_bundled(engine, default_data_dir())
    with engine.connect() as connection:
        stored = repository.read_all(connection)
    kept = [
        item
        for item in stored.items
        if item.list_id == "services" and item.identifier not in ("372", "373")
    ]
    path = tmp_path / "services.csv"
    path.write_text(
        ESD_HEADER
        + "".join(f"{item.identifier},{item.identifier} label,,,,,\r\n" for item in kept)
        + "5001,Vehicle removal and disposal,,,,,373\r\n",
        encoding="utf-8",
    )
    # Every request checks for a newer load, so the next request gets release 3.
    settings = Settings(database_url=url, base_uri=BASE_URI, refresh_interval_seconds=0)
    with TestClient(create_app(settings, engine), raise_server_exceptions=False) as test_client:
        assert test_client.get("/v1/releases").json()["current"] == 2
        operations.load_csv(engine, path, "services")
        yield test_client
    drop_engine(engine, backend)


def test_retired_service_is_still_readable(retiring_client: TestClient) -> None:
    response = retiring_client.get("/v1/services/372")

    assert response.status_code == 200
    body = schemas.Service.model_validate(response.json())
    assert body.status == "retired"
    assert body.retired_in == 3
    assert body.replaced_by == []
    assert body.functions == []


def test_replaced_service_points_to_replacement(retiring_client: TestClient) -> None:
    retired = schemas.Service.model_validate(retiring_client.get("/v1/services/373").json())
    replacement = schemas.Service.model_validate(retiring_client.get("/v1/services/5001").json())

    assert retired.replaced_by == ["5001"]
    assert replacement.replaces == ["373"]
    assert replacement.status == "live"


def test_retired_services_filter(retiring_client: TestClient) -> None:
    body = retiring_client.get("/v1/services?status=retired").json()

    assert [entry["id"] for entry in body["items"]] == ["372", "373"]


def test_diff_lists_retired_services(retiring_client: TestClient) -> None:
    releases = retiring_client.get("/v1/releases").json()
    body = retiring_client.get("/v1/releases/2/diff/3?list=services&change=retired").json()

    assert releases["current"] == 3
    assert releases["releases"][2]["lists"]["services"]["retired"] == 2
    assert body["total"] == 2
    by_id = {entry["id"]: entry for entry in body["items"]}
    assert by_id["372"]["replaced_by"] == []
    assert by_id["373"]["replaced_by"] == ["5001"]
    assert by_id["373"]["href"] == "/v1/services/373"
