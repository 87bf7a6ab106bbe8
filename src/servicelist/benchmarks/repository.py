"""Queries of the benchmarks: local catalogues in bulk, contact volumes and channel costs.

The metrics read the local entries and overrides of many municipalities with one query each,
instead of one ``read_local`` per municipality.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlmodel import col

from servicelist.benchmarks.models import ChannelCost, ContactVolume
from servicelist.municipalities.models import LocalEntry, LocalOverride, ReviewItem

# Above this many municipalities, one query reads every row and Python drops the others,
# which is cheaper than a long IN list.
MAX_IN_LIST = 400


@dataclass(slots=True)
class LocalFacts:
    """Stored catalogue data of one municipality, as the metrics read it.

    ``overrides`` maps service to path to value. Only the values of the paths the metrics read
    are decoded: ``abc_class``, ``channels.web.url`` and every ``channels.<channel>.available``.
    Every other path maps to None, so the paths are counted but their values are not kept.
    """

    kinds: dict[str, str] = field(default_factory=dict)
    offered: dict[str, bool] = field(default_factory=dict)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_local_facts(
    connection: Connection, municipality_ids: Collection[str], service_id: str | None = None
) -> dict[str, LocalFacts]:
    """Read the entries and overrides of many municipalities with two queries.

    With ``service_id``, only that service's rows are read.
    """
    wanted = set(municipality_ids)
    found: dict[str, LocalFacts] = {identifier: LocalFacts() for identifier in wanted}
    if not wanted:
        return found
    entry_query = select(
        col(LocalEntry.municipality_id),
        col(LocalEntry.service_id),
        col(LocalEntry.kind),
        col(LocalEntry.offered),
    )
    # The value is read as JSON text and decoded with orjson only for the paths the metrics
    # read: decoding every value through the JSON column type took most of the time.
    override_query = select(
        col(LocalOverride.municipality_id),
        col(LocalOverride.service_id),
        col(LocalOverride.path),
        cast(col(LocalOverride.value), Text),
    )
    if len(wanted) <= MAX_IN_LIST:
        entry_query = entry_query.where(col(LocalEntry.municipality_id).in_(wanted))
        override_query = override_query.where(col(LocalOverride.municipality_id).in_(wanted))
    if service_id is not None:
        entry_query = entry_query.where(col(LocalEntry.service_id) == service_id)
        override_query = override_query.where(col(LocalOverride.service_id) == service_id)

    for municipality_id, service, kind, offered in connection.execute(entry_query):
        facts = found.get(municipality_id)
        if facts is None:
            continue
        facts.kinds[service] = kind
        if offered is not None:
            facts.offered[service] = offered
    for municipality_id, service, path, value in connection.execute(override_query):
        facts = found.get(municipality_id)
        if facts is None:
            continue
        decoded = orjson.loads(value) if value is not None and is_metric_path(path) else None
        facts.overrides.setdefault(service, {})[path] = decoded
    return found


def is_metric_path(path: str) -> bool:
    """Return whether the metrics read the value of an override of ``path``."""
    if path in ("abc_class", "channels.web.url"):
        return True
    return path.startswith("channels.") and path.endswith(".available")


def count_open_review_items(
    connection: Connection, municipality_ids: Collection[str]
) -> dict[str, dict[str, int]]:
    """Return the open review items of each municipality, counted by kind."""
    query = (
        select(col(ReviewItem.municipality_id), col(ReviewItem.kind), func.count())
        .where(col(ReviewItem.status) == "open")
        .group_by(col(ReviewItem.municipality_id), col(ReviewItem.kind))
    )
    wanted = set(municipality_ids)
    if len(wanted) <= MAX_IN_LIST:
        query = query.where(col(ReviewItem.municipality_id).in_(wanted))
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for municipality_id, kind, count in connection.execute(query):
        if municipality_id in wanted:
            counts[municipality_id][kind] = int(count)
    return counts


# Contact volumes


@dataclass(frozen=True, slots=True)
class VolumeRow:
    """Contacts of one service on one channel in one period."""

    service_id: str
    channel_id: str
    period: str
    contacts: int


def read_volumes(connection: Connection, municipality_id: str) -> list[VolumeRow]:
    """Return a municipality's stored volumes ordered by period, service and channel."""
    query = (
        select(
            col(ContactVolume.service_id),
            col(ContactVolume.channel_id),
            col(ContactVolume.period),
            col(ContactVolume.contacts),
        )
        .where(col(ContactVolume.municipality_id) == municipality_id)
        .order_by(
            col(ContactVolume.period), col(ContactVolume.service_id), col(ContactVolume.channel_id)
        )
    )
    return [VolumeRow(*row) for row in connection.execute(query)]


def write_volumes(
    connection: Connection,
    municipality_id: str,
    *,
    inserts: Sequence[VolumeRow],
    updates: Sequence[VolumeRow],
    deletes: Sequence[VolumeRow],
    replace_all: bool,
    actor: str,
    stamp: datetime,
) -> None:
    """Write a planned change of a municipality's volumes in the caller's transaction.

    With ``replace_all`` every stored row goes first, and ``inserts`` contains the whole new set.
    Each list is sent as one statement with many parameter sets.
    """
    key = (
        (col(ContactVolume.municipality_id) == bindparam("m"))
        & (col(ContactVolume.service_id) == bindparam("s"))
        & (col(ContactVolume.channel_id) == bindparam("c"))
        & (col(ContactVolume.period) == bindparam("p"))
    )
    if replace_all:
        connection.execute(
            delete(ContactVolume).where(col(ContactVolume.municipality_id) == municipality_id)
        )
    elif deletes:
        connection.execute(
            delete(ContactVolume).where(key), [_key(municipality_id, row) for row in deletes]
        )
    if updates:
        connection.execute(
            update(ContactVolume)
            .where(key)
            .values(
                contacts=bindparam("n"), updated_by=bindparam("by"), updated_at=bindparam("at")
            ),
            [
                {**_key(municipality_id, row), "n": row.contacts, "by": actor, "at": stamp}
                for row in updates
            ],
        )
    if inserts:
        connection.execute(
            insert(ContactVolume),
            [
                {
                    "municipality_id": municipality_id,
                    "service_id": row.service_id,
                    "channel_id": row.channel_id,
                    "period": row.period,
                    "contacts": row.contacts,
                    "updated_by": actor,
                    "updated_at": stamp,
                }
                for row in inserts
            ],
        )


def _key(municipality_id: str, row: VolumeRow) -> dict[str, str]:
    return {"m": municipality_id, "s": row.service_id, "c": row.channel_id, "p": row.period}


# Channel costs


def read_channel_costs(connection: Connection, municipality_id: str) -> list[ChannelCost]:
    query = (
        select(ChannelCost)
        .where(col(ChannelCost.municipality_id) == municipality_id)
        .order_by(col(ChannelCost.channel_id), col(ChannelCost.currency))
    )
    return [ChannelCost.model_validate(row._mapping) for row in connection.execute(query)]


def replace_channel_costs(
    connection: Connection, municipality_id: str, costs: Iterable[ChannelCost]
) -> None:
    connection.execute(
        delete(ChannelCost).where(col(ChannelCost.municipality_id) == municipality_id)
    )
    values = [cost.model_dump() for cost in costs]
    if values:
        connection.execute(insert(ChannelCost), values)
