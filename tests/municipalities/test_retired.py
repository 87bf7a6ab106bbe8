"""A release that retires a service a municipality offers: the review flags it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from servicelist.api.app import create_app
from servicelist.lists import operations, repository
from servicelist.lists import records as r
from servicelist.municipalities.seed import seed_if_empty
from servicelist.settings import Settings, default_data_dir
from tests.municipalities.conftest import bearer, create_token

RETIRED = "372"
REPLACEMENT = "1800"


@pytest.fixture
def three_releases(
    empty_database: tuple[Engine, str], tmp_path: Path
) -> Iterator[tuple[TestClient, Engine]]:
    """Releases 1 and 2 as bundled, then release 3 without LGSL 372, replaced by 1800."""
    engine, url = empty_database
    operations.load_bundled(engine, default_data_dir())
    seed_if_empty(engine, default_data_dir())
    with engine.connect() as connection:
        services = [i for i in repository.read_all(connection).items if i.list_id == r.SERVICES]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Identifier", "Label", "Description", "Replaces"])
    for item in services:
        if item.identifier == RETIRED:
            continue
        replaces = RETIRED if item.identifier == REPLACEMENT else ""
        writer.writerow([item.identifier, item.label, item.descriptions.get("en", ""), replaces])
    path = tmp_path / "services.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    operations.load_csv(engine, path, r.SERVICES)
    settings = Settings(database_url=url, refresh_interval_seconds=0)
    with TestClient(create_app(settings, engine)) as client:
        yield client, engine


def test_retired_service_flagged_and_withdrawn(
    three_releases: tuple[TestClient, Engine],
) -> None:
    client, engine = three_releases
    admin = create_token(engine, "admin", "adur")
    council = "/v1/municipalities/adur"
    assert client.get(f"{council}/services/{RETIRED}").json()["offered"] is True

    for release in (2, 3):
        etag = client.get(council, headers=bearer(admin)).headers["etag"]
        moved = client.post(
            f"{council}/release",
            json={"release": release},
            headers={**bearer(admin), "If-Match": etag},
        )
        assert moved.status_code == 200, moved.text
    summary = moved.json()["summary"]
    assert summary["retired"] == 1
    assert summary["open"] == 1

    review = client.get(f"{council}/review", params={"kind": "retired"}, headers=bearer(admin))
    (item,) = review.json()["items"]
    assert item["service"]["id"] == RETIRED
    assert item["new_standard"] == [REPLACEMENT]
    assert item["resolutions"] == ["withdraw", "keep-local"]
    service = client.get(f"{council}/services/{RETIRED}").json()
    assert service["standard"]["status"] == "retired"
    assert service["offered"] is False

    item_url = f"{council}/review/{item['id']}"
    etag = client.get(item_url, headers=bearer(admin)).headers["etag"]
    resolved = client.post(
        f"{item_url}/resolution",
        json={"resolution": "withdraw"},
        headers={**bearer(admin), "If-Match": etag},
    )
    assert resolved.status_code == 200, resolved.text
    assert client.get(f"{council}/services/{RETIRED}").json()["offered"] is False
