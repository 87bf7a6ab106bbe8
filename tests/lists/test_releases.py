"""Releases of the lists on SQLite and PostgreSQL: numbering, stored content, retirement, diffs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete

from servicelist.errors import ImportRejected, NotFound
from servicelist.lists import operations, releases, repository
from servicelist.lists import records as r
from servicelist.lists.models import Release
from servicelist.lists.release_diff import ADDED, CHANGED, REMOVED, RETIRED, diff_bundles
from servicelist.lists.sources import (
    BundledRelease,
    parse_esd_list,
    read_bundled_lists,
    read_bundled_releases,
)
from servicelist.settings import default_data_dir

ESD_COLUMNS = ["Identifier", "Label", "Description", "Created", "Modified", "History notes"]


@pytest.fixture(scope="module")
def bundled() -> list[BundledRelease]:
    return read_bundled_releases(default_data_dir())


def _load_bundled(engine: Engine, bundled: list[BundledRelease]) -> None:
    """Record the bundled releases as ``operations.load_bundled`` does, from bundles read once."""
    first, second = bundled
    with engine.begin() as connection:
        repository.record_release(
            connection, first.bundle, origin="bundled lists", title=first.title, notes=first.notes
        )
        repository.replace_all(
            connection,
            second.bundle,
            origin="bundled lists",
            title=second.title,
            notes=second.notes,
        )


def _services(bundle: r.ListBundle) -> dict[str, r.ItemRecord]:
    return {item.identifier: item for item in bundle.items if item.list_id == r.SERVICES}


def _services_csv(
    engine: Engine,
    path: Path,
    *,
    leave_out: Iterable[str] = (),
    extra_rows: Iterable[dict[str, str]] = (),
) -> Path:
    """Write the stored live services as an esd CSV with a Replaces column, minus ``leave_out``."""
    with engine.connect() as connection:
        stored = repository.read_all(connection)
    left_out = set(leave_out)
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=[*ESD_COLUMNS, "Replaces"])
    writer.writeheader()
    for item in sorted(_services(stored).values(), key=lambda entry: entry.position):
        if item.identifier in left_out or item.status != r.STATUS_LIVE:
            continue
        writer.writerow(
            {
                "Identifier": item.identifier,
                "Label": item.label,
                "Description": item.descriptions.get("en", ""),
                "Created": item.created or "",
                "Modified": item.modified or "",
                "History notes": item.history_notes or "",
                "Replaces": "",
            }
        )
    for row in extra_rows:
        writer.writerow({column: row.get(column, "") for column in [*ESD_COLUMNS, "Replaces"]})
    path.write_text(output.getvalue(), encoding="utf-8")
    return path


def _state(engine: Engine) -> tuple[list[int], str | None, int]:
    """Return the release numbers, the newest load's hash and the number of stored items."""
    with engine.connect() as connection:
        numbers = [release.number for release in releases.list_releases(connection)]
        load = repository.latest_load(connection)
        return numbers, (load.content_hash if load else None), repository.count_items(connection)


# --- Bundled releases ---------------------------------------------------------------------------


def test_bundled_sources_make_two_releases() -> None:
    first, second = read_bundled_releases(default_data_dir())

    assert first.title == "LGSL v4.0.1 (2015)"
    assert second.title == "LGSL 2019 revision"
    assert len(_services(first.bundle)) == 1519
    assert len(_services(second.bundle)) == 1567
    # 72 labels differ in the files; one of them (742, "Street caf\u017d licence") only by the
    # export's broken "é", which the loader repairs.
    assert "71 labels changed and 48 services added" in second.notes
    assert repository.content_hash(second.bundle) == repository.content_hash(
        read_bundled_lists(default_data_dir())
    )


def test_first_release_has_only_2015_services() -> None:
    first, _ = read_bundled_releases(default_data_dir())
    services = _services(first.bundle)
    metadata = {record.id: record for record in first.bundle.lists}

    repository.check_integrity(first.bundle)
    assert "1750" not in services
    assert services["8"].label == "Special educational needs co-ordinated support plan"
    assert {item.properties["edition"] for item in services.values()} == {"2015"}
    assert metadata["services"].version == "4.0.1 (2015)"
    assert metadata["services"].files == ("lgsl_services_2015.csv",)
    assert all(
        link.object_id in services for link in first.bundle.links if link.object_list == r.SERVICES
    )
    # The authored lists are evaluated over the 2015 services too.
    assert any(
        link.relation == r.HAS_ABC_CLASS and link.subject_id == "8" for link in first.bundle.links
    )


def test_bundled_load_records_two_releases(empty_database: tuple[Engine, str]) -> None:
    engine, _ = empty_database

    load = operations.load_bundled(engine, default_data_dir())

    with engine.connect() as connection:
        found = releases.list_releases(connection)
        newest = releases.newest_release(connection)
    assert [release.number for release in found] == [1, 2]
    assert [release.title for release in found] == ["LGSL v4.0.1 (2015)", "LGSL 2019 revision"]
    assert [release.item_count for release in found] == [2248, 2296]
    assert found[0].list_counts["services"] == {"items": 1519, "retired": 0}
    assert found[1].list_counts["services"] == {"items": 1567, "retired": 0}
    assert found[1].link_count == load.link_count
    assert newest == found[1]
    assert newest.content_hash == load.content_hash
    assert found[0].origin == "bundled lists"
    assert all(release.created_at.utcoffset() == timedelta(0) for release in found)
    assert len({release.content_hash for release in found}) == 2


def test_stored_content_round_trips(engine: Engine) -> None:
    first, second = read_bundled_releases(default_data_dir())

    with engine.connect() as connection:
        stored_first = releases.read_release_bundle(connection, 1)
        stored_second = releases.read_release_bundle(connection, 2)
        metadata = releases.get_release(connection, 2)
        tables = repository.read_all(connection)

    assert stored_first == first.bundle
    assert stored_second == second.bundle
    assert releases.decode_bundle(releases.encode_bundle(stored_second)) == stored_second
    assert repository.content_hash(stored_second) == metadata.content_hash
    assert repository.content_hash(tables) == metadata.content_hash


def test_unknown_release_is_not_found(engine: Engine) -> None:
    with engine.connect() as connection:
        with pytest.raises(NotFound) as caught:
            releases.get_release(connection, 99)
        with pytest.raises(NotFound):
            releases.read_release_bundle(connection, 0)

    assert caught.value.detail == "There is no release 99; the releases are 1 to 2."


def test_identical_reload_adds_no_release(empty_database: tuple[Engine, str]) -> None:
    engine, _ = empty_database
    first = operations.load_bundled(engine, default_data_dir())

    second = operations.load_bundled(engine, default_data_dir())

    numbers, newest_hash, _ = _state(engine)
    assert numbers == [1, 2]
    assert second.content_hash == first.content_hash == newest_hash


def test_changed_reload_adds_one_release(
    empty_database: tuple[Engine, str], bundled: list[BundledRelease]
) -> None:
    engine, _ = empty_database
    _load_bundled(engine, bundled)
    bundle = read_bundled_lists(default_data_dir())
    bundle.items = [
        replace(item, labels={"en": "Abandoned vehicles and trailers"})
        if (item.list_id, item.identifier) == (r.SERVICES, "372")
        else item
        for item in bundle.items
    ]

    with engine.begin() as connection:
        recorded = repository.record_release(connection, bundle, origin="test", notes="relabel")

    assert recorded.created
    assert recorded.release.number == 3
    assert recorded.release.title == "Release 3"
    assert recorded.release.notes == "relabel"


def test_legacy_lists_become_first_release(
    empty_database: tuple[Engine, str], bundled: list[BundledRelease]
) -> None:
    engine, _ = empty_database
    _load_bundled(engine, bundled)
    with engine.begin() as connection:
        stored_hash = repository.content_hash(repository.read_all(connection))
        # A database loaded before the release table existed has lists but no release.
        connection.execute(delete(Release))
    bundle = read_bundled_lists(default_data_dir())
    bundle.items = [
        item for item in bundle.items if (item.list_id, item.identifier) != ("functions", "113")
    ]
    bundle.links = [
        link
        for link in bundle.links
        if ("functions", "113")
        not in ((link.subject_list, link.subject_id), (link.object_list, link.object_id))
    ]

    with engine.begin() as connection:
        repository.replace_all(connection, bundle, origin="test")
        found = releases.list_releases(connection)
        retired = releases.read_release_bundle(connection, 2)

    assert [release.number for release in found] == [1, 2]
    assert found[0].title == repository.STORED_LISTS_TITLE
    assert found[0].content_hash == stored_hash
    function = next(
        item for item in retired.items if item.identifier == "113" and item.list_id == "functions"
    )
    assert function.status == r.STATUS_RETIRED
    assert function.properties[r.RETIRED_IN] == 2


# --- Retirement through CSV loads --------------------------------------------------------------


def test_csv_without_service_retires_it(
    empty_database: tuple[Engine, str], bundled: list[BundledRelease], tmp_path: Path
) -> None:
    engine, _ = empty_database
    _load_bundled(engine, bundled)
    path = _services_csv(engine, tmp_path / "services.csv", leave_out=["372"])

    load, dropped = operations.load_csv(engine, path, "services")

    with engine.connect() as connection:
        newest = releases.newest_release(connection)
        stored = repository.read_all(connection)
        content = releases.read_release_bundle(connection, 3)
    services = _services(stored)
    assert newest is not None
    assert newest.number == 3
    assert newest.title == "services replaced from services.csv"
    assert newest.list_counts["services"] == {"items": 1567, "retired": 1}
    assert services["372"].status == r.STATUS_RETIRED
    assert services["372"].properties[r.RETIRED_IN] == 3
    assert r.REPLACED_BY not in services["372"].properties
    assert services["372"].label == "Abandoned vehicles"
    assert services["373"].status == r.STATUS_LIVE
    assert dropped > 0
    assert not [
        link
        for link in stored.links
        if ("services", "372")
        in ((link.subject_list, link.subject_id), (link.object_list, link.object_id))
    ]
    assert load.item_count == 2296
    assert repository.content_hash(content) == load.content_hash


def test_retired_service_stays_retired(
    empty_database: tuple[Engine, str], bundled: list[BundledRelease], tmp_path: Path
) -> None:
    engine, _ = empty_database
    _load_bundled(engine, bundled)
    operations.load_csv(
        engine, _services_csv(engine, tmp_path / "a.csv", leave_out=["372"]), "services"
    )
    path = _services_csv(engine, tmp_path / "b.csv", leave_out=["373"])

    operations.load_csv(engine, path, "services")

    with engine.connect() as connection:
        services = _services(repository.read_all(connection))
    assert services["372"].status == r.STATUS_RETIRED
    assert services["372"].properties[r.RETIRED_IN] == 3
    assert services["373"].status == r.STATUS_RETIRED
    assert services["373"].properties[r.RETIRED_IN] == 4


def test_replaces_column_sets_replaced_by(
    empty_database: tuple[Engine, str], bundled: list[BundledRelease], tmp_path: Path
) -> None:
    engine, _ = empty_database
    _load_bundled(engine, bundled)
    new_rows = [
        {"Identifier": "5001", "Label": "Vehicle removal", "Replaces": "372;373"},
        {"Identifier": "5002", "Label": "Vehicle disposal", "Replaces": "373"},
    ]
    path = _services_csv(
        engine, tmp_path / "services.csv", leave_out=["372", "373"], extra_rows=new_rows
    )

    operations.load_csv(engine, path, "services")

    with engine.connect() as connection:
        services = _services(repository.read_all(connection))
    assert services["372"].status == r.STATUS_RETIRED
    assert services["372"].properties[r.REPLACED_BY] == ["5001"]
    assert services["373"].properties[r.REPLACED_BY] == ["5001", "5002"]
    assert services["373"].properties[r.RETIRED_IN] == 3
    assert services["5001"].status == r.STATUS_LIVE
    assert services["5001"].properties[r.REPLACES] == ["372", "373"]


def test_reviving_retired_service_is_rejected(
    empty_database: tuple[Engine, str], bundled: list[BundledRelease], tmp_path: Path
) -> None:
    engine, _ = empty_database
    _load_bundled(engine, bundled)
    operations.load_csv(
        engine, _services_csv(engine, tmp_path / "a.csv", leave_out=["372"]), "services"
    )
    before = _state(engine)
    revived = [{"Identifier": "372", "Label": "Abandoned vehicles"}]
    path = _services_csv(engine, tmp_path / "b.csv", extra_rows=revived)

    with pytest.raises(ImportRejected) as caught:
        operations.load_csv(engine, path, "services")

    assert [error.as_dict() for error in caught.value.errors] == [
        {
            "row": 0,
            "column": "services",
            "value": "372",
            "reason": "identifier 372 was retired in release 3 and is never reused",
        }
    ]
    assert _state(engine) == before


def test_bundled_reload_after_retirement_is_rejected(
    empty_database: tuple[Engine, str], bundled: list[BundledRelease], tmp_path: Path
) -> None:
    engine, _ = empty_database
    _load_bundled(engine, bundled)
    operations.load_csv(
        engine, _services_csv(engine, tmp_path / "a.csv", leave_out=["372"]), "services"
    )
    before = _state(engine)

    with pytest.raises(ImportRejected) as caught:
        operations.load_bundled(engine, default_data_dir())

    assert [(error.column, error.value) for error in caught.value.errors] == [("services", "372")]
    assert _state(engine) == before


@pytest.mark.parametrize(
    ("replaces", "reason"),
    [
        ("99999", "services 99999 is not in release 2, so 5001 cannot replace it"),
        (
            "373",
            "services 373 is still in the list, so 5001 cannot replace it; "
            "leave it out to retire it",
        ),
    ],
)
def test_invalid_replacement_is_rejected(
    empty_database: tuple[Engine, str],
    bundled: list[BundledRelease],
    tmp_path: Path,
    replaces: str,
    reason: str,
) -> None:
    engine, _ = empty_database
    _load_bundled(engine, bundled)
    before = _state(engine)
    rows = [{"Identifier": "5001", "Label": "Vehicle removal", "Replaces": replaces}]
    path = _services_csv(engine, tmp_path / "services.csv", extra_rows=rows)

    with pytest.raises(ImportRejected) as caught:
        operations.load_csv(engine, path, "services")

    assert [(error.column, error.value, error.reason) for error in caught.value.errors] == [
        ("Replaces", replaces, reason)
    ]
    assert _state(engine) == before


def test_return_to_older_content_is_rejected(
    empty_database: tuple[Engine, str], bundled: list[BundledRelease], tmp_path: Path
) -> None:
    engine, _ = empty_database
    _load_bundled(engine, bundled)
    operations.load_csv(engine, _services_csv(engine, tmp_path / "a.csv"), "services")
    before = _state(engine)

    with pytest.raises(ImportRejected) as caught:
        operations.load_bundled(engine, default_data_dir())

    assert "identical to release 2" in caught.value.detail
    assert before[0] == [1, 2, 3]
    assert _state(engine) == before


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("x1", "identifier must be a whole number"),
        ("5001", "an item cannot replace itself"),
        ("12;12", "identifier is named twice"),
    ],
)
def test_replaces_cell_is_checked(cell: str, reason: str) -> None:
    data = f"Identifier,Label,Replaces\r\n5001,Vehicle removal,{cell}\r\n".encode()

    with pytest.raises(ImportRejected) as caught:
        parse_esd_list(data, list_id=r.SERVICES, source="services.csv")

    assert [(error.row, error.column, error.reason) for error in caught.value.errors] == [
        (2, "Replaces", reason)
    ]


# --- Release rules on bundles -------------------------------------------------------------------


def _bundle(items: list[r.ItemRecord], links: list[r.LinkRecord] | None = None) -> r.ListBundle:
    lists = [
        r.ListRecord(
            id=list_id,
            title=list_id,
            description="",
            version="1",
            modified="2026-01-01",
            status="live",
            publisher="test",
            source="test",
            source_url="",
            licence="",
            licence_url="",
            attribution="",
            rights="",
            authored=False,
            files=(),
        )
        for list_id in dict.fromkeys(item.list_id for item in items)
    ]
    return r.ListBundle(lists=lists, items=items, links=links or [])


def _item(
    list_id: str,
    identifier: str,
    *,
    status: str = r.STATUS_LIVE,
    properties: dict[str, object] | None = None,
) -> r.ItemRecord:
    return r.ItemRecord(
        list_id,
        identifier,
        int(identifier),
        {"en": f"{list_id} {identifier}"},
        status=status,
        properties=dict(properties or {}),
    )


def test_dropped_list_is_kept_with_retired_items() -> None:
    previous = _bundle([_item("services", "1"), _item("functions", "2")])
    bundle = _bundle([_item("services", "1")])

    content = releases.apply_retirements(bundle, previous, previous_number=1, number=2)

    assert [record.id for record in content.lists] == ["services", "functions"]
    function = content.items[-1]
    assert (function.list_id, function.status) == ("functions", r.STATUS_RETIRED)
    assert function.properties == {r.RETIRED_IN: 2}
    repository.check_integrity(content)


def test_links_of_retired_items_are_dropped() -> None:
    previous = _bundle([_item("services", "1"), _item("services", "2")])
    link = r.LinkRecord("services", "1", "seeAlso", "services", "2")
    retired = _item("services", "2", status=r.STATUS_RETIRED)
    bundle = _bundle([_item("services", "1"), retired], [link])

    content = releases.apply_retirements(bundle, previous, previous_number=1, number=2)

    assert content.links == []
    assert content.items[1].properties == {r.RETIRED_IN: 2}


def test_replacing_without_earlier_release_is_rejected() -> None:
    bundle = _bundle([_item("services", "2", properties={r.REPLACES: ["1"]})])

    with pytest.raises(ImportRejected) as caught:
        releases.apply_retirements(bundle, None, previous_number=None, number=1)

    assert caught.value.errors[0].reason == (
        "services 1 is not in any release yet, so 2 cannot replace it"
    )


# --- Diffs ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_diff() -> tuple[r.ListBundle, r.ListBundle]:
    first, second = read_bundled_releases(default_data_dir())
    return first.bundle, second.bundle


def test_diff_lists_the_48_added_services(
    bundled_diff: tuple[r.ListBundle, r.ListBundle],
) -> None:
    before, after = bundled_diff
    data_dir = default_data_dir() / "esd_lists"
    ids_2015 = {
        item.identifier
        for item in parse_esd_list(
            (data_dir / "lgsl_services_2015.csv").read_bytes(), list_id="services", source="2015"
        )
    }
    ids_2019 = {
        item.identifier
        for item in parse_esd_list(
            (data_dir / "lgsl_services_2019.csv").read_bytes(), list_id="services", source="2019"
        )
    }

    diff = diff_bundles(before, after)

    added = diff.select("services", ADDED)
    assert {entry.identifier for entry in added} == ids_2019 - ids_2015
    assert len(added) == 48
    assert added[0].identifier == "1750"
    assert added[0].label == "Civil injunction"
    assert diff.lists[0].list_id == "services"
    assert diff.lists[0].counts == {ADDED: 48, RETIRED: 0, CHANGED: 941, REMOVED: 0}
    assert diff.totals()[RETIRED] == 0


def test_diff_shows_label_changes(bundled_diff: tuple[r.ListBundle, r.ListBundle]) -> None:
    diff = diff_bundles(*bundled_diff)

    changed = {entry.identifier: entry for entry in diff.select("services", CHANGED)}
    fields = {change.field: change for change in changed["8"].fields}
    relabelled = [
        entry
        for entry in changed.values()
        if any(change.field == "labels.en" for change in entry.fields)
    ]
    assert len(relabelled) == 71
    assert fields["labels.en"].before == "Special educational needs co-ordinated support plan"
    assert fields["labels.en"].after == "Education, health and care (EHC) plan"
    assert fields["properties.edition"].before == "2015"
    assert fields["properties.edition"].after == "2019"
    assert (fields["links.hasAbcClass"].before, fields["links.hasAbcClass"].after) == (["A"], ["C"])
    assert fields["links.hasChannel[web]"].before == {"properties.primary": True}
    assert fields["links.hasChannel[web]"].after == {"properties.primary": False}
    assert changed["41"].label == "School library service training"


def test_diff_shows_list_metadata_changes(
    bundled_diff: tuple[r.ListBundle, r.ListBundle],
) -> None:
    diff = diff_bundles(*bundled_diff)

    metadata = {change.field: change for change in diff.lists[0].metadata}
    assert metadata["version"].before == "4.0.1 (2015)"
    assert metadata["version"].after == "4.0.1 (2015) with 2019 revisions"


def test_diff_backwards_lists_removed_entries(
    bundled_diff: tuple[r.ListBundle, r.ListBundle],
) -> None:
    before, after = bundled_diff

    diff = diff_bundles(after, before)

    assert diff.lists[0].counts[REMOVED] == 48
    assert diff.lists[0].counts[ADDED] == 0


def test_diff_of_release_with_itself_is_empty(
    bundled_diff: tuple[r.ListBundle, r.ListBundle],
) -> None:
    diff = diff_bundles(bundled_diff[1], bundled_diff[1])

    assert diff.entries == ()
    assert set(diff.totals().values()) == {0}


def test_diff_shows_retirement_with_replacement() -> None:
    before = _bundle([_item("services", "1"), _item("services", "2")])
    after = releases.apply_retirements(
        _bundle([_item("services", "2"), _item("services", "3", properties={r.REPLACES: ["1"]})]),
        before,
        previous_number=1,
        number=2,
    )

    diff = diff_bundles(before, after)

    assert [(entry.identifier, entry.kind) for entry in diff.entries] == [
        ("3", ADDED),
        ("1", RETIRED),
    ]
    assert diff.entries[1].replaced_by == ("3",)
