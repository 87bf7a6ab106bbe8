"""The Open311 selection of a municipality: what it publishes, codes, validation, preconditions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servicelist.open311.questions import QUESTIONS_FILE, load_questions
from servicelist.open311.xml_output import to_xml
from servicelist.settings import default_data_dir
from tests.municipalities.conftest import bearer
from tests.open311.helpers import parse_xml, xml_to_data
from tests.open311.test_georeport import REPORTING, definition_url, put_selection

Factory = Callable[..., tuple[str, dict[str, str]]]


def codes(api: TestClient, town: str) -> list[str]:
    response = api.get(f"/open311/v2/services.json?jurisdiction_id={town}")
    assert response.status_code == 200, response.text
    return [entry["service_code"] for entry in response.json()]


def selection(api: TestClient, town: str) -> dict[str, Any]:
    document: dict[str, Any] = api.get(f"/v1/municipalities/{town}/open311").json()
    return document


def test_admin_selection_changes_list(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    assert codes(api, town) == REPORTING

    response = put_selection(
        api,
        town,
        tokens["admin"],
        {"interactions": [], "services": ["684", "372"]},
        **{"If-None-Match": "*"},
    )

    assert response.status_code == 200, response.text
    document = response.json()
    assert document["stored"] is True
    assert document["revision"] == 1
    assert [entry["id"] for entry in document["exposed"]] == ["372", "684"]
    assert document["exposed"][0]["reasons"] == ["listed"]
    assert codes(api, town) == ["372", "684"]


def test_interaction_selection_adds_services(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    paying = api.get("/v1/services", params={"interaction": "4", "limit": 1000}).json()["items"]

    response = put_selection(
        api, town, tokens["admin"], {"interactions": ["17", "4"]}, **{"If-None-Match": "*"}
    )

    assert response.status_code == 200, response.text
    expected = {item["id"] for item in paying} | set(REPORTING)
    assert set(codes(api, town)) == expected
    assert len(codes(api, town)) == len(expected)


def test_code_with_inner_spaces_round_trips(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    lighting, vehicles = "STREET  LIGHT 07", "Épave de véhicule"
    response = put_selection(
        api,
        town,
        tokens["admin"],
        {"service_codes": {"564": lighting, "372": vehicles}},
        **{"If-None-Match": "*"},
    )
    assert response.status_code == 200, response.text

    listed = codes(api, town)
    assert lighting in listed
    assert vehicles in listed
    assert "564" not in listed
    for code in (lighting, vehicles):
        as_json = api.get(definition_url(code, jurisdiction=town))
        assert as_json.status_code == 200, as_json.text
        assert as_json.json()["service_code"] == code
        assert f'"service_code":"{code}"'.encode() in as_json.content
        as_xml = api.get(definition_url(code, "xml", jurisdiction=town))
        assert as_xml.status_code == 200
        assert f"<service_code>{code}</service_code>".encode() in as_xml.content
    old_code = api.get(definition_url("564", jurisdiction=town))
    assert old_code.status_code == 404


def test_not_offered_service_left_out(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = f"/v1/municipalities/{town}/services/372"
    response = api.patch(
        url,
        json={"offered": False},
        headers={**bearer(tokens["editor"]), "If-Match": api.get(url).headers["etag"]},
    )
    assert response.status_code == 200, response.text

    assert "372" not in codes(api, town)
    assert selection(api, town)["not_exposed"] == [
        {"id": "372", "reason": "not offered: set by the municipality"}
    ]


def test_request_type_setting(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    response = put_selection(api, town, tokens["admin"], {"type": "realtime"})
    assert response.status_code == 200, response.text

    services = api.get(f"/open311/v2/services.json?jurisdiction_id={town}").json()
    assert {service["type"] for service in services} == {"realtime"}


def test_invalid_selection_422(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    body = {
        "interactions": ["99", "17", "17"],
        "services": ["no-such-service"],
        "service_codes": {
            "564": "LIGHT/7",
            "372": " VEHICLE",
            "412": "NOISE\x07",
            "524": "BINS",
            "537": "BINS",
            "550": "557",
            "555": "",
            "unknown-service": "X",
        },
    }

    response = put_selection(api, town, tokens["admin"], body, **{"If-None-Match": "*"})

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:servicelist:problem:invalid-value"
    errors = {(error["column"], error["value"]): error["reason"] for error in problem["errors"]}
    assert set(errors) == {
        ("interactions[0]", "99"),
        ("interactions[2]", "17"),
        ("services[0]", "no-such-service"),
        ("service_codes.564", "LIGHT/7"),
        ("service_codes.372", " VEHICLE"),
        ("service_codes.412", "NOISE\x07"),
        ("service_codes.537", "BINS"),
        ("service_codes.550", "557"),
        ("service_codes.555", ""),
        ("service_codes.unknown-service", "unknown-service"),
    }
    assert "one segment of a URL path" in errors[("service_codes.564", "LIGHT/7")]
    assert "white space" in errors[("service_codes.372", " VEHICLE")]
    assert "service 524 has this code already" in errors[("service_codes.537", "BINS")]
    assert "id of another service" in errors[("service_codes.550", "557")]
    assert selection(api, town)["stored"] is False


def test_unknown_field_and_type_422(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    for body in ({"interaction": ["17"]}, {"type": "instant"}):
        response = put_selection(api, town, tokens["admin"], body, **{"If-None-Match": "*"})
        assert response.status_code == 422, body
        assert response.json()["type"] == "urn:servicelist:problem:validation-error"


def test_selection_preconditions(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = f"/v1/municipalities/{town}/open311"
    default_etag = api.get(url).headers["etag"]
    admin = bearer(tokens["admin"])

    missing = api.put(url, json={}, headers=admin)
    created = api.put(url, json={"services": ["1"]}, headers={**admin, "If-None-Match": "*"})
    stored_etag = api.get(url, headers={"Accept-Encoding": "identity"}).headers["etag"]
    again = api.put(url, json={}, headers={**admin, "If-None-Match": "*"})
    stale = api.put(url, json={}, headers={**admin, "If-Match": default_etag})
    current = api.put(url, json={}, headers={**admin, "If-Match": created.headers["etag"]})

    assert missing.status_code == 428
    assert created.status_code == 200, created.text
    assert again.status_code == 412
    assert again.json()["current_etag"] == stored_etag
    assert stale.status_code == 412
    assert current.status_code == 200, current.text
    assert current.json()["services"] == []
    assert current.json()["revision"] == 2


def test_selection_roles(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    _, other_tokens = new_municipality(published=True)
    body = {"services": ["1"]}
    headers = {"If-None-Match": "*"}

    editor = put_selection(api, town, tokens["editor"], body, **headers)
    stranger = put_selection(api, town, other_tokens["admin"], body, **headers)
    anonymous = api.put(f"/v1/municipalities/{town}/open311", json=body, headers=headers)

    assert editor.status_code == 403
    assert stranger.status_code == 404
    assert anonymous.status_code == 401
    assert selection(api, town)["stored"] is False


def test_selection_recorded_in_history(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    response = put_selection(
        api,
        town,
        tokens["admin"],
        {"services": ["1"], "service_codes": {"564": "LAMP 1"}},
        **{"If-None-Match": "*"},
    )
    assert response.status_code == 200, response.text

    history = api.get(
        f"/v1/municipalities/{town}/history", headers=bearer(tokens["reader"])
    ).json()["items"]
    recorded = {item["path"]: item for item in history if item["entity"] == "open311"}
    assert set(recorded) == {"open311.services", "open311.service_codes"}
    assert recorded["open311.services"]["before"] == []
    assert recorded["open311.services"]["after"] == ["1"]
    assert recorded["open311.service_codes"]["after"] == {"564": "LAMP 1"}
    assert recorded["open311.services"]["actor"].endswith("(test admin)")


def test_unpublished_selection_private(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality()

    assert api.get(f"/v1/municipalities/{town}/open311").status_code == 404
    own = api.get(f"/v1/municipalities/{town}/open311", headers=bearer(tokens["reader"]))
    assert own.status_code == 200
    assert own.headers["cache-control"] == "private, no-cache"


def test_local_service_published(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    created = api.post(
        f"/v1/municipalities/{town}/services",
        json={
            "id": "pothole-hotline",
            "set": {"label.en": "Pothole hotline", "department": "Highways"},
        },
        headers={**bearer(tokens["editor"]), "If-None-Match": "*"},
    )
    assert created.status_code == 201, created.text
    response = put_selection(
        api,
        town,
        tokens["admin"],
        {
            "interactions": [],
            "services": ["pothole-hotline"],
            "service_codes": {"pothole-hotline": "POT HOLE"},
        },
        **{"If-None-Match": "*"},
    )
    assert response.status_code == 200, response.text

    (service,) = api.get(f"/open311/v2/services.json?jurisdiction_id={town}").json()
    assert service["service_code"] == "POT HOLE"
    assert service["service_name"] == "Pothole hotline"
    assert service["group"] == "Highways"
    definition = api.get(definition_url("POT HOLE", jurisdiction=town)).json()
    assert [attribute["code"] for attribute in definition["attributes"]] == [
        "location_details",
        "first_noticed",
    ]


def test_xml_escapes_markup(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True)
    url = f"/v1/municipalities/{town}/services/372"
    label = 'Fish & chips <stalls> ]]> "quoted"'
    response = api.patch(
        url,
        json={"set": {"label.en": label}},
        headers={**bearer(tokens["editor"]), "If-Match": api.get(url).headers["etag"]},
    )
    assert response.status_code == 200, response.text

    body = api.get(f"/open311/v2/services.xml?jurisdiction_id={town}").content
    services = xml_to_data(parse_xml(body))
    assert services[0]["service_name"] == label
    assert b"Fish &amp; chips &lt;stalls&gt; ]]&gt;" in body


def test_xml_replaces_invalid_characters() -> None:
    body = to_xml("services", [{"service_code": "a\ufffeb\x0bc\rd\U0001f6a7"}])

    (service,) = xml_to_data(parse_xml(body))
    assert service["service_code"] == "a\ufffdb\ufffdc\rd\U0001f6a7"
    assert b"&#13;" in body


# The authored questions


def test_questions_cover_reporting_services() -> None:
    questions = load_questions(default_data_dir())

    assert sorted(questions) == sorted(REPORTING)
    for service_id, entries in questions.items():
        assert [entry.order for entry in entries] == list(range(1, len(entries) + 1)), service_id


def test_invalid_questions_file_rejected(tmp_path: Path) -> None:
    path = tmp_path / QUESTIONS_FILE
    path.parent.mkdir(parents=True)
    header = (
        "service_id,code,order,variable,datatype,required,description,datatype_description,values\n"
    )
    path.write_text(
        header
        + "564,fault,1,true,dropdown,true,What is wrong?,,\n"
        + "564,kind,2,true,singlevaluelist,true,Which kind?,,\n"
        + "abc,Bad Code,1,maybe,string,false,,,\n",
        encoding="utf-8",
    )

    with pytest.raises(ValueError) as raised:
        load_questions(tmp_path)

    message = str(raised.value)
    assert "row 2: datatype 'dropdown'" in message
    assert "row 3: values are given exactly for singlevaluelist" in message
    assert "row 4: service_id 'abc'" in message
