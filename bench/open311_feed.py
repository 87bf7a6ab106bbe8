"""Time the Open311 endpoints and the change feed in-process, on a temporary SQLite database.

The script loads the bundled lists, seeds the UK councils and moves one council to release 2,
so its feed contains a release move with its review items. It then adds ``--history``
synthetic history rows spread over the other councils, so the feed query runs against a large
``change`` table. Each case is timed through Starlette's TestClient (ASGI, no network): the
median and the range of ``--repeat`` requests, after one warm-up request. Last it times a
prune with a retention of 0 days, which deletes every history row.

It measures and reports, and asserts nothing about speed.

    python bench/open311_feed.py
    python bench/open311_feed.py --history 500000 --repeat 50
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from servicelist import migrations
from servicelist.api.app import create_app
from servicelist.database import create_database_engine
from servicelist.feed.prune import prune_changes
from servicelist.lists import operations
from servicelist.municipalities import keys, repository
from servicelist.municipalities.models import Change
from servicelist.municipalities.seed import seed_if_empty
from servicelist.settings import Settings, default_data_dir

COUNCIL = "leicester"
BATCH = 10_000


def build_database(path: Path, history: int) -> tuple[Engine, Settings, float]:
    """Create, load and seed the database and add ``history`` change rows; return the seconds
    the synthetic rows took to insert."""
    url = f"sqlite:///{path}"
    engine = create_database_engine(url)
    migrations.upgrade(engine)
    operations.load_bundled(engine, default_data_dir())
    seed_if_empty(engine, default_data_dir())

    with engine.begin() as connection:
        councils = [m.id for m in repository.list_municipalities(connection) if m.id != COUNCIL]
    stamp = datetime.now(UTC)
    started = time.perf_counter()
    for first in range(0, history, BATCH):
        rows = [
            {
                "municipality_id": councils[number % len(councils)],
                "entity": "service",
                "entity_id": str(number % 1500 + 1),
                "path": "fees",
                "action": "set",
                "before": None,
                "after": f"£{number}",
                "actor": "bench",
                "release": 1,
                "at": stamp,
            }
            for number in range(first, min(first + BATCH, history))
        ]
        with engine.begin() as connection:
            connection.execute(insert(Change), rows)
    inserted = time.perf_counter() - started

    settings = Settings(database_url=url, refresh_interval_seconds=3600)
    return engine, settings, inserted


def move_council(client: TestClient, engine: Engine) -> None:
    with engine.begin() as connection:
        _, token = keys.create_key(connection, role="admin", name="bench", municipality_id=COUNCIL)
    url = f"/v1/municipalities/{COUNCIL}"
    response = client.post(
        f"{url}/release",
        json={"release": 2},
        headers={"Authorization": f"Bearer {token}", "If-Match": client.get(url).headers["etag"]},
    )
    response.raise_for_status()


def time_case(request: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Return the median, minimum and maximum milliseconds of ``repeat`` calls."""
    request()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        request()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), min(samples), max(samples)


def walk_feed(client: TestClient, limit: int) -> int:
    """Read the council's whole feed page by page; return the number of entries."""
    since: str | None = None
    count = 0
    while True:
        params: dict[str, str | int] = {"limit": limit}
        if since is not None:
            params["since"] = since
        page = client.get(f"/v1/municipalities/{COUNCIL}/changes", params=params).json()
        count += page["count"]
        since = page["next_cursor"]
        if not page["more"]:
            return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=200_000, help="synthetic history rows")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per case")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        engine, settings, inserted = build_database(
            Path(folder) / "bench.sqlite3", arguments.history
        )
        print(f"database ready in {time.perf_counter() - started:.1f} s")
        print(f"{arguments.history} synthetic history rows inserted in {inserted:.1f} s")
        with TestClient(create_app(settings, engine)) as client:
            move_council(client, engine)
            jurisdiction = f"jurisdiction_id={COUNCIL}"
            cases: dict[str, Callable[[], object]] = {
                "GET /open311/v2/services.json": lambda: client.get(
                    f"/open311/v2/services.json?{jurisdiction}"
                ),
                "GET /open311/v2/services.xml": lambda: client.get(
                    f"/open311/v2/services.xml?{jurisdiction}"
                ),
                "GET /open311/v2/services/564.json": lambda: client.get(
                    f"/open311/v2/services/564.json?{jurisdiction}"
                ),
                "GET /v1/municipalities/{m}/changes (limit 100)": lambda: client.get(
                    f"/v1/municipalities/{COUNCIL}/changes"
                ),
                "GET /v1/municipalities/{m}/changes (limit 1000)": lambda: client.get(
                    f"/v1/municipalities/{COUNCIL}/changes?limit=1000"
                ),
            }
            print(f"\nPython {platform.python_version()}, SQLite, {arguments.repeat} requests\n")
            print("| Case | median ms | min-max ms |")
            print("|---|---|---|")
            for name, request in cases.items():
                median, low, high = time_case(request, arguments.repeat)
                print(f"| {name} | {median:.1f} | {low:.1f}-{high:.1f} |")
            for limit in (100, 1000):
                started = time.perf_counter()
                entries = walk_feed(client, limit)
                seconds = time.perf_counter() - started
                print(
                    f"| whole feed of {COUNCIL}, {entries} entries, limit {limit} | "
                    f"{seconds * 1000:.0f} (total) | |"
                )
        started = time.perf_counter()
        result = prune_changes(engine, 0)
        print(
            f"\nprune: {result.total} rows of {len(result.removed)} municipalities deleted in "
            f"{time.perf_counter() - started:.1f} s"
        )


if __name__ == "__main__":
    main()
