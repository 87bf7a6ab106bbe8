"""The keys and municipalities commands, on a fresh database loaded through the CLI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from servicelist.cli import app
from servicelist.municipalities import keys, repository
from servicelist.settings import get_settings

runner = CliRunner()


@pytest.fixture
def cli_env(
    empty_database: tuple[Engine, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    monkeypatch.setenv("SERVICELIST_DATABASE_URL", empty_database[1])
    get_settings.cache_clear()
    yield empty_database[0]
    get_settings.cache_clear()


def test_load_seeds_then_keys(cli_env: Engine) -> None:
    loaded = runner.invoke(app, ["load"])
    assert loaded.exit_code == 0, loaded.output
    assert "Seeded 382 councils on release 1" in loaded.output
    with cli_env.connect() as connection:
        assert repository.count_municipalities(connection) == 382

    again = runner.invoke(app, ["municipalities", "seed"])
    assert again.exit_code == 0
    assert "nothing seeded" in again.output

    created = runner.invoke(
        app, ["keys", "create", "--role", "editor", "--municipality", "leicester", "--name", "Ann"]
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("sl_")
    with cli_env.connect() as connection:
        key = keys.find_key(connection, token)
    assert key is not None
    assert (key.role, key.municipality_id, key.name) == ("editor", "leicester", "Ann")

    listed = runner.invoke(app, ["keys", "list", "--municipality", "leicester"])
    assert f"{key.id}\teditor\tleicester\tlive\tAnn" in listed.stdout
    assert token.split("_", 2)[2] not in listed.stdout

    revoked = runner.invoke(app, ["keys", "revoke", key.id])
    assert revoked.exit_code == 0, revoked.output
    with cli_env.connect() as connection:
        assert keys.find_key(connection, token) is None
    assert runner.invoke(app, ["keys", "revoke", key.id]).exit_code == 1


def test_key_create_rejects_bad_input(cli_env: Engine) -> None:
    cases = (
        ["--role", "owner", "--municipality", "x", "--name", "n"],
        ["--role", "editor", "--name", "n"],
        ["--role", "platform-admin", "--municipality", "x", "--name", "n"],
        ["--role", "editor", "--municipality", "nowhere", "--name", "n"],
    )
    for arguments in cases:
        result = runner.invoke(app, ["keys", "create", *arguments])
        assert result.exit_code == 1, arguments
        assert "No key created" in result.output
