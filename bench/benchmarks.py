"""Time the benchmark metrics: the 382 seeded councils and a synthetic 300 x 2,000 case.

Each case builds a temporary SQLite database (or uses the PostgreSQL URL given with
``--postgres``, in a schema of its own that is dropped afterwards) and times, in-process:

* cold: a new worker's first computation of every municipality's metrics, split into building
  the release's catalogue from its stored content and the rest (flattening the release's
  standard fields once, two bulk queries, the set arithmetic);
* recomputed: the same with the release facts in memory but no cached metrics, as after
  every municipality changed;
* warm: every metric from the cache, which checks each municipality's revision;
* HTTP: ``GET /v1/benchmarks?metrics=all`` and the region report through the ASGI app
  (Starlette's test client, no network), first request and warm median.

Run from the checkout:

    .venv/bin/python bench/benchmarks.py                 # both cases, 5 repeats
    .venv/bin/python bench/benchmarks.py --case seeded --repeats 9
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, text
from synthetic import load_synthetic

from servicelist import migrations
from servicelist.api.app import create_app
from servicelist.api.state import CatalogueState
from servicelist.benchmarks.metrics import MetricsCache
from servicelist.benchmarks.service import BenchmarkService
from servicelist.database import create_database_engine
from servicelist.lists import operations, releases
from servicelist.lists import records as r
from servicelist.municipalities import repository
from servicelist.municipalities.effective import StandardFieldCache
from servicelist.municipalities.models import LocalEntry, LocalOverride, Municipality, Region
from servicelist.municipalities.seed import seed_if_empty
from servicelist.settings import Settings, default_data_dir

T = TypeVar("T")
SEED = 42
TIERS = ("district", "county", "unitary")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(call: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def spread(seconds: list[float]) -> str:
    """Return 'median (min-max)' in milliseconds."""
    values = [value * 1000 for value in seconds]
    return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"


class Database:
    """A migrated, empty database for one case, removed afterwards."""

    def __init__(self, work_dir: Path, postgres: str | None) -> None:
        self.schema: str | None = None
        if postgres:
            self.schema = f"bench_{uuid.uuid4().hex[:12]}"
            admin = create_database_engine(postgres)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            admin.dispose()
            separator = "&" if "?" in postgres else "?"
            self.url = f"{postgres}{separator}options=-csearch_path%3D{self.schema}"
        else:
            self.url = f"sqlite:///{work_dir / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}"
        self.engine: Engine = create_database_engine(self.url)
        migrations.upgrade(self.engine)

    def close(self) -> None:
        if self.schema is not None:
            with self.engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.engine.dispose()


def time_metrics(engine: Engine, repeats: int) -> dict[str, str]:
    """Time cold, recomputed and warm metrics of every municipality in the database."""
    with engine.connect() as connection:
        municipalities = repository.list_municipalities(connection)
    releases = sorted({m.release for m in municipalities})

    state = CatalogueState(engine, 3600)

    def build_catalogues() -> None:
        state.refresh()
        for number in releases:
            state.release_catalogue_sync(number)

    _, catalogue_seconds = timed(build_catalogues)
    service = BenchmarkService(state.release_catalogue_sync, StandardFieldCache())

    def compute() -> int:
        with engine.connect() as connection:
            listed = repository.list_municipalities(connection)
            return len(service.metrics(connection, listed))

    count, cold_seconds = timed(compute)
    recomputed = []
    for _ in range(repeats):
        service.metrics_cache = MetricsCache()
        recomputed.append(timed(compute)[1])
    warm = [timed(compute)[1] for _ in range(repeats)]
    return {
        "municipalities": f"{count:,}",
        "releases in use": ", ".join(str(n) for n in releases),
        "cold: catalogue snapshot and release catalogues, ms": f"{catalogue_seconds * 1000:.1f}",
        "cold: facts, queries and metrics, ms": f"{cold_seconds * 1000:.1f}",
        "recomputed (facts in memory, no cached metrics), ms": spread(recomputed),
        "warm (every metric cached), ms": spread(warm),
    }


def time_http(settings: Settings, engine: Engine, region: str, repeats: int) -> dict[str, str]:
    """Time the comparison and the region report through the ASGI app."""
    results: dict[str, str] = {}
    with TestClient(create_app(settings, engine)) as client:
        paths = {
            "GET /v1/benchmarks?metrics=all (every municipality)": "/v1/benchmarks?metrics=all",
            f"GET /v1/benchmarks?region={region}&format=xlsx": (
                f"/v1/benchmarks?region={region}&format=xlsx&metrics=all"
            ),
            f"GET /v1/regions/{region}/report": f"/v1/regions/{region}/report",
        }
        for label, path in paths.items():
            response, first = timed(lambda path=path: client.get(path))
            assert response.status_code == 200, response.text[:500]
            warm = [timed(lambda path=path: client.get(path))[1] for _ in range(repeats)]
            results[f"{label}: first, ms"] = f"{first * 1000:.1f}"
            results[f"{label}: warm, ms ({len(response.content):,} B)"] = spread(warm)
    return results


def seeded_case(work_dir: Path, postgres: str | None, repeats: int) -> dict[str, str]:
    database = Database(work_dir, postgres)
    try:
        log("seeded: loading the bundled lists and the 382 councils")
        operations.load_bundled(database.engine, default_data_dir())
        seed_if_empty(database.engine, default_data_dir())
        results = time_metrics(database.engine, repeats)
        settings = Settings(database_url=database.url, refresh_interval_seconds=3600)
        results |= time_http(settings, database.engine, "england", repeats)
        return results
    finally:
        database.close()


def add_synthetic_municipalities(engine: Engine, count: int, release: int) -> dict[str, int]:
    """Create ``count`` municipalities with local decisions on a share of the services.

    Per municipality, from a seeded random number generator: 2% of the services not offered,
    10% with their own web URL, 3% with another ABC class, 2% with a desk, and five local
    services available on the web.
    """
    rng = random.Random(SEED)
    with engine.begin() as connection:
        service_ids = [
            row[0]
            for row in connection.execute(
                text("SELECT identifier FROM list_item WHERE list_id = :l"), {"l": r.SERVICES}
            )
        ]
        stamp = repository.now()
        regions = [
            Region(id=f"synthetic-{n}", name=f"Synthetic {n}", source="bench") for n in range(3)
        ]
        repository.insert_regions(connection, regions)
        municipalities = [
            Municipality(
                id=f"synthetic-{n:03d}",
                name=f"Synthetic municipality {n}",
                tier=TIERS[n % len(TIERS)],
                region_id=regions[n % len(regions)].id,
                languages=["en"],
                release=release,
                published=True,
                revision=1,
                source="bench",
                created_at=stamp,
                updated_at=stamp,
            )
            for n in range(count)
        ]
        repository.insert_municipalities(connection, municipalities)
        entries: list[dict[str, object]] = []
        overrides: list[dict[str, object]] = []

        def override(municipality: str, service: str, path: str, value: object) -> None:
            overrides.append(
                {
                    "municipality_id": municipality,
                    "service_id": service,
                    "path": path,
                    "value": value,
                    "base": None,
                    "base_release": release,
                    "source": "bench",
                    "updated_by": "bench",
                    "updated_at": stamp,
                }
            )

        for municipality in municipalities:
            touched: dict[str, dict[str, object]] = {}
            for service in service_ids:
                draw = rng.random()
                if draw >= 0.17:
                    continue
                entry = touched.setdefault(
                    service,
                    {
                        "municipality_id": municipality.id,
                        "service_id": service,
                        "kind": "standard",
                        "offered": None,
                        "revision": 1,
                        "created_at": stamp,
                        "updated_at": stamp,
                    },
                )
                if draw < 0.02:
                    entry["offered"] = False
                elif draw < 0.12:
                    override(
                        municipality.id,
                        service,
                        "channels.web.url",
                        f"https://{municipality.id}.example.org/services/{service}",
                    )
                elif draw < 0.15:
                    override(municipality.id, service, "abc_class", rng.choice("ABC"))
                else:
                    override(municipality.id, service, "channels.desk.available", True)
            for number in range(5):
                local_id = f"local-{number}"
                touched[local_id] = {
                    "municipality_id": municipality.id,
                    "service_id": local_id,
                    "kind": "local",
                    "offered": None,
                    "revision": 1,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                override(municipality.id, local_id, "label.en", f"Local service {number}")
                override(municipality.id, local_id, "channels.web.available", True)
            entries += touched.values()
        connection.execute(insert(LocalEntry), entries)
        connection.execute(insert(LocalOverride), overrides)
    return {"entries": len(entries), "overrides": len(overrides)}


def synthetic_case(
    work_dir: Path, postgres: str | None, repeats: int, municipalities: int, services: int
) -> dict[str, str]:
    database = Database(work_dir, postgres)
    try:
        log(f"synthetic: {municipalities} municipalities x {services} services")
        operations.load_bundled(database.engine, default_data_dir())
        load_synthetic(database.engine, services)
        with database.engine.connect() as connection:
            newest = releases.list_releases(connection)[-1].number
        catalogue = CatalogueState(database.engine, 3600).release_catalogue_sync(newest)
        counts = add_synthetic_municipalities(database.engine, municipalities, newest)
        results = {
            "services in the release": f"{len(catalogue.items.get(r.SERVICES, [])):,}",
            "local entries": f"{counts['entries']:,}",
            "overrides": f"{counts['overrides']:,}",
        }
        results |= time_metrics(database.engine, repeats)
        settings = Settings(database_url=database.url, refresh_interval_seconds=3600)
        results |= time_http(settings, database.engine, "synthetic-0", repeats)
        return results
    finally:
        database.close()


def machine() -> list[str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return [
        f"- {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        f"- load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=("seeded", "synthetic", "both"), default="both")
    parser.add_argument("--repeats", type=int, default=5, help="Timed repeats per figure.")
    parser.add_argument("--municipalities", type=int, default=300, help="Synthetic case size.")
    parser.add_argument("--services", type=int, default=2000, help="Synthetic list size.")
    parser.add_argument(
        "--postgres", default=None, help="PostgreSQL URL to use instead of temporary SQLite."
    )
    arguments = parser.parse_args()
    lines = [f"Database: {'PostgreSQL' if arguments.postgres else 'SQLite'}", *machine(), ""]
    with tempfile.TemporaryDirectory(prefix="servicelist-bench-") as work:
        work_dir = Path(work)
        cases: list[tuple[str, Callable[[], dict[str, str]]]] = []
        if arguments.case in ("seeded", "both"):
            cases.append(
                (
                    "382 seeded councils",
                    lambda: seeded_case(work_dir, arguments.postgres, arguments.repeats),
                )
            )
        if arguments.case in ("synthetic", "both"):
            cases.append(
                (
                    f"synthetic {arguments.municipalities} x {arguments.services}",
                    lambda: synthetic_case(
                        work_dir,
                        arguments.postgres,
                        arguments.repeats,
                        arguments.municipalities,
                        arguments.services,
                    ),
                )
            )
        for title, run in cases:
            results = run()
            lines += [f"### {title}", "", "| figure | value |", "|---|---|"]
            lines += [f"| {name} | {value} |" for name, value in results.items()]
            lines.append("")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
