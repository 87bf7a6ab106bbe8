"""The bundled lists as published: counts, merges and mappings of the real files."""

from __future__ import annotations

from collections import Counter

import pytest

from servicelist.lists import records as r
from servicelist.lists.sources import read_bundled_lists
from servicelist.settings import default_data_dir


@pytest.fixture(scope="module")
def bundle() -> r.ListBundle:
    return read_bundled_lists(default_data_dir())


def _items(bundle: r.ListBundle, list_id: str) -> dict[str, r.ItemRecord]:
    return {item.identifier: item for item in bundle.items if item.list_id == list_id}


def test_item_counts_per_list(bundle: r.ListBundle) -> None:
    counts = Counter(item.list_id for item in bundle.items)

    assert counts == {
        "services": 1567,
        "interactions": 33,
        "functions": 113,
        "navigation": 118,
        "tiers": 3,
        "councils": 382,
        "abc-classes": 3,
        "channels": 9,
        "audiences": counts["audiences"],
        "life-events": 35,
        "process-templates": 2,
    }
    assert counts["audiences"] >= 20


def test_services_2015_base_with_2019_revision(bundle: r.ListBundle) -> None:
    services = _items(bundle, r.SERVICES)
    editions = Counter(item.properties["edition"] for item in services.values())

    assert editions == {"2015": 1567 - 989, "2019": 989}
    assert sum(1 for item in services.values() if item.properties.get("added_in") == "2019") == 48
    # 72 labels differ in the files, one of them only by a broken "é" that the loader repairs.
    assert sum(1 for item in services.values() if "previous_label" in item.properties) == 71


def test_abandoned_vehicles(bundle: r.ListBundle) -> None:
    service = _items(bundle, r.SERVICES)["372"]

    assert service.label == "Abandoned vehicles"
    assert service.descriptions["en"].startswith("The local council will deal with any vehicles")
    assert service.created == "2013-04-03"
    assert service.history_notes is not None
    assert "Name changed to 'Abandoned vehicles' in version 4.00." in service.history_notes


def test_revised_label_keeps_history_and_previous_label(bundle: r.ListBundle) -> None:
    services = _items(bundle, r.SERVICES)
    revised = [item for item in services.values() if "previous_label" in item.properties]

    for item in revised:
        assert item.label != item.properties["previous_label"]
    service = services["10"]
    assert service.label == "Special educational needs placement in mainstream school"
    assert (
        service.properties["previous_label"]
        == "Special educational needs - placement in mainstream school"
    )
    assert service.history_notes is not None
    assert service.history_notes.startswith("Added scope notes in version 2.02.")
    assert service.modified == "2019-01-25"


def test_service_added_in_2019_has_dates(bundle: r.ListBundle) -> None:
    added = [
        item for item in _items(bundle, r.SERVICES).values() if item.properties.get("added_in")
    ]

    assert all(item.created and item.modified for item in added)
    assert all(item.descriptions.get("en") for item in added)


def test_published_quirks_are_repaired(bundle: r.ListBundle) -> None:
    services = _items(bundle, r.SERVICES)

    assert services["1309"].descriptions["en"] == (
        "Private organisations and individuals offering adoption support services must be "
        "registered with the relevant authority.\n"
        "In the UK registrations are administered by Ofsted."
    )
    for item in services.values():
        text = item.descriptions.get("en", "")
        assert not text.endswith("@en"), item.identifier
        assert "Â" not in text, item.identifier
        assert "\r" not in text, item.identifier
        assert not (item.history_notes or "").endswith("@en"), item.identifier


def test_functions_two_levels(bundle: r.ListBundle) -> None:
    functions = _items(bundle, r.FUNCTIONS)
    top = [item for item in functions.values() if item.parent is None]

    assert len(top) == 13
    assert functions["2"].parent == "1"
    assert all(functions[item.parent].parent is None for item in functions.values() if item.parent)


def test_navigation_headings_and_mappings(bundle: r.ListBundle) -> None:
    headings = _items(bundle, r.NAVIGATION)
    mapped = {
        link.object_id
        for link in bundle.links
        if link.subject_list == r.NAVIGATION and link.object_list == r.SERVICES
    }

    assert headings["19"].parent == "18"
    assert headings["18"].parent == "11"
    assert all(item.status == r.STATUS_DISCONTINUED for item in headings.values())
    assert len(mapped) == 989


def test_providing_tiers(bundle: r.ListBundle) -> None:
    tier_links = [link for link in bundle.links if link.relation == r.PROVIDED_BY]
    services = {link.subject_id for link in tier_links}

    assert len(services) == 124
    assert {link.object_id for link in tier_links if link.subject_id == "1"} == {
        "county",
        "unitary",
    }


def test_councils_with_tiers_and_parents(bundle: r.ListBundle) -> None:
    councils = _items(bundle, r.COUNCILS)
    tiers = Counter(item.properties["tier"] for item in councils.values())
    countries = Counter(item.properties["country"] for item in councils.values())

    assert tiers == {"county": 21, "district": 164, "unitary": 197}
    assert countries == {"England": 317, "Scotland": 32, "Wales": 22, "Northern Ireland": 11}
    districts = [item for item in councils.values() if item.properties["tier"] == "district"]
    assert all(
        councils[item.parent].properties["tier"] == "county" for item in districts if item.parent
    )


def test_interaction_pairs_from_fallback_links(bundle: r.ListBundle) -> None:
    pairs = [link for link in bundle.links if link.relation == r.HAS_INTERACTION]

    assert len(pairs) == 81
    assert {link.object_id for link in pairs} == {"0", "4", "8", "17"}


def test_every_list_has_licence_and_attribution(bundle: r.ListBundle) -> None:
    assert [record.id for record in bundle.lists] == [*r.LIST_IDS, *r.AUTHORED_LIST_IDS]
    for record in bundle.lists:
        assert record.licence
        assert record.licence_url.startswith("http")
        assert record.attribution
    esd = [
        record
        for record in bundle.lists
        if record.id in ("services", "interactions", "functions", "navigation")
    ]
    assert all(record.licence == "Open Government Licence v3.0" for record in esd)
    assert all("esd-toolkit" in record.attribution for record in esd)
