"""Numbered, immutable releases of the standard lists.

Every load that changes the content records a release (1, 2, 3, ...) with the whole content as
zlib-compressed JSON. The list tables hold the newest release; older ones are read back from
their stored content.

Entries are never deleted and identifiers never reused. When a release lacks an entry that the
previous release had, the entry stays in the release with status ``retired``, ``retired_in``
set to the number of the release that retired it and ``replaced_by`` naming the entries that
replace it, when the load names them. Links of a retired entry are dropped. A load that brings a
retired identifier back is rejected.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select
from sqlmodel import col

from servicelist.errors import ImportRejected, NotFound, RowError
from servicelist.lists import records as r
from servicelist.lists.models import Release

ItemKey = tuple[str, str]

# Version of the stored content's layout, so that a later layout can still read older releases.
CONTENT_FORMAT = 1
COMPRESSION_LEVEL = 6


@dataclass(frozen=True, slots=True)
class ReleaseMetadata:
    """A release without its content. ``list_counts`` maps each list to its item counts."""

    number: int
    title: str
    created_at: datetime
    origin: str
    content_hash: str
    item_count: int
    link_count: int
    notes: str
    list_counts: dict[str, dict[str, int]]


@dataclass(frozen=True, slots=True)
class RecordedRelease:
    """The outcome of recording a load: the newest release, its content and whether it is new.

    ``created`` is False when the load had the same content as the newest release.
    """

    release: ReleaseMetadata
    bundle: r.ListBundle
    created: bool


# --- Stored content ---------------------------------------------------------------------------


def encode_bundle(bundle: r.ListBundle) -> bytes:
    """Serialise a bundle as zlib-compressed JSON, records in the bundle's order."""
    document = {
        "format": CONTENT_FORMAT,
        "lists": bundle.lists,
        "items": bundle.items,
        "links": bundle.links,
    }
    return zlib.compress(orjson.dumps(document), COMPRESSION_LEVEL)


def decode_bundle(content: bytes) -> r.ListBundle:
    """Read a bundle back from ``encode_bundle``'s bytes."""
    document = orjson.loads(zlib.decompress(content))
    if document.get("format") != CONTENT_FORMAT:
        raise ValueError(
            f"stored release content has format {document.get('format')!r}; "
            f"this version of servicelist reads format {CONTENT_FORMAT}"
        )
    return r.ListBundle(
        lists=[
            r.ListRecord(**{**entry, "files": tuple(entry["files"])}) for entry in document["lists"]
        ],
        items=[r.ItemRecord(**entry) for entry in document["items"]],
        links=[r.LinkRecord(**entry) for entry in document["links"]],
    )


def count_items_per_list(bundle: r.ListBundle) -> dict[str, dict[str, int]]:
    """Return, for each list of ``bundle`` in its order, how many items and retired items it has."""
    counts = {record.id: {"items": 0, "retired": 0} for record in bundle.lists}
    for item in bundle.items:
        entry = counts.setdefault(item.list_id, {"items": 0, "retired": 0})
        entry["items"] += 1
        if item.status == r.STATUS_RETIRED:
            entry["retired"] += 1
    return counts


# --- Queries ----------------------------------------------------------------------------------

_METADATA_COLUMNS = (
    col(Release.number),
    col(Release.title),
    col(Release.created_at),
    col(Release.origin),
    col(Release.content_hash),
    col(Release.item_count),
    col(Release.link_count),
    col(Release.notes),
    col(Release.list_counts),
)


def _metadata(row: Any) -> ReleaseMetadata:
    created_at: datetime = row.created_at
    # SQLite returns naive datetimes; every release is stored in UTC.
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    return ReleaseMetadata(
        number=row.number,
        title=row.title,
        created_at=created_at,
        origin=row.origin,
        content_hash=row.content_hash,
        item_count=row.item_count,
        link_count=row.link_count,
        notes=row.notes,
        list_counts=row.list_counts,
    )


def list_releases(connection: Connection) -> list[ReleaseMetadata]:
    """Return every release, oldest first."""
    rows = connection.execute(select(*_METADATA_COLUMNS).order_by(col(Release.number)))
    return [_metadata(row) for row in rows]


def newest_release(connection: Connection) -> ReleaseMetadata | None:
    """Return the newest release, or None when no release was recorded yet."""
    row = connection.execute(
        select(*_METADATA_COLUMNS).order_by(col(Release.number).desc()).limit(1)
    ).first()
    return None if row is None else _metadata(row)


def _not_found(connection: Connection, number: int) -> NotFound:
    newest = newest_release(connection)
    if newest is None:
        return NotFound(f"There is no release {number}: no release was recorded yet.")
    return NotFound(f"There is no release {number}; the releases are 1 to {newest.number}.")


def get_release(connection: Connection, number: int) -> ReleaseMetadata:
    """Return release ``number`` without its content, or raise ``NotFound``."""
    row = connection.execute(
        select(*_METADATA_COLUMNS).where(col(Release.number) == number)
    ).first()
    if row is None:
        raise _not_found(connection, number)
    return _metadata(row)


def read_release_bundle(connection: Connection, number: int) -> r.ListBundle:
    """Return the whole content of release ``number``, or raise ``NotFound``."""
    content = connection.execute(
        select(col(Release.content)).where(col(Release.number) == number)
    ).scalar_one_or_none()
    if content is None:
        raise _not_found(connection, number)
    return decode_bundle(content)


def find_release_by_hash(connection: Connection, content_hash: str) -> ReleaseMetadata | None:
    """Return the release whose content has ``content_hash``, if any."""
    row = connection.execute(
        select(*_METADATA_COLUMNS).where(col(Release.content_hash) == content_hash)
    ).first()
    return None if row is None else _metadata(row)


def insert_release(
    connection: Connection,
    bundle: r.ListBundle,
    *,
    number: int,
    content_hash: str,
    title: str,
    origin: str,
    notes: str,
) -> ReleaseMetadata:
    """Store ``bundle`` as release ``number`` inside the caller's transaction."""
    metadata = ReleaseMetadata(
        number=number,
        title=title,
        created_at=datetime.now(UTC),
        origin=origin,
        content_hash=content_hash,
        item_count=len(bundle.items),
        link_count=len(bundle.links),
        notes=notes,
        list_counts=count_items_per_list(bundle),
    )
    connection.execute(
        insert(Release).values(
            number=metadata.number,
            title=metadata.title,
            created_at=metadata.created_at,
            origin=metadata.origin,
            content_hash=metadata.content_hash,
            item_count=metadata.item_count,
            link_count=metadata.link_count,
            notes=metadata.notes,
            list_counts=metadata.list_counts,
            content=encode_bundle(bundle),
        )
    )
    return metadata


# --- Retirement -------------------------------------------------------------------------------


def _key(item: r.ItemRecord) -> ItemKey:
    return (item.list_id, item.identifier)


def _with_replacements(item: r.ItemRecord, identifiers: Iterable[str]) -> r.ItemRecord:
    """Return ``item`` with ``identifiers`` added to its ``replaced_by`` property."""
    replaced_by = list(item.properties.get(r.REPLACED_BY, []))
    added = [identifier for identifier in identifiers if identifier not in replaced_by]
    if not added:
        return item
    return replace(item, properties={**item.properties, r.REPLACED_BY: [*replaced_by, *added]})


def _retired(item: r.ItemRecord, number: int) -> r.ItemRecord:
    """Return ``item`` retired in release ``number``; an already retired item stays as it is."""
    if item.status == r.STATUS_RETIRED and r.RETIRED_IN in item.properties:
        return item
    return replace(
        item, status=r.STATUS_RETIRED, properties={**item.properties, r.RETIRED_IN: number}
    )


def _check_revivals(
    bundle: r.ListBundle, previous_items: dict[ItemKey, r.ItemRecord]
) -> list[RowError]:
    errors: list[RowError] = []
    for item in bundle.items:
        old = previous_items.get(_key(item))
        if old is None or old.status != r.STATUS_RETIRED or item.status == r.STATUS_RETIRED:
            continue
        retired_in = old.properties.get(r.RETIRED_IN, "an earlier release")
        errors.append(
            RowError(
                0,
                item.list_id,
                item.identifier,
                f"identifier {item.identifier} was retired in release {retired_in} "
                "and is never reused",
            )
        )
    return errors


def _collect_replacements(
    bundle: r.ListBundle, previous_items: dict[ItemKey, r.ItemRecord], previous_number: int | None
) -> tuple[dict[ItemKey, list[str]], list[RowError]]:
    """Map each replaced entry to the identifiers that replace it, in list order."""
    present = {_key(item): item for item in bundle.items}
    replaced_by: dict[ItemKey, list[str]] = defaultdict(list)
    errors: list[RowError] = []
    for item in sorted(bundle.items, key=lambda entry: (entry.position, entry.identifier)):
        for old_id in item.properties.get(r.REPLACES, []):
            old_key = (item.list_id, old_id)
            current = present.get(old_key)
            if old_key not in previous_items:
                where = f"release {previous_number}" if previous_number else "any release yet"
                reason = (
                    f"{item.list_id} {old_id} is not in {where}, "
                    f"so {item.identifier} cannot replace it"
                )
            elif current is not None and current.status != r.STATUS_RETIRED:
                reason = (
                    f"{item.list_id} {old_id} is still in the list, so {item.identifier} cannot "
                    "replace it; leave it out to retire it"
                )
            else:
                replaced_by[old_key].append(item.identifier)
                continue
            errors.append(RowError(0, "Replaces", old_id, reason))
    return replaced_by, errors


def apply_retirements(
    bundle: r.ListBundle,
    previous: r.ListBundle | None,
    *,
    previous_number: int | None,
    number: int,
) -> r.ListBundle:
    """Return ``bundle`` as the content of release ``number``, which follows ``previous``.

    Every entry of ``previous`` that ``bundle`` lacks is kept as retired in release ``number``
    (entries retired earlier keep their ``retired_in``), with the lists it belongs to. An item's
    ``replaces`` property retires the entries it names and points their ``replaced_by`` at it.
    Links from or to a retired entry are dropped.

    Raises ``ImportRejected`` when ``bundle`` brings back a retired identifier, or replaces an
    entry that ``previous`` lacks or that ``bundle`` still contains as a live entry.
    """
    previous_items = {_key(item): item for item in previous.items} if previous else {}
    errors = _check_revivals(bundle, previous_items)
    replaced_by, replacement_errors = _collect_replacements(bundle, previous_items, previous_number)
    errors.extend(replacement_errors)
    if errors:
        raise ImportRejected(
            f"the lists break the release rules: {len(errors)} problems; nothing was loaded",
            errors,
        )

    items: list[r.ItemRecord] = []
    present: set[ItemKey] = set()
    for item in bundle.items:
        key = _key(item)
        present.add(key)
        if item.status == r.STATUS_RETIRED:
            item = _retired(item, number)
        items.append(_with_replacements(item, replaced_by.get(key, [])))
    for key, old in previous_items.items():
        if key not in present:
            items.append(_with_replacements(_retired(old, number), replaced_by.get(key, [])))

    retired = {_key(item) for item in items if item.status == r.STATUS_RETIRED}
    links = [
        link
        for link in bundle.links
        if (link.subject_list, link.subject_id) not in retired
        and (link.object_list, link.object_id) not in retired
    ]
    list_ids = {record.id for record in bundle.lists}
    kept_lists = [
        record for record in (previous.lists if previous else []) if record.id not in list_ids
    ]
    return r.ListBundle(lists=[*bundle.lists, *kept_lists], items=items, links=links)
