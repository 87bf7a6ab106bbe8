"""Time the navigation, service page and HSDS routes of one municipality, in-process.

The script creates a temporary SQLite database, loads the bundled lists, seeds the UK councils
and sends requests through Starlette's test client, so no server or socket is involved. Each
route is requested once cold and then ``--repeat`` times. The report is a Markdown table of the
median and min-max time per request, and the body size with and without gzip. It also shows
the time of a revalidation that gets 304.

The script measures and reports, and asserts nothing about speed.

    python bench/municipal_views.py
    python bench/municipal_views.py --municipality cardiff --repeat 20
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from servicelist import migrations
from servicelist.api.app import create_app
from servicelist.database import create_database_engine
from servicelist.hsds.identifiers import uuid_of
from servicelist.lists import operations
from servicelist.municipalities.seed import seed_if_empty
from servicelist.settings import Settings, default_data_dir

BASE_URI = "http://127.0.0.1:8000/"


def routes(municipality: str) -> list[tuple[str, str]]:
    """Return (name, path) of every case, for service 372 where one service is needed."""
    service = uuid_of(f"{BASE_URI}municipalities/{municipality}/services/372")
    organization = uuid_of(f"{BASE_URI}municipalities/{municipality}")
    v1 = f"/v1/municipalities/{municipality}"
    hsds = f"/hsds/{municipality}"
    return [
        ("navigation: functions", f"{v1}/navigation/functions"),
        ("navigation: life events", f"{v1}/navigation/life-events"),
        ("navigation: audiences", f"{v1}/navigation/audiences"),
        ("service page (HTML)", f"{v1}/services/372/page"),
        ("service JSON-LD", f"{v1}/services/372/schema-org"),
        ("HSDS services, 100", f"{hsds}/services"),
        ("HSDS services, 1000", f"{hsds}/services?per_page=1000"),
        ("HSDS services, 100 full", f"{hsds}/services?full=true"),
        ("HSDS service", f"{hsds}/services/{service}"),
        (
            "HSDS services by term",
            f"{hsds}/services?taxonomy_id={uuid_of(BASE_URI + 'lists/navigation')}",
        ),
        ("HSDS taxonomy terms, 1000", f"{hsds}/taxonomy_terms?per_page=1000"),
        ("HSDS organization", f"{hsds}/organizations/{organization}"),
    ]


def timed(client: TestClient, path: str, headers: dict[str, str]) -> tuple[float, int, str]:
    """Return the time of one GET, the body size as sent (Content-Length) and the ETag."""
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    elapsed = time.perf_counter() - started
    if response.status_code not in (200, 304):
        raise SystemExit(f"GET {path} failed with {response.status_code}: {response.text[:300]}")
    return elapsed, int(response.headers.get("content-length", 0)), response.headers.get("etag", "")


def milliseconds(values: list[float]) -> str:
    low, high = min(values) * 1000, max(values) * 1000
    return f"{statistics.median(values) * 1000:.1f} ({low:.1f}-{high:.1f})"


def main(arguments: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipality", default="leicester", help="seeded council id")
    parser.add_argument("--repeat", type=int, default=10, help="warm requests per route")
    options = parser.parse_args(arguments)

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        engine = create_database_engine(url)
        migrations.upgrade(engine)
        operations.load_bundled(engine, default_data_dir())
        seed_if_empty(engine, default_data_dir())
        settings = Settings(database_url=url, base_uri=BASE_URI, refresh_interval_seconds=3600)
        identity = {"Accept-Encoding": "identity"}
        gzip = {"Accept-Encoding": "gzip"}

        with TestClient(create_app(settings, engine)) as client:
            print(f"Municipality {options.municipality}, {options.repeat} warm requests each.\n")
            print("| Route | Cold ms | Warm ms, median (min-max) | 304 ms | Bytes | Gzip bytes |")
            print("|---|---|---|---|---|---|")
            for name, path in routes(options.municipality):
                cold, size, etag = timed(client, path, identity)
                warm = [timed(client, path, identity)[0] for _ in range(options.repeat)]
                revalidate = [
                    timed(client, path, {**identity, "If-None-Match": etag})[0]
                    for _ in range(options.repeat)
                ]
                compressed = timed(client, path, gzip)[1]
                print(
                    f"| {name} | {cold * 1000:.0f} | {milliseconds(warm)} | "
                    f"{statistics.median(revalidate) * 1000:.1f} | {size:,} | {compressed:,} |"
                )
                sys.stdout.flush()
        engine.dispose()


if __name__ == "__main__":
    main()
