"""Loading the standard lists: the bundled files, or one esd-style CSV in place of a list.

Every load records a release when it changes the content (``servicelist.lists.releases``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine

from servicelist.errors import ImportRejected, RowError
from servicelist.lists import records as r
from servicelist.lists import releases, repository
from servicelist.lists.models import CatalogueLoad
from servicelist.lists.sources import (
    BundledRelease,
    parse_esd_list,
    read_bundled_releases,
    read_newest_bundled_release,
)

log = logging.getLogger(__name__)

# Lists that an esd-style CSV (Identifier, Label, Description, ...) can replace.
CSV_LOADABLE_LISTS = (r.SERVICES, r.FUNCTIONS, r.INTERACTIONS)


def _is_empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        return (
            releases.newest_release(connection) is None and repository.count_items(connection) == 0
        )


def load_bundled(
    engine: Engine, data_dir: Path, progress: Callable[[str], None] | None = None
) -> CatalogueLoad:
    """Replace the stored lists with the bundled ones, in one transaction.

    An empty database gets every bundled release: 1, the LGSL v4.0.1 list of 2015, and 2, the
    2019 revision. A database with lists gets the newest bundled release only, as a new
    release when its content differs from the newest stored one.
    """
    bundled: list[BundledRelease] = (
        read_bundled_releases(data_dir, progress)
        if _is_empty(engine)
        else [read_newest_bundled_release(data_dir, progress)]
    )
    if progress is not None:
        progress("writing to the database")
    # Origins are published with each release, so they name files but not server directories.
    origin = "bundled lists"
    with engine.begin() as connection:
        # Another process may have loaded lists since the check above.
        if len(bundled) > 1 and releases.newest_release(connection) is not None:
            bundled = bundled[-1:]
        for earlier in bundled[:-1]:
            repository.record_release(
                connection, earlier.bundle, origin=origin, title=earlier.title, notes=earlier.notes
            )
        newest = bundled[-1]
        load = repository.replace_all(
            connection, newest.bundle, origin=origin, title=newest.title, notes=newest.notes
        )
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

    Items the file no longer contains are kept as retired, and the links that point at them
    are dropped. A ``Replaces`` column names the items a row replaces. Returns the load and
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
        load = repository.replace_all(
            connection,
            bundle,
            origin=f"{list_id} from {path.name}",
            title=f"{list_id} replaced from {path.name}",
        )
    log.info(
        "loaded list from CSV", extra={"list": list_id, "path": str(path), "dropped_links": dropped}
    )
    return load, dropped
