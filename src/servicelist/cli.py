"""The ``servicelist`` command: serve the API, migrate the database, load and export the lists."""

from __future__ import annotations

import logging
import sys
import time
from datetime import UTC
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from servicelist import migrations
from servicelist.database import create_database_engine
from servicelist.errors import ImportRejected, NotFound
from servicelist.lists import operations, releases, repository
from servicelist.logs import configure_logging
from servicelist.settings import Settings, get_settings

app = typer.Typer(
    help="Standard service-list catalogue and interoperability API.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
keys_app = typer.Typer(
    help="API keys of municipalities and platform administrators.", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")
municipalities_app = typer.Typer(
    help="Municipalities and their local catalogues.", no_args_is_help=True
)
app.add_typer(municipalities_app, name="municipalities")
releases_app = typer.Typer(help="Numbered releases of the lists.")
app.add_typer(releases_app, name="releases")

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
        newest_before = _newest_release_number(engine)
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
    _report_releases(engine, newest_before)
    _seed(engine, settings)


def _newest_release_number(engine: Engine) -> int | None:
    with engine.connect() as connection:
        newest = releases.newest_release(connection)
    return newest.number if newest is not None else None


def _report_releases(engine: Engine, newest_before: int | None) -> None:
    """Print the releases a load recorded, or that it recorded none."""
    with engine.connect() as connection:
        found = releases.list_releases(connection)
    added = [
        release for release in found if newest_before is None or release.number > newest_before
    ]
    if not added:
        console.print(f"The content equals release {newest_before}; no release was added.")
    for release in added:
        console.print(f"Recorded release {release.number}: {release.title}.")


def _seed(engine: Engine, settings: Settings) -> None:
    """Seed the UK councils and their GOV.UK links into a database without municipalities."""
    from servicelist.municipalities.seed import seed_if_empty

    started = time.perf_counter()
    result = seed_if_empty(engine, settings.data_dir)
    if result is None:
        return
    links = result.links
    console.print(
        f"Seeded {result.municipalities} councils on release {result.release} and "
        f"{links.links} GOV.UK links for {links.services} council services in "
        f"{time.perf_counter() - started:.1f} s; skipped {links.skipped_unknown_councils} links "
        f"of {len(links.unknown_councils)} councils that no longer exist."
    )


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


@municipalities_app.command("seed")
def municipalities_seed() -> None:
    """Create the UK councils as municipalities with their GOV.UK web links, once."""
    settings = get_settings()
    engine = _engine(settings)
    migrations.upgrade(engine)
    from servicelist.municipalities.seed import seed_if_empty

    if seed_if_empty(engine, settings.data_dir) is None:
        console.print("Municipalities exist already, or no release is loaded: nothing seeded.")
        return
    console.print("Seeded the UK councils and their GOV.UK links.")


@keys_app.command("create")
def keys_create(
    role: Annotated[
        str, typer.Option(help="reader, editor, admin, or platform-admin (no municipality).")
    ],
    name: Annotated[str, typer.Option(help="Who or what uses the key, for the history.")],
    municipality: Annotated[
        str | None, typer.Option(help="Id of the municipality the key belongs to.")
    ] = None,
) -> None:
    """Create an API key and print it once; only a hash of it is stored."""
    from servicelist.errors import ServicelistError
    from servicelist.municipalities import keys

    settings = get_settings()
    engine = _engine(settings)
    migrations.upgrade(engine)
    try:
        with engine.begin() as connection:
            key, token = keys.create_key(
                connection, role=role, name=name, municipality_id=municipality
            )
    except ServicelistError as exc:
        console.print(f"[red]No key created.[/red] {exc.detail}")
        raise typer.Exit(code=1) from None
    console.print(
        f"Created {key.role} key {key.id} for {key.municipality_id or 'the platform'}. "
        "Store it now; it cannot be shown again."
    )
    sys.stdout.write(token + "\n")


@keys_app.command("list")
def keys_list(
    municipality: Annotated[str | None, typer.Option(help="Only this municipality's keys.")] = None,
) -> None:
    """List API keys (ids, names, roles; never secrets)."""
    from servicelist.municipalities import keys

    settings = get_settings()
    engine = _engine(settings)
    migrations.upgrade(engine)
    with engine.connect() as connection:
        found = keys.list_keys(connection, municipality)
    for key in found:
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "live"
        sys.stdout.write(
            f"{key.id}\t{key.role}\t{key.municipality_id or '-'}\t{state}\t{key.name}\n"
        )


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="Id of the key (its second part).")],
) -> None:
    """Revoke an API key; requests with it fail with 401 from then on."""
    from servicelist.errors import ServicelistError
    from servicelist.municipalities import keys

    settings = get_settings()
    engine = _engine(settings)
    migrations.upgrade(engine)
    try:
        with engine.begin() as connection:
            keys.revoke_key(connection, key_id)
    except ServicelistError as exc:
        console.print(f"[red]Nothing revoked.[/red] {exc.detail}")
        raise typer.Exit(code=1) from None
    console.print(f"Revoked key {key_id}.")


@releases_app.callback(invoke_without_command=True)
def releases_list(context: typer.Context) -> None:
    """List the releases of the lists, oldest first; the newest is the one served."""
    if context.invoked_subcommand is not None:
        return
    from rich.table import Table

    engine = _engine(get_settings())
    migrations.upgrade(engine)
    with engine.connect() as connection:
        found = releases.list_releases(connection)
    if not found:
        console.print("No release is recorded yet. Run `servicelist load` first.")
        return
    table = Table("Release", "Title", "Created (UTC)", "Items", "Retired", "Links", "Origin")
    for release in found:
        retired = sum(counts["retired"] for counts in release.list_counts.values())
        marker = " (current)" if release is found[-1] else ""
        table.add_row(
            f"{release.number}{marker}",
            release.title,
            release.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            str(release.item_count),
            str(retired),
            str(release.link_count),
            release.origin,
        )
    Console(width=160).print(table)


@releases_app.command("diff")
def releases_diff(
    before: Annotated[int, typer.Argument(help="The release to compare from.")],
    after: Annotated[int, typer.Argument(help="The release to compare to.")],
) -> None:
    """Count the entries each list added, retired, changed and removed from BEFORE to AFTER."""
    from rich.table import Table

    from servicelist.lists.release_diff import CHANGE_KINDS, diff_bundles

    engine = _engine(get_settings())
    migrations.upgrade(engine)
    try:
        with engine.connect() as connection:
            first = releases.get_release(connection, before)
            second = releases.get_release(connection, after)
            diff = diff_bundles(
                releases.read_release_bundle(connection, before),
                releases.read_release_bundle(connection, after),
            )
    except NotFound as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(code=1) from None
    table = Table(
        "List",
        *(kind.capitalize() for kind in CHANGE_KINDS),
        title=f"Release {first.number} ({first.title}) to {second.number} ({second.title})",
    )
    for entry in diff.lists:
        table.add_row(entry.list_id, *(str(entry.counts[kind]) for kind in CHANGE_KINDS))
    totals = diff.totals()
    table.add_row("all lists", *(str(totals[kind]) for kind in CHANGE_KINDS))
    Console(width=160).print(table)


changes_app = typer.Typer(help="The change history behind the change feed.", no_args_is_help=True)
app.add_typer(changes_app, name="changes")


@changes_app.command("prune")
def changes_prune(
    retention_days: Annotated[
        int | None,
        typer.Option(
            min=0, help="Keep this many days of history; default SERVICELIST_CHANGE_RETENTION_DAYS."
        ),
    ] = None,
    municipality: Annotated[
        str | None, typer.Option(help="Prune only this municipality's history.")
    ] = None,
) -> None:
    """Delete recorded changes older than the retention period, from the history and the feed.

    Change-feed cursors from before the deleted changes get 410 Gone afterwards. Run it
    daily, for example from a systemd timer or cron.
    """
    from servicelist.feed.prune import prune_changes

    settings = get_settings()
    engine = _engine(settings)
    migrations.upgrade(engine)
    days = settings.change_retention_days if retention_days is None else retention_days
    result = prune_changes(engine, days, municipality_id=municipality)
    console.print(
        f"Deleted {result.total} changes older than {result.cutoff:%Y-%m-%d %H:%M:%S %Z} "
        f"({days} days); municipalities affected: {len(result.removed)}."
    )
