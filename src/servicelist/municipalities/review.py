"""Moving a municipality to a new release: the three-way comparison and its resolutions.

For every field of every service, the comparison looks at the old standard value, the new
standard value and the local override. Upstream changes to fields the municipality never
overrode are taken over. A field it overrode that upstream also changed is a conflict: the
local value stays in force until the cataloguer accepts the upstream value, keeps the local
one or edits it. A retired standard service that the municipality offers is flagged. Nothing
local is dropped or overwritten without a recorded resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from servicelist.lists import records as r
from servicelist.municipalities.effective import LocalCatalogue
from servicelist.municipalities.models import ReviewItem
from servicelist.municipalities.repository import LOCAL, iso, now

CONFLICT = "conflict"
TAKEN_OVER = "taken-over"
RETIRED = "retired"
ADDED = "added"
OPEN = "open"
INFO = "info"
RESOLVED = "resolved"

ACCEPT_UPSTREAM = "accept-upstream"
KEEP_LOCAL = "keep-local"
EDIT = "edit"
WITHDRAW = "withdraw"
# Resolutions a cataloguer may choose for each kind of open item.
RESOLUTIONS = {
    CONFLICT: (ACCEPT_UPSTREAM, KEEP_LOCAL, EDIT),
    RETIRED: (WITHDRAW, KEEP_LOCAL),
}


@dataclass(frozen=True, slots=True)
class Rebase:
    """An override whose base moves to the new release because upstream did not change it."""

    service_id: str
    path: str
    base: Any


@dataclass(slots=True)
class MovePlan:
    """Everything a move from one release to another would do."""

    from_release: int
    to_release: int
    items: list[ReviewItem] = field(default_factory=list)
    rebases: list[Rebase] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)


def plan_move(old: LocalCatalogue, new: LocalCatalogue) -> MovePlan:
    """Compare a municipality's catalogue on its release (``old``) with ``new``.

    Both must hold the same municipality and local data; only their release differs.
    """
    municipality = old.municipality
    plan = MovePlan(old.release, new.release)
    stamp = now()

    def item(service_id: str, kind: str, path: str | None, **values: Any) -> None:
        plan.items.append(
            ReviewItem(
                municipality_id=municipality.id,
                from_release=old.release,
                to_release=new.release,
                service_id=service_id,
                path=path,
                kind=kind,
                old=values.get("old"),
                new=values.get("new"),
                local=values.get("local"),
                status=OPEN if kind in RESOLUTIONS else INFO,
                resolution=None,
                resolved_value=None,
                resolved_by=None,
                resolved_at=None,
                created_at=stamp,
            )
        )

    old_ids = [service.identifier for service in old.catalogue.items.get(r.SERVICES, [])]
    new_ids = {service.identifier for service in new.catalogue.items.get(r.SERVICES, [])}
    service_ids = [*old_ids, *sorted(new_ids - set(old_ids), key=_service_order)]
    for service_id in service_ids:
        entry = old.local.entries.get(service_id)
        if entry is not None and entry.kind == LOCAL:
            continue
        old_item = old.catalogue.find_item(r.SERVICES, service_id)
        new_item = new.catalogue.find_item(r.SERVICES, service_id)
        overrides = entry.overrides if entry is not None else {}

        if old_item is None and new_item is not None:
            label = new_item.label
            item(service_id, ADDED, None, new=label, local=new.offer(service_id).offered)
            continue
        if old_item is None or new_item is None:
            continue
        offered = old.offer(service_id).offered
        if new_item.status == r.STATUS_RETIRED and old_item.status != r.STATUS_RETIRED:
            if offered:
                item(
                    service_id,
                    RETIRED,
                    None,
                    old=old_item.label,
                    new=new_item.properties.get("replaced_by"),
                    local=True,
                )
            continue

        old_fields = old.standard(service_id)
        new_fields = new.standard(service_id)
        for path in _union(old_fields, new_fields, overrides):
            old_value = old_fields.get(path)
            new_value = new_fields.get(path)
            override = overrides.get(path)
            if override is None:
                if old_value != new_value and offered:
                    item(service_id, TAKEN_OVER, path, old=old_value, new=new_value)
                continue
            if override.base == new_value or override.value == new_value:
                # Upstream kept the value the override was made against, or came round to
                # the local value: nothing to decide.
                plan.rebases.append(Rebase(service_id, path, new_value))
                continue
            item(service_id, CONFLICT, path, old=override.base, new=new_value, local=override.value)
    return plan


def _union(*mappings: dict[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for mapping in mappings:
        for key in mapping:
            seen.setdefault(key, None)
    return list(seen)


def _service_order(identifier: str) -> tuple[int, str]:
    return (int(identifier), "") if identifier.isdigit() else (1 << 62, identifier)


def item_view(item: ReviewItem, municipality_id: str) -> dict[str, Any]:
    """Build the JSON of one review item."""
    return {
        "id": item.id,
        "href": f"/v1/municipalities/{municipality_id}/review/{item.id}",
        "service": {
            "id": item.service_id,
            "href": f"/v1/municipalities/{municipality_id}/services/{item.service_id}",
        },
        "from_release": item.from_release,
        "to_release": item.to_release,
        "kind": item.kind,
        "path": item.path,
        "old_standard": item.old,
        "new_standard": item.new,
        "local": item.local,
        "status": item.status,
        "resolutions": list(RESOLUTIONS.get(item.kind, ())) if item.status == OPEN else [],
        "resolution": item.resolution,
        "resolved_value": item.resolved_value,
        "resolved_by": item.resolved_by,
        "resolved_at": iso(item.resolved_at) if item.resolved_at else None,
        "created_at": iso(item.created_at),
    }


def summary(items: list[ReviewItem]) -> dict[str, int]:
    """Count items by kind and open items."""
    counts = {kind: 0 for kind in (CONFLICT, TAKEN_OVER, RETIRED, ADDED)}
    for entry in items:
        counts[entry.kind] = counts.get(entry.kind, 0) + 1
    counts["open"] = sum(1 for entry in items if entry.status == OPEN)
    return counts
