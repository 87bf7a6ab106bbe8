"""Contact volumes as CSV: reading, checking and applying a file all or nothing, and export.

The file has a header and one row per service, channel and period::

    service,channel,period,contacts
    487,phone,2026-01,1200
    487,web,2026-Q1,

* ``service``: an LGSL identifier of the municipality's release, or one of its local services;
* ``channel``: a channel identifier of the release (``desk``, ``phone``, ``web`` ...);
* ``period``: an ISO 8601 calendar month (``2026-01``) or quarter (``2026-Q1``), years 1990 to
  2100. One municipality records either months or quarters, never both, so totals per period
  never add a month to the quarter that contains it. Summaries roll months up into quarters
  on request. ``mode=replace`` switches a municipality from one to the other;
* ``contacts``: a whole number from 0 to 1,000,000,000, digits only. An empty cell deletes
  the stored figure of that service, channel and period.

Columns may come in any order; their names are matched without regard to case. A row that
the file leaves out stays as it is (``mode=merge``), unless ``mode=replace``, which deletes
every stored figure that the file does not repeat.

The checks follow the catalogue import (``municipalities/csv_io.py``): errors name the row
(the header is row 1), column, value and reason, and one error rejects the whole file. The
export puts a ``'`` before a cell that a spreadsheet would run as a formula, and the import
removes one leading ``'`` from every cell.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from servicelist.benchmarks import repository as bench_repository
from servicelist.benchmarks.costs import channel_ids
from servicelist.benchmarks.repository import VolumeRow
from servicelist.csv_files import RowErrors, read_table
from servicelist.errors import InvalidParameter
from servicelist.municipalities import repository
from servicelist.municipalities.csv_io import neutralise, unquote
from servicelist.municipalities.effective import LocalCatalogue
from servicelist.municipalities.models import Change
from servicelist.municipalities.operations import (
    Reader,
    etag_of,
    lock_checked,
    municipality_document,
)

CONTENT_TYPE = "text/csv; charset=utf-8"
COLUMNS = ("service", "channel", "period", "contacts")
MONTH = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])$")
QUARTER = re.compile(r"^(?P<year>[0-9]{4})-Q(?P<quarter>[1-4])$")
MONTHS = "month"
QUARTERS = "quarter"
MIN_YEAR = 1990
MAX_YEAR = 2100
MAX_CONTACTS = 1_000_000_000
MAX_ROWS = 50_000
MAX_CELL_CHARS = 200
MAX_LISTED_CHANGES = 1_000
MERGE = "merge"
REPLACE = "replace"


def period_granularity(period: str) -> str | None:
    """Return ``month`` or ``quarter`` for a valid period, and None otherwise."""
    for pattern, granularity in ((MONTH, MONTHS), (QUARTER, QUARTERS)):
        match = pattern.match(period)
        if match is not None and MIN_YEAR <= int(match["year"]) <= MAX_YEAR:
            return granularity
    return None


def quarter_of(period: str) -> str:
    """Return the quarter of a month (``2026-05`` -> ``2026-Q2``); a quarter stays as it is."""
    match = MONTH.match(period)
    if match is None:
        return period
    return f"{match['year']}-Q{(int(match['month']) - 1) // 3 + 1}"


def check_period_parameter(name: str, value: str | None) -> str | None:
    """Return a period given as a query parameter, or raise 400 naming the expected form."""
    if value is None:
        return None
    if period_granularity(value) is None:
        raise InvalidParameter(
            f"{name}={value[:40]!r} is not a period: give an ISO 8601 month such as 2026-01 or "
            f"a quarter such as 2026-Q1, years {MIN_YEAR} to {MAX_YEAR}.",
            parameter=name,
            value=value[:200],
        )
    return value


def period_start(period: str) -> str:
    """Return the first month of a period, so months and quarters compare in time order."""
    match = QUARTER.match(period)
    if match is None:
        return period
    return f"{match['year']}-{(int(match['quarter']) - 1) * 3 + 1:02d}"


def in_range(period: str, start: str | None, end: str | None) -> bool:
    """Return whether ``period`` starts within [start, end], both periods, either open."""
    first = period_start(period)
    if start is not None and first < period_start(start):
        return False
    return not (end is not None and first > _period_end(end))


def _period_end(period: str) -> str:
    match = QUARTER.match(period)
    if match is None:
        return period
    return f"{match['year']}-{int(match['quarter']) * 3:02d}"


# Export


def export_csv(rows: list[VolumeRow]) -> bytes:
    """Write volumes as UTF-8 CSV with a byte order mark and CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        cells = [row.service_id, row.channel_id, row.period, str(row.contacts)]
        writer.writerow([neutralise(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")


# Import plan


@dataclass(frozen=True, slots=True)
class VolumeChange:
    """One figure that an import sets, changes or deletes."""

    service: str
    channel: str
    period: str
    action: str
    before: int | None
    after: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "channel": self.channel,
            "period": self.period,
            "action": self.action,
            "before": self.before,
            "after": self.after,
        }


@dataclass(slots=True)
class VolumePlan:
    """The checked rows of a volumes file and what applying it writes."""

    mode: str
    rows: int
    granularity: str | None
    inserts: list[VolumeRow] = field(default_factory=list)
    updates: list[VolumeRow] = field(default_factory=list)
    deletes: list[VolumeRow] = field(default_factory=list)
    changes: list[VolumeChange] = field(default_factory=list)
    unchanged: int = 0
    periods: set[str] = field(default_factory=set)

    @property
    def writes(self) -> bool:
        return bool(self.inserts or self.updates or self.deletes)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.periods, key=period_start)
        return {
            "mode": self.mode,
            "rows": self.rows,
            "granularity": self.granularity,
            "first_period": ordered[0] if ordered else None,
            "last_period": ordered[-1] if ordered else None,
            "inserted": sum(1 for change in self.changes if change.action == "insert"),
            "updated": sum(1 for change in self.changes if change.action == "update"),
            "deleted": sum(1 for change in self.changes if change.action == "delete"),
            "unchanged": self.unchanged,
        }

    def listed_changes(self) -> tuple[list[dict[str, Any]], bool]:
        """Return the first ``MAX_LISTED_CHANGES`` changes and whether more were left out."""
        listed = [change.as_dict() for change in self.changes[:MAX_LISTED_CHANGES]]
        return listed, len(self.changes) > MAX_LISTED_CHANGES


def _header_positions(header: list[str], errors: RowErrors) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = unquote(raw).strip().lower()
        if not name and index == len(header) - 1:
            continue
        if name not in COLUMNS:
            errors.add(
                1, raw[:80] or None, raw, f"unknown column; the columns are {', '.join(COLUMNS)}"
            )
            continue
        if name in positions:
            first = positions[name] + 1
            errors.add(
                1, name, raw, f"the column appears twice, as columns {first} and {index + 1}"
            )
            continue
        positions[name] = index
    for name in COLUMNS:
        if name not in positions:
            errors.add(1, name, None, "required column is missing")
    return positions


def plan_volumes(
    local: LocalCatalogue, stored: list[VolumeRow], data: bytes, *, mode: str
) -> VolumePlan:
    """Check a volumes file against a municipality's catalogue and its stored figures.

    Returns what applying the file writes, and raises ``ImportRejected`` listing every error.
    """
    header, rows = read_table(
        data,
        max_rows=MAX_ROWS,
        empty_hint=f"it needs the header {','.join(COLUMNS)}",
        split_hint="split it into smaller files and send them with mode=merge",
    )
    errors = RowErrors("The volumes file")
    positions = _header_positions(header, errors)
    errors.raise_if_any()
    channels = set(channel_ids(local.catalogue))
    stored_by_key = {(row.service_id, row.channel_id, row.period): row for row in stored}
    granularity = None
    if mode == MERGE and stored:
        granularity = period_granularity(stored[0].period)

    seen: dict[tuple[str, str, str], int] = {}
    parsed: list[tuple[int, tuple[str, str, str], int | None]] = []
    for row_number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            errors.add(
                row_number,
                None,
                next(cell for cell in cells[len(header) :] if cell.strip()),
                f"the row has {len(cells)} cells but the header names {len(header)} columns",
            )
            continue
        values = {
            name: unquote(cells[index]).strip() if index < len(cells) else ""
            for name, index in positions.items()
        }
        too_long = [name for name, value in values.items() if len(value) > MAX_CELL_CHARS]
        if too_long:
            for name in too_long:
                errors.add(
                    row_number,
                    name,
                    values[name],
                    f"the cell has {len(values[name])} characters; at most {MAX_CELL_CHARS}",
                )
            continue
        valid = True
        service, channel, period = values["service"], values["channel"], values["period"]
        if not service:
            errors.add(row_number, "service", "", "the service identifier is missing")
            valid = False
        elif not local.exists(service):
            errors.add(
                row_number,
                "service",
                service,
                f"unknown service: neither in release {local.release} of the standard list nor "
                f"a local service of {local.municipality.id}",
            )
            valid = False
        if channel not in channels:
            errors.add(
                row_number,
                "channel",
                channel,
                f"unknown channel; use one of {', '.join(sorted(channels))}",
            )
            valid = False
        row_granularity = period_granularity(period)
        if row_granularity is None:
            errors.add(
                row_number,
                "period",
                period,
                f"not a period: use an ISO 8601 month such as 2026-01 or a quarter such as "
                f"2026-Q1, years {MIN_YEAR} to {MAX_YEAR}",
            )
            valid = False
        elif granularity is None:
            granularity = row_granularity
        elif row_granularity != granularity:
            errors.add(
                row_number,
                "period",
                period,
                f"this municipality's volumes are per {granularity}, and a file cannot mix "
                f"months and quarters; give a {granularity}, or send the whole set per "
                f"{row_granularity} with mode=replace",
            )
            valid = False
        contacts_valid, contacts = _contacts(values["contacts"], row_number, errors)
        valid = valid and contacts_valid
        key = (service, channel, period)
        if valid and key in seen:
            errors.add(
                row_number,
                "period",
                period,
                f"duplicate row: row {seen[key]} gives the same service, channel and period",
            )
            valid = False
        if valid:
            seen[key] = row_number
            parsed.append((row_number, key, contacts))
    errors.raise_if_any()
    return _plan_writes(mode, len(seen), granularity, parsed, stored_by_key)


def _contacts(text: str, row_number: int, errors: RowErrors) -> tuple[bool, int | None]:
    """Return whether the cell is valid and its contacts, None for an empty cell."""
    if not text:
        return True, None
    if not text.isascii() or not text.isdigit():
        errors.add(
            row_number,
            "contacts",
            text,
            "not a whole number: use digits only, without separators or decimals, or leave "
            "the cell empty to delete the stored figure",
        )
        return False, None
    value = int(text)
    if value > MAX_CONTACTS:
        errors.add(row_number, "contacts", text, f"more than {MAX_CONTACTS:,} contacts")
        return False, None
    return True, value


def _plan_writes(
    mode: str,
    rows: int,
    granularity: str | None,
    parsed: list[tuple[int, tuple[str, str, str], int | None]],
    stored: dict[tuple[str, str, str], VolumeRow],
) -> VolumePlan:
    plan = VolumePlan(mode=mode, rows=rows, granularity=granularity)
    file_keys: set[tuple[str, str, str]] = set()
    for _, key, contacts in parsed:
        file_keys.add(key)
        service, channel, period = key
        before = stored.get(key)
        before_value = before.contacts if before is not None else None
        if contacts is None:
            if before is not None:
                plan.deletes.append(before)
                plan.changes.append(VolumeChange(*key, "delete", before_value, None))
            continue
        row = VolumeRow(service, channel, period, contacts)
        plan.periods.add(period)
        if mode == REPLACE:
            plan.inserts.append(row)
        if before is None:
            if mode == MERGE:
                plan.inserts.append(row)
            plan.changes.append(VolumeChange(*key, "insert", None, contacts))
        elif before_value != contacts:
            if mode == MERGE:
                plan.updates.append(row)
            plan.changes.append(VolumeChange(*key, "update", before_value, contacts))
        else:
            plan.unchanged += 1
    if mode == REPLACE:
        for key, row in stored.items():
            if key not in file_keys:
                plan.deletes.append(row)
                plan.changes.append(VolumeChange(*key, "delete", row.contacts, None))
        # Replacing with identical content writes nothing.
        if not plan.changes:
            plan.inserts = []
    return plan


# Preview and apply


def preview(
    reader: Reader, municipality_id: str, data: bytes, *, mode: str, newest_release: int
) -> tuple[VolumePlan, str]:
    """Plan a volumes file without writing; return the plan and the municipality's ETag."""
    with reader.engine.connect() as connection:
        municipality = reader.municipality(connection, municipality_id)
        etag = _etag(connection, municipality_id, newest_release)
        local = reader.local_catalogue(connection, municipality)
        stored = bench_repository.read_volumes(connection, municipality_id)
    return plan_volumes(local, stored, data, mode=mode), etag


def apply(
    reader: Reader,
    municipality_id: str,
    data: bytes,
    *,
    mode: str,
    if_match: str | None,
    newest_release: int,
    actor: str,
) -> tuple[VolumePlan, str]:
    """Apply a volumes file in one transaction if ``if_match`` names the municipality's ETag.

    The file is planned again under the municipality's lock. A file that changes nothing
    leaves the municipality's revision, and so its ETag, as it was.
    """
    with reader.engine.connect() as connection:
        transaction = connection.begin()
        try:
            municipality = lock_checked(
                connection, municipality_id, if_match, newest_release=newest_release
            )
            local = reader.local_catalogue(connection, municipality)
            stored = bench_repository.read_volumes(connection, municipality_id)
            plan = plan_volumes(local, stored, data, mode=mode)
            if not plan.writes:
                transaction.rollback()
                return plan, _etag(connection, municipality_id, newest_release)
            stamp = repository.now()
            bench_repository.write_volumes(
                connection,
                municipality_id,
                inserts=plan.inserts,
                updates=plan.updates,
                deletes=plan.deletes,
                replace_all=mode == REPLACE,
                actor=actor,
                stamp=stamp,
            )
            repository.insert_changes(
                connection,
                [
                    Change(
                        municipality_id=municipality_id,
                        entity="volumes",
                        entity_id=municipality_id,
                        path="volumes",
                        action=f"import {mode}",
                        before={"rows": len(stored)},
                        after=plan.summary(),
                        actor=actor,
                        release=municipality.release,
                        at=stamp,
                    )
                ],
            )
            etag = _etag(connection, municipality_id, newest_release)
            transaction.commit()
        finally:
            if transaction.is_active:
                transaction.rollback()
    return plan, etag


def _etag(connection: Connection, municipality_id: str, newest_release: int) -> str:
    municipality = repository.get_municipality(connection, municipality_id)
    assert municipality is not None
    return etag_of(municipality_document(connection, municipality, newest_release=newest_release))
