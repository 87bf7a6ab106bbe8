"""Open311 GeoReport v2 through HTTP: service lists and definitions in JSON and XML, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient

from tests.municipalities.conftest import bearer
from tests.open311.helpers import (
    ATTRIBUTE_ELEMENTS,
    DEFINITION_SCHEMA,
    ERROR_ELEMENTS,
    SERVICE_ELEMENTS,
    SERVICE_SCHEMA,
    SERVICES_SCHEMA,
    child_tags,
    parse_xml,
    schema_errors,
    xml_to_data,
)

Factory = Callable[..., tuple[str, dict[str, str]]]

LEICESTER = "/open311/v2/services.{fmt}?jurisdiction_id=leicester"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
# The 18 LGSL services the bundled lists link to LGIL 17 (Reporting) in both releases.
REPORTING = [
    "372", "412", "524", "537", "550", "555", "557", "559", "564",
    "576", "577", "580", "584", "587", "588", "591", "600", "684",
]  # fmt: skip
COUNTY_REPORTING = ["537", "550", "555", "557", "559", "564"]


def definition_url(code: str, fmt: str = "json", jurisdiction: str = "leicester") -> str:
    return f"/open311/v2/services/{quote(code, safe='')}.{fmt}?jurisdiction_id={jurisdiction}"


def put_selection(
    api: TestClient, town: str, token: str, body: dict[str, Any], **headers: str
) -> Any:
    url = f"/v1/municipalities/{town}/open311"
    if not headers:
        headers = {"If-Match": api.get(url).headers["etag"]}
    return api.put(url, json=body, headers={**bearer(token), **headers})


# Service list


def test_services_json_matches_schema(api: TestClient) -> None:
    response = api.get(LEICESTER.format(fmt="json"))

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSON_TYPE
    services = response.json()
    assert schema_errors(SERVICES_SCHEMA, services) == []
    for service in services:
        assert schema_errors(SERVICE_SCHEMA, service) == []
        assert list(service) == SERVICE_ELEMENTS


def test_default_selection_reporting_services(api: TestClient) -> None:
    reporting = api.get("/v1/services", params={"interaction": "17", "limit": 1000}).json()
    services = api.get(LEICESTER.format(fmt="json")).json()

    assert [service["service_code"] for service in services] == REPORTING
    assert sorted(item["id"] for item in reporting["items"]) == sorted(REPORTING)


def test_service_fields_from_effective_catalogue(api: TestClient) -> None:
    services = {
        entry["service_code"]: entry for entry in api.get(LEICESTER.format(fmt="json")).json()
    }
    vehicles = services["372"]
    local = api.get("/v1/municipalities/leicester/services/372").json()

    assert vehicles["service_name"] == local["label"] == "Abandoned vehicles"
    assert vehicles["description"] == local["description"]
    assert vehicles["group"] == local["department"] == "Street care and cleaning"
    assert vehicles["metadata"] is True
    assert vehicles["type"] == "blackbox"
    assert vehicles["keywords"] is None


def test_district_leaves_out_county_services(api: TestClient) -> None:
    codes = [
        entry["service_code"]
        for entry in api.get("/open311/v2/services.json?jurisdiction_id=adur").json()
    ]
    selection = api.get("/v1/municipalities/adur/open311").json()

    assert codes == [code for code in REPORTING if code not in COUNTY_REPORTING]
    assert [entry["id"] for entry in selection["not_exposed"]] == COUNTY_REPORTING
    assert selection["not_exposed"][0]["reason"].startswith("not offered: tier rule")


def test_services_xml_matches_json(api: TestClient) -> None:
    as_json = api.get(LEICESTER.format(fmt="json")).json()
    response = api.get(LEICESTER.format(fmt="xml"))

    assert response.status_code == 200
    assert response.headers["content-type"] == XML_TYPE
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = parse_xml(response.content)
    assert root.tag == "services"
    assert child_tags(root) == ["service"] * len(REPORTING)
    for service in root:
        assert child_tags(service) == SERVICE_ELEMENTS
    assert xml_to_data(root) == as_json


def test_services_etag_304(api: TestClient) -> None:
    first = api.get(LEICESTER.format(fmt="xml"))
    again = api.get(LEICESTER.format(fmt="xml"), headers={"If-None-Match": first.headers["etag"]})
    as_json = api.get(LEICESTER.format(fmt="json"))

    assert again.status_code == 304
    assert as_json.headers["etag"] != first.headers["etag"]


# Jurisdictions and errors


def test_missing_jurisdiction_400(api: TestClient) -> None:
    for url in ("/open311/v2/services.json", "/open311/v2/services.json?jurisdiction_id="):
        response = api.get(url)
        assert response.status_code == 400, url
        (error,) = response.json()
        assert error["code"] == 400
        assert "jurisdiction_id was not provided" in error["description"]


def test_unknown_jurisdiction_404_both_formats(api: TestClient) -> None:
    as_json = api.get("/open311/v2/services.json?jurisdiction_id=atlantis")
    as_xml = api.get("/open311/v2/services.xml?jurisdiction_id=atlantis")

    assert as_json.status_code == 404
    assert as_json.headers["content-type"] == JSON_TYPE
    (error,) = as_json.json()
    assert error["code"] == 404
    assert "'atlantis' was not found" in error["description"]
    assert as_xml.status_code == 404
    assert as_xml.headers["content-type"] == XML_TYPE
    root = parse_xml(as_xml.content)
    assert root.tag == "errors"
    assert [child_tags(error) for error in root] == [ERROR_ELEMENTS]
    assert xml_to_data(root) == as_json.json()


def test_unpublished_jurisdiction_404(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality()
    response = api.get(f"/open311/v2/services.json?jurisdiction_id={town}")
    own_key = api.get(
        f"/open311/v2/services.json?jurisdiction_id={town}", headers=bearer(tokens["admin"])
    )

    assert response.status_code == 404
    assert own_key.status_code == 404


def test_unknown_format_404(api: TestClient) -> None:
    as_json = api.get("/open311/v2/services.yaml?jurisdiction_id=leicester")
    as_xml = api.get(
        "/open311/v2/services/564.csv?jurisdiction_id=leicester",
        headers={"Accept": "text/xml"},
    )

    assert as_json.status_code == 404
    assert as_json.json()[0]["description"].startswith("The format 'yaml' is not served")
    assert as_xml.status_code == 404
    assert as_xml.headers["content-type"] == XML_TYPE
    assert xml_to_data(parse_xml(as_xml.content))[0]["code"] == 404


def test_unknown_service_code_404(api: TestClient) -> None:
    for code in ("9999", "1", "Street lighting"):
        response = api.get(definition_url(code))
        assert response.status_code == 404, code
        (error,) = response.json()
        assert error["code"] == 404
        assert f"service_code {code!r} was not found" in error["description"]


def test_other_paths_answer_georeport_errors(api: TestClient) -> None:
    bare = api.get("/open311/v2/services")
    requests = api.get("/open311/v2/requests.xml?jurisdiction_id=leicester")
    post = api.post("/open311/v2/requests.json", data={"service_code": "564"})

    assert bare.status_code == 404
    assert "end the path with .json or .xml" in bare.json()[0]["description"]
    assert requests.status_code == 404
    assert requests.headers["content-type"] == XML_TYPE
    assert (
        "does not take or list service requests"
        in xml_to_data(parse_xml(requests.content))[0]["description"]
    )
    assert post.status_code == 405
    assert post.headers["allow"] == "GET"
    assert post.json()[0]["code"] == 405


# Service definitions


def test_definition_json_matches_schema(api: TestClient) -> None:
    for code in REPORTING:
        response = api.get(definition_url(code))
        assert response.status_code == 200, code
        definition = response.json()
        assert schema_errors(DEFINITION_SCHEMA, definition) == [], code
        assert definition["service_code"] == code
        orders = [attribute["order"] for attribute in definition["attributes"]]
        assert orders == list(range(1, len(orders) + 1)), code
        codes = [attribute["code"] for attribute in definition["attributes"]]
        assert len(codes) == len(set(codes)), code


def test_street_lighting_definition(api: TestClient) -> None:
    attributes = api.get(definition_url("564")).json()["attributes"]
    by_code = {attribute["code"]: attribute for attribute in attributes}

    assert list(by_code) == [
        "lamp_post_number",
        "light_fault",
        "location_details",
        "first_noticed",
        "intake_channel",
        "next_steps",
    ]
    fault = by_code["light_fault"]
    assert fault["datatype"] == "singlevaluelist"
    assert fault["required"] is True
    assert {"key": "day-burning", "name": "On during the day"} in fault["values"]
    assert by_code["first_noticed"]["datatype"] == "datetime"
    assert "values" not in by_code["location_details"]
    channels = api.get("/v1/municipalities/leicester/services/564").json()["channels"]
    assert by_code["intake_channel"]["values"] == [
        {"key": channel["id"], "name": channel["label"]} for channel in channels
    ]
    assert by_code["next_steps"]["variable"] is False
    assert by_code["next_steps"]["description"].startswith("What happens next: Registration")


def test_definition_datatypes_cover_spec(api: TestClient) -> None:
    datatypes = set()
    for code in REPORTING:
        for attribute in api.get(definition_url(code)).json()["attributes"]:
            datatypes.add(attribute["datatype"])
            if attribute["datatype"].endswith("valuelist"):
                assert attribute["values"], (code, attribute["code"])

    assert datatypes == {
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    }


def test_definition_xml_matches_json(api: TestClient) -> None:
    as_json = api.get(definition_url("587")).json()
    response = api.get(definition_url("587", "xml"))

    assert response.status_code == 200
    assert response.headers["content-type"] == XML_TYPE
    root = parse_xml(response.content)
    assert root.tag == "service_definition"
    assert child_tags(root) == ["service_code", "attributes"]
    attributes = root.find("attributes")
    assert attributes is not None
    assert len(attributes) == len(as_json["attributes"])
    for attribute in attributes:
        tags = child_tags(attribute)
        assert tags[: len(ATTRIBUTE_ELEMENTS)] == ATTRIBUTE_ELEMENTS
        assert tags[len(ATTRIBUTE_ELEMENTS) :] in ([], ["values"])
        values = attribute.find("values")
        for value in values if values is not None else []:
            assert child_tags(value) == ["key", "name"]
    assert xml_to_data(root) == as_json


def test_empty_jurisdiction_with_one_municipality(single_town: tuple[TestClient, str]) -> None:
    client, town = single_town
    named = client.get(f"/open311/v2/services.json?jurisdiction_id={town}")
    absent = client.get("/open311/v2/services.json")
    empty = client.get("/open311/v2/services.json?jurisdiction_id=")
    definition = client.get("/open311/v2/services/564.xml?jurisdiction_id=")

    assert named.status_code == 200
    assert [entry["service_code"] for entry in named.json()] == REPORTING
    assert absent.status_code == 200
    assert absent.content == named.content
    assert empty.status_code == 200
    assert empty.content == named.content
    assert definition.status_code == 200
    assert xml_to_data(parse_xml(definition.content))["service_code"] == "564"
