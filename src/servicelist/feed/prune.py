"""Deleting history older than the retention period, and recording how far it went.

Per municipality, the prune finds the newest change older than the cutoff and deletes every
change up to that id, so the deleted changes are exactly those at or below the recorded
horizon. Feed cursors before the horizon then get 410 Gone. The history endpoints lose the
same rows: retention applies to the history as a whole.

Writers are not locked out: a prune deletes only rows older than the cutoff, and new rows
get higher ids. Two prunes at the same time may fail on the horizon's primary key; the
failed one rolls back and can simply run again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlmodel import col

from servicelist.feed.feed import read_horizon
from servicelist.feed.models import ChangeHorizon
from servicelist.municipalities.models import Change

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PruneResult:
    """The cutoff of a prune and the number of changes deleted per municipality."""

    cutoff: datetime
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def prune_changes(
    engine: Engine,
    retention_days: int,
    *,
    municipality_id: str | None = None,
    now: datetime | None = None,
) -> PruneResult:
    """Delete changes older than ``retention_days`` in one transaction, for one or every
    municipality; 0 days deletes every change made before ``now``."""
    if retention_days < 0:
        raise ValueError(f"retention_days is {retention_days}; use 0 or more days")
    stamp = now or datetime.now(UTC)
    result = PruneResult(cutoff=stamp - timedelta(days=retention_days))
    with engine.begin() as connection:
        query = (
            select(col(Change.municipality_id), func.max(Change.id))
            .where(col(Change.at) < result.cutoff)
            .group_by(col(Change.municipality_id))
            .order_by(col(Change.municipality_id))
        )
        if municipality_id is not None:
            query = query.where(col(Change.municipality_id) == municipality_id)
        for owner, newest_old_id in connection.execute(query).all():
            if newest_old_id is None:
                continue
            deleted = connection.execute(
                delete(Change).where(
                    col(Change.municipality_id) == owner, col(Change.id) <= newest_old_id
                )
            )
            result.removed[owner] = deleted.rowcount
            horizon = read_horizon(connection, owner)
            values = {
                "pruned_through": max(horizon.pruned_through, newest_old_id),
                "pruned_at": stamp,
            }
            if horizon.pruned_at is None:
                connection.execute(insert(ChangeHorizon).values(municipality_id=owner, **values))
            else:
                connection.execute(
                    update(ChangeHorizon)
                    .where(col(ChangeHorizon.municipality_id) == owner)
                    .values(**values)
                )
    log.info(
        "pruned change history",
        extra={
            "cutoff": result.cutoff.isoformat(),
            "municipalities": len(result.removed),
            "changes": result.total,
        },
    )
    return result
