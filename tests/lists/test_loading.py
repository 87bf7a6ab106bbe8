"""Loading lists into SQLite and PostgreSQL: one transaction, all or nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from servicelist.errors import ImportRejected
from servicelist.lists import operations, repository
from servicelist.lists import records as r
from servicelist.lists.sources import read_bundled_lists
from servicelist.settings import default_data_dir

ESD_HEADER = "Identifier,Label,Description,Created,Modified,History notes,Type,\r\n"


def _snapshot(engine: Engine) -> tuple[str | None, int]:
    with engine.connect() as connection:
        load = repository.latest_load(connection)
        return (load.content_hash if load else None), repository.count_items(connection)


def test_bundled_load_round_trips(empty_database: tuple[Engine, str]) -> None:
    engine, _ = empty_database
    bundle = read_bundled_lists(default_data_dir())

    load = operations.load_bundled(engine, default_data_dir())

    with engine.connect() as connection:
        stored = repository.read_all(connection)
    assert load.item_count == 2296
    assert load.content_hash == repository.content_hash(bundle)
    assert repository.content_hash(stored) == repository.content_hash(bundle)


def test_reload_gives_same_version(empty_database: tuple[Engine, str]) -> None:
    engine, _ = empty_database
    first = operations.load_bundled(engine, default_data_dir())

    second = operations.load_bundled(engine, default_data_dir())

    assert second.content_hash == first.content_hash
    assert first.id is not None
    assert second.id is not None
    assert second.id > first.id


def test_inconsistent_bundle_leaves_lists_intact(empty_database: tuple[Engine, str]) -> None:
    engine, _ = empty_database
    operations.load_bundled(engine, default_data_dir())
    before = _snapshot(engine)
    bundle = read_bundled_lists(default_data_dir())
    bundle.links.append(r.LinkRecord("services", "999999", r.HAS_INTERACTION, "interactions", "0"))

    with pytest.raises(ImportRejected) as caught, engine.begin() as connection:
        repository.replace_all(connection, bundle, origin="test")

    assert caught.value.errors[0].value == "999999"
    assert _snapshot(engine) == before


def test_database_failure_mid_load_rolls_back(empty_database: tuple[Engine, str]) -> None:
    engine, _ = empty_database
    operations.load_bundled(engine, default_data_dir())
    before = _snapshot(engine)
    bundle = read_bundled_lists(default_data_dir())
    # A duplicate link passes the record checks but violates the table's unique constraint,
    # after the old rows were deleted and the new items inserted.
    bundle.links.append(bundle.links[0])

    with pytest.raises(IntegrityError), engine.begin() as connection:
        repository.replace_all(connection, bundle, origin="test")

    assert _snapshot(engine) == before


def test_csv_replaces_one_list(empty_database: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _ = empty_database
    operations.load_bundled(engine, default_data_dir())
    path = tmp_path / "services.csv"
    path.write_text(
        ESD_HEADER
        + "372,Abandoned vehicles,Reported vehicles are removed.,2013-04-03,2020-01-01,,"
        + "Service,\r\n"
        + "5001,Local test service,Only for this test.,2020-01-01,2020-01-01,,Service,\r\n",
        encoding="utf-8",
    )

    load, dropped = operations.load_csv(engine, path, "services")

    with engine.connect() as connection:
        stored = repository.read_all(connection)
    services = {item.identifier: item for item in stored.items if item.list_id == "services"}
    live = {identifier for identifier, item in services.items() if item.status == "live"}
    retired = [item for item in services.values() if item.status == "retired"]
    assert live == {"372", "5001"}
    # The other 1,566 services stay as retired entries of release 3; identifiers never vanish.
    assert len(retired) == 1566
    assert {item.properties["retired_in"] for item in retired} == {3}
    assert services["372"].descriptions == {"en": "Reported vehicles are removed."}
    assert len([item for item in stored.items if item.list_id == "councils"]) == 382
    assert dropped > 0
    assert load.item_count == 2296 + 1


def test_invalid_csv_leaves_lists_intact(
    empty_database: tuple[Engine, str], tmp_path: Path
) -> None:
    engine, _ = empty_database
    operations.load_bundled(engine, default_data_dir())
    before = _snapshot(engine)
    path = tmp_path / "services.csv"
    path.write_text(ESD_HEADER + "372,Abandoned vehicles,,,,,Service,\r\nx1,Bad,,,,,Service,\r\n")

    with pytest.raises(ImportRejected) as caught:
        operations.load_csv(engine, path, "services")

    assert caught.value.errors[0].row == 3
    assert caught.value.errors[0].value == "x1"
    assert _snapshot(engine) == before


def test_csv_for_unloadable_list_is_rejected(
    empty_database: tuple[Engine, str], tmp_path: Path
) -> None:
    engine, _ = empty_database
    path = tmp_path / "councils.csv"
    path.write_text(ESD_HEADER)

    with pytest.raises(ImportRejected) as caught:
        operations.load_csv(engine, path, "councils")

    assert "services, functions, interactions" in caught.value.errors[0].reason


def test_csv_before_any_load_is_rejected(
    empty_database: tuple[Engine, str], tmp_path: Path
) -> None:
    engine, _ = empty_database
    path = tmp_path / "services.csv"
    path.write_text(ESD_HEADER + "1,One,,,,,Service,\r\n")

    with pytest.raises(ImportRejected) as caught:
        operations.load_csv(engine, path, "services")

    assert "servicelist load" in caught.value.detail


def test_parent_must_exist(empty_database: tuple[Engine, str]) -> None:
    engine, _ = empty_database
    bundle = read_bundled_lists(default_data_dir())
    bundle.items = [
        replace(item, parent="9999")
        if (item.list_id, item.identifier) == ("functions", "2")
        else item
        for item in bundle.items
    ]

    with pytest.raises(ImportRejected) as caught, engine.begin() as connection:
        repository.replace_all(connection, bundle, origin="test")

    assert [(error.column, error.value) for error in caught.value.errors] == [("parent", "9999")]
