"""JSON shapes of the catalogue: plain dicts ready for orjson, built from a ``Catalogue``.

Hrefs are paths under ``/v1``; ``uri`` fields are the RDF identifiers under the base URI.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from servicelist.catalogue.snapshot import Catalogue, RelatedItem
from servicelist.lists import records as r

API_PREFIX = "/v1"

# Field names of a service's links in its JSON, by the list they point into.
SERVICE_LINK_FIELDS = (
    (r.FUNCTIONS, "functions"),
    (r.NAVIGATION, "navigation"),
    (r.INTERACTIONS, "interactions"),
    (r.TIERS, "tiers"),
)


def service_href(identifier: str) -> str:
    return f"{API_PREFIX}/services/{identifier}"


def item_href(list_id: str, identifier: str) -> str:
    if list_id == r.SERVICES:
        return service_href(identifier)
    return f"{API_PREFIX}/lists/{list_id}/items/{identifier}"


def list_href(list_id: str) -> str:
    return f"{API_PREFIX}/lists/{list_id}"


def esd_uri(catalogue: Catalogue, item: r.ItemRecord) -> str | None:
    """Return the esd-toolkit URI of an item, when its list has one."""
    pattern = catalogue.lists[item.list_id].esd_uri_pattern
    return pattern.format(id=item.identifier) if pattern else None


def item_uri(base_uri: str, item: r.ItemRecord) -> str:
    return f"{base_uri}lists/{item.list_id}/{item.identifier}"


def service_uri(base_uri: str, identifier: str) -> str:
    return f"{base_uri}services/{identifier}"


def reference(item: r.ItemRecord) -> dict[str, Any]:
    """Return a short pointer to an item: identifier, label and where to read it."""
    return {
        "id": item.identifier,
        "label": item.label,
        "href": item_href(item.list_id, item.identifier),
    }


def _link_reference(related: RelatedItem) -> dict[str, Any]:
    entry = reference(related.item)
    entry["status"] = related.link.status
    entry["note"] = related.link.note
    entry["source"] = related.link.source
    return entry


def service_view(catalogue: Catalogue, item: r.ItemRecord, base_uri: str) -> dict[str, Any]:
    """Build the JSON of one LGSL service, the same in a page and read alone."""
    properties = item.properties
    view: dict[str, Any] = {
        "id": item.identifier,
        "href": service_href(item.identifier),
        "uri": service_uri(base_uri, item.identifier),
        "esd_uri": esd_uri(catalogue, item),
        "label": item.label,
        "labels": item.labels,
        "description": item.descriptions.get("en"),
        "descriptions": item.descriptions,
        "status": item.status,
        "created": item.created,
        "modified": item.modified,
        "history_notes": item.history_notes,
        "edition": properties.get("edition"),
        "added_in": properties.get("added_in"),
        "previous_label": properties.get("previous_label"),
        "previous_description": properties.get("previous_description"),
        "retired_in": properties.get(r.RETIRED_IN),
        "replaced_by": properties.get(r.REPLACED_BY, []),
        "replaces": properties.get(r.REPLACES, []),
    }
    for list_id, field in SERVICE_LINK_FIELDS:
        view[field] = [_link_reference(rel) for rel in catalogue.related(item, list_id)]
    view["abc"] = _abc_view(catalogue, item)
    view["channels"] = [_channel_view(rel) for rel in catalogue.related(item, r.CHANNELS)]
    view["audiences"] = [_link_reference(rel) for rel in catalogue.related(item, r.AUDIENCES)]
    view["life_events"] = [
        {**_link_reference(rel), "reason_type": rel.link.properties.get("reason_type")}
        for rel in catalogue.related(item, r.LIFE_EVENTS)
    ]
    view["process"] = _process_summary(catalogue, item)
    return view


def _abc_view(catalogue: Catalogue, item: r.ItemRecord) -> dict[str, Any] | None:
    related = catalogue.related(item, r.ABC_CLASSES)
    if not related:
        return None
    rel = related[0]
    return {
        "class": rel.item.identifier,
        "label": rel.item.label,
        "href": item_href(rel.item.list_id, rel.item.identifier),
        "assignment": rel.link.properties.get("assignment"),
        "rule": rel.link.properties.get("rule"),
        "rationale": rel.link.note,
        "source": rel.link.source,
    }


def _channel_view(rel: RelatedItem) -> dict[str, Any]:
    properties = rel.link.properties
    return {
        **reference(rel.item),
        "primary": bool(properties.get("primary")),
        "url": properties.get("url"),
        "phone": properties.get("phone"),
        "email": properties.get("email"),
        "languages": properties.get("languages", []),
        "opening_hours": properties.get("opening_hours", []),
        "hours_exceptions": properties.get("hours_exceptions", []),
        "cost_per_contact": properties.get("cost_per_contact", []),
        "note": rel.link.note,
        "source": rel.link.source,
    }


def _process_summary(catalogue: Catalogue, item: r.ItemRecord) -> dict[str, Any] | None:
    related = catalogue.related(item, r.PROCESS_TEMPLATES)
    if not related:
        return None
    rel = related[0]
    return {
        **reference(rel.item),
        "kind": rel.item.properties.get("kind"),
        "intake_channel": rel.link.properties.get("intake_channel"),
        "delivery_channel": rel.link.properties.get("delivery_channel"),
        "steps_href": f"{service_href(item.identifier)}/process",
    }


def list_view(catalogue: Catalogue, record: r.ListRecord, base_uri: str) -> dict[str, Any]:
    """Build the metadata of one list, with its provenance, licence and attribution."""
    return {
        "id": record.id,
        "href": list_href(record.id),
        "items_href": (
            f"{API_PREFIX}/services" if record.id == r.SERVICES else f"{list_href(record.id)}/items"
        ),
        "uri": f"{base_uri}lists/{record.id}",
        "title": record.title,
        "description": record.description,
        "version": record.version,
        "modified": record.modified,
        "status": record.status,
        "item_count": len(catalogue.items.get(record.id, [])),
        "publisher": record.publisher,
        "source": record.source,
        "source_url": record.source_url,
        "licence": record.licence,
        "licence_url": record.licence_url,
        "attribution": record.attribution,
        "rights": record.rights,
        "authored": record.authored,
        "files": list(record.files),
    }


def lists_view(catalogue: Catalogue, base_uri: str) -> dict[str, Any]:
    """Build the metadata of every list and the version of the catalogue being served."""
    return {
        "catalogue": catalogue_metadata(catalogue, base_uri),
        "lists": [list_view(catalogue, record, base_uri) for record in catalogue.lists.values()],
    }


def catalogue_metadata(catalogue: Catalogue, base_uri: str) -> dict[str, Any]:
    """Build the title, version and attribution of the whole catalogue."""
    attributions = sorted({record.attribution for record in catalogue.lists.values()})
    return {
        "title": "servicelist standard catalogue",
        "uri": f"{base_uri}catalogue",
        "version": catalogue.version,
        "loaded_at": catalogue.loaded_at,
        "attribution": attributions,
    }


def item_view(catalogue: Catalogue, item: r.ItemRecord, base_uri: str) -> dict[str, Any]:
    """Build the JSON of an item of any list, with its parent, children and links both ways."""
    parent = catalogue.parent(item)
    related: dict[str, list[dict[str, Any]]] = {}
    for rel in catalogue.related(item):
        entry = _link_reference(rel)
        entry["relation"] = rel.link.relation
        entry["direction"] = rel.direction
        related.setdefault(rel.item.list_id, []).append(entry)
    return {
        "id": item.identifier,
        "list": item.list_id,
        "href": item_href(item.list_id, item.identifier),
        "uri": item_uri(base_uri, item),
        "esd_uri": esd_uri(catalogue, item),
        "label": item.label,
        "labels": item.labels,
        "description": item.descriptions.get("en"),
        "descriptions": item.descriptions,
        "status": item.status,
        "created": item.created,
        "modified": item.modified,
        "history_notes": item.history_notes,
        "parent": reference(parent) if parent is not None else None,
        "children": [reference(child) for child in catalogue.children(item)],
        "properties": item.properties,
        "related": related,
    }


def page_view(
    entries: Sequence[dict[str, Any]],
    *,
    total: int,
    limit: int,
    next_cursor: str | None,
    next_href: str | None,
) -> dict[str, Any]:
    """Build one page of a keyset-paginated collection."""
    return {
        "items": list(entries),
        "count": len(entries),
        "total": total,
        "limit": limit,
        "next_cursor": next_cursor,
        "next": next_href,
    }


def catalogue_view(catalogue: Catalogue, base_uri: str) -> dict[str, Any]:
    """Build the whole catalogue as one document: every list with every item."""
    lists = []
    for record in catalogue.lists.values():
        entry = list_view(catalogue, record, base_uri)
        items = catalogue.items.get(record.id, [])
        if record.id == r.SERVICES:
            entry["items"] = [service_view(catalogue, item, base_uri) for item in items]
        else:
            entry["items"] = [item_view(catalogue, item, base_uri) for item in items]
        lists.append(entry)
    return {"catalogue": catalogue_metadata(catalogue, base_uri), "lists": lists}
