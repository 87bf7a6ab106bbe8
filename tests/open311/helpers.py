"""GeoReport v2 checks shared by the Open311 tests: the spec's JSON Schemas and XML reading."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "open311"
# Child element of each list element, as in the spec's samples.
LIST_ENTRIES = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
}
BOOLEAN_ELEMENTS = {"metadata", "variable", "required"}
# Element order of the spec's samples (GET Service List and GET Service Definition).
SERVICE_ELEMENTS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
ATTRIBUTE_ELEMENTS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
]
ERROR_ELEMENTS = ["code", "description"]


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return loaded


def _validator(name: str) -> Draft4Validator:
    # The files carry no $schema. Draft 4 is assumed: Swagger 2.0, the format of the
    # swagger.json beside them, builds on it.
    registry: Registry[Any] = Registry().with_resources(
        (file, Resource.from_contents(_schema(file), default_specification=DRAFT4))
        for file in ("service.json", "services.json", "service-definition.json")
    )
    return Draft4Validator(_schema(name), registry=registry)


SERVICES_SCHEMA = _validator("services.json")
SERVICE_SCHEMA = _validator("service.json")
DEFINITION_SCHEMA = _validator("service-definition.json")


def schema_errors(validator: Draft4Validator, document: Any) -> list[str]:
    """Return every schema violation of ``document`` as 'path: message'."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def parse_xml(body: bytes) -> ET.Element:
    """Parse a response of our own server (trusted, so the stdlib parser is fine)."""
    return ET.fromstring(body)


def xml_to_data(element: ET.Element, parent: str | None = None) -> Any:
    """Convert GeoReport XML to the JSON shape: lists, objects, booleans, numbers, null."""
    entry = LIST_ENTRIES.get(element.tag)
    if entry is not None:
        assert all(child.tag == entry for child in element), element.tag
        return [xml_to_data(child, element.tag) for child in element]
    if len(element):
        tags = [child.tag for child in element]
        assert len(tags) == len(set(tags)), f"repeated elements in {element.tag}: {tags}"
        return {child.tag: xml_to_data(child, element.tag) for child in element}
    text = element.text
    if text is None or text == "":
        return None
    if element.tag in BOOLEAN_ELEMENTS:
        return {"true": True, "false": False}[text]
    if element.tag == "order" or (element.tag == "code" and parent == "error"):
        return int(text)
    return text


def child_tags(element: ET.Element) -> list[str]:
    return [child.tag for child in element]
