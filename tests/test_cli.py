"""The ``servicelist`` command as a user runs it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from servicelist.cli import app
from servicelist.lists import repository
from servicelist.settings import get_settings

runner = CliRunner()
ESD_HEADER = "Identifier,Label,Description,Created,Modified,History notes,Type,\r\n"


@pytest.fixture
def cli_env(
    empty_database: tuple[Engine, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Engine, str]]:
    monkeypatch.setenv("SERVICELIST_DATABASE_URL", empty_database[1])
    get_settings.cache_clear()
    yield empty_database
    get_settings.cache_clear()


def test_db_upgrade(cli_env: tuple[Engine, str]) -> None:
    result = runner.invoke(app, ["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert "Database at revision" in result.output


def test_load_bundled_lists(cli_env: tuple[Engine, str]) -> None:
    result = runner.invoke(app, ["load"])

    assert result.exit_code == 0, result.output
    assert "Loaded 2296 items and 13869 links" in result.output
    with cli_env[0].connect() as connection:
        assert repository.count_items(connection) == 2296


def test_load_invalid_csv_reports_rows(cli_env: tuple[Engine, str], tmp_path: Path) -> None:
    assert runner.invoke(app, ["load"]).exit_code == 0
    path = tmp_path / "services.csv"
    path.write_text(ESD_HEADER + "1,One,,,,,Service,\r\nbad,Two,,,,,Service,\r\n")

    result = runner.invoke(app, ["load", str(path), "--list", "services"])

    assert result.exit_code == 1
    assert "Load rejected; the stored lists are unchanged." in result.output
    assert "row 3, column Identifier: identifier must be a whole number (value: 'bad')" in (
        result.output
    )
    with cli_env[0].connect() as connection:
        assert repository.count_items(connection) == 2296


def test_load_csv_replaces_list(cli_env: tuple[Engine, str], tmp_path: Path) -> None:
    assert runner.invoke(app, ["load"]).exit_code == 0
    path = tmp_path / "interactions.csv"
    path.write_text(ESD_HEADER + "0,Applications for service,,,,,Interaction,\r\n")

    result = runner.invoke(app, ["load", str(path), "--list", "interactions"])

    assert result.exit_code == 0, result.output
    assert "Recorded release 3: interactions replaced from interactions.csv." in result.output
    with cli_env[0].connect() as connection:
        statuses = dict(
            connection.execute(
                text(
                    "SELECT status, count(*) FROM list_item WHERE list_id = 'interactions'"
                    " GROUP BY status"
                )
            ).all()
        )
    # The 32 interactions the file lacks stay as retired entries.
    assert statuses == {"live": 1, "retired": 32}


def test_releases_lists_and_diffs(cli_env: tuple[Engine, str]) -> None:
    assert runner.invoke(app, ["load"]).exit_code == 0

    listed = runner.invoke(app, ["releases"])
    diffed = runner.invoke(app, ["releases", "diff", "1", "2"])
    unknown = runner.invoke(app, ["releases", "diff", "1", "9"])

    assert listed.exit_code == 0, listed.output
    assert "LGSL v4.0.1 (2015)" in listed.output
    assert "2 (current)" in listed.output
    assert diffed.exit_code == 0, diffed.output
    assert re.search(r"services\s*│\s*48\s*│\s*0\s*│\s*941\s*│\s*0\s*│", diffed.output)
    assert re.search(r"all lists\s*│\s*48\s*│\s*0\s*│\s*1004\s*│\s*0\s*│", diffed.output)
    assert unknown.exit_code == 1
    assert "There is no release 9; the releases are 1 to 2." in unknown.output


@pytest.mark.parametrize("format_name", ["json", "ttl", "nt", "rdf", "jsonld"])
def test_export_every_format(cli_env: tuple[Engine, str], tmp_path: Path, format_name: str) -> None:
    assert runner.invoke(app, ["load"]).exit_code == 0
    output = tmp_path / f"catalogue.{format_name}"

    result = runner.invoke(app, ["export", str(output), "--format", format_name])

    assert result.exit_code == 0, result.output
    assert output.stat().st_size > 1_000_000
    if format_name == "json":
        document = json.loads(output.read_bytes())
        assert {entry["id"] for entry in document["lists"]} >= {"services", "councils"}


def test_export_before_load_fails(cli_env: tuple[Engine, str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", str(tmp_path / "x.ttl")])

    assert result.exit_code == 1
    assert "No lists are loaded" in result.output


def test_export_unknown_format(cli_env: tuple[Engine, str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", str(tmp_path / "x.pdf"), "--format", "pdf"])

    assert result.exit_code == 2
    assert "Unknown format 'pdf'" in result.output


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_on_empty_database_loads_lists(tmp_path: Path) -> None:
    port = _free_port()
    environment = {
        **os.environ,
        "SERVICELIST_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
    }
    command = [sys.executable, "-m", "servicelist", "serve", "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/services/372") as reply:
                    body = json.loads(reply.read())
                    break
            except OSError:
                time.sleep(0.2)
        assert body is not None, "the server did not answer within 60 seconds"
        assert body["label"] == "Abandoned vehicles"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/services?limit=1") as reply:
            assert json.loads(reply.read())["total"] >= 1560
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "The database is empty: loading the bundled lists." in output
