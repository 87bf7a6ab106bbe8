"""The ``servicelist`` command: serve the API, migrate the database, load and export the lists."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from servicelist import migrations
from servicelist.database import create_database_engine
from servicelist.errors import ImportRejected
from servicelist.lists import operations, repository
from servicelist.logs import configure_logging
from servicelist.settings import Settings, get_settings

app = typer.Typer(
    help="Standard service-list catalogue and interoperability API.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")

console = Console(stderr=True)
log = logging.getLogger("servicelist")

EXPORT_FORMATS = {
    "json": "application/json",
    "jsonld": "application/ld+json",
    "ttl": "text/turtle",
    "rdf": "application/rdf+xml",
    "nt": "application/n-triples",
}


def _engine(settings: Settings) -> Engine:
    return create_database_engine(
        settings.database_url, sqlite_synchronous=settings.sqlite_synchronous
    )


def _load_with_progress(
    engine: Engine, settings: Settings, csv_path: Path | None, list_id: str
) -> None:
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("starting", total=None)

        def report(message: str) -> None:
            progress.update(task, description=message)

        started = time.perf_counter()
        try:
            if csv_path is None:
                load = operations.load_bundled(engine, settings.data_dir, report)
                dropped = 0
            else:
                load, dropped = operations.load_csv(engine, csv_path, list_id, report)
        except ImportRejected as exc:
            progress.stop()
            console.print(f"[red]Load rejected; the stored lists are unchanged.[/red] {exc.detail}")
            for error in exc.errors[:50]:
                console.print(
                    f"  row {error.row}, column {error.column or '-'}: {error.reason}"
                    f" (value: {error.value!r})"
                )
            if len(exc.errors) > 50:
                console.print(f"  ... and {len(exc.errors) - 50} more")
            raise typer.Exit(code=1) from None
    seconds = time.perf_counter() - started
    console.print(
        f"Loaded {load.item_count} items and {load.link_count} links in {seconds:.1f} s "
        f"(version {load.content_hash[:16]})."
    )
    if dropped:
        console.print(f"Dropped {dropped} links to items the file no longer contains.")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Migrate the database schema to the newest revision (or REVISION)."""
    settings = get_settings()
    engine = _engine(settings)
    migrations.upgrade(engine, revision)
    console.print(f"Database at revision {migrations.current_revision(engine)}.")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, or 'base'.")],
) -> None:
    """Migrate the database schema down to REVISION."""
    settings = get_settings()
    engine = _engine(settings)
    migrations.downgrade(engine, revision)
    console.print(f"Database at revision {migrations.current_revision(engine)}.")


@app.command()
def load(
    csv_file: Annotated[
        Path | None,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="An esd-style CSV file to load."
        ),
    ] = None,
    list_id: Annotated[
        str,
        typer.Option(
            "--list",
            help="The list CSV_FILE replaces: services, functions or interactions.",
        ),
    ] = "services",
) -> None:
    """Reload the bundled lists, or replace one list with an esd-style CSV file.

    Either way the load is one transaction: when any row is invalid nothing changes.
    """
    settings = get_settings()
    engine = _engine(settings)
    migrations.upgrade(engine)
    _load_with_progress(engine, settings, csv_file, list_id)


@app.command()
def export(
    output: Annotated[Path, typer.Argument(help="File to write; '-' writes to standard output.")],
    format_name: Annotated[
        str,
        typer.Option("--format", "-f", help="One of json, jsonld, ttl, rdf, nt."),
    ] = "ttl",
) -> None:
    """Write the whole catalogue to a file in any supported format."""
    from servicelist.catalogue.export import export_catalogue

    if format_name not in EXPORT_FORMATS:
        console.print(
            f"[red]Unknown format {format_name!r}.[/red] Use one of {', '.join(EXPORT_FORMATS)}."
        )
        raise typer.Exit(code=2)
    settings = get_settings()
    engine = _engine(settings)
    with engine.connect() as connection:
        if repository.latest_load(connection) is None:
            console.print("[red]No lists are loaded.[/red] Run `servicelist load` first.")
            raise typer.Exit(code=1)
    body = export_catalogue(engine, settings.base_uri, EXPORT_FORMATS[format_name])
    if str(output) == "-":
        sys.stdout.buffer.write(body)
    else:
        output.write_bytes(body)
        console.print(f"Wrote {len(body):,} bytes of {format_name} to {output}.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
) -> None:
    """Serve the API; on an empty database, migrate it and load the bundled lists first."""
    import uvicorn

    configure_logging()
    settings = get_settings()
    engine = _engine(settings)
    migrations.upgrade(engine)
    with engine.connect() as connection:
        loaded = repository.latest_load(connection) is not None
    if not loaded:
        console.print("The database is empty: loading the bundled lists.")
        _load_with_progress(engine, settings, None, "services")
    engine.dispose()
    log.info("starting server", extra={"host": host, "port": port, "workers": workers})
    uvicorn.run(
        "servicelist.api.asgi:app",
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="info",
    )


@app.command()
def openapi(
    output: Annotated[Path, typer.Argument(help="File to write.")] = Path("openapi/openapi.json"),
) -> None:
    """Write the OpenAPI document of the API."""
    from servicelist.api.openapi import write_openapi

    write_openapi(output)
    console.print(f"Wrote {output}.")
