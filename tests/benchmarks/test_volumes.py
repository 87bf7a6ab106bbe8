"""Contact volumes, channel costs and channel-shift scenarios through HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.benchmarks.conftest import Factory, bearer, municipality_etag, patch_service

# A Belgian town (costs in EUR) with two services: 372 set to ABC class A, 487 to class C.
TOWN_VOLUMES = """service,channel,period,contacts
372,desk,2026-01,100
372,phone,2026-01,250
372,web,2026-01,1000
372,phone,2026-02,151
487,phone,2026-01,40
487,email,2026-01,7
"""
# An English council (costs in GBP), counting per quarter.
COUNCIL_VOLUMES = """service,channel,period,contacts
372,desk,2026-Q1,10
372,phone,2026-Q1,20
"""


def send_volumes(
    api: TestClient,
    town: str,
    token: str,
    data: str,
    *,
    dry_run: bool,
    etag: str | None = None,
    mode: str = "merge",
) -> Any:
    headers = {**bearer(token), "Content-Type": "text/csv"}
    if etag is not None:
        headers["If-Match"] = etag
    return api.post(
        f"/v1/municipalities/{town}/volumes",
        params={"dry_run": str(dry_run).lower(), "mode": mode},
        content=data.encode(),
        headers=headers,
    )


def load_volumes(api: TestClient, town: str, tokens: dict[str, str], data: str) -> Any:
    etag = municipality_etag(api, town, tokens["editor"])
    response = send_volumes(api, town, tokens["editor"], data, dry_run=False, etag=etag)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def town(api: TestClient, new_municipality: Factory) -> tuple[str, dict[str, str]]:
    """A Belgian town with the volumes of TOWN_VOLUMES and services 372 (A) and 487 (C)."""
    town, tokens = new_municipality(country="Belgium", languages=["nl", "en"], release=2)
    patch_service(api, town, tokens["editor"], "372", {"set": {"abc_class": "A"}})
    patch_service(api, town, tokens["editor"], "487", {"set": {"abc_class": "C"}})
    load_volumes(api, town, tokens, TOWN_VOLUMES)
    return town, tokens


def stored(api: TestClient, town: str, token: str) -> list[dict[str, Any]]:
    response = api.get(f"/v1/municipalities/{town}/volumes", headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


# Import


def test_dry_run_lists_changes_writes_nothing(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(release=2)
    etag = municipality_etag(api, town, tokens["reader"])

    response = send_volumes(api, town, tokens["editor"], TOWN_VOLUMES, dry_run=True)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["summary"] == {
        "mode": "merge",
        "rows": 6,
        "granularity": "month",
        "first_period": "2026-01",
        "last_period": "2026-02",
        "inserted": 6,
        "updated": 0,
        "deleted": 0,
        "unchanged": 0,
    }
    assert body["changes"][0] == {
        "service": "372",
        "channel": "desk",
        "period": "2026-01",
        "action": "insert",
        "before": None,
        "after": 100,
    }
    assert body["municipality_etag"] == etag
    assert stored(api, town, tokens["reader"]) == []
    assert municipality_etag(api, town, tokens["reader"]) == etag


def test_apply_stores_rows_and_history(api: TestClient, town: tuple[str, dict[str, str]]) -> None:
    name, tokens = town
    items = stored(api, name, tokens["reader"])
    history = api.get(f"/v1/municipalities/{name}/history", headers=bearer(tokens["reader"]))

    assert len(items) == 6
    assert items[0] == {"service": "372", "channel": "desk", "period": "2026-01", "contacts": 100}
    imports = [change for change in history.json()["items"] if change["entity"] == "volumes"]
    assert len(imports) == 1
    assert imports[0]["action"] == "import merge"
    assert imports[0]["after"]["inserted"] == 6


def test_apply_needs_if_match(api: TestClient, town: tuple[str, dict[str, str]]) -> None:
    name, tokens = town
    etag = municipality_etag(api, name, tokens["editor"])
    change = "service,channel,period,contacts\n372,desk,2026-01,90\n"

    missing = send_volumes(api, name, tokens["editor"], change, dry_run=False)
    stale = send_volumes(api, name, tokens["editor"], change, dry_run=False, etag='"stale"')
    applied = send_volumes(api, name, tokens["editor"], change, dry_run=False, etag=etag)
    again = send_volumes(api, name, tokens["editor"], change, dry_run=False, etag=etag)

    assert missing.status_code == 428
    assert stale.status_code == 412
    assert applied.status_code == 200, applied.text
    assert applied.json()["summary"]["updated"] == 1
    assert applied.json()["municipality_etag"] == municipality_etag(api, name, tokens["editor"])
    assert again.status_code == 412
    assert stored(api, name, tokens["reader"])[0]["contacts"] == 90


def test_empty_cell_deletes_and_replace_mode(
    api: TestClient, town: tuple[str, dict[str, str]]
) -> None:
    name, tokens = town
    etag = municipality_etag(api, name, tokens["editor"])
    deleted = send_volumes(
        api,
        name,
        tokens["editor"],
        "service,channel,period,contacts\n487,email,2026-01,\n",
        dry_run=False,
        etag=etag,
    )
    assert deleted.json()["summary"]["deleted"] == 1
    assert len(stored(api, name, tokens["reader"])) == 5

    etag = municipality_etag(api, name, tokens["editor"])
    replaced = send_volumes(
        api, name, tokens["editor"], COUNCIL_VOLUMES, dry_run=False, etag=etag, mode="replace"
    )

    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["summary"]["deleted"] == 5
    assert replaced.json()["summary"]["granularity"] == "quarter"
    assert [item["period"] for item in stored(api, name, tokens["reader"])] == ["2026-Q1"] * 2


def test_bad_rows_reported_nothing_changes(
    api: TestClient, town: tuple[str, dict[str, str]]
) -> None:
    name, tokens = town
    etag = municipality_etag(api, name, tokens["editor"])
    before = stored(api, name, tokens["reader"])
    bad = (
        "service,channel,period,contacts\n"
        "372,desk,2026-01,5\n"  # row 2: valid, but the file is rejected as a whole
        "99999999,desk,2026-01,5\n"  # row 3
        "372,fax,2026-01,5\n"  # row 4
        "372,desk,2026-13,5\n"  # row 5
        "372,desk,2026-Q1,5\n"  # row 6: a quarter where the town counts months
        "372,web,2026-03,'=1+2\n"  # row 7
        "372,web,2026-04,-5\n"  # row 8
        "372,web,2026-05,1.5\n"  # row 9
        "372,desk,2026-01,6\n"  # row 10: repeats row 2
    )

    response = send_volumes(api, name, tokens["editor"], bad, dry_run=False, etag=etag)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:servicelist:problem:import-rejected"
    found = {(error["row"], error["column"], error["value"]) for error in problem["errors"]}
    assert found == {
        (3, "service", "99999999"),
        (4, "channel", "fax"),
        (5, "period", "2026-13"),
        (6, "period", "2026-Q1"),
        (7, "contacts", "=1+2"),
        (8, "contacts", "-5"),
        (9, "contacts", "1.5"),
        (10, "period", "2026-01"),
    }
    reasons = {error["row"]: error["reason"] for error in problem["errors"]}
    assert "mode=replace" in reasons[6]
    assert "row 2" in reasons[10]
    assert stored(api, name, tokens["reader"]) == before
    assert municipality_etag(api, name, tokens["editor"]) == etag


@pytest.mark.parametrize(
    ("data", "column"),
    [
        ("service,channel,period\n372,desk,2026-01\n", "contacts"),
        ("service,channel,period,contacts,notes\n372,desk,2026-01,1,x\n", "notes"),
        ("service,channel,period,contacts,contacts\n", "contacts"),
    ],
)
def test_bad_header_rejected(
    api: TestClient, new_municipality: Factory, data: str, column: str
) -> None:
    town, tokens = new_municipality()

    response = send_volumes(api, town, tokens["editor"], data, dry_run=True)

    assert response.status_code == 422
    assert [(error["row"], error["column"]) for error in response.json()["errors"]] == [(1, column)]


def test_oversized_file_413(api: TestClient, town: tuple[str, dict[str, str]]) -> None:
    name, tokens = town
    # Uploads may be up to SERVICELIST_MAX_IMPORT_BYTES (16 MiB by default); this is 17.1 MB.
    rows = "372,desk,2026-01,1\n" * 900_000

    response = send_volumes(
        api, name, tokens["editor"], "service,channel,period,contacts\n" + rows, dry_run=True
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert len(stored(api, name, tokens["reader"])) == 6


def test_huge_cell_rejected(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality()
    data = "service,channel,period,contacts\n" + "9" * 300_000 + ",desk,2026-01,1\n"

    response = send_volumes(api, town, tokens["editor"], data, dry_run=True)

    assert response.status_code == 422
    assert response.json()["errors"][0]["row"] == 2


def test_not_utf8_rejected(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality()
    response = api.post(
        f"/v1/municipalities/{town}/volumes",
        content=b"service,channel,period,contacts\n372,desk,2026-01,\xff\n",
        headers={**bearer(tokens["editor"]), "Content-Type": "text/csv"},
    )

    assert response.status_code == 422
    assert "UTF-8" in response.json()["detail"]


def test_import_needs_editor_and_csv(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality()

    reader = send_volumes(api, town, tokens["reader"], TOWN_VOLUMES, dry_run=True)
    json_body = api.post(
        f"/v1/municipalities/{town}/volumes",
        json={"service": "372"},
        headers=bearer(tokens["editor"]),
    )

    assert reader.status_code == 403
    assert json_body.status_code == 415


def test_export_csv_round_trips(api: TestClient, town: tuple[str, dict[str, str]]) -> None:
    name, tokens = town
    exported = api.get(
        f"/v1/municipalities/{name}/volumes",
        params={"format": "csv"},
        headers=bearer(tokens["reader"]),
    )

    assert exported.status_code == 200
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert exported.text.lstrip("\ufeff").splitlines()[0] == "service,channel,period,contacts"
    again = send_volumes(api, name, tokens["editor"], exported.text, dry_run=True)
    assert again.json()["summary"]["unchanged"] == 6
    assert again.json()["changes"] == []


def test_volume_pages_and_filters(api: TestClient, town: tuple[str, dict[str, str]]) -> None:
    name, tokens = town
    url = f"/v1/municipalities/{name}/volumes"
    first = api.get(url, params={"limit": 4}, headers=bearer(tokens["reader"])).json()
    second = api.get(
        url, params={"limit": 4, "cursor": first["next_cursor"]}, headers=bearer(tokens["reader"])
    ).json()
    phone = api.get(url, params={"channel": "phone"}, headers=bearer(tokens["reader"])).json()
    february = api.get(
        url, params={"period_from": "2026-02"}, headers=bearer(tokens["reader"])
    ).json()
    bad_period = api.get(url, params={"period_from": "2026-1"}, headers=bearer(tokens["reader"]))

    assert first["count"] == 4
    assert second["count"] == 2
    assert second["next_cursor"] is None
    assert phone["contacts"] == 250 + 151 + 40
    assert [item["period"] for item in february["items"]] == ["2026-02"]
    assert bad_period.status_code == 400
    assert bad_period.json()["errors"][0]["name"] == "period_from"


# Costs and summaries


def test_summary_costs_per_channel(api: TestClient, town: tuple[str, dict[str, str]]) -> None:
    name, tokens = town

    response = api.get(
        f"/v1/municipalities/{name}/volumes/summary", headers=bearer(tokens["reader"])
    )

    assert response.status_code == 200, response.text
    body = response.json()
    # Default EUR costs per contact: desk 27.50, phone 10.00, web 0.50; email has none.
    channels = {entry["channel"]: entry for entry in body["channels"]}
    assert body["currency"] == "EUR"
    assert channels["desk"]["contacts"] == 100
    assert channels["desk"]["cost"] == "2750.00"  # 100 x 27.50
    assert channels["phone"]["contacts"] == 441  # 250 + 151 + 40
    assert channels["phone"]["cost"] == "4410.00"  # 441 x 10.00
    assert channels["web"]["cost"] == "500.00"  # 1000 x 0.50
    assert channels["email"]["contacts"] == 7
    assert channels["email"]["cost"] is None
    assert channels["desk"]["cost_per_contact"]["source"] == "Dutch study of municipal channels"
    assert body["totals"] == {
        "contacts": 1548,
        "cost": "7660.00",  # 2750 + 4410 + 500
        "cost_complete": False,
        "channels_without_cost": ["email"],
    }
    january, february = body["by_period"]
    assert january["period"] == "2026-01"
    assert january["contacts"] == 1397  # 100 + 250 + 1000 + 40 + 7
    assert january["cost"] == "6150.00"  # 2750 + 290 x 10.00 + 500
    assert february["cost"] == "1510.00"  # 151 x 10.00
    # Service 372 (class A) has 100 + 250 + 1000 + 151 = 1501 of the 1548 contacts.
    assert body["first_contact_estimate"]["contacts"] == 1501
    assert body["first_contact_estimate"]["share"] == 1501 / 1548
    assert "estimate" in body["first_contact_estimate"]["note"]
    assert body["abc"]["C"]["contacts"] == 47


def test_summary_by_quarter_and_currency(api: TestClient, town: tuple[str, dict[str, str]]) -> None:
    name, tokens = town

    body = api.get(
        f"/v1/municipalities/{name}/volumes/summary",
        params={"granularity": "quarter", "currency": "GBP"},
        headers=bearer(tokens["reader"]),
    ).json()

    assert body["periods"] == ["2026-Q1"]
    assert body["currency"] == "GBP"
    # GBP defaults: desk 8.62, phone 2.83, web 0.15.
    # 100 x 8.62 + 441 x 2.83 + 1000 x 0.15 = 862.00 + 1248.03 + 150.00
    assert body["totals"]["cost"] == "2260.03"


def test_council_costs_in_pounds(api: TestClient, new_municipality: Factory) -> None:
    council, tokens = new_municipality(country="England", release=2)
    load_volumes(api, council, tokens, COUNCIL_VOLUMES)

    body = api.get(
        f"/v1/municipalities/{council}/volumes/summary", headers=bearer(tokens["reader"])
    ).json()

    assert body["currency"] == "GBP"
    assert body["granularity"] == "quarter"
    assert body["totals"]["cost"] == "142.80"  # 10 x 8.62 + 20 x 2.83 = 86.20 + 56.60


def test_own_channel_costs(api: TestClient, town: tuple[str, dict[str, str]]) -> None:
    name, tokens = town
    url = f"/v1/municipalities/{name}/channel-costs"
    body = {"costs": [{"channel": "phone", "currency": "EUR", "amount": "12.40"}]}

    editor = api.put(url, json=body, headers={**bearer(tokens["editor"]), "If-Match": "*"})
    missing = api.put(url, json=body, headers=bearer(tokens["admin"]))
    etag = municipality_etag(api, name, tokens["admin"])
    applied = api.put(url, json=body, headers={**bearer(tokens["admin"]), "If-Match": etag})

    assert editor.status_code == 403
    assert missing.status_code == 428
    assert applied.status_code == 200, applied.text
    phone = next(item for item in applied.json()["items"] if item["channel"] == "phone")
    assert phone["amount"] == "12.40"
    assert phone["origin"] == "local"
    summary = api.get(
        f"/v1/municipalities/{name}/volumes/summary", headers=bearer(tokens["reader"])
    ).json()
    assert summary["totals"]["cost"] == "8718.40"  # 2750 + 441 x 12.40 + 500


@pytest.mark.parametrize(
    ("cost", "name"),
    [
        ({"channel": "fax", "currency": "EUR", "amount": "1"}, "costs.0.channel"),
        ({"channel": "desk", "currency": "euro", "amount": "1"}, "costs.0.currency"),
        ({"channel": "desk", "currency": "EUR", "amount": "-1"}, "costs.0.amount"),
        ({"channel": "desk", "currency": "EUR", "amount": "1.00001"}, "costs.0.amount"),
        ({"channel": "desk", "currency": "EUR", "amount": "NaN"}, "costs.0.amount"),
    ],
)
def test_invalid_channel_cost_422(
    api: TestClient, new_municipality: Factory, cost: dict[str, str], name: str
) -> None:
    town, tokens = new_municipality()
    etag = municipality_etag(api, town, tokens["admin"])

    response = api.put(
        f"/v1/municipalities/{town}/channel-costs",
        json={"costs": [cost]},
        headers={**bearer(tokens["admin"]), "If-Match": etag},
    )

    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    # Schema errors name the field in "name", checks against the release in "column".
    assert error.get("name", error.get("column")) == name
    assert municipality_etag(api, town, tokens["admin"]) == etag


# Channel shift


def test_channel_shift_arithmetic(api: TestClient, town: tuple[str, dict[str, str]]) -> None:
    name, tokens = town

    response = api.get(
        f"/v1/municipalities/{name}/scenarios/channel-shift",
        params={"from": "phone", "to": "web", "percentage": "25", "abc": "A"},
        headers=bearer(tokens["reader"]),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    # Only service 372 is class A. Its phone rows move 25%, each rounded half to even:
    #   2026-01: 250 x 0.25 = 62.5 -> 62;  2026-02: 151 x 0.25 = 37.75 -> 38;  moved 100.
    # Phone 441 -> 341 contacts, cost 4410.00 -> 3410.00 at EUR 10.00.
    # Web 1000 -> 1100 contacts, cost 500.00 -> 550.00 at EUR 0.50.
    # Saving = 100 x (10.00 - 0.50) = 950.00; desk and email do not change.
    assert body["matched_services"] == ["372"]
    assert body["moved_contacts"] == 100
    channels = {entry["channel"]: entry for entry in body["channels"]}
    assert channels["phone"]["before"] == {"contacts": 441, "cost": "4410.00"}
    assert channels["phone"]["after"] == {"contacts": 341, "cost": "3410.00"}
    assert channels["phone"]["change"] == {"contacts": -100, "cost": "-1000.00"}
    assert channels["web"]["before"] == {"contacts": 1000, "cost": "500.00"}
    assert channels["web"]["after"] == {"contacts": 1100, "cost": "550.00"}
    assert channels["desk"]["after"] == channels["desk"]["before"]
    assert channels["email"]["after"] == {"contacts": 7, "cost": None}
    assert body["totals"]["before"]["cost"] == "7660.00"
    assert body["totals"]["after"]["cost"] == "6710.00"
    assert body["saving"] == "950.00"
    assert body["currency"] == "EUR"


def test_channel_shift_post_with_filters(api: TestClient, town: tuple[str, dict[str, str]]) -> None:
    name, tokens = town

    response = api.post(
        f"/v1/municipalities/{name}/scenarios/channel-shift",
        json={
            "from": "phone",
            "to": "web",
            "percentage": "50",
            "services": ["487"],
            "period_from": "2026-01",
            "period_to": "2026-01",
        },
        headers=bearer(tokens["reader"]),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    # Service 487 has 40 phone contacts in January: 20 move. Saving 20 x 9.50 = 190.00.
    assert body["moved_contacts"] == 20
    assert body["saving"] == "190.00"
    assert body["periods"] == ["2026-01"]


def test_channel_shift_without_cost_422(api: TestClient, town: tuple[str, dict[str, str]]) -> None:
    name, tokens = town

    response = api.get(
        f"/v1/municipalities/{name}/scenarios/channel-shift",
        params={"from": "email", "to": "phone", "percentage": "10", "abc": "X"},
        headers=bearer(tokens["reader"]),
    )

    assert response.status_code == 422
    errors = {error["column"]: error for error in response.json()["errors"]}
    assert errors["from"]["value"] == "email"
    assert "channel-costs" in errors["from"]["reason"]
    assert errors["abc"]["value"] == "X"


def test_channel_shift_chart(api: TestClient, town: tuple[str, dict[str, str]]) -> None:
    name, tokens = town

    response = api.get(
        "/v1/benchmarks/charts/channel-shift.svg",
        params={"municipality": name, "from": "phone", "to": "web", "percentage": "25"},
        headers=bearer(tokens["reader"]),
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    assert "saving EUR " in response.text
    assert response.text.count('class="bar"') == 6  # desk, phone, web; before and after


def test_channel_shift_chart_needs_scenario(
    api: TestClient, town: tuple[str, dict[str, str]]
) -> None:
    name, tokens = town

    response = api.get(
        "/v1/benchmarks/charts/channel-shift.svg",
        params={"municipality": name, "from": "phone", "to": "web"},
        headers=bearer(tokens["reader"]),
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["name"] == "percentage"
    assert "missing: percentage" in response.json()["detail"]


# Tenancy


PRIVATE = (
    ("GET", "/v1/municipalities/{m}/volumes", None),
    ("GET", "/v1/municipalities/{m}/volumes?format=csv", None),
    ("GET", "/v1/municipalities/{m}/volumes/summary", None),
    ("GET", "/v1/municipalities/{m}/channel-costs", None),
    ("PUT", "/v1/municipalities/{m}/channel-costs", {"costs": []}),
    ("GET", "/v1/municipalities/{m}/scenarios/channel-shift?from=phone&to=web&percentage=5", None),
    (
        "POST",
        "/v1/municipalities/{m}/scenarios/channel-shift",
        {"from": "phone", "to": "web", "percentage": 5},
    ),
)


def test_other_tenant_volumes_404(
    api: TestClient, town: tuple[str, dict[str, str]], new_municipality: Factory
) -> None:
    name, _ = town
    _, other = new_municipality(published=True)
    for method, template, body in PRIVATE:
        response = api.request(
            method,
            template.format(m=name),
            json=body,
            headers={**bearer(other["admin"]), "If-Match": "*"},
        )
        assert response.status_code == 404, (method, template, response.text)
        assert name in response.json()["detail"]
    posted = send_volumes(api, name, other["editor"], TOWN_VOLUMES, dry_run=True)
    assert posted.status_code == 404


def test_volumes_need_a_key(api: TestClient, town: tuple[str, dict[str, str]]) -> None:
    name, _ = town

    response = api.get(f"/v1/municipalities/{name}/volumes")

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
