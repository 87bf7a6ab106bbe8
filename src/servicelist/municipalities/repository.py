"""Storage of municipalities and their local catalogues. Every query of those tables lives here.

Writers call ``lock_municipality`` first. It bumps the municipality's revision, which takes
the write lock on SQLite and the row lock on PostgreSQL. So two writes to one municipality
never interleave, and an ``If-Match`` check made after it compares with the latest state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlmodel import col

from servicelist.municipalities.models import (
    Change,
    LocalEntry,
    LocalOverride,
    LocalTerm,
    Municipality,
    Region,
    ReviewItem,
)

STANDARD = "standard"
LOCAL = "local"


@dataclass(frozen=True, slots=True)
class OverrideRecord:
    """The local value of one field, with the standard value it was made against."""

    path: str
    value: Any
    base: Any
    base_release: int
    source: str
    updated_by: str
    updated_at: datetime


@dataclass(slots=True)
class EntryRecord:
    """A service of a local catalogue that differs from the standard, with its overrides."""

    service_id: str
    kind: str
    offered: bool | None
    revision: int
    created_at: datetime
    updated_at: datetime
    overrides: dict[str, OverrideRecord] = field(default_factory=dict)


@dataclass(slots=True)
class LocalData:
    """Stored catalogue data of one municipality: entries, overrides and own terms."""

    entries: dict[str, EntryRecord] = field(default_factory=dict)
    terms: list[LocalTerm] = field(default_factory=list)

    def term_ids(self, list_id: str) -> frozenset[str]:
        return frozenset(term.identifier for term in self.terms if term.list_id == list_id)


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field to set (``value``) or to reset to the standard (``reset``)."""

    path: str
    value: Any = None
    reset: bool = False


def now() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime) -> str:
    """Return a stored time in ISO 8601 with its UTC offset.

    SQLite returns the stored UTC times without an offset, PostgreSQL with one; both mean UTC.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


# Regions and municipalities


def list_regions(connection: Connection) -> list[Region]:
    rows = connection.execute(select(Region).order_by(col(Region.id)))
    return [Region.model_validate(row._mapping) for row in rows]


def get_region(connection: Connection, region_id: str) -> Region | None:
    row = connection.execute(select(Region).where(col(Region.id) == region_id)).first()
    return Region.model_validate(row._mapping) if row is not None else None


def insert_regions(connection: Connection, regions: Iterable[Region]) -> None:
    values = [region.model_dump() for region in regions]
    if values:
        connection.execute(insert(Region), values)


def get_municipality(connection: Connection, municipality_id: str) -> Municipality | None:
    row = connection.execute(
        select(Municipality).where(col(Municipality.id) == municipality_id)
    ).first()
    return Municipality.model_validate(row._mapping) if row is not None else None


def list_municipalities(
    connection: Connection, *, region_id: str | None = None
) -> list[Municipality]:
    query = select(Municipality).order_by(col(Municipality.id))
    if region_id is not None:
        query = query.where(col(Municipality.region_id) == region_id)
    return [Municipality.model_validate(row._mapping) for row in connection.execute(query)]


def count_municipalities(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(Municipality)).scalar_one())


def insert_municipalities(connection: Connection, municipalities: Iterable[Municipality]) -> None:
    values = [municipality.model_dump() for municipality in municipalities]
    if values:
        connection.execute(insert(Municipality), values)


def lock_municipality(
    connection: Connection, municipality_id: str, *, expected_revision: int | None = None
) -> Municipality | None:
    """Bump the municipality's revision inside the caller's transaction and return it.

    Returns None when the municipality does not exist or, with ``expected_revision``, when its
    revision is no longer that one. See the module docstring for why every writer starts here.
    """
    query = update(Municipality).where(col(Municipality.id) == municipality_id)
    if expected_revision is not None:
        query = query.where(col(Municipality.revision) == expected_revision)
    result = connection.execute(query.values(revision=Municipality.revision + 1, updated_at=now()))
    if result.rowcount == 0:
        return None
    return get_municipality(connection, municipality_id)


def update_municipality(
    connection: Connection, municipality_id: str, values: Mapping[str, Any]
) -> None:
    connection.execute(
        update(Municipality).where(col(Municipality.id) == municipality_id).values(**values)
    )


# Local catalogue


def read_local(
    connection: Connection, municipality_id: str, service_id: str | None = None
) -> LocalData:
    """Read a municipality's entries, overrides and own terms; only one service if given."""
    entry_query = select(LocalEntry).where(col(LocalEntry.municipality_id) == municipality_id)
    override_query = select(LocalOverride).where(
        col(LocalOverride.municipality_id) == municipality_id
    )
    if service_id is not None:
        entry_query = entry_query.where(col(LocalEntry.service_id) == service_id)
        override_query = override_query.where(col(LocalOverride.service_id) == service_id)

    data = LocalData()
    for row in connection.execute(entry_query):
        data.entries[row.service_id] = EntryRecord(
            service_id=row.service_id,
            kind=row.kind,
            offered=row.offered,
            revision=row.revision,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
    for override in connection.execute(override_query.order_by(col(LocalOverride.path))):
        entry = data.entries.get(override.service_id)
        if entry is None:
            continue
        entry.overrides[override.path] = OverrideRecord(
            path=override.path,
            value=override.value,
            base=override.base,
            base_release=override.base_release,
            source=override.source,
            updated_by=override.updated_by,
            updated_at=override.updated_at,
        )
    term_query = (
        select(LocalTerm)
        .where(col(LocalTerm.municipality_id) == municipality_id)
        .order_by(col(LocalTerm.list_id), col(LocalTerm.identifier))
    )
    data.terms = [LocalTerm.model_validate(row._mapping) for row in connection.execute(term_query)]
    return data


def write_entry(
    connection: Connection,
    municipality: Municipality,
    service_id: str,
    *,
    kind: str,
    offered: bool | None,
    offered_changed: bool,
    changes: Iterable[FieldChange],
    current: EntryRecord | None,
    standard: Mapping[str, Any],
    actor: str,
    source: str,
    action_prefix: str = "",
) -> list[Change]:
    """Apply field changes and the offered flag to one service; record each change.

    ``standard`` holds the service's standard fields in the municipality's release (empty for a
    local service). Returns the recorded changes, which are empty when nothing differed.
    """
    stamp = now()
    recorded: list[Change] = []
    overrides = current.overrides if current is not None else {}

    def record(path: str, action: str, before: Any, after: Any) -> None:
        recorded.append(
            Change(
                municipality_id=municipality.id,
                entity="service",
                entity_id=service_id,
                path=path,
                action=action_prefix + action,
                before=before,
                after=after,
                actor=actor,
                release=municipality.release,
                at=stamp,
            )
        )

    if current is None:
        connection.execute(
            insert(LocalEntry).values(
                municipality_id=municipality.id,
                service_id=service_id,
                kind=kind,
                offered=offered,
                revision=1,
                created_at=stamp,
                updated_at=stamp,
            )
        )
        if kind == LOCAL:
            record("service", "create", None, service_id)
        if offered_changed:
            record("offered", "set", None, offered)
    elif offered_changed and current.offered != offered:
        record("offered", "set", current.offered, offered)

    for change in changes:
        existing = overrides.get(change.path)
        before = existing.value if existing is not None else standard.get(change.path)
        if change.reset:
            if existing is None:
                continue
            connection.execute(
                delete(LocalOverride).where(
                    col(LocalOverride.municipality_id) == municipality.id,
                    col(LocalOverride.service_id) == service_id,
                    col(LocalOverride.path) == change.path,
                )
            )
            record(change.path, "reset", existing.value, standard.get(change.path))
            continue
        if existing is not None and existing.value == change.value:
            continue
        values = {
            "value": change.value,
            "base": standard.get(change.path),
            "base_release": municipality.release,
            "source": source,
            "updated_by": actor,
            "updated_at": stamp,
        }
        if existing is None:
            connection.execute(
                insert(LocalOverride).values(
                    municipality_id=municipality.id,
                    service_id=service_id,
                    path=change.path,
                    **values,
                )
            )
        else:
            connection.execute(
                update(LocalOverride)
                .where(
                    col(LocalOverride.municipality_id) == municipality.id,
                    col(LocalOverride.service_id) == service_id,
                    col(LocalOverride.path) == change.path,
                )
                .values(**values)
            )
        record(change.path, "set", before, change.value)

    if current is not None and recorded:
        connection.execute(
            update(LocalEntry)
            .where(
                col(LocalEntry.municipality_id) == municipality.id,
                col(LocalEntry.service_id) == service_id,
            )
            .values(
                revision=LocalEntry.revision + 1,
                offered=offered if offered_changed else current.offered,
                updated_at=stamp,
            )
        )
    insert_changes(connection, recorded)
    return recorded


def rebase_override(
    connection: Connection,
    municipality_id: str,
    service_id: str,
    path: str,
    *,
    base: Any,
    base_release: int,
) -> None:
    """Record that an override was reviewed against the standard value ``base``."""
    connection.execute(
        update(LocalOverride)
        .where(
            col(LocalOverride.municipality_id) == municipality_id,
            col(LocalOverride.service_id) == service_id,
            col(LocalOverride.path) == path,
        )
        .values(base=base, base_release=base_release)
    )


def bump_entry(connection: Connection, municipality_id: str, service_id: str) -> None:
    connection.execute(
        update(LocalEntry)
        .where(
            col(LocalEntry.municipality_id) == municipality_id,
            col(LocalEntry.service_id) == service_id,
        )
        .values(revision=LocalEntry.revision + 1, updated_at=now())
    )


def upsert_term(connection: Connection, term: LocalTerm, *, exists: bool) -> None:
    values = term.model_dump()
    if exists:
        connection.execute(
            update(LocalTerm)
            .where(
                col(LocalTerm.municipality_id) == term.municipality_id,
                col(LocalTerm.list_id) == term.list_id,
                col(LocalTerm.identifier) == term.identifier,
            )
            .values(**values)
        )
    else:
        connection.execute(insert(LocalTerm).values(**values))


# History


def insert_changes(connection: Connection, changes: list[Change]) -> None:
    if changes:
        connection.execute(
            insert(Change), [change.model_dump(exclude={"id"}) for change in changes]
        )


def read_history(
    connection: Connection,
    municipality_id: str,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[Change]:
    """Return recorded changes oldest first, after the change with id ``after_id``."""
    query = (
        select(Change)
        .where(col(Change.municipality_id) == municipality_id, col(Change.id) > after_id)
        .order_by(col(Change.id))
        .limit(limit)
    )
    if entity is not None:
        query = query.where(col(Change.entity) == entity)
    if entity_id is not None:
        query = query.where(col(Change.entity_id) == entity_id)
    return [Change.model_validate(row._mapping) for row in connection.execute(query)]


# Reviews


def insert_review_items(connection: Connection, items: list[ReviewItem]) -> None:
    if items:
        connection.execute(insert(ReviewItem), [item.model_dump(exclude={"id"}) for item in items])


def read_review_items(
    connection: Connection, municipality_id: str, *, to_release: int | None = None
) -> list[ReviewItem]:
    query = (
        select(ReviewItem)
        .where(col(ReviewItem.municipality_id) == municipality_id)
        .order_by(col(ReviewItem.id))
    )
    if to_release is not None:
        query = query.where(col(ReviewItem.to_release) == to_release)
    return [ReviewItem.model_validate(row._mapping) for row in connection.execute(query)]


def get_review_item(
    connection: Connection, municipality_id: str, item_id: int
) -> ReviewItem | None:
    row = connection.execute(
        select(ReviewItem).where(
            col(ReviewItem.municipality_id) == municipality_id, col(ReviewItem.id) == item_id
        )
    ).first()
    return ReviewItem.model_validate(row._mapping) if row is not None else None


def resolve_review_item(
    connection: Connection, item_id: int, *, resolution: str, value: Any, actor: str
) -> None:
    connection.execute(
        update(ReviewItem)
        .where(col(ReviewItem.id) == item_id)
        .values(
            status="resolved",
            resolution=resolution,
            resolved_value=value,
            resolved_by=actor,
            resolved_at=now(),
        )
    )


def count_open_review_items(connection: Connection, municipality_id: str) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(ReviewItem)
            .where(
                col(ReviewItem.municipality_id) == municipality_id,
                col(ReviewItem.status) == "open",
            )
        ).scalar_one()
    )
