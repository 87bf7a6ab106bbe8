"""Loading the standard lists: the bundled files, or one esd-style CSV in place of a list."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine

from servicelist.errors import ImportRejected, RowError
from servicelist.lists import records as r
from servicelist.lists import repository
from servicelist.lists.models import CatalogueLoad
from servicelist.lists.sources import parse_esd_list, read_bundled_lists

log = logging.getLogger(__name__)

# Lists that an esd-style CSV (Identifier, Label, Description, ...) can replace.
CSV_LOADABLE_LISTS = (r.SERVICES, r.FUNCTIONS, r.INTERACTIONS)


def load_bundled(
    engine: Engine, data_dir: Path, progress: Callable[[str], None] | None = None
) -> CatalogueLoad:
    """Replace the stored lists with the bundled ones, in one transaction."""
    bundle = read_bundled_lists(data_dir, progress)
    if progress is not None:
        progress("writing to the database")
    with engine.begin() as connection:
        load = repository.replace_all(connection, bundle, origin=f"bundled lists in {data_dir}")
    log.info(
        "loaded bundled lists",
        extra={"items": load.item_count, "links": load.link_count, "hash": load.content_hash},
    )
    return load


def load_csv(
    engine: Engine,
    path: Path,
    list_id: str,
    progress: Callable[[str], None] | None = None,
) -> tuple[CatalogueLoad, int]:
    """Replace the items of one list with an esd-style CSV file; keep the other lists.

    Links that point at items the file no longer contains are dropped. Returns the load and
    the number of links dropped. Nothing is written when the file has any invalid row.
    """
    if list_id not in CSV_LOADABLE_LISTS:
        error = RowError(0, None, list_id, f"list must be one of {', '.join(CSV_LOADABLE_LISTS)}")
        raise ImportRejected(f"the {list_id!r} list cannot be loaded from an esd CSV", [error])
    if progress is not None:
        progress(f"reading {path}")
    new_items = parse_esd_list(path.read_bytes(), list_id=list_id, source=path.name)
    if not new_items:
        error = RowError(2, None, None, "the file has no data rows")
        raise ImportRejected(f"{path.name} contains no items; nothing was loaded", [error])

    with engine.begin() as connection:
        current = repository.read_all(connection)
        if not current.lists:
            error = RowError(0, None, None, "no lists are loaded yet")
            raise ImportRejected("load the bundled lists first with `servicelist load`", [error])
        kept_items = [item for item in current.items if item.list_id != list_id]
        keys = {(item.list_id, item.identifier) for item in [*kept_items, *new_items]}
        kept_links = [
            link
            for link in current.links
            if (link.subject_list, link.subject_id) in keys
            and (link.object_list, link.object_id) in keys
        ]
        dropped = len(current.links) - len(kept_links)
        lists = [
            replace(record, source=f"{record.source}; replaced from {path.name}")
            if record.id == list_id
            else record
            for record in current.lists
        ]
        bundle = r.ListBundle(lists=lists, items=[*kept_items, *new_items], links=kept_links)
        if progress is not None:
            progress("writing to the database")
        load = repository.replace_all(connection, bundle, origin=f"{list_id} from {path}")
    log.info(
        "loaded list from CSV", extra={"list": list_id, "path": str(path), "dropped_links": dropped}
    )
    return load, dropped
