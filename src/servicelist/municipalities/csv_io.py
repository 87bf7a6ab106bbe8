"""Bulk CSV export and import of a municipality's catalogue, for editing in a spreadsheet.

The export has one row per service of the municipality (standard services in release order,
then local services by id) and these columns, in order:

* ``Identifier``, ``Label`` and ``Description``, as in the esd-toolkit's CSV files. Label and
  description are the effective English values (or the first language there is), for people
  reading the sheet; the import ignores them.
* ``Kind``: ``standard`` or ``local``. The import reads it only to create local services.
* ``Offered``: the municipality's stored decision, ``yes`` or ``no``, or empty to follow the
  tier rule. It is not the computed result, so an unchanged sheet imports as no change.
* One column per overridable field, named by its path (see ``fields``). First come
  ``label.<language>`` and ``description.<language>`` for English, the municipality's
  languages and any language an override uses. Every fixed path follows. Last come
  ``channels.<channel>.<attribute>`` for ``channels.phone.phone``, ``channels.web.url`` and
  every attribute that an override uses.

A field cell contains the local override. An empty cell means that the field follows the
standard, so importing an empty cell removes an existing override. A column that the file
leaves out, and a service that it leaves out, stay as they are.

How a cell reads depends on the field:

* text (labels, descriptions, fees, procedure, department, ABC class, process template) as it is;
* ``url``, ``phone``, ``email`` and ``note`` of a channel as text, and ``null`` for an
  override that removes the value. Text that is ``null`` or starts with ``"`` is written as a
  JSON string, and the import reads a cell starting with ``"`` as JSON when it is a string;
* lists of text or identifiers (keywords, audiences, life events, navigation, channel
  languages) joined with ``"; "``, or as a JSON array when the list is empty, an entry
  contains ``;`` or the first entry starts with ``[``. The import reads a cell that starts
  with ``[`` as JSON and splits any other on ``;``;
* ``true`` or ``false`` for ``available`` and ``primary``;
* compact JSON with sorted keys for opening hours, hours exceptions, interaction URLs and
  process steps.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, so the
export puts a ``'`` before any cell that starts with one of those, a tab, a carriage return
or ``'`` itself. The import removes exactly one leading ``'`` from every cell, so a value
comes back as it was exported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection

from servicelist.csv_files import RowErrors, read_table, shorten
from servicelist.lists import records as r
from servicelist.municipalities import fields as f
from servicelist.municipalities import repository
from servicelist.municipalities.effective import LOCAL_ID_HELP, LocalCatalogue, is_local_id
from servicelist.municipalities.models import Municipality
from servicelist.municipalities.operations import (
    Reader,
    etag_of,
    lock_checked,
    municipality_document,
)
from servicelist.municipalities.repository import LOCAL, STANDARD, EntryRecord, FieldChange

CONTENT_TYPE = "text/csv; charset=utf-8"
SOURCE = "CSV import"

IDENTIFIER = "Identifier"
LABEL = "Label"
DESCRIPTION = "Description"
KIND = "Kind"
OFFERED = "Offered"
SERVICE_COLUMNS = (IDENTIFIER, LABEL, DESCRIPTION, KIND, OFFERED)
ALWAYS_CHANNEL_PATHS = frozenset({"channels.phone.phone", "channels.web.url"})
OFFERED_CELLS: dict[str, bool | None] = {"yes": True, "no": False, "": None}

MAX_ROWS = 20_000
MAX_CELL_CHARS = 100_000

# Cells that a spreadsheet would run as a formula, and the quote that marks literal text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
TEXT_QUOTE = "'"
LIST_SEPARATOR = ";"
NULL_CELL = "null"

# Cell kinds, which set how the cell of a field is written and read.
TEXT = "text"
NULLABLE_TEXT = "nullable text"
TEXT_LIST = "list"
FLAG = "flag"
JSON_VALUE = "json"
_CHANNEL_CELL_KINDS = {
    "available": FLAG,
    "primary": FLAG,
    "url": NULLABLE_TEXT,
    "phone": NULLABLE_TEXT,
    "email": NULLABLE_TEXT,
    "note": NULLABLE_TEXT,
    "languages": TEXT_LIST,
}


class CellError(ValueError):
    """A cell that cannot be read as a value of its column's field."""


# Cells


def cell_kind(path: str) -> str:
    """Return how the cell of the field ``path`` is written: text, list, flag or JSON."""
    if path.startswith("channels."):
        return _CHANNEL_CELL_KINDS.get(path.rsplit(".", 1)[-1], JSON_VALUE)
    if path in f.LIST_FIELDS:
        return TEXT_LIST
    if path == "process.steps":
        return JSON_VALUE
    return TEXT


def encode_value(path: str, value: Any) -> str:
    """Return the cell text of a local value of ``path``, before formula neutralising."""
    kind = cell_kind(path)
    if kind == TEXT and isinstance(value, str):
        return value
    if kind == FLAG and isinstance(value, bool):
        return "true" if value else "false"
    if kind == NULLABLE_TEXT:
        if value is None:
            return NULL_CELL
        if isinstance(value, str) and value != NULL_CELL and not value.startswith('"'):
            return value
    if kind == TEXT_LIST and _joinable(value):
        return f"{LIST_SEPARATOR} ".join(value)
    # Anything else, including a stored value of an unexpected type, is written as JSON.
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _joinable(value: Any) -> bool:
    """Return whether joining ``value`` with "; " reads back as the same list."""
    if not isinstance(value, list) or not value:
        return False
    for entry in value:
        if not isinstance(entry, str) or not entry or entry != entry.strip():
            return False
        if LIST_SEPARATOR in entry:
            return False
    return not value[0].startswith("[")


def decode_cell(path: str, text: str) -> Any:
    """Return the value that a non-empty cell of ``path`` holds, not yet validated.

    Raise ``CellError`` when the cell does not have the form its field needs.
    """
    kind = cell_kind(path)
    stripped = text.strip()
    if kind == TEXT:
        return stripped
    if kind == FLAG:
        flag = stripped.lower()
        if flag not in ("true", "false"):
            raise CellError(f"expected true or false, got {shorten(stripped)!r}")
        return flag == "true"
    if kind == NULLABLE_TEXT:
        if stripped == NULL_CELL:
            return None
        if stripped.startswith('"'):
            try:
                decoded = orjson.loads(stripped)
            except orjson.JSONDecodeError:
                return stripped
            return decoded if isinstance(decoded, str) else stripped
        return stripped
    if kind == TEXT_LIST:
        if stripped.startswith("["):
            return _json(stripped)
        entries = [entry.strip() for entry in stripped.split(LIST_SEPARATOR)]
        return [entry for entry in entries if entry]
    return _json(stripped)


def _json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise CellError(f"not valid JSON: {error}") from None


def neutralise(cell: str) -> str:
    """Return ``cell`` with a leading ' if a spreadsheet would otherwise run it as a formula."""
    return TEXT_QUOTE + cell if cell.startswith(FORMULA_STARTS) else cell


def unquote(cell: str) -> str:
    """Return ``cell`` without the one leading ' that the export adds (and people type)."""
    return cell[1:] if cell.startswith(TEXT_QUOTE) else cell


# Export


def export_csv(local: LocalCatalogue) -> bytes:
    """Write the municipality's catalogue as UTF-8 CSV with CRLF line ends (RFC 4180).

    The file starts with a byte order mark. Without one, spreadsheet programs read a CSV in a
    legacy code page and garble "£" and Welsh letters. The import skips the mark.
    """
    service_ids = list(local.service_ids())
    columns = field_columns(local, service_ids)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*SERVICE_COLUMNS, *columns])
    for service_id in service_ids:
        cells = _export_row(local, service_id, columns)
        writer.writerow([neutralise(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")


def field_columns(local: LocalCatalogue, service_ids: list[str]) -> list[str]:
    """Return the override columns of the export, in the order described in the module."""
    used: set[str] = set()
    for service_id in service_ids:
        entry = local.local.entries.get(service_id)
        if entry is not None:
            used.update(entry.overrides)

    languages = ["en", *local.municipality.languages]
    for path in sorted(used):
        head, _, language = path.partition(".")
        if head in ("label", "description"):
            languages.append(language)
    languages = list(dict.fromkeys(languages))

    columns = [f"label.{language}" for language in languages]
    columns += [f"description.{language}" for language in languages]
    columns += f.FIXED_PATHS
    for channel in local.catalogue.items.get(r.CHANNELS, []):
        for attribute in f.CHANNEL_ATTRIBUTES:
            path = f"channels.{channel.identifier}.{attribute}"
            if path in used or path in ALWAYS_CHANNEL_PATHS:
                columns.append(path)
    # Overrides of a channel that the release no longer lists still get a column, so the
    # export never drops a stored value. Importing that column fails with an unknown-column
    # error.
    columns += sorted(used - set(columns))
    return columns


def _export_row(local: LocalCatalogue, service_id: str, columns: list[str]) -> list[str]:
    values, _ = local.effective(service_id)
    entry = local.local.entries.get(service_id)
    overrides = entry.overrides if entry is not None else {}
    languages = ["en", *local.municipality.languages]
    cells = [
        service_id,
        _preferred_text(values, "label", languages),
        _preferred_text(values, "description", languages),
        entry.kind if entry is not None else STANDARD,
        _offered_cell(entry.offered if entry is not None else None),
    ]
    for path in columns:
        override = overrides.get(path)
        cells.append("" if override is None else encode_value(path, override.value))
    return cells


def _preferred_text(values: f.Flat, head: str, languages: list[str]) -> str:
    for language in languages:
        text = values.get(f"{head}.{language}")
        if isinstance(text, str):
            return text
    prefix = head + "."
    for path in sorted(values):
        if path.startswith(prefix) and isinstance(values[path], str):
            return str(values[path])
    return ""


def _offered_cell(offered: bool | None) -> str:
    if offered is None:
        return ""
    return "yes" if offered else "no"


# Import plan


@dataclass(frozen=True, slots=True)
class PlannedChange:
    """One change an import makes, as the history will record it."""

    service: str
    path: str
    action: str
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "path": self.path,
            "action": self.action,
            "before": self.before,
            "after": self.after,
        }


@dataclass(slots=True)
class ServicePlan:
    """The changes an import makes to one service: creation, the offered flag and fields."""

    service_id: str
    kind: str
    entry: EntryRecord | None
    standard: f.Flat
    offered: bool | None = None
    offered_changed: bool = False
    field_changes: list[FieldChange] = field(default_factory=list)
    changes: list[PlannedChange] = field(default_factory=list)


@dataclass(slots=True)
class ImportPlan:
    """The checked content of an import file and every change it makes, in file order."""

    rows: int
    services: list[ServicePlan]

    def changes(self) -> list[PlannedChange]:
        return [change for service in self.services for change in service.changes]

    def summary(self) -> dict[str, int]:
        changes = self.changes()
        return {
            "rows": self.rows,
            "services_changed": len(self.services),
            "services_created": sum(1 for c in changes if c.action == "create"),
            "fields_set": sum(1 for c in changes if c.action == "set" and c.path != "offered"),
            "fields_reset": sum(1 for c in changes if c.action == "reset"),
            "offered_changed": sum(1 for c in changes if c.path == "offered"),
        }


def plan_import(local: LocalCatalogue, data: bytes) -> ImportPlan:
    """Check a whole import file against ``local`` and return its changes, writing nothing.

    Raise ``ImportRejected`` listing every bad row and cell. A cell equal to the current
    override is no change, and an empty cell where an override exists resets it.
    """
    header, rows = read_table(
        data,
        max_rows=MAX_ROWS,
        empty_hint="export the catalogue as CSV to get the columns",
    )
    errors = RowErrors()
    terms = local.terms()
    names = [unquote(name).strip() for name in header]
    while names and not names[-1]:
        names.pop()
    positions = _check_header(names, terms, errors)
    if IDENTIFIER not in positions:
        errors.raise_if_any()
    field_positions = sorted(
        (index, name) for name, index in positions.items() if name not in SERVICE_COLUMNS
    )

    seen: dict[str, int] = {}
    services: list[ServicePlan] = []
    for row_number, raw_cells in rows:
        cells = _fit_row(row_number, raw_cells, names, errors)
        if cells is None:
            continue
        plan = _plan_row(local, terms, row_number, cells, positions, field_positions, seen, errors)
        if plan is not None and plan.changes:
            services.append(plan)
    errors.raise_if_any()
    return ImportPlan(rows=len(seen), services=services)


def _check_header(names: list[str], terms: f.Terms, errors: RowErrors) -> dict[str, int]:
    """Return the position of each usable column, and record an error for each bad one."""
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        if not name:
            errors.add(1, None, "", f"column {index + 1} has no name")
            continue
        if name in positions:
            errors.add(1, name, name, f"the column appears twice, also as column {index + 1}")
            continue
        if name not in SERVICE_COLUMNS:
            try:
                f.check_path(name, terms)
            except f.FieldError as error:
                errors.add(
                    1,
                    name,
                    name,
                    f"unknown column: {error}. The other columns are {', '.join(SERVICE_COLUMNS)}",
                )
                continue
        positions[name] = index
    if IDENTIFIER not in names:
        errors.add(1, IDENTIFIER, None, "required column is missing")
    return positions


def _fit_row(
    row_number: int, cells: list[str], names: list[str], errors: RowErrors
) -> list[str] | None:
    """Return the row padded to the header's width, or None for a blank or invalid row.

    A cell over ``MAX_CELL_CHARS`` makes the row invalid.
    """
    if not any(cell.strip() for cell in cells):
        return None
    width = len(names)
    extra = cells[width:]
    if any(cell.strip() for cell in extra):
        errors.add(
            row_number,
            None,
            next(cell for cell in extra if cell.strip()),
            f"the row has {len(cells)} cells but the header names {width} columns",
        )
        return None
    for index, cell in enumerate(cells[:width]):
        if len(cell) > MAX_CELL_CHARS:
            errors.add(
                row_number,
                names[index] or None,
                cell,
                f"the cell has {len(cell)} characters; the maximum is {MAX_CELL_CHARS}",
            )
            return None
    return cells[:width] + [""] * (width - len(cells))


def _plan_row(
    local: LocalCatalogue,
    terms: f.Terms,
    row_number: int,
    cells: list[str],
    positions: dict[str, int],
    field_positions: list[tuple[int, str]],
    seen: dict[str, int],
    errors: RowErrors,
) -> ServicePlan | None:
    """Check one row and return the changes it makes to its service, or None if invalid."""

    def cell_of(name: str) -> str | None:
        index = positions.get(name)
        return unquote(cells[index]) if index is not None else None

    service_id = (cell_of(IDENTIFIER) or "").strip()
    if not service_id:
        errors.add(row_number, IDENTIFIER, "", "the identifier is missing")
        return None
    if service_id in seen:
        errors.add(
            row_number,
            IDENTIFIER,
            service_id,
            f"duplicate identifier: row {seen[service_id]} has it too",
        )
        return None
    seen[service_id] = row_number

    kind = _row_kind(local, row_number, service_id, cell_of(KIND), errors)
    if kind is None:
        return None
    entry = local.local.entries.get(service_id)
    standard = local.standard(service_id) if kind == STANDARD else f.empty_fields(local.catalogue)
    plan = ServicePlan(service_id, kind, entry, standard)
    valid = True
    if entry is None and kind == LOCAL:
        plan.changes.append(PlannedChange(service_id, "service", "create", None, service_id))

    offered_cell = cell_of(OFFERED)
    if offered_cell is not None:
        decision = offered_cell.strip().lower()
        if decision not in OFFERED_CELLS:
            errors.add(
                row_number,
                OFFERED,
                offered_cell,
                "use yes, no, or leave the cell empty to follow the tier rule",
            )
            valid = False
        else:
            current = entry.offered if entry is not None else None
            plan.offered = OFFERED_CELLS[decision]
            if plan.offered != current:
                plan.offered_changed = True
                plan.changes.append(
                    PlannedChange(service_id, "offered", "set", current, plan.offered)
                )

    overrides = entry.overrides if entry is not None else {}
    for index, path in field_positions:
        text = unquote(cells[index])
        existing = overrides.get(path)
        if not text.strip():
            if existing is not None:
                plan.field_changes.append(FieldChange(path, reset=True))
                plan.changes.append(
                    PlannedChange(service_id, path, "reset", existing.value, standard.get(path))
                )
            continue
        try:
            value = f.check_value(path, decode_cell(path, text), terms)
        except (CellError, f.FieldError) as error:
            errors.add(row_number, path, text, str(error))
            valid = False
            continue
        if existing is not None and existing.value == value:
            continue
        before = existing.value if existing is not None else standard.get(path)
        plan.field_changes.append(FieldChange(path, value))
        plan.changes.append(PlannedChange(service_id, path, "set", before, value))

    if kind == LOCAL and not _keeps_label(plan, overrides):
        label_columns = [path for _, path in field_positions if path.startswith("label.")]
        errors.add(
            row_number,
            label_columns[0] if label_columns else "label.en",
            None,
            "a local service needs a label: fill in a label.<language> cell",
        )
        valid = False
    return plan if valid else None


def _row_kind(
    local: LocalCatalogue,
    row_number: int,
    service_id: str,
    kind_cell: str | None,
    errors: RowErrors,
) -> str | None:
    """Return the kind of the row's service, or None after recording why the row is invalid."""
    requested = (kind_cell or "").strip().lower()
    if requested not in ("", STANDARD, LOCAL):
        errors.add(row_number, KIND, kind_cell, "use standard or local, or leave the cell empty")
        return None
    entry = local.local.entries.get(service_id)
    if entry is not None and entry.kind == LOCAL:
        if requested == STANDARD:
            errors.add(
                row_number,
                KIND,
                kind_cell,
                f"{service_id!r} is a local service; an import cannot make it standard",
            )
            return None
        return LOCAL
    if local.catalogue.find_item(r.SERVICES, service_id) is not None:
        if requested == LOCAL:
            errors.add(
                row_number,
                KIND,
                kind_cell,
                f"{service_id!r} is a standard service of release {local.release}; "
                "use standard or leave the cell empty",
            )
            return None
        return STANDARD
    if requested != LOCAL:
        errors.add(
            row_number,
            IDENTIFIER,
            service_id,
            f"unknown identifier: it is neither a service of release {local.release} nor a "
            f"local service of {local.municipality.id}. To add a local service, set Kind to local",
        )
        return None
    if not is_local_id(service_id):
        errors.add(
            row_number,
            IDENTIFIER,
            service_id,
            f"a new local service needs an id of {LOCAL_ID_HELP}; numbers are reserved for "
            "the standard list",
        )
        return None
    return LOCAL


def _keeps_label(plan: ServicePlan, overrides: dict[str, Any]) -> bool:
    """Return whether a local service still has a label after the row's changes."""
    labels = {path for path in overrides if path.startswith("label.")}
    for change in plan.field_changes:
        if not change.path.startswith("label."):
            continue
        if change.reset:
            labels.discard(change.path)
        else:
            labels.add(change.path)
    return bool(labels)


# Preview and apply


def preview_import(
    reader: Reader, municipality_id: str, data: bytes, *, newest_release: int
) -> tuple[ImportPlan, str]:
    """Plan an import without writing. Return the plan and the ETag it was planned against.

    The ETag is read before the catalogue, so sending it in If-Match to apply the same file
    fails with 412 if anything changed after the plan was made.
    """
    with reader.engine.connect() as connection:
        municipality = reader.municipality(connection, municipality_id)
        etag = _municipality_etag(connection, municipality, newest_release)
        local = reader.local_catalogue(connection, municipality)
    return plan_import(local, data), etag


def apply_import(
    reader: Reader,
    municipality_id: str,
    data: bytes,
    *,
    if_match: str | None,
    newest_release: int,
    actor: str,
) -> tuple[ImportPlan, str]:
    """Apply an import file in one transaction if ``if_match`` names the municipality's ETag.

    The file is planned again under the lock, so what is written is checked against the state
    it changes. Any error writes nothing. Returns the plan and the municipality's new ETag,
    which stays the same when the file changes nothing.
    """
    with reader.engine.connect() as connection:
        transaction = connection.begin()
        try:
            municipality = lock_checked(
                connection, municipality_id, if_match, newest_release=newest_release
            )
            local = reader.local_catalogue(connection, municipality)
            plan = plan_import(local, data)
            if not plan.services:
                # Nothing to write: undo the revision bump of the lock, so the ETag stays.
                transaction.rollback()
                unchanged = reader.municipality(connection, municipality_id)
                return plan, _municipality_etag(connection, unchanged, newest_release)
            for service in plan.services:
                repository.write_entry(
                    connection,
                    municipality,
                    service.service_id,
                    kind=service.kind,
                    offered=service.offered,
                    offered_changed=service.offered_changed,
                    changes=service.field_changes,
                    current=service.entry,
                    standard=service.standard,
                    actor=actor,
                    source=SOURCE,
                )
            etag = _municipality_etag(connection, municipality, newest_release)
            transaction.commit()
        finally:
            if transaction.is_active:
                transaction.rollback()
    return plan, etag


def _municipality_etag(
    connection: Connection, municipality: Municipality, newest_release: int
) -> str:
    return etag_of(municipality_document(connection, municipality, newest_release=newest_release))
