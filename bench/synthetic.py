"""Build a deterministic synthetic service list of any size from the real LGSL services.

A list of N services keeps the first N real services in identifier order. When N exceeds the
real count, each extra service is a copy of a real service picked with a seeded random number
generator. The copy gets a new identifier, labels with a " (synthetic copy K)" suffix and the
links of its source, so its JSON and RDF have the shape and size of a real service. The other
lists are unchanged.

The copies' esd URIs name identifiers that esd does not publish, so the result is for
benchmarks only.

Load a synthetic list into the database named by SERVICELIST_DATABASE_URL:

    python bench/synthetic.py 2000
"""

from __future__ import annotations

import argparse
import random
from dataclasses import replace

from sqlalchemy import Engine

from servicelist.database import create_database_engine
from servicelist.lists import records as r
from servicelist.lists import repository
from servicelist.lists.models import CatalogueLoad
from servicelist.settings import get_settings

DEFAULT_SEED = 42

# Copies are numbered from here, well above the real LGSL identifiers (at most 1800 in the
# bundled lists), so a copy is recognisable by its identifier.
FIRST_COPY_IDENTIFIER = 100_000


def _position(item: r.ItemRecord) -> tuple[int, str]:
    return (item.position, item.identifier)


def _copy_service(source: r.ItemRecord, number: int) -> r.ItemRecord:
    identifier = FIRST_COPY_IDENTIFIER + number
    labels = {
        language: f"{text} (synthetic copy {number})" for language, text in source.labels.items()
    }
    return replace(
        source,
        identifier=str(identifier),
        position=identifier,
        labels=labels,
        descriptions=dict(source.descriptions),
        properties=dict(source.properties),
    )


def _relink(link: r.LinkRecord, source_id: str, copy_id: str) -> r.LinkRecord:
    """Return ``link`` with every end that names service ``source_id`` moved to ``copy_id``."""
    subject_id = link.subject_id
    object_id = link.object_id
    if link.subject_list == r.SERVICES and subject_id == source_id:
        subject_id = copy_id
    if link.object_list == r.SERVICES and object_id == source_id:
        object_id = copy_id
    return replace(link, subject_id=subject_id, object_id=object_id)


def _service_ends(link: r.LinkRecord) -> set[str]:
    """Return the identifiers of the services at either end of ``link``."""
    ends = ((link.subject_list, link.subject_id), (link.object_list, link.object_id))
    return {identifier for list_id, identifier in ends if list_id == r.SERVICES}


def _items_with_services(
    items: list[r.ItemRecord], service_ids: set[str], copies: list[r.ItemRecord]
) -> list[r.ItemRecord]:
    """Return every non-service item, the services in ``service_ids`` and the copies."""
    result: list[r.ItemRecord] = []
    for item in [*items, *copies]:
        if item.list_id != r.SERVICES:
            result.append(item)
        elif item.identifier in service_ids:
            # A service whose parent was left out becomes a top-level service.
            parent = item.parent if item.parent in service_ids else None
            result.append(replace(item, parent=parent))
    return result


def _links_with_copies(
    links: list[r.LinkRecord],
    service_ids: set[str],
    sources: list[r.ItemRecord],
    copies: list[r.ItemRecord],
) -> list[r.LinkRecord]:
    """Return the links between included items, plus each source's links moved to its copy."""
    result = [link for link in links if _service_ends(link) <= service_ids]
    links_by_service: dict[str, list[r.LinkRecord]] = {}
    for link in result:
        for identifier in _service_ends(link):
            links_by_service.setdefault(identifier, []).append(link)

    for source, copy in zip(sources, copies, strict=True):
        for link in links_by_service.get(source.identifier, []):
            result.append(_relink(link, source.identifier, copy.identifier))
    return result


def synthetic_bundle(bundle: r.ListBundle, count: int, *, seed: int = DEFAULT_SEED) -> r.ListBundle:
    """Return a copy of ``bundle`` whose services list has exactly ``count`` services.

    The same bundle, count and seed always give the same result.
    """
    if count < 1:
        raise ValueError(f"the synthetic list needs at least 1 service, not {count}")
    real = sorted((item for item in bundle.items if item.list_id == r.SERVICES), key=_position)
    if not real:
        raise ValueError("the bundle has no services to copy; load the bundled lists first")

    included = real[:count]
    rng = random.Random(seed)
    sources = [rng.choice(real) for _ in range(count - len(included))]
    copies = [_copy_service(source, number) for number, source in enumerate(sources)]
    collisions = {copy.identifier for copy in copies} & {item.identifier for item in real}
    if collisions:
        raise ValueError(
            f"real services already use the copy identifiers {sorted(collisions)[:5]}; "
            f"raise FIRST_COPY_IDENTIFIER above {FIRST_COPY_IDENTIFIER}"
        )

    service_ids = {item.identifier for item in [*included, *copies]}
    note = f"; synthetic list of {count} services (seed {seed})"
    lists = [
        replace(record, source=record.source + note) if record.id == r.SERVICES else record
        for record in bundle.lists
    ]
    return r.ListBundle(
        lists=lists,
        items=_items_with_services(bundle.items, service_ids, copies),
        links=_links_with_copies(bundle.links, service_ids, sources, copies),
    )


def load_synthetic(engine: Engine, count: int, *, seed: int = DEFAULT_SEED) -> CatalogueLoad:
    """Replace the stored lists with a synthetic list of ``count`` services, in one transaction.

    The real lists must be loaded first (``servicelist load``), because the copies come from
    the stored services.
    """
    with engine.begin() as connection:
        bundle = repository.read_all(connection)
        synthetic = synthetic_bundle(bundle, count, seed=seed)
        return repository.replace_all(
            connection, synthetic, origin=f"synthetic list of {count} services (seed {seed})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="Number of services in the synthetic list.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random number seed.")
    arguments = parser.parse_args()
    settings = get_settings()
    engine = create_database_engine(
        settings.database_url, sqlite_synchronous=settings.sqlite_synchronous
    )
    load = load_synthetic(engine, arguments.count, seed=arguments.seed)
    print(
        f"Loaded {load.item_count} items and {load.link_count} links "
        f"(version {load.content_hash[:16]}) into {settings.database_url}."
    )


if __name__ == "__main__":
    main()
