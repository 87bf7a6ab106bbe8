"""Storage of the standard lists. Every query of the lists tables lives here.

The release table has its own queries in ``servicelist.lists.releases``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, insert, select
from sqlmodel import col

from servicelist.errors import ImportRejected, RowError
from servicelist.lists import records as r
from servicelist.lists import releases
from servicelist.lists.models import CatalogueLoad, ItemLink, ListItem, StandardList

# Release 1 of a database whose lists were loaded before releases were recorded.
STORED_LISTS_TITLE = "Lists stored before releases were recorded"


def as_rows(records: Sequence[Any]) -> list[dict[str, Any]]:
    """Return dataclass records as plain dicts of their fields, like ``dataclasses.asdict``.

    orjson converts the whole list in C, several times faster than ``asdict``'s deep copies.
    """
    rows: list[dict[str, Any]] = orjson.loads(orjson.dumps(records))
    return rows


def content_hash(bundle: r.ListBundle) -> str:
    """Return a SHA-256 over the bundle's content, independent of the order of its records."""
    digest = hashlib.sha256()
    for records in (bundle.lists, bundle.items, bundle.links):
        for part in sorted(
            orjson.dumps(row, option=orjson.OPT_SORT_KEYS) for row in as_rows(records)
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


def _record_stored_lists(connection: Connection) -> releases.ReleaseMetadata | None:
    """Record the lists already in the tables as release 1, when there are any.

    Databases loaded before the release table existed have lists but no release. Recording
    them first lets the next load retire what it drops, as with any other release.
    """
    if connection.execute(select(func.count()).select_from(StandardList)).scalar_one() == 0:
        return None
    stored = read_all(connection)
    return releases.insert_release(
        connection,
        stored,
        number=1,
        content_hash=content_hash(stored),
        title=STORED_LISTS_TITLE,
        origin="list tables",
        notes="The lists as stored when servicelist first recorded a release.",
    )


def record_release(
    connection: Connection,
    bundle: r.ListBundle,
    *,
    origin: str,
    title: str | None = None,
    notes: str = "",
) -> releases.RecordedRelease:
    """Record ``bundle`` as a new release inside the caller's transaction, if it changes anything.

    The bundle is checked, then the entries that the newest release has and the bundle lacks
    are kept as retired (``releases.apply_retirements``). When the result has the content of
    the newest release, no release is added. ``title`` defaults to "Release N".
    Raises ``ImportRejected`` for an inconsistent bundle, a revived identifier, an invalid
    replacement, or content identical to an older release than the newest.
    """
    check_integrity(bundle)
    previous = releases.newest_release(connection)
    if previous is None:
        previous = _record_stored_lists(connection)
    previous_bundle = (
        releases.read_release_bundle(connection, previous.number) if previous else None
    )
    number = previous.number + 1 if previous else 1
    content = releases.apply_retirements(
        bundle,
        previous_bundle,
        previous_number=previous.number if previous else None,
        number=number,
    )
    digest = content_hash(content)
    if previous is not None and digest == previous.content_hash:
        return releases.RecordedRelease(previous, content, created=False)

    earlier = releases.find_release_by_hash(connection, digest)
    if earlier is not None:
        # NOTE: content hashes are unique, so going back to the content of an older release
        # (say, undoing a CSV load that changed only labels) is rejected.
        error = RowError(
            0,
            None,
            digest,
            f"the lists are identical to release {earlier.number}, but release "
            f"{previous.number if previous else '?'} is newer; a release's content is never "
            "recorded twice",
        )
        raise ImportRejected(
            f"the lists are identical to release {earlier.number}; nothing was loaded", [error]
        )
    release = releases.insert_release(
        connection,
        content,
        number=number,
        content_hash=digest,
        title=title or f"Release {number}",
        origin=origin,
        notes=notes,
    )
    return releases.RecordedRelease(release, content, created=True)


def replace_all(
    connection: Connection,
    bundle: r.ListBundle,
    *,
    origin: str,
    title: str | None = None,
    notes: str = "",
) -> CatalogueLoad:
    """Record ``bundle`` as a release and store it in the list tables, in the caller's transaction.

    The tables hold the newest release, retired entries included: see ``record_release``.
    """
    recorded = record_release(connection, bundle, origin=origin, title=title, notes=notes)
    content = recorded.bundle

    connection.execute(delete(ItemLink))
    connection.execute(delete(ListItem))
    connection.execute(delete(StandardList))

    connection.execute(
        insert(StandardList),
        [{**row, "position": position} for position, row in enumerate(as_rows(content.lists))],
    )
    if content.items:
        connection.execute(insert(ListItem), as_rows(content.items))
    if content.links:
        connection.execute(insert(ItemLink), as_rows(content.links))

    load = CatalogueLoad(
        loaded_at=datetime.now(UTC),
        content_hash=recorded.release.content_hash,
        origin=origin,
        item_count=len(content.items),
        link_count=len(content.links),
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
