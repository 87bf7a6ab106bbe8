"""Measure search latency on SQLite and PostgreSQL, at the real list size and larger.

For each database and size the script creates an empty database (a temporary SQLite file, or
a schema of its own on the PostgreSQL server, dropped afterwards), migrates it and loads the
bundled lists. For a size above 1 it then loads a synthetic list of that many times the real
services (``bench/synthetic.py``: copies of real services with suffixed labels). It times the
first search, which builds the release's index, then runs a fixed set of caller queries in
process, without HTTP:

* the standard list (``SearchService.search_standard``);
* a municipality on the newest release with local labels on 20 services
  (``SearchService.search_municipality``), so every search also merges local documents.

Each query runs ``--repeat`` times after one warm-up round. The script prints median, p95 and
maximum per case as a Markdown table, and asserts nothing about speed. PostgreSQL is the server
named by ``--postgres-url`` (default: the local test database); only 127.0.0.1 is expected.

    python bench/search.py                       # both databases, sizes 1 and 10
    python bench/search.py --backend sqlite --sizes 1 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path

from sqlalchemy import Engine, text
from synthetic import load_synthetic

from servicelist import migrations
from servicelist.api.state import CatalogueState
from servicelist.catalogue.snapshot import Catalogue
from servicelist.database import create_database_engine
from servicelist.lists import operations
from servicelist.municipalities import operations as municipal
from servicelist.municipalities import repository
from servicelist.municipalities.effective import LocalCatalogue, StandardFieldCache
from servicelist.municipalities.models import Municipality
from servicelist.search.results import Filters
from servicelist.search.service import SearchService
from servicelist.settings import default_data_dir

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
REAL_SERVICES = 1567
# Caller queries: synonyms, slips, prefixes, plain words, long questions and a miss.
QUERIES = (
    "bin",
    "missed bin collection",
    "fly tipping",
    "recyling",
    "parking permit",
    "licence",
    "license",
    "licen",
    "council tax",
    "cafe",
    "streetlight",
    "how do I report a pothole",
    "dog poo",
    "noisy neighbours",
    "blue badge",
    "housing benefit new claim",
    "register a birth",
    "school admission appeal",
    "planning permission for an extension",
    "zzxqv",
)
LOCAL_LABELS = 20
MUNICIPALITY_ID = "bench-town"


def log(message: str) -> None:
    """Write a progress line to standard error, keeping standard output for the report."""
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class Result:
    backend: str
    size: int
    services: int
    documents: int
    build_seconds: float
    case: str
    latencies_ms: list[float]
    by_query: dict[str, float]
    rebuild_ms: float

    def row(self) -> str:
        ordered = sorted(self.latencies_ms)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return (
            f"| {self.backend} | {self.size}x | {self.services:,} | {self.documents:,} "
            f"| {self.build_seconds:.2f} | {self.case} | {statistics.median(ordered):.1f} "
            f"| {p95:.1f} | {ordered[-1]:.1f} |"
        )


@contextmanager
def database(backend: str, postgres_url: str, work_dir: Path) -> Iterator[Engine]:
    """Yield an empty engine of ``backend``; drop the PostgreSQL schema afterwards."""
    if backend == "sqlite":
        engine = create_database_engine(f"sqlite:///{work_dir / f'{uuid.uuid4().hex}.sqlite3'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    schema = f"servicelist_bench_{uuid.uuid4().hex[:12]}"
    admin = create_database_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    engine = create_database_engine(f"{postgres_url}{separator}options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def prepare(engine: Engine, size: int) -> Catalogue:
    """Migrate, load the bundled lists and, for a size above 1, the synthetic list."""
    migrations.upgrade(engine)
    operations.load_bundled(engine, default_data_dir())
    if size > 1:
        load_synthetic(engine, REAL_SERVICES * size)
    state = CatalogueState(engine, 3600)
    state.refresh()
    return state.release_catalogue_sync(_newest_release(engine))


def _newest_release(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT MAX(number) FROM release")).scalar_one())


def local_catalogue(engine: Engine, catalogue: Catalogue) -> LocalCatalogue:
    """Create a municipality on the catalogue's release with local labels on some services."""
    stamp = repository.now()
    assert catalogue.release is not None
    with engine.begin() as connection:
        repository.insert_municipalities(
            connection,
            [
                Municipality(
                    id=MUNICIPALITY_ID,
                    name="Bench Town",
                    languages=["en"],
                    release=catalogue.release,
                    published=True,
                    source="bench",
                    created_at=stamp,
                    updated_at=stamp,
                )
            ],
        )
    reader = municipal.Reader(
        engine, lambda number: catalogue, StandardFieldCache(), "http://127.0.0.1:8000/"
    )
    for item in catalogue.items["services"][:LOCAL_LABELS]:
        edit = municipal.ServiceEdit(set={"label.en": f"{item.label} (Bench Town wording)"})
        municipal.edit_service(
            reader, MUNICIPALITY_ID, item.identifier, edit, if_match="*", actor="bench"
        )
    with engine.connect() as connection:
        municipality = reader.municipality(connection, MUNICIPALITY_ID)
        return reader.local_catalogue(connection, municipality)


def resync(engine: Engine, service: SearchService, catalogue: Catalogue, number: int) -> float:
    """Change one local label, then time the rebuild of the municipality's documents."""
    reader = municipal.Reader(
        engine, lambda _: catalogue, StandardFieldCache(), "http://127.0.0.1:8000/"
    )
    item = catalogue.items["services"][number]
    edit = municipal.ServiceEdit(set={"label.en": f"{item.label} (edited {number})"})
    municipal.edit_service(
        reader, MUNICIPALITY_ID, item.identifier, edit, if_match="*", actor="bench"
    )
    with engine.connect() as connection:
        local = reader.local_catalogue(connection, reader.municipality(connection, MUNICIPALITY_ID))
    return timed(lambda: service.index.sync_municipality(local))


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def measure(
    backend: str, size: int, repeat: int, postgres_url: str, work_dir: Path
) -> list[Result]:
    log(f"{backend}, {size}x: loading")
    with database(backend, postgres_url, work_dir) as engine:
        catalogue = prepare(engine, size)
        service = SearchService(engine, default_data_dir(), StandardFieldCache())
        services = len(catalogue.items["services"])
        log(f"{backend}, {size}x: {services} services, building the index")
        build_ms = timed(lambda: service.search_standard(catalogue, "bin", Filters(), 10))
        with engine.connect() as connection:
            documents = int(
                connection.execute(text("SELECT COUNT(*) FROM search_document")).scalar_one()
            )
        local = local_catalogue(engine, catalogue)
        resync_ms = [resync(engine, service, catalogue, number) for number in range(5)]
        log(f"{backend}, {size}x: municipality rebuilt in {statistics.median(resync_ms):.1f} ms")

        cases: dict[str, Callable[[str], object]] = {
            "standard list": lambda q: service.search_standard(catalogue, q, Filters(), 10),
            "municipality": lambda q: service.search_municipality(local, q, Filters(), 10),
        }
        results = []
        for case, search in cases.items():
            for query in QUERIES:
                search(query)
            samples: dict[str, list[float]] = {query: [] for query in QUERIES}
            for _ in range(repeat):
                for query in QUERIES:
                    samples[query].append(timed(partial(search, query)))
            latencies = [value for values in samples.values() for value in values]
            by_query = {query: statistics.median(values) for query, values in samples.items()}
            results.append(
                Result(
                    backend,
                    size,
                    services,
                    documents,
                    build_ms / 1000,
                    case,
                    latencies,
                    by_query,
                    statistics.median(resync_ms),
                )
            )
            log(f"{backend}, {size}x, {case}: median {statistics.median(latencies):.1f} ms")
        return results


def machine() -> str:
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("sqlalchemy", "psycopg", "fastapi")
    )
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {platform.platform()}, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, {versions}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql", "both"), default="both", help="Databases."
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1, 10],
        help="List sizes as multiples of the 1,567 real services.",
    )
    parser.add_argument("--repeat", type=int, default=10, help="Rounds over the query set.")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="PostgreSQL server.")
    arguments = parser.parse_args()
    backends = ("sqlite", "postgresql") if arguments.backend == "both" else (arguments.backend,)

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="servicelist-search-bench-") as work:
        for backend in backends:
            for size in arguments.sizes:
                results.extend(
                    measure(backend, size, arguments.repeat, arguments.postgres_url, Path(work))
                )

    print(f"Search latency, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"Machine: {machine()}")
    print(
        f"{len(QUERIES)} queries x {arguments.repeat} rounds per case after one warm-up round;"
        " in process, without HTTP; limit 10.\n"
    )
    print(
        "| Database | Size | Services | Documents | Index build (s) | Case | Median (ms) "
        "| p95 (ms) | Max (ms) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for result in results:
        print(result.row())
    print("\nRebuild of the municipality's documents after a write (median of 5):\n")
    for result in results[::2]:
        print(f"- {result.backend} {result.size}x: {result.rebuild_ms:.1f} ms")
    print("\nSlowest queries (median ms):\n")
    for result in results:
        slowest = sorted(result.by_query.items(), key=lambda item: -item[1])[:3]
        listed = ", ".join(f"{query!r} {value:.1f}" for query, value in slowest)
        print(f"- {result.backend} {result.size}x {result.case}: {listed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
