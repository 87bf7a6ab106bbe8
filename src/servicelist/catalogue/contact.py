"""Process maps and first-contact answers for contact-centre software.

Both read a service's authored links: its ABC class, channels and process template. The ABC
class decides what the front line does at first contact: settle an A service, explain the next
steps of a B service and pass the request on, refer a C service to the department.
"""

from __future__ import annotations

from typing import Any

from servicelist.catalogue.durations import total_duration
from servicelist.catalogue.snapshot import Catalogue
from servicelist.catalogue.views import reference
from servicelist.errors import InvalidParameter, NotFound
from servicelist.lists import records as r

RESOLUTIONS = {
    "A": "settle",
    "B": "explain-and-forward",
    "C": "refer",
}


def _single(
    catalogue: Catalogue, service: r.ItemRecord, list_id: str
) -> tuple[r.ItemRecord, r.LinkRecord] | None:
    related = catalogue.related(service, list_id)
    if not related:
        return None
    return related[0].item, related[0].link


def process_view(catalogue: Catalogue, service: r.ItemRecord) -> dict[str, Any]:
    """Build the ordered process map of a service from its template and channels."""
    found = _single(catalogue, service, r.PROCESS_TEMPLATES)
    if found is None:
        raise NotFound(f"Service {service.identifier} has no process map in this catalogue.")
    template, link = found
    steps: list[dict[str, Any]] = list(link.properties.get("steps") or template.properties["steps"])
    return {
        "service": reference(service),
        "template": reference(template),
        "kind": template.properties.get("kind"),
        "intake_channel": link.properties.get("intake_channel"),
        "delivery_channel": link.properties.get("delivery_channel"),
        "rationale": link.note,
        "steps": steps,
        "expected_duration": total_duration(step["duration"] for step in steps),
    }


def _channel_entry(item: r.ItemRecord, link: r.LinkRecord) -> dict[str, Any]:
    entry = reference(item)
    entry.update(link.properties)
    entry["note"] = link.note
    return entry


def first_contact(
    catalogue: Catalogue, service: r.ItemRecord, channel_id: str | None
) -> dict[str, Any]:
    """Tell the front line what it can do at first contact with a service, on one channel."""
    channels = {
        rel.item.identifier: (rel.item, rel.link) for rel in catalogue.related(service, r.CHANNELS)
    }
    if channel_id is not None and catalogue.find_item(r.CHANNELS, channel_id) is None:
        known = ", ".join(item.identifier for item in catalogue.items.get(r.CHANNELS, []))
        raise InvalidParameter(
            f"There is no channel {channel_id!r}; use one of {known}.",
            parameter="channel",
            value=channel_id,
        )
    if channel_id is None:
        primary = [key for key, (_, link) in channels.items() if link.properties.get("primary")]
        channel_id = primary[0] if primary else next(iter(channels), None)

    abc = _single(catalogue, service, r.ABC_CLASSES)
    if abc is None:
        raise NotFound(f"Service {service.identifier} has no ABC class in this catalogue.")
    abc_item, abc_link = abc
    process = process_view(catalogue, service)
    steps = process["steps"]
    remaining = steps[1:]
    department = _department(catalogue, service)

    resolution = RESOLUTIONS[abc_item.identifier]
    if resolution == "settle":
        summary = (
            f"Any agent can settle '{service.label}' at first contact: answer from the "
            "catalogue entry and close the contact."
        )
    elif resolution == "explain-and-forward":
        next_step = remaining[0] if remaining else None
        where = (
            f" It goes next to the {next_step['office_tier']} office ({next_step['actor_role']})."
            if next_step
            else ""
        )
        summary = (
            f"Explain the next steps of '{service.label}' and take the request.{where} "
            f"Expected time to delivery: {process['expected_duration']}."
        )
    else:
        target = department["label"] if department else "the responsible department"
        summary = f"'{service.label}' needs professional input: refer the customer to {target}."

    offered = channel_id in channels if channel_id is not None else False
    channel: dict[str, Any] | None = None
    if channel_id is not None and offered:
        item, link = channels[channel_id]
        channel = _channel_entry(item, link)
    return {
        "service": reference(service),
        "channel": channel_id,
        "channel_offered": offered,
        "channel_details": channel,
        "alternative_channels": [] if offered else sorted(channels),
        "abc_class": abc_item.identifier,
        "abc_label": abc_item.label,
        "abc_rationale": abc_link.note,
        "abc_assignment": abc_link.properties.get("assignment"),
        "resolution": resolution,
        "front_line_can_settle": resolution == "settle",
        "summary": summary,
        "refer_to": department if resolution == "refer" else None,
        "department": department,
        "remaining_steps": remaining,
        "expected_duration": total_duration(step["duration"] for step in remaining),
        "process_href": f"/v1/services/{service.identifier}/process",
    }


def _department(catalogue: Catalogue, service: r.ItemRecord) -> dict[str, Any] | None:
    """Return the esd function that stands for the department responsible for a service.

    NOTE: the standard list has no departments; the service's first esd function is the
    nearest stand-in until a municipality records its own department.
    """
    functions = catalogue.related(service, r.FUNCTIONS)
    if not functions:
        return None
    function = functions[0].item
    entry = reference(function)
    parent = catalogue.parent(function)
    entry["area"] = reference(parent) if parent is not None else None
    return entry
