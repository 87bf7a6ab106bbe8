"""A municipality's own synonyms: reading the list and replacing it as a whole.

The list's JSON carries a strong ETag like every resource. A replacement needs ``If-Match``
with that ETag, or ``If-None-Match: *`` while the municipality has never stored a list. Each
replacement is one row of the ``change`` history with entity ``synonyms``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlmodel import col

from servicelist.errors import (
    InvalidValue,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    RowError,
)
from servicelist.municipalities import repository
from servicelist.municipalities.models import Change
from servicelist.municipalities.operations import check_if_match, etag_of
from servicelist.search.models import SynonymList
from servicelist.search.synonyms import (
    MAX_MUNICIPAL_ENTRIES,
    Synonym,
    check_entries,
    make_synonym,
)

ENTITY = "synonyms"


def synonyms_href(municipality_id: str) -> str:
    return f"/v1/municipalities/{municipality_id}/synonyms"


def read_list(connection: Connection, municipality_id: str) -> SynonymList | None:
    row = connection.execute(
        select(SynonymList).where(col(SynonymList.municipality_id) == municipality_id)
    ).first()
    return SynonymList.model_validate(row._mapping) if row is not None else None


def list_document(municipality_id: str, stored: SynonymList | None) -> dict[str, Any]:
    """Build the JSON of a municipality's synonym list; an empty list when none is stored."""
    entries = stored.entries if stored is not None else []
    return {
        "municipality": municipality_id,
        "href": synonyms_href(municipality_id),
        "items": [{"term": entry["term"], "expansion": entry["expansion"]} for entry in entries],
        "count": len(entries),
        "revision": stored.revision if stored is not None else 0,
        "updated_at": stored.updated_at.isoformat() if stored is not None else None,
    }


def stored_synonyms(stored: SynonymList | None) -> list[Synonym]:
    """Return the synonyms of a stored list, which was checked when it was written."""
    if stored is None:
        return []
    return [
        make_synonym(entry["term"], entry["expansion"], "municipality") for entry in stored.entries
    ]


def replace_list(
    engine: Engine,
    municipality_id: str,
    entries: Sequence[tuple[str, str]],
    *,
    if_match: str | None,
    if_none_match: str | None,
    actor: str,
) -> dict[str, Any]:
    """Replace a municipality's synonyms with ``entries`` (term, expansion) in one transaction.

    Raises 422 listing each invalid pair (row is the 1-based position in the list), 428
    without a precondition and 412 when the precondition names another state.
    """
    if len(entries) > MAX_MUNICIPAL_ENTRIES:
        raise InvalidValue(
            f"The list has {len(entries)} entries; at most {MAX_MUNICIPAL_ENTRIES} are allowed.",
            [RowError(0, "items", str(len(entries)), f"send at most {MAX_MUNICIPAL_ENTRIES}")],
        )
    _, errors = check_entries(entries, source="municipality")
    if errors:
        raise InvalidValue(
            f"{len(errors)} synonym values cannot be stored; nothing was changed. Each entry "
            "of 'errors' gives the position in 'items' as its row.",
            errors,
        )
    href = synonyms_href(municipality_id)
    creating = if_none_match is not None and if_none_match.strip() == "*"
    if not creating and (if_match is None or not if_match.strip()):
        raise PreconditionRequired(
            f"Replacing {href} needs If-Match with the ETag of GET {href}, or "
            "'If-None-Match: *' while the municipality has no synonym list yet."
        )
    with engine.begin() as connection:
        municipality = repository.lock_municipality(connection, municipality_id)
        if municipality is None:
            raise NotFound(f"There is no municipality {municipality_id!r}.")
        stored = read_list(connection, municipality_id)
        current = list_document(municipality_id, stored)
        if creating:
            if stored is not None:
                raise PreconditionFailed(
                    f"Municipality {municipality_id!r} has a synonym list already, so "
                    f"'If-None-Match: *' fails. GET {href} and send its ETag in If-Match.",
                    etag_of(current),
                )
        else:
            check_if_match(if_match, etag_of(current), href)

        items = [{"term": term, "expansion": expansion} for term, expansion in entries]
        stamp = repository.now()
        values = {"entries": items, "updated_by": actor, "updated_at": stamp}
        if stored is None:
            connection.execute(
                insert(SynonymList).values(municipality_id=municipality_id, revision=1, **values)
            )
        elif stored.entries != items:
            connection.execute(
                update(SynonymList)
                .where(col(SynonymList.municipality_id) == municipality_id)
                .values(revision=SynonymList.revision + 1, **values)
            )
        if stored is None or stored.entries != items:
            repository.insert_changes(
                connection,
                [
                    Change(
                        municipality_id=municipality_id,
                        entity=ENTITY,
                        entity_id=municipality_id,
                        path=ENTITY,
                        action="create" if stored is None else "set",
                        before=current["items"] if stored is not None else None,
                        after=items,
                        actor=actor,
                        release=municipality.release,
                        at=stamp,
                    )
                ],
            )
        return list_document(municipality_id, read_list(connection, municipality_id))
