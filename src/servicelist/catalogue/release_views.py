"""JSON shapes of releases and of the changes between two releases: plain dicts for orjson."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from servicelist.catalogue.views import API_PREFIX, item_href
from servicelist.lists.release_diff import CHANGE_KINDS, EntryChange, FieldChange, ListDiff
from servicelist.lists.releases import ReleaseMetadata


def release_href(number: int) -> str:
    return f"{API_PREFIX}/releases/{number}"


def diff_href(before: int, after: int) -> str:
    return f"{API_PREFIX}/releases/{before}/diff/{after}"


def release_view(release: ReleaseMetadata, newest: int | None) -> dict[str, Any]:
    """Build the JSON of one release; ``newest`` is the number of the current release."""
    previous = release.number - 1 if release.number > 1 else None
    return {
        "number": release.number,
        "title": release.title,
        "created_at": release.created_at.isoformat(),
        "origin": release.origin,
        "content_hash": release.content_hash,
        "item_count": release.item_count,
        "link_count": release.link_count,
        "notes": release.notes,
        "lists": release.list_counts,
        "current": release.number == newest,
        "href": release_href(release.number),
        "previous": release_href(previous) if previous is not None else None,
        "changes": diff_href(previous, release.number) if previous is not None else None,
    }


def release_index_view(releases: Sequence[ReleaseMetadata]) -> dict[str, Any]:
    """Build the JSON of every release, oldest first."""
    newest = releases[-1].number if releases else None
    return {
        "current": newest,
        "count": len(releases),
        "releases": [release_view(release, newest) for release in releases],
    }


def release_reference(release: ReleaseMetadata) -> dict[str, Any]:
    return {"number": release.number, "title": release.title, "href": release_href(release.number)}


def _field_view(change: FieldChange) -> dict[str, Any]:
    return {"field": change.field, "before": change.before, "after": change.after}


def change_view(entry: EntryChange) -> dict[str, Any]:
    """Build the JSON of one added, retired, changed or removed entry."""
    return {
        "list": entry.list_id,
        "id": entry.identifier,
        "label": entry.label,
        "href": item_href(entry.list_id, entry.identifier),
        "change": entry.kind,
        "replaced_by": list(entry.replaced_by),
        "fields": [_field_view(change) for change in entry.fields],
    }


def diff_summary_view(lists: Sequence[ListDiff]) -> dict[str, Any]:
    """Build the counts of changed entries, in total and per list."""
    summary: dict[str, Any] = {
        kind: sum(entry.counts[kind] for entry in lists) for kind in CHANGE_KINDS
    }
    summary["lists"] = [
        {
            "list": entry.list_id,
            **entry.counts,
            "metadata": [_field_view(change) for change in entry.metadata],
        }
        for entry in lists
    ]
    return summary


def diff_page_view(
    before: ReleaseMetadata,
    after: ReleaseMetadata,
    *,
    list_id: str | None,
    kind: str | None,
    lists: Sequence[ListDiff],
    entries: Sequence[EntryChange],
    total: int,
    limit: int,
    next_cursor: str | None,
    next_href: str | None,
) -> dict[str, Any]:
    """Build one page of the changes from ``before`` to ``after``, with the summary counts."""
    return {
        "from": release_reference(before),
        "to": release_reference(after),
        "list": list_id,
        "change": kind,
        "summary": diff_summary_view(lists),
        "items": [change_view(entry) for entry in entries],
        "count": len(entries),
        "total": total,
        "limit": limit,
        "next_cursor": next_cursor,
        "next": next_href,
    }
