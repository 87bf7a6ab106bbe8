"""Service pages and their schema.org JSON-LD through HTTP: content, escaping, validity."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

import html5rdf
from fastapi.testclient import TestClient

from tests.municipalities.conftest import bearer
from tests.navigation.helpers import edit

Factory = Callable[..., tuple[str, dict[str, str]]]

XHTML = "{http://www.w3.org/1999/xhtml}"
LEICESTER_372_URL = "http://www.leicester.gov.uk/your-environment/street-cleaning-and-care"


def page_url(municipality: str, service: str = "372") -> str:
    return f"/v1/municipalities/{municipality}/services/{service}/page"


def parse_strict(body: str) -> Element:
    """Parse HTML5 and raise on any parse error, as the WHATWG parsing rules define them."""
    document: Element = html5rdf.HTMLParser(strict=True, namespaceHTMLElements=True).parse(body)
    return document


def find_all(root: Element, tag: str) -> list[Element]:
    return list(root.iter(f"{XHTML}{tag}"))


def embedded_json_ld(root: Element) -> dict[str, Any]:
    scripts = [
        script for script in find_all(root, "script") if script.get("type") == "application/ld+json"
    ]
    assert len(scripts) == 1
    node: dict[str, Any] = json.loads(scripts[0].text or "")
    return node


def test_page_is_valid_html_with_content(api: TestClient) -> None:
    response = api.get(page_url("leicester"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["x-content-type-options"] == "nosniff"
    body = response.text
    assert body.startswith("<!DOCTYPE html>\n")

    root = parse_strict(body)
    assert root.get("lang") == "en"
    assert find_all(root, "title")[0].text == "Abandoned vehicles - Leicester City Council"
    assert [element.text for element in find_all(root, "h1")] == ["Abandoned vehicles"]
    links = [anchor.get("href") for anchor in find_all(root, "a")]
    assert LEICESTER_372_URL in links
    assert "https://www.leicester.gov.uk/" in links
    channel_headings = [element.text for element in find_all(root, "h3")]
    assert "Telephone" in channel_headings
    assert "Web (online form)" in channel_headings
    hours = [cell.text for cell in find_all(root, "td")]
    assert "08:30\N{EN DASH}17:30" in hours
    assert any(time.get("datetime") == "2026-12-25" for time in find_all(root, "time"))
    steps = [item for item in find_all(root, "li") if item.find(f"{XHTML}strong") is not None]
    assert [step.find(f"{XHTML}strong").text for step in steps][:2] == ["Intake", "Registration"]


def test_page_json_ld_government_service(api: TestClient) -> None:
    root = parse_strict(api.get(page_url("leicester")).text)
    node = embedded_json_ld(root)
    assert node["@context"] == "https://schema.org"
    assert node["@type"] == "GovernmentService"
    assert node["@id"] == "http://127.0.0.1:8000/municipalities/leicester/services/372"
    assert node["name"] == "Abandoned vehicles"
    assert node["description"].startswith("The local council will deal with any vehicles")
    assert node["serviceType"] == "Abandoned vehicles"
    assert node["url"] == LEICESTER_372_URL
    assert node["identifier"] == {"@type": "PropertyValue", "propertyID": "LGSL", "value": "372"}

    provider = node["provider"]
    assert provider["@type"] == "GovernmentOrganization"
    assert provider["name"] == "Leicester City Council"
    assert provider["url"] == "https://www.leicester.gov.uk/"
    assert provider["identifier"]["value"] == "E06000016"
    assert node["areaServed"]["@type"] == "AdministrativeArea"
    assert node["areaServed"]["identifier"]["value"] == "E06000016"
    assert node["audience"][0]["@type"] == "Audience"
    assert node["audience"][0]["audienceType"] == "Drivers and vehicle owners"

    channels = {channel["name"]: channel for channel in node["availableChannel"]}
    assert all(channel["@type"] == "ServiceChannel" for channel in channels.values())
    assert channels["Web (online form)"]["serviceUrl"] == LEICESTER_372_URL
    phone = channels["Telephone"]["servicePhone"]
    assert phone["@type"] == "ContactPoint"
    weekly = phone["hoursAvailable"][0]
    assert weekly["@type"] == "OpeningHoursSpecification"
    assert weekly["dayOfWeek"][0] == "https://schema.org/Monday"
    assert (weekly["opens"], weekly["closes"]) == ("08:30", "17:30")
    hours = phone["hoursAvailable"]
    christmas = next(spec for spec in hours if spec.get("validFrom") == "2026-12-25")
    assert (christmas["opens"], christmas["closes"]) == ("00:00", "00:00")


def test_schema_org_matches_page(api: TestClient) -> None:
    response = api.get("/v1/municipalities/leicester/services/372/schema-org")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert response.headers["etag"].startswith('"')
    page_node = embedded_json_ld(parse_strict(api.get(page_url("leicester")).text))
    assert response.json() == page_node

    again = api.get(
        "/v1/municipalities/leicester/services/372/schema-org",
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304


def test_page_escapes_script_label(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, tier="unitary")
    hostile = '</script><script>alert("x")</script> & <b>bold</b>'
    fees = "<img src=x onerror=alert(1)> £5"
    edit(api, town, tokens["editor"], "372", {"set": {"label.en": hostile, "fees": fees}})

    response = api.get(page_url(town))
    assert response.status_code == 200, response.text
    body = response.text
    assert "<script>alert" not in body
    assert "<b>bold</b>" not in body
    assert "<img" not in body
    assert body.count("</script>") == 1
    assert "&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)" in body

    root = parse_strict(body)
    assert [element.text for element in find_all(root, "h1")] == [hostile]
    assert len(find_all(root, "script")) == 1
    node = embedded_json_ld(root)
    assert node["@type"] == "GovernmentService"
    assert node["name"] == hostile
    assert node["offers"]["description"] == fees

    json_ld = api.get(f"/v1/municipalities/{town}/services/372/schema-org")
    assert b"<" not in json_ld.content
    assert json_ld.json()["name"] == hostile


def test_page_in_welsh_marks_fallback(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(
        published=True, tier="unitary", country="Wales", languages=["en", "cy"]
    )
    edit(api, town, tokens["editor"], "372", {"set": {"label.cy": "Cerbydau wedi'u gadael"}})
    response = api.get(page_url(town), params={"lang": "cy"})
    assert response.status_code == 200, response.text
    root = parse_strict(response.text)
    assert root.get("lang") == "cy"
    heading = find_all(root, "h1")[0]
    assert heading.text == "Cerbydau wedi'u gadael"
    assert heading.get("lang") is None
    description = find_all(root, "article")[0].find(f"{XHTML}p")
    assert description is not None
    assert description[0].get("lang") == "en"
    assert embedded_json_ld(root)["name"] == "Cerbydau wedi'u gadael"


def test_local_service_page(api: TestClient, new_municipality: Factory) -> None:
    town, tokens = new_municipality(published=True, tier="unitary")
    created = api.post(
        f"/v1/municipalities/{town}/services",
        json={
            "id": "harbour-berth",
            "set": {
                "label.en": "Harbour berth",
                "department": "Harbour office",
                "channels.phone.available": True,
                "channels.phone.phone": "+44 1632 960001",
            },
        },
        headers={**bearer(tokens["editor"]), "If-None-Match": "*"},
    )
    assert created.status_code == 201, created.text
    response = api.get(page_url(town, "harbour-berth"))
    assert response.status_code == 200, response.text
    root = parse_strict(response.text)
    assert "tel:+441632960001" in [anchor.get("href") for anchor in find_all(root, "a")]
    node = embedded_json_ld(root)
    assert node["identifier"] == "harbour-berth"
    assert node["serviceType"] == "Harbour office"
    assert node["url"] == f"http://testserver{page_url(town, 'harbour-berth')}"
    phone = node["availableChannel"][0]["servicePhone"]
    assert phone["telephone"] == "+44 1632 960001"


def test_page_errors(api: TestClient) -> None:
    missing = api.get(page_url("leicester", "999999"))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert "999999" in missing.json()["detail"]

    district = api.get(page_url("adur", "1"))
    assert district.status_code == 404
    detail = district.json()["detail"]
    assert "West Sussex County Council provides it" in detail
    assert "/v1/municipalities/west-sussex/services/1/page" in detail

    language = api.get(page_url("leicester"), params={"lang": "cy"})
    assert language.status_code == 400
    assert language.json()["errors"][0]["name"] == "lang"
