"""Storage of the standard lists. Every query of the lists tables lives here."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import UTC, datetime

import orjson
from sqlalchemy import Connection, delete, func, insert, select
from sqlmodel import col

from servicelist.errors import ImportRejected, RowError
from servicelist.lists import records as r
from servicelist.lists.models import CatalogueLoad, ItemLink, ListItem, StandardList


def content_hash(bundle: r.ListBundle) -> str:
    """Return a SHA-256 over the bundle's content, independent of the order of its records."""
    digest = hashlib.sha256()
    for part in sorted(
        orjson.dumps(asdict(record), option=orjson.OPT_SORT_KEYS) for record in bundle.lists
    ):
        digest.update(part)
    for part in sorted(
        orjson.dumps(asdict(record), option=orjson.OPT_SORT_KEYS) for record in bundle.items
    ):
        digest.update(part)
    for part in sorted(
        orjson.dumps(asdict(record), option=orjson.OPT_SORT_KEYS) for record in bundle.links
    ):
        digest.update(part)
    return digest.hexdigest()


def check_integrity(bundle: r.ListBundle) -> None:
    """Reject a bundle whose items or links refer to lists or items it does not contain."""
    errors: list[RowError] = []
    list_ids = {record.id for record in bundle.lists}
    keys: set[tuple[str, str]] = set()
    for index, item in enumerate(bundle.items, start=1):
        if item.list_id not in list_ids:
            errors.append(
                RowError(index, "list_id", item.list_id, "item refers to an unknown list")
            )
        key = (item.list_id, item.identifier)
        if key in keys:
            errors.append(
                RowError(index, "identifier", item.identifier, f"duplicate in {item.list_id}")
            )
        keys.add(key)
    for index, item in enumerate(bundle.items, start=1):
        if item.parent is not None and (item.list_id, item.parent) not in keys:
            errors.append(
                RowError(index, "parent", item.parent, f"no such item in the {item.list_id} list")
            )
    for index, link in enumerate(bundle.links, start=1):
        for list_id, identifier in (
            (link.subject_list, link.subject_id),
            (link.object_list, link.object_id),
        ):
            if (list_id, identifier) not in keys:
                errors.append(
                    RowError(index, list_id, identifier, f"link refers to a missing {list_id} item")
                )
    if errors:
        raise ImportRejected(f"the lists are inconsistent: {len(errors)} problems", errors)


def replace_all(connection: Connection, bundle: r.ListBundle, *, origin: str) -> CatalogueLoad:
    """Replace every stored list with ``bundle`` inside the caller's transaction."""
    check_integrity(bundle)

    connection.execute(delete(ItemLink))
    connection.execute(delete(ListItem))
    connection.execute(delete(StandardList))

    connection.execute(
        insert(StandardList),
        [
            {**asdict(record), "files": list(record.files), "position": position}
            for position, record in enumerate(bundle.lists)
        ],
    )
    if bundle.items:
        connection.execute(insert(ListItem), [asdict(item) for item in bundle.items])
    if bundle.links:
        connection.execute(insert(ItemLink), [asdict(link) for link in bundle.links])

    load = CatalogueLoad(
        loaded_at=datetime.now(UTC),
        content_hash=content_hash(bundle),
        origin=origin,
        item_count=len(bundle.items),
        link_count=len(bundle.links),
    )
    result = connection.execute(
        insert(CatalogueLoad).values(
            loaded_at=load.loaded_at,
            content_hash=load.content_hash,
            origin=load.origin,
            item_count=load.item_count,
            link_count=load.link_count,
        )
    )
    load.id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    return load


def latest_load(connection: Connection) -> CatalogueLoad | None:
    """Return the newest load, or None when the lists were never loaded."""
    row = connection.execute(
        select(CatalogueLoad).order_by(col(CatalogueLoad.id).desc()).limit(1)
    ).first()
    if row is None:
        return None
    return CatalogueLoad.model_validate(row._mapping)


def count_items(connection: Connection) -> int:
    """Return how many list items are stored."""
    return int(connection.execute(select(func.count()).select_from(ListItem)).scalar_one())


def read_all(connection: Connection) -> r.ListBundle:
    """Read every list, item and link back as records."""
    lists = [
        r.ListRecord(
            id=row.id,
            title=row.title,
            description=row.description,
            version=row.version,
            modified=row.modified,
            status=row.status,
            publisher=row.publisher,
            source=row.source,
            source_url=row.source_url,
            licence=row.licence,
            licence_url=row.licence_url,
            attribution=row.attribution,
            rights=row.rights,
            authored=row.authored,
            files=tuple(row.files),
            esd_uri_pattern=row.esd_uri_pattern,
        )
        for row in connection.execute(select(StandardList).order_by(col(StandardList.position)))
    ]
    items = [
        r.ItemRecord(
            list_id=row.list_id,
            identifier=row.identifier,
            position=row.position,
            labels=row.labels,
            descriptions=row.descriptions,
            created=row.created,
            modified=row.modified,
            history_notes=row.history_notes,
            status=row.status,
            parent=row.parent,
            properties=row.properties,
        )
        for row in connection.execute(select(ListItem))
    ]
    links = [
        r.LinkRecord(
            subject_list=row.subject_list,
            subject_id=row.subject_id,
            relation=row.relation,
            object_list=row.object_list,
            object_id=row.object_id,
            status=row.status,
            note=row.note,
            source=row.source,
            properties=row.properties,
        )
        for row in connection.execute(select(ItemLink).order_by(col(ItemLink.id)))
    ]
    return r.ListBundle(lists=lists, items=items, links=links)
