"""The change feed through HTTP: local edits, release moves, polling, cursors and retention."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from servicelist.cli import app as cli
from servicelist.feed.prune import prune_changes
from servicelist.settings import Settings, get_settings
from tests.municipalities.conftest import bearer

Factory = Callable[..., tuple[str, dict[str, str]]]
ENTRY_FIELDS = ["cursor", "at", "source", "action", "target", "path", "release"]


def feed(api: TestClient, town: str, since: str | None = None, **params: Any) -> Any:
    if since is not None:
        params["since"] = since
    return api.get(f"/v1/municipalities/{town}/changes", params=params)


def read_all(api: TestClient, town: str, since: str | None, limit: int) -> list[dict[str, Any]]:
    """Follow the feed page by page until a page has ``more`` false."""
    entries: list[dict[str, Any]] = []
    while True:
        response = feed(api, town, since, limit=limit)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["count"] <= limit
        entries.extend(page["items"])
        since = page["next_cursor"]
        if not page["more"]:
            return entries


def edit(api: TestClient, town: str, token: str, service: str, body: dict[str, Any]) -> None:
    url = f"/v1/municipalities/{town}/services/{service}"
    response = api.patch(
        url, json=body, headers={**bearer(token), "If-Match": api.get(url).headers["etag"]}
    )
    assert response.status_code == 200, response.text


def end_cursor(api: TestClient, town: str) -> str:
    """Return the cursor after the newest change of ``town``."""
    response = feed(api, town, limit=1000)
    assert response.json()["more"] is False
    cursor: str = response.json()["next_cursor"]
    return cursor


def test_patch_appears_with_path(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    cursor = end_cursor(api, town)

    edit(api, town, tokens["editor"], "372", {"set": {"label.en": "Dumped cars"}})

    response = feed(api, town, cursor)
    assert response.status_code == 200
    (entry,) = response.json()["items"]
    assert list(entry) == ENTRY_FIELDS
    assert entry["source"] == "local"
    assert entry["action"] == "set"
    assert entry["path"] == "label.en"
    assert entry["target"] == {
        "type": "service",
        "id": "372",
        "href": f"/v1/municipalities/{town}/services/372",
    }
    assert entry["release"] == 2
    assert datetime.fromisoformat(entry["at"]).utcoffset() == timedelta(0)


def test_feed_starts_at_oldest_change(api: TestClient, new_municipality: Factory) -> None:
    town, _ = new_municipality(published=True)

    page = feed(api, town).json()

    assert page["items"][0]["target"]["type"] == "municipality"
    assert page["items"][0]["path"] == "municipality"
    assert page["items"][0]["action"] == "create"
    assert page["retention_days"] == 90


def test_polling_returns_nothing_then_next_edit(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    edit(api, town, tokens["editor"], "372", {"set": {"fees": "Free"}})
    cursor = end_cursor(api, town)

    quiet = feed(api, town, cursor)
    assert quiet.status_code == 200
    assert quiet.json()["items"] == []
    assert quiet.json()["more"] is False
    assert quiet.json()["next_cursor"] == cursor
    assert quiet.headers["link"] == f'<{quiet.json()["next"]}>; rel="next"'

    edit(api, town, tokens["editor"], "412", {"offered": False, "reset": ["fees"]})
    entries = feed(api, town, cursor).json()["items"]
    assert [(entry["target"]["id"], entry["path"]) for entry in entries] == [("412", "offered")]
    assert feed(api, town, feed(api, town, cursor).json()["next_cursor"]).json()["items"] == []


def test_feed_leaves_out_actor_and_values(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    cursor = end_cursor(api, town)
    edit(api, town, tokens["editor"], "372", {"set": {"fees": "Secret fee"}})

    body = feed(api, town, cursor).text

    assert "test editor" not in body
    assert "Secret fee" not in body


def test_pages_follow_without_gaps(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    for service in ("372", "412", "524"):
        edit(api, town, tokens["editor"], service, {"set": {"fees": "£1", "procedure": "Ask"}})

    whole = read_all(api, town, None, 1000)
    paged = read_all(api, town, None, 2)

    assert paged == whole
    assert len(whole) == 7


def test_selection_change_in_feed(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    cursor = end_cursor(api, town)
    url = f"/v1/municipalities/{town}/open311"
    response = api.put(
        url, json={"services": ["1"]}, headers={**bearer(tokens["admin"]), "If-None-Match": "*"}
    )
    assert response.status_code == 200, response.text

    (entry,) = feed(api, town, cursor).json()["items"]
    assert entry["path"] == "open311.services"
    assert entry["target"] == {"type": "open311-selection", "id": town, "href": url}


def test_release_move_shows_upstream_changes(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, release=1)
    cursor = end_cursor(api, town)
    url = f"/v1/municipalities/{town}"
    moved = api.post(
        f"{url}/release",
        json={"release": 2},
        headers={**bearer(tokens["admin"]), "If-Match": api.get(url).headers["etag"]},
    )
    assert moved.status_code == 200, moved.text

    entries = read_all(api, town, cursor, 1000)
    move, *upstream = entries
    assert (move["target"]["type"], move["path"], move["release"]) == ("municipality", "release", 2)
    review = api.get(
        f"{url}/review", params={"limit": 1000}, headers=bearer(tokens["reader"])
    ).json()["items"]
    expected = [
        ("upstream", item["kind"], item["service"]["id"], item["path"], 2)
        for item in review
        if item["kind"] in ("taken-over", "added", "retired")
    ]
    assert [
        (entry["source"], entry["action"], entry["target"]["id"], entry["path"], entry["release"])
        for entry in upstream
    ] == expected
    assert ("upstream", "taken-over", "8", "label.en", 2) in expected
    assert any(kind == "added" for _, kind, *_ in expected)
    assert read_all(api, town, cursor, 7) == entries


def test_page_limit_after_expanded_move(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, release=1)
    cursor = end_cursor(api, town)
    url = f"/v1/municipalities/{town}"
    moved = api.post(
        f"{url}/release",
        json={"release": 2},
        headers={**bearer(tokens["admin"]), "If-Match": api.get(url).headers["etag"]},
    )
    assert moved.status_code == 200, moved.text
    languages = [f"{first}{second}x" for first in "abcde" for second in "abcdefghij"]
    for service in ("372", "412"):
        edit(
            api,
            town,
            tokens["editor"],
            service,
            {"set": {f"label.{tag}": "Label" for tag in languages}},
        )

    summary = moved.json()["summary"]
    upstream = summary["taken-over"] + summary["added"] + summary["retired"]
    first_page = feed(api, town, cursor, limit=upstream + 50).json()
    assert first_page["count"] == upstream + 50
    assert first_page["more"] is True
    entries = read_all(api, town, cursor, upstream + 50)
    assert len(entries) == 1 + upstream + 100
    assert entries == read_all(api, town, cursor, 1000)


def test_expired_cursor_410(api: TestClient, new_municipality: Factory, engine: Engine) -> None:
    town, tokens = new_municipality(published=True)
    start = feed(api, town, limit=1).json()["next_cursor"]
    edit(api, town, tokens["editor"], "372", {"set": {"fees": "£2"}})

    result = prune_changes(engine, 0, municipality_id=town)

    assert result.removed == {town: 2}
    expired = feed(api, town, start)
    assert expired.status_code == 410
    problem = expired.json()
    assert problem["type"] == "urn:servicelist:problem:cursor-expired"
    assert f"GET /v1/municipalities/{town}/services?detail=full" in problem["detail"]
    fresh = feed(api, town)
    assert fresh.json()["items"] == []
    assert feed(api, town, fresh.json()["next_cursor"]).status_code == 200
    edit(api, town, tokens["editor"], "372", {"set": {"fees": "£3"}})
    (entry,) = feed(api, town, fresh.json()["next_cursor"]).json()["items"]
    assert entry["path"] == "fees"


def test_retention_keeps_recent_changes(
    api: TestClient, new_municipality: Factory, engine: Engine
) -> None:
    town, tokens = new_municipality(published=True)
    before_edits = end_cursor(api, town)
    edit(api, town, tokens["editor"], "372", {"set": {"fees": "£4"}})
    after_first = end_cursor(api, town)
    edit(api, town, tokens["editor"], "412", {"set": {"fees": "£5"}})
    second = feed(api, town, after_first).json()["items"][0]
    second_at = datetime.fromisoformat(second["at"])

    result = prune_changes(engine, 90, municipality_id=town, now=second_at + timedelta(days=90))

    assert result.removed == {town: 2}
    assert feed(api, town, before_edits).status_code == 410
    retained = feed(api, town, after_first)
    assert retained.status_code == 200
    assert [entry["target"]["id"] for entry in retained.json()["items"]] == ["412"]
    assert [entry["target"]["id"] for entry in feed(api, town).json()["items"]] == ["412"]


def test_malformed_cursor_400(api: TestClient, new_municipality: Factory) -> None:
    town, _ = new_municipality(published=True)
    other, _ = new_municipality(published=True)
    foreign = end_cursor(api, other)
    beyond = base64.urlsafe_b64encode(f"f1:{town}:999999999".encode()).decode().rstrip("=")
    not_a_move = base64.urlsafe_b64encode(f"f1:{town}:1:5".encode()).decode().rstrip("=")

    for cursor in ("garbage", "Zm9v", "", foreign, beyond, not_a_move, "A" * 500):
        response = feed(api, town, cursor)
        assert response.status_code == 400, cursor
        problem = response.json()
        assert problem["type"] == "urn:servicelist:problem:invalid-cursor", cursor
        assert problem["errors"][0]["name"] == "since"


def test_feed_etag_304(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    first = feed(api, town)
    unchanged = feed(api, town)
    cached = api.get(
        f"/v1/municipalities/{town}/changes", headers={"If-None-Match": first.headers["etag"]}
    )
    edit(api, town, tokens["editor"], "372", {"set": {"fees": "£6"}})
    changed = api.get(
        f"/v1/municipalities/{town}/changes", headers={"If-None-Match": first.headers["etag"]}
    )

    assert unchanged.headers["etag"] == first.headers["etag"]
    assert cached.status_code == 304
    assert changed.status_code == 200


def test_unpublished_feed_private(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality()

    assert feed(api, town).status_code == 404
    own = api.get(f"/v1/municipalities/{town}/changes", headers=bearer(tokens["reader"]))
    assert own.status_code == 200
    assert own.headers["cache-control"] == "private, no-cache"


def test_cli_prune(
    api: TestClient,
    new_municipality: Factory,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    town, tokens = new_municipality(published=True)
    start = feed(api, town, limit=1).json()["next_cursor"]
    edit(api, town, tokens["editor"], "372", {"set": {"fees": "£7"}})
    monkeypatch.setenv("SERVICELIST_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        default_run = CliRunner().invoke(cli, ["changes", "prune", "--municipality", town])
        pruned = CliRunner().invoke(
            cli, ["changes", "prune", "--retention-days", "0", "--municipality", town]
        )
    finally:
        get_settings.cache_clear()

    default_output = " ".join(default_run.output.split())
    pruned_output = " ".join(pruned.output.split())
    assert default_run.exit_code == 0, default_run.output
    assert "Deleted 0 changes" in default_output
    assert "(90 days); municipalities affected: 0." in default_output
    assert pruned.exit_code == 0, pruned.output
    assert "Deleted 2 changes" in pruned_output
    assert "(0 days); municipalities affected: 1." in pruned_output
    assert feed(api, town, start).status_code == 410
