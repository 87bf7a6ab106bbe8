"""Open311 GeoReport v2 documents: the service list and service definitions of a jurisdiction.

The jurisdiction is a municipality, named by its id in ``jurisdiction_id``. Each published
service becomes a GeoReport ``service``: its code, its effective label and description, the
keywords, and its department (or first navigation heading) as the group. A service definition
contains the authored questions of the service (``questions``) followed by four attributes every
service gets: where exactly the problem is, when it was first noticed, the channel an agent
took the report on (the service's channels), and what happens next (from its process map).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from servicelist.catalogue.durations import parse_duration
from servicelist.errors import InvalidParameter, NotFound
from servicelist.municipalities import repository
from servicelist.municipalities.effective import LocalCatalogue
from servicelist.municipalities.models import Municipality
from servicelist.open311.questions import Question
from servicelist.open311.selection import ExposedService, Selection


def find_jurisdiction(connection: Connection, jurisdiction_id: str | None) -> Municipality:
    """Return the published municipality that ``jurisdiction_id`` names.

    An empty ``jurisdiction_id`` counts as absent, as GeoReport v2 specifies for optional
    arguments.
    It may be absent only while a single municipality exists.
    """
    if jurisdiction_id is None or not jurisdiction_id.strip():
        count = repository.count_municipalities(connection)
        if count > 1:
            raise InvalidParameter(
                f"jurisdiction_id was not provided: this endpoint serves {count} "
                "jurisdictions. Add ?jurisdiction_id=<municipality id>, for example "
                "jurisdiction_id=leicester; GET /v1/municipalities lists the ids.",
                parameter="jurisdiction_id",
                value="",
            )
        municipalities = repository.list_municipalities(connection)
        if not municipalities or not municipalities[0].published:
            raise NotFound("This endpoint serves no published jurisdiction yet.")
        return municipalities[0]
    municipality = repository.get_municipality(connection, jurisdiction_id)
    if municipality is None or not municipality.published:
        raise NotFound(
            f"jurisdiction_id {jurisdiction_id[:100]!r} was not found: use the id of a "
            "published municipality; GET /v1/municipalities lists them."
        )
    return municipality


# Service list


def service_entry(
    local: LocalCatalogue, service: ExposedService, selection: Selection
) -> dict[str, Any]:
    """Build the GeoReport ``service`` of one published service, fields in the spec's order."""
    view = local.service_view(service.service_id)
    return {
        "service_code": service.service_code,
        "service_name": view["label"] or service.service_id,
        "description": view["description"] or None,
        # Every definition has the four attributes all services get, so there is always more.
        "metadata": True,
        "type": selection.request_type,
        "keywords": _keywords(view["keywords"]),
        "group": _group(view),
    }


def _keywords(keywords: list[str]) -> str | None:
    # GeoReport separates keywords with commas, so a comma inside a keyword becomes a space.
    cleaned = [" ".join(keyword.replace(",", " ").split()) for keyword in keywords]
    text = ", ".join(keyword for keyword in cleaned if keyword)
    return text or None


def _group(view: dict[str, Any]) -> str | None:
    department = view.get("department")
    if department:
        return str(department)
    navigation = view.get("navigation") or []
    return str(navigation[0]["label"]) if navigation else None


# Service definitions


@dataclass(frozen=True, slots=True)
class Attribute:
    """One GeoReport attribute before its order is assigned."""

    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str | None
    description: str
    values: tuple[tuple[str, str], ...] = ()


def service_definition(
    local: LocalCatalogue,
    service: ExposedService,
    questions: dict[str, tuple[Question, ...]],
) -> dict[str, Any]:
    """Build the GeoReport ``service_definition`` of one published service."""
    view = local.service_view(service.service_id)
    attributes: list[Attribute] = []
    if view["kind"] == "standard":
        attributes.extend(
            Attribute(
                variable=question.variable,
                code=question.code,
                datatype=question.datatype,
                required=question.required,
                datatype_description=question.datatype_description,
                description=question.description,
                values=question.values,
            )
            for question in questions.get(service.service_id, ())
        )
    attributes.extend(common_attributes(view))
    return {
        "service_code": service.service_code,
        "attributes": [
            _attribute_document(attribute, order)
            for order, attribute in enumerate(attributes, start=1)
        ],
    }


def common_attributes(view: dict[str, Any]) -> list[Attribute]:
    """Return the attributes every service gets, from its effective channels and process."""
    attributes = [
        Attribute(
            variable=True,
            code="location_details",
            datatype="text",
            required=False,
            datatype_description=None,
            description=(
                "Where exactly is it? Give the nearest house number, a landmark or anything "
                "else that helps to find it."
            ),
        ),
        Attribute(
            variable=True,
            code="first_noticed",
            datatype="datetime",
            required=False,
            datatype_description=(
                "Date and time in ISO 8601 with a time zone, for example 2026-12-04T08:15:30Z."
            ),
            description="When did you first notice it?",
        ),
    ]
    channels = view.get("channels") or []
    if channels:
        attributes.append(
            Attribute(
                variable=True,
                code="intake_channel",
                datatype="singlevaluelist",
                required=False,
                datatype_description="For council staff entering a report for a customer.",
                description="On which channel did the customer make this report?",
                values=tuple((channel["id"], channel["label"]) for channel in channels),
            )
        )
    next_steps = _next_steps(view.get("process"))
    if next_steps is not None:
        attributes.append(
            Attribute(
                variable=False,
                code="next_steps",
                datatype="string",
                required=False,
                datatype_description=None,
                description=next_steps,
            )
        )
    return attributes


def _next_steps(process: dict[str, Any] | None) -> str | None:
    """Describe the process steps after intake and their expected total time, or None."""
    if not process:
        return None
    remaining = list(process.get("steps") or [])[1:]
    if not remaining:
        return None
    steps = ", ".join(f"{step['label']} ({step['office_tier']} office)" for step in remaining)
    seconds = sum(parse_duration(step["duration"]) for step in remaining)
    return f"What happens next: {steps}. Expected time: {_approximate(seconds)}."


def _approximate(seconds: int) -> str:
    if seconds >= 86400:
        days = round(seconds / 86400)
        return f"about {days} day" + ("s" if days != 1 else "")
    if seconds >= 3600:
        hours = round(seconds / 3600)
        return f"about {hours} hour" + ("s" if hours != 1 else "")
    minutes = max(1, round(seconds / 60))
    return f"about {minutes} minute" + ("s" if minutes != 1 else "")


def _attribute_document(attribute: Attribute, order: int) -> dict[str, Any]:
    document: dict[str, Any] = {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description,
        "order": order,
        "description": attribute.description,
    }
    if attribute.values:
        document["values"] = [{"key": key, "name": name} for key, name in attribute.values]
    return document
