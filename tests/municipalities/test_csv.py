"""Bulk CSV export and import of a municipality's catalogue, through HTTP."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from servicelist.municipalities import csv_io
from tests.municipalities.conftest import bearer, create_token

Factory = Callable[..., tuple[str, dict[str, str]]]

LEICESTER_HEADER = [
    "Identifier",
    "Label",
    "Description",
    "Kind",
    "Offered",
    "label.en",
    "description.en",
    "fees",
    "procedure",
    "department",
    "abc_class",
    "keywords",
    "audiences",
    "life_events",
    "navigation",
    "process.template",
    "process.steps",
    "channels.phone.phone",
    "channels.web.url",
    "channels.web.interaction_urls",
]
LEICESTER_SCHOOL_GRANTS = "http://www.leicester.gov.uk/schools-and-learning/grants-and-allowances"
IDENTITY = {"Accept-Encoding": "identity"}


# Helpers


def export(api: TestClient, town: str, token: str) -> Any:
    response = api.get(f"/v1/municipalities/{town}/export.csv", headers=bearer(token))
    assert response.status_code == 200, response.text
    return response


def send_import(
    api: TestClient,
    town: str,
    token: str,
    data: bytes | str,
    *,
    dry_run: bool,
    etag: str | None = None,
    content_type: str = "text/csv",
) -> Any:
    headers = {**bearer(token), "Content-Type": content_type}
    if etag is not None:
        headers["If-Match"] = etag
    body = data.encode() if isinstance(data, str) else data
    return api.post(
        f"/v1/municipalities/{town}/import",
        params={"dry_run": "true" if dry_run else "false"},
        content=body,
        headers=headers,
    )


def municipality_etag(api: TestClient, town: str, token: str) -> str:
    response = api.get(f"/v1/municipalities/{town}", headers={**bearer(token), **IDENTITY})
    assert response.status_code == 200, response.text
    return response.headers["etag"]


def history(api: TestClient, town: str, token: str) -> list[dict[str, Any]]:
    response = api.get(
        f"/v1/municipalities/{town}/history", params={"limit": 1000}, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def rows_of(data: bytes) -> dict[str, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return {row["Identifier"]: row for row in reader}


def patch_service(
    api: TestClient, town: str, token: str, service: str, values: dict[str, Any]
) -> None:
    url = f"/v1/municipalities/{town}/services/{service}"
    response = api.patch(
        url,
        json={"set": values},
        headers={**bearer(token), "If-Match": api.get(url, headers=IDENTITY).headers["etag"]},
    )
    assert response.status_code == 200, response.text


def service_view(api: TestClient, town: str, service: str) -> dict[str, Any]:
    response = api.get(f"/v1/municipalities/{town}/services/{service}")
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


def channel(view: dict[str, Any], channel_id: str) -> dict[str, Any]:
    return next(entry for entry in view["channels"] if entry["id"] == channel_id)


def change_tuples(changes: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(c["path"], c["action"], c["before"], c["after"]) for c in changes]


# Export


def test_export_leicester_header_and_links(
    api: TestClient, engine: Engine, platform_token: str
) -> None:
    reader_token = create_token(engine, "reader", "leicester")
    response = export(api, "leicester", reader_token)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["content-disposition"] == 'attachment; filename="leicester-catalogue.csv"'
    )
    assert response.headers["cache-control"] == "private, no-cache"
    assert "Authorization" in response.headers["vary"]
    etag = response.headers["etag"]
    assert etag.startswith('"')

    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.split(b"\r\n")
    assert lines[0].decode("utf-8-sig").split(",") == LEICESTER_HEADER
    assert lines[-1] == b""

    rows = rows_of(body)
    total = api.get("/v1/municipalities/leicester/services", params={"limit": 1}).json()["total"]
    assert len(rows) == total
    assert next(iter(rows)) == "1"
    grants = rows["2"]
    standard = service_view(api, "leicester", "2")
    assert grants["Label"] == standard["label"]
    assert grants["Description"] == standard["description"]
    assert grants["Kind"] == "standard"
    assert grants["Offered"] == ""
    assert grants["label.en"] == ""
    assert grants["channels.web.url"] == LEICESTER_SCHOOL_GRANTS
    assert grants["channels.web.interaction_urls"] == f'{{"8":"{LEICESTER_SCHOOL_GRANTS}"}}'

    again = api.get(
        "/v1/municipalities/leicester/export.csv",
        headers={**bearer(platform_token), "If-None-Match": etag},
    )
    assert again.status_code == 304


def test_export_import_reproduces_catalogue(
    api: TestClient, new_municipality: Factory, platform_token: str
) -> None:
    original = export(api, "leicester", platform_token).content
    town, tokens = new_municipality(published=True, release=1)
    overrides = sum(
        1
        for row in rows_of(original).values()
        for name, cell in row.items()
        if name not in csv_io.SERVICE_COLUMNS and cell
    )

    assert overrides > 0
    preview = send_import(api, town, tokens["editor"], original, dry_run=True)
    assert preview.status_code == 200, preview.text
    planned = preview.json()
    assert planned["dry_run"] is True
    assert planned["summary"]["fields_set"] == overrides
    assert planned["summary"]["fields_reset"] == 0
    etag = municipality_etag(api, town, tokens["editor"])
    assert planned["municipality_etag"] == etag

    applied = send_import(api, town, tokens["editor"], original, dry_run=False, etag=etag)
    assert applied.status_code == 200, applied.text
    result = applied.json()
    assert result["dry_run"] is False
    assert result["changes"] == planned["changes"]
    new_etag = municipality_etag(api, town, tokens["editor"])
    assert result["municipality_etag"] == new_etag
    assert new_etag != etag

    assert export(api, town, tokens["reader"]).content == original

    # The same file again changes nothing, not even the municipality's ETag.
    events = len(history(api, town, tokens["reader"]))
    repeat = send_import(api, town, tokens["editor"], original, dry_run=False, etag=new_etag)
    assert repeat.status_code == 200, repeat.text
    assert repeat.json()["changes"] == []
    assert municipality_etag(api, town, tokens["editor"]) == new_etag
    assert len(history(api, town, tokens["reader"])) == events


def test_own_export_is_no_change(api: TestClient, platform_token: str) -> None:
    data = export(api, "leicester", platform_token).content
    response = send_import(api, "leicester", platform_token, data, dry_run=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["changes"] == []
    assert body["summary"] == {
        "rows": len(rows_of(data)),
        "services_changed": 0,
        "services_created": 0,
        "fields_set": 0,
        "fields_reset": 0,
        "offered_changed": 0,
    }


# Import


def test_dry_run_lists_changes_writes_nothing(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, release=1)
    editor = tokens["editor"]
    patch_service(api, town, editor, "372", {"fees": "£5", "procedure": "Ring us"})
    view_1 = service_view(api, town, "1")
    view_372 = service_view(api, town, "372")
    data = (
        "Identifier,Offered,fees,channels.web.url,keywords\r\n"
        "372,no,,https://example.org/cars,cars; bikes\r\n"
        "1,,£10,,\r\n"
    )
    etag = municipality_etag(api, town, editor)
    events = history(api, town, tokens["reader"])

    preview = send_import(api, town, editor, data, dry_run=True)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    expected = [
        ("372", "offered", "set", None, False),
        ("372", "fees", "reset", "£5", None),
        (
            "372",
            "channels.web.url",
            "set",
            channel(view_372, "web")["url"],
            "https://example.org/cars",
        ),
        ("372", "keywords", "set", view_372["keywords"], ["cars", "bikes"]),
        ("1", "fees", "set", view_1["fees"], "£10"),
    ]
    assert [
        (c["service"], c["path"], c["action"], c["before"], c["after"]) for c in body["changes"]
    ] == expected
    assert body["summary"] == {
        "rows": 2,
        "services_changed": 2,
        "services_created": 0,
        "fields_set": 3,
        "fields_reset": 1,
        "offered_changed": 1,
    }
    assert municipality_etag(api, town, editor) == etag
    assert history(api, town, tokens["reader"]) == events
    assert service_view(api, town, "372")["fees"] == "£5"

    applied = send_import(api, town, editor, data, dry_run=False, etag=etag)
    assert applied.status_code == 200, applied.text
    recorded = history(api, town, tokens["reader"])[len(events) :]
    assert change_tuples(recorded) == change_tuples(body["changes"])
    assert all(entry["actor"].endswith("(test editor)") for entry in recorded)
    after = service_view(api, town, "372")
    assert after["offered"] is False
    assert after["fees"] is None
    assert after["procedure"] == "Ring us"
    assert after["keywords"] == ["cars", "bikes"]
    assert after["provenance"]["channels.web.url"]["origin"] == "CSV import"


def test_bad_row_rejects_whole_file(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, release=1)
    data = "Identifier,fees,abc_class\r\n372,£1,A\r\n1,£2,Z\r\n2,£3,\r\n"
    etag = municipality_etag(api, town, tokens["editor"])
    events = history(api, town, tokens["reader"])

    response = send_import(api, town, tokens["editor"], data, dry_run=False, etag=etag)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:servicelist:problem:import-rejected"
    assert "nothing was changed" in problem["detail"]
    assert len(problem["errors"]) == 1
    error = problem["errors"][0]
    assert (error["row"], error["column"], error["value"]) == (3, "abc_class", "Z")
    assert "not a known ABC class" in error["reason"]

    assert municipality_etag(api, town, tokens["editor"]) == etag
    assert history(api, town, tokens["reader"]) == events
    assert service_view(api, town, "372")["fees"] is None


TWENTY_THOUSAND_AND_ONE = "Identifier\r\n" + "372\r\n" * 20_001
LONG_CELL = "Identifier,description.en\r\n372," + "x" * 100_001 + "\r\n"

# Files with one error each: (CSV, row, column, value, part of the reason).
BAD_FILES = [
    ("Service,fees\r\n372,£1\r\n", 1, "Identifier", None, "required column is missing"),
    ("Identifier,colour\r\n372,red\r\n", 1, "colour", "colour", "unknown column"),
    ("Identifier,Label,Label\r\n372,a,b\r\n", 1, "Label", "Label", "appears twice"),
    ("Identifier,fees\r\n999999,£1\r\n", 2, "Identifier", "999999", "unknown identifier"),
    ("Identifier,fees\r\n372,£1\r\n372,£2\r\n", 3, "Identifier", "372", "row 2 has it too"),
    ("Identifier,Offered\r\n372,maybe\r\n", 2, "Offered", "maybe", "use yes, no"),
    ("Identifier,Kind\r\n372,local\r\n", 2, "Kind", "local", "standard service of release 1"),
    ("Identifier,Kind\r\n372,other\r\n", 2, "Kind", "other", "use standard or local"),
    (
        "Identifier,channels.web.url\r\n372,ftp://example.org\r\n",
        2,
        "channels.web.url",
        "ftp://example.org",
        "not an absolute http or https URL",
    ),
    (
        'Identifier,process.steps\r\n372,"[{""label"":"\r\n',
        2,
        "process.steps",
        '[{"label":',
        "not valid JSON",
    ),
    (
        "Identifier,channels.chat.available\r\n372,maybe\r\n",
        2,
        "channels.chat.available",
        "maybe",
        "expected true or false",
    ),
    ("Identifier,audiences\r\n372,nobody\r\n", 2, "audiences", "nobody", "not a known audience"),
    (
        "Identifier,Kind,fees\r\nbike-shed,local,£1\r\n",
        2,
        "label.en",
        None,
        "needs a label",
    ),
    (
        "Identifier,Kind,label.en\r\nBike Shed,local,Sheds\r\n",
        2,
        "Identifier",
        "Bike Shed",
        "a new local service needs an id",
    ),
    # A line break inside a quoted cell keeps the spreadsheet's row numbers.
    (
        'Identifier,description.en,abc_class\r\n372,"one\ntwo",A\r\n1,,Z\r\n',
        3,
        "abc_class",
        "Z",
        "not a known ABC class",
    ),
    ("Identifier,fees\r\n372,£1,extra\r\n", 2, None, "extra", "the header names 2 columns"),
    (TWENTY_THOUSAND_AND_ONE, 20_002, None, None, "more than 20000 rows"),
    (LONG_CELL, 2, "description.en", "x" * 197 + "...", "the maximum is 100000"),
]


@pytest.mark.parametrize(("data", "row", "column", "value", "reason"), BAD_FILES)
def test_import_error_names_cell(
    api: TestClient,
    platform_token: str,
    data: str,
    row: int,
    column: str | None,
    value: str | None,
    reason: str,
) -> None:
    response = send_import(api, "leicester", platform_token, data, dry_run=True)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    found = [e for e in errors if (e["row"], e["column"], e["value"]) == (row, column, value)]
    assert found, errors
    assert reason in found[0]["reason"]


def test_import_not_utf8_rejected(api: TestClient, platform_token: str) -> None:
    data = "Identifier,fees\r\n372,£1\r\n".encode("cp1252")
    response = send_import(api, "leicester", platform_token, data, dry_run=True)
    assert response.status_code == 422
    assert "not UTF-8" in response.json()["detail"]


def test_formula_cells_round_trip(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, release=1)
    values = {
        "label.en": '=HYPERLINK("https://example.org","Click")',
        "fees": "+1",
        "keywords": ["-2", "bins"],
        "procedure": "@SUM(A1:A2)",
        "department": "'Quoted' team",
        "channels.phone.phone": "+44 20 7946 0000",
    }
    patch_service(api, town, tokens["editor"], "372", values)
    data = export(api, town, tokens["reader"]).content
    row = rows_of(data)["372"]
    assert row["label.en"] == "'" + values["label.en"]
    assert row["Label"] == "'" + values["label.en"]
    assert row["fees"] == "'+1"
    assert row["keywords"] == "'-2; bins"
    assert row["procedure"] == "'@SUM(A1:A2)"
    assert row["department"] == "''Quoted' team"
    assert row["channels.phone.phone"] == "'+44 20 7946 0000"

    copy, copy_tokens = new_municipality(published=True, release=1)
    etag = municipality_etag(api, copy, copy_tokens["editor"])
    response = send_import(api, copy, copy_tokens["editor"], data, dry_run=False, etag=etag)
    assert response.status_code == 200, response.text
    view = service_view(api, copy, "372")
    assert view["label"] == values["label.en"]
    assert view["fees"] == "+1"
    assert view["keywords"] == ["-2", "bins"]
    assert view["procedure"] == "@SUM(A1:A2)"
    assert view["department"] == "'Quoted' team"
    assert channel(view, "phone")["phone"] == "+44 20 7946 0000"
    assert export(api, copy, copy_tokens["reader"]).content == data


def test_special_values_round_trip(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, release=1, languages=["cy", "en"])
    hours = [{"day": "Mo", "opens": "09:00", "closes": "12:00"}]
    values = {
        "label.cy": "Cerbydau wedi'u gadael",
        "description.en": 'First line\nsecond line, with a comma and "quotes"',
        "keywords": ["cars; vans", "bikes"],
        "audiences": [],
        "channels.web.url": None,
        "channels.phone.note": "null",
        "channels.web.note": '"Ask at reception"',
        "channels.chat.available": True,
        "channels.phone.opening_hours": hours,
    }
    patch_service(api, town, tokens["editor"], "372", values)
    data = export(api, town, tokens["reader"]).content
    row = rows_of(data)["372"]
    assert row["label.cy"] == "Cerbydau wedi'u gadael"
    assert row["keywords"] == '["cars; vans","bikes"]'
    assert row["audiences"] == "[]"
    assert row["channels.web.url"] == "null"
    assert row["channels.phone.note"] == '"null"'
    assert row["channels.web.note"] == '"\\"Ask at reception\\""'
    assert row["channels.chat.available"] == "true"
    assert row["channels.phone.opening_hours"] == '[{"closes":"12:00","day":"Mo","opens":"09:00"}]'

    copy, copy_tokens = new_municipality(published=True, release=1, languages=["cy", "en"])
    etag = municipality_etag(api, copy, copy_tokens["editor"])
    response = send_import(api, copy, copy_tokens["editor"], data, dry_run=False, etag=etag)
    assert response.status_code == 200, response.text
    view = service_view(api, copy, "372")
    assert view["labels"]["cy"] == values["label.cy"]
    assert view["descriptions"]["en"] == values["description.en"]
    assert view["keywords"] == ["cars; vans", "bikes"]
    assert view["audiences"] == []
    assert channel(view, "web")["url"] is None
    assert channel(view, "phone")["note"] == "null"
    assert channel(view, "web")["note"] == '"Ask at reception"'
    assert channel(view, "phone")["opening_hours"] == hours
    assert export(api, copy, copy_tokens["reader"]).content == data


def test_import_creates_local_service(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, release=1, languages=["nl", "en"])
    data = "Identifier,Kind,Offered,label.nl\r\nbike-shed-permit,local,,Fietsenhokvergunning\r\n"
    etag = municipality_etag(api, town, tokens["editor"])
    response = send_import(api, town, tokens["editor"], data, dry_run=False, etag=etag)
    assert response.status_code == 200, response.text
    assert change_tuples(response.json()["changes"]) == [
        ("service", "create", None, "bike-shed-permit"),
        ("label.nl", "set", None, "Fietsenhokvergunning"),
    ]
    view = service_view(api, town, "bike-shed-permit")
    assert view["kind"] == "local"
    assert view["label"] == "Fietsenhokvergunning"

    exported = export(api, town, tokens["reader"]).content
    last = exported.split(b"\r\n")[-2].decode()
    assert last.startswith("bike-shed-permit,Fietsenhokvergunning,,local,,")
    assert rows_of(exported)["bike-shed-permit"]["label.nl"] == "Fietsenhokvergunning"


def test_import_local_service_label_reset_rejected(
    api: TestClient, new_municipality: Factory
) -> None:
    town, tokens = new_municipality(published=True, release=1)
    created = "Identifier,Kind,label.en\r\nharbour-berth,local,Harbour berths\r\n"
    etag = municipality_etag(api, town, tokens["editor"])
    first = send_import(api, town, tokens["editor"], created, dry_run=False, etag=etag)
    assert first.status_code == 200, first.text
    cleared = "Identifier,label.en\r\nharbour-berth,\r\n"
    response = send_import(api, town, tokens["editor"], cleared, dry_run=True)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["row"], error["column"]) == (2, "label.en")
    assert "needs a label" in error["reason"]


# Preconditions, roles and tenancy


def test_apply_stale_if_match_412(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, release=1)
    etag = municipality_etag(api, town, tokens["editor"])
    patch_service(api, town, tokens["editor"], "372", {"fees": "£5"})
    events = history(api, town, tokens["reader"])
    data = "Identifier,fees\r\n372,£7\r\n"
    response = send_import(api, town, tokens["editor"], data, dry_run=False, etag=etag)
    assert response.status_code == 412
    assert response.json()["type"] == "urn:servicelist:problem:precondition-failed"
    assert service_view(api, town, "372")["fees"] == "£5"
    assert history(api, town, tokens["reader"]) == events


def test_apply_without_if_match_428(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, release=1)
    data = "Identifier,fees\r\n372,£7\r\n"
    response = send_import(api, town, tokens["editor"], data, dry_run=False)
    assert response.status_code == 428
    assert service_view(api, town, "372")["fees"] is None


def test_other_tenant_csv_404(api: TestClient, new_municipality: Factory) -> None:
    _, mine = new_municipality(published=True, release=1)
    theirs, _ = new_municipality(published=True, release=1)
    exported = api.get(f"/v1/municipalities/{theirs}/export.csv", headers=bearer(mine["admin"]))
    assert exported.status_code == 404
    imported = send_import(
        api, theirs, mine["admin"], "Identifier,fees\r\n372,£1\r\n", dry_run=False, etag="*"
    )
    assert imported.status_code == 404
    assert theirs in imported.json()["detail"]
    assert service_view(api, theirs, "372")["fees"] is None


def test_reader_exports_but_cannot_import(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, release=1)
    export(api, town, tokens["reader"])
    response = send_import(api, town, tokens["reader"], "Identifier\r\n372\r\n", dry_run=True)
    assert response.status_code == 403
    assert "editor" in response.json()["detail"]


def test_export_needs_key(api: TestClient, new_municipality: Factory) -> None:
    town, _ = new_municipality(published=True, release=1)
    assert api.get(f"/v1/municipalities/{town}/export.csv").status_code == 401


def test_import_other_media_type_415(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, release=1)
    for content_type in ("application/json", "text/csv; charset=latin-1"):
        response = send_import(
            api,
            town,
            tokens["editor"],
            "Identifier\r\n372\r\n",
            dry_run=True,
            content_type=content_type,
        )
        assert response.status_code == 415, content_type
        assert response.json()["type"] == "urn:servicelist:problem:unsupported-media-type"
    accepted = send_import(
        api,
        town,
        tokens["editor"],
        "Identifier\r\n372\r\n",
        dry_run=True,
        content_type="text/csv; charset=UTF-8",
    )
    assert accepted.status_code == 200, accepted.text


# Cells


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2", "@SUM(A1)", "\tTab", "\rReturn", "'Quote"])
def test_formula_cell_neutralised(cell: str) -> None:
    written = csv_io.neutralise(cell)
    assert written == "'" + cell
    assert csv_io.unquote(written) == cell


def test_plain_cell_unchanged() -> None:
    assert csv_io.neutralise("Bins") == "Bins"
    assert csv_io.unquote("Bins") == "Bins"


# (path, stored value, cell): each value is written as the cell and read back unchanged.
CELLS = [
    ("fees", "Free; £5 for a replacement", "Free; £5 for a replacement"),
    ("fees", "null", "null"),
    ("keywords", ["bins", "waste"], "bins; waste"),
    ("keywords", ["a; b", "c"], '["a; b","c"]'),
    ("keywords", ["[draft]", "c"], '["[draft]","c"]'),
    ("keywords", [], "[]"),
    ("channels.web.url", None, "null"),
    ("channels.desk.note", "null", '"null"'),
    ("channels.desk.note", '"Ask" at the desk', '"\\"Ask\\" at the desk"'),
    ("channels.desk.note", "Ask at the desk", "Ask at the desk"),
    ("channels.web.available", False, "false"),
    ("channels.web.languages", ["en", "cy"], "en; cy"),
    ("channels.web.interaction_urls", {"8": "https://a.example"}, '{"8":"https://a.example"}'),
]


@pytest.mark.parametrize(("path", "value", "cell"), CELLS)
def test_cell_round_trip(path: str, value: Any, cell: str) -> None:
    assert csv_io.encode_value(path, value) == cell
    assert csv_io.decode_cell(path, cell) == value
