"""The change feed of one municipality: what changed in its effective catalogue, oldest first.

Entries come from the ``change`` history. A move to a newer release is one history row. The
feed expands it into the move itself, followed by what upstream changed for the municipality
as the move's review items record it: fields taken over, services added and offered services
retired. Conflicts are left out, because the local value stays in force until a resolution,
which the history records as a change of its own. Only changes to services, local terms, the
municipality's settings and its Open311 selection appear.

An entry names the resource that changed, the field (``path``), how (``action``), when and in
which release. GET the entry's ``href`` for the value. Actors and values are left out, so the
feed of a published municipality can be public. The history shows both to the municipality's
keys.

Positions. Every writer locks the municipality before it inserts history rows, and creating a
municipality records its first row. So within one municipality the order of ``change.id`` is
the order of commits, and a reader that has read id N has read every earlier id. A position is
(change id, review item id). ``item_id`` None means the change and its whole expansion were
delivered, and a number means the review items up to that id were (0: none yet). Cursors
carry the municipality and the position in base64url text, and clients pass them back
unchanged.

Retention. ``servicelist changes prune`` deletes old history rows and records the highest
deleted id per municipality (``change_horizon``). A cursor before that id may have missed
deleted changes, so it gets 410 Gone and the client relists the catalogue.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlmodel import col

from servicelist.errors import InvalidCursor, ServicelistError
from servicelist.feed.models import ChangeHorizon
from servicelist.municipalities.effective import municipality_href
from servicelist.municipalities.models import Change, ReviewItem

# History entities that change the effective catalogue or what it publishes.
ENTITIES = ("service", "term", "municipality", "open311")
# Review item kinds that change the effective catalogue at the moment of a move.
UPSTREAM_KINDS = ("taken-over", "added", "retired")
CURSOR_PREFIX = "f1"
MAX_CURSOR_LENGTH = 400


class CursorExpired(ServicelistError):
    """410 cursor-expired: the cursor is older than the retained history."""

    status = 410
    code = "cursor-expired"
    title = "Cursor older than the retained history"


@dataclass(frozen=True, slots=True)
class Position:
    """The last delivered entry: a change and, for a release move, its last review item."""

    change_id: int
    item_id: int | None = None


@dataclass(frozen=True, slots=True)
class Horizon:
    """How far a municipality's history was pruned: nothing when ``pruned_through`` is 0."""

    pruned_through: int = 0
    pruned_at: datetime | None = None


@dataclass(slots=True)
class FeedPage:
    """The entries of one page, the position after its last entry, and whether more follow."""

    entries: list[dict[str, Any]]
    position: Position
    more: bool


# Cursors


def encode_cursor(municipality_id: str, position: Position) -> str:
    item = "" if position.item_id is None else f":{position.item_id}"
    raw = f"{CURSOR_PREFIX}:{municipality_id}:{position.change_id}{item}"
    return base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")


def decode_cursor(municipality_id: str, cursor: str) -> Position:
    """Return the position in ``cursor`` or raise ``InvalidCursor`` (400)."""
    problem = InvalidCursor(
        f"The cursor {cursor[:80]!r} is not a change-feed cursor of municipality "
        f"{municipality_id!r}. Pass back the next_cursor of a previous page unchanged, or omit "
        "'since' to read from the oldest retained change.",
        parameter="since",
        value=cursor[:200],
    )
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise problem
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise problem from None
    head = f"{CURSOR_PREFIX}:{municipality_id}:"
    if not raw.startswith(head):
        raise problem
    parts = raw[len(head) :].split(":")
    if len(parts) > 2 or not all(part.isascii() and part.isdigit() for part in parts):
        raise problem
    return Position(int(parts[0]), int(parts[1]) if len(parts) == 2 else None)


# Reading


def read_horizon(connection: Connection, municipality_id: str) -> Horizon:
    row = connection.execute(
        select(ChangeHorizon).where(col(ChangeHorizon.municipality_id) == municipality_id)
    ).first()
    if row is None:
        return Horizon()
    return Horizon(row.pruned_through, row.pruned_at)


def read_page(
    connection: Connection,
    municipality_id: str,
    since: Position | None,
    limit: int,
    *,
    retention_days: int,
) -> FeedPage:
    """Return up to ``limit`` entries after ``since``, or from the oldest retained change.

    Raises ``CursorExpired`` when changes after ``since`` were pruned, and ``InvalidCursor``
    for a position this feed cannot have issued.
    """
    horizon = read_horizon(connection, municipality_id)
    if since is None:
        start = Position(horizon.pruned_through)
    else:
        _check_position(connection, municipality_id, since, horizon, retention_days)
        start = since
    reader = _PageReader(connection, municipality_id, limit)
    reader.read(start)
    return FeedPage(reader.entries, reader.position, reader.has_more())


def _check_position(
    connection: Connection,
    municipality_id: str,
    since: Position,
    horizon: Horizon,
    retention_days: int,
) -> None:
    pending_move = since.item_id is not None
    # A pending move whose own row was pruned has lost its review items too.
    if since.change_id < horizon.pruned_through or (
        pending_move and 0 < horizon.pruned_through == since.change_id
    ):
        pruned_at = horizon.pruned_at.isoformat() if horizon.pruned_at else "an earlier prune"
        raise CursorExpired(
            f"The cursor points before the oldest retained change of municipality "
            f"{municipality_id!r}: older changes were deleted on {pruned_at} (history is "
            f"kept for {retention_days} days). Resync: GET {municipality_href(municipality_id)}"
            f"/services?detail=full, then follow GET {municipality_href(municipality_id)}"
            "/changes without 'since'."
        )
    newest = connection.execute(
        select(func.max(Change.id)).where(col(Change.municipality_id) == municipality_id)
    ).scalar_one()
    if since.change_id > max(newest or 0, horizon.pruned_through):
        raise _not_issued(municipality_id, since)
    if pending_move:
        change = _change(connection, municipality_id, since.change_id)
        if change is None or not _is_move(change):
            raise _not_issued(municipality_id, since)


def _not_issued(municipality_id: str, since: Position) -> InvalidCursor:
    cursor = encode_cursor(municipality_id, since)
    return InvalidCursor(
        f"The cursor {cursor[:80]!r} names a change that municipality {municipality_id!r} never "
        "had. Pass back the next_cursor of a previous page unchanged, or omit 'since'.",
        parameter="since",
        value=cursor[:200],
    )


class _PageReader:
    """Collect one page of entries: history rows, each release move followed by its items."""

    def __init__(self, connection: Connection, municipality_id: str, limit: int) -> None:
        self.connection = connection
        self.municipality_id = municipality_id
        self.limit = limit
        self.entries: list[dict[str, Any]] = []
        self.position = Position(0)

    def read(self, start: Position) -> None:
        self.position = start
        if start.item_id is not None:
            change = _change(self.connection, self.municipality_id, start.change_id)
            assert change is not None and change.id is not None
            if not self._expand(change, start.item_id):
                return
        while len(self.entries) < self.limit:
            rows = _changes_after(
                self.connection,
                self.municipality_id,
                self.position.change_id,
                self.limit - len(self.entries),
            )
            if not rows:
                return
            for change in rows:
                assert change.id is not None
                # An expanded move may have filled the page before this batch of rows ran out.
                if len(self.entries) >= self.limit:
                    return
                move = _is_move(change)
                self.position = Position(change.id, 0 if move else None)
                self.entries.append(self._local_entry(change))
                if move and not self._expand(change, 0):
                    return

    def _expand(self, change: Change, after_item: int) -> bool:
        """Add the review items of a move after ``after_item``; False when the page is full."""
        assert change.id is not None
        room = self.limit - len(self.entries)
        if room <= 0:
            return False
        items = _move_items(
            self.connection, self.municipality_id, int(change.after), after_item, room
        )
        for item in items:
            assert item.id is not None
            self.position = Position(change.id, item.id)
            self.entries.append(self._upstream_entry(change, item))
        if len(items) < room:
            self.position = Position(change.id)
            return True
        return False

    def has_more(self) -> bool:
        position = self.position
        if position.item_id is not None:
            change = _change(self.connection, self.municipality_id, position.change_id)
            if change is not None and _move_items(
                self.connection, self.municipality_id, int(change.after), position.item_id, 1
            ):
                return True
        return bool(_changes_after(self.connection, self.municipality_id, position.change_id, 1))

    # Entries

    def _local_entry(self, change: Change) -> dict[str, Any]:
        assert change.id is not None
        move = _is_move(change)
        return {
            "cursor": encode_cursor(self.municipality_id, Position(change.id, 0 if move else None)),
            "at": _timestamp(change.at),
            "source": "local",
            "action": change.action,
            "target": _target(self.municipality_id, change.entity, change.entity_id),
            "path": change.path,
            "release": int(change.after) if move else change.release,
        }

    def _upstream_entry(self, change: Change, item: ReviewItem) -> dict[str, Any]:
        assert change.id is not None and item.id is not None
        return {
            "cursor": encode_cursor(self.municipality_id, Position(change.id, item.id)),
            "at": _timestamp(change.at),
            "source": "upstream",
            "action": item.kind,
            "target": _target(self.municipality_id, "service", item.service_id),
            "path": item.path,
            "release": item.to_release,
        }


def _target(municipality_id: str, entity: str, entity_id: str) -> dict[str, Any]:
    base = municipality_href(municipality_id)
    if entity == "service":
        return {"type": "service", "id": entity_id, "href": f"{base}/services/{entity_id}"}
    if entity == "term":
        return {"type": "term", "id": entity_id, "href": f"{base}/terms/{entity_id}"}
    if entity == "open311":
        return {"type": "open311-selection", "id": municipality_id, "href": f"{base}/open311"}
    return {"type": "municipality", "id": municipality_id, "href": base}


def _timestamp(moment: datetime) -> str:
    # Writers store UTC; SQLite returns the value without its offset, so it is added back.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def _is_move(change: Change) -> bool:
    """Return whether a history row records a move to a newer release."""
    return (
        change.entity == "municipality"
        and change.path == "release"
        and isinstance(change.after, int)
        and not isinstance(change.after, bool)
    )


# Queries


def _change(connection: Connection, municipality_id: str, change_id: int) -> Change | None:
    row = connection.execute(
        select(Change).where(
            col(Change.municipality_id) == municipality_id, col(Change.id) == change_id
        )
    ).first()
    return Change.model_validate(row._mapping) if row is not None else None


def _changes_after(
    connection: Connection, municipality_id: str, after_id: int, limit: int
) -> list[Change]:
    query = (
        select(Change)
        .where(
            col(Change.municipality_id) == municipality_id,
            col(Change.id) > after_id,
            col(Change.entity).in_(ENTITIES),
        )
        .order_by(col(Change.id))
        .limit(limit)
    )
    return [Change.model_validate(row._mapping) for row in connection.execute(query)]


def _move_items(
    connection: Connection, municipality_id: str, to_release: int, after_id: int, limit: int
) -> list[ReviewItem]:
    query = (
        select(ReviewItem)
        .where(
            col(ReviewItem.municipality_id) == municipality_id,
            col(ReviewItem.to_release) == to_release,
            col(ReviewItem.id) > after_id,
            col(ReviewItem.kind).in_(UPSTREAM_KINDS),
        )
        .order_by(col(ReviewItem.id))
        .limit(limit)
    )
    return [ReviewItem.model_validate(row._mapping) for row in connection.execute(query)]
