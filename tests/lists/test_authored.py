"""The authored lists evaluated against the real bundle, and the checks on their data files."""

from __future__ import annotations

import csv
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from servicelist.errors import ImportRejected, RowError
from servicelist.lists import authored as a
from servicelist.lists import records as r
from servicelist.lists.sources import read_bundled_lists
from servicelist.settings import default_data_dir

SERVICE_COUNT = 1567

# Services whose class the tests pin, chosen for the ABC definitions they illustrate.
OPENING_HOURS_SERVICE = "1413"  # Civic buildings: location and opening hours of council offices
TERM_DATES_SERVICE = "36"  # School term and holiday dates
GENERAL_INFORMATION_SERVICE = "84"  # Housing - allocations - general information
PLANNING_PERMIT_SERVICE = "487"  # Full planning applications
BUILDING_PERMIT_SERVICE = "499"  # Building control
DANGEROUS_ANIMALS_SERVICE = "376"  # Dangerous animals licence
HMO_LICENCE_SERVICE = "898"  # Homes in multiple occupancy licence
QUALIFIED_REGISTRATION_SERVICE = "1181"  # Architect registration


@pytest.fixture(scope="module")
def bundle() -> r.ListBundle:
    return read_bundled_lists(default_data_dir())


@pytest.fixture(scope="module")
def authored(bundle: r.ListBundle) -> r.ListBundle:
    return a.read_authored_lists(default_data_dir(), bundle)


def _links(bundle: r.ListBundle, relation: str) -> list[r.LinkRecord]:
    return [link for link in bundle.links if link.relation == relation]


def _by_service(bundle: r.ListBundle, relation: str) -> dict[str, list[r.LinkRecord]]:
    result: dict[str, list[r.LinkRecord]] = defaultdict(list)
    for link in _links(bundle, relation):
        result[link.subject_id].append(link)
    return result


def _abc_of(bundle: r.ListBundle) -> dict[str, str]:
    return {link.subject_id: link.object_id for link in _links(bundle, a.HAS_ABC_CLASS)}


def _items(bundle: r.ListBundle, list_id: str) -> dict[str, r.ItemRecord]:
    return {item.identifier: item for item in bundle.items if item.list_id == list_id}


def _life_event_services(bundle: r.ListBundle) -> dict[str, dict[str, r.LinkRecord]]:
    result: dict[str, dict[str, r.LinkRecord]] = defaultdict(dict)
    for link in bundle.links:
        if link.subject_list == a.LIFE_EVENTS:
            result[link.subject_id][link.object_id] = link
    return result


# --- Lists and items -----------------------------------------------------------------------


def test_lists_metadata(authored: r.ListBundle) -> None:
    lists = {record.id: record for record in authored.lists}

    assert set(lists) == set(a.AUTHORED_LIST_IDS)
    for record in lists.values():
        assert record.authored is True
        assert record.licence == "Creative Commons Attribution 4.0 International"
        assert record.licence_url == "https://creativecommons.org/licenses/by/4.0/"
        assert record.version == "2026-12-04"
        assert record.publisher == "servicelist maintainers"
        assert record.esd_uri_pattern is None


def test_items_per_list(authored: r.ListBundle) -> None:
    counts = Counter(item.list_id for item in authored.items)

    assert set(counts) == set(a.AUTHORED_LIST_IDS)
    assert counts[a.ABC_CLASSES] == 3
    assert counts[a.CHANNELS] >= 9
    assert counts[a.LIFE_EVENTS] >= 25
    assert counts[a.PROCESS_TEMPLATES] == 2


def test_items_keep_row_order(authored: r.ListBundle) -> None:
    classes = sorted(_items(authored, a.ABC_CLASSES).values(), key=lambda item: item.position)

    assert [item.identifier for item in classes] == ["A", "B", "C"]
    assert [item.position for item in classes] == [1, 2, 3]
    assert classes[0].labels["en"]
    assert classes[0].descriptions["en"]
    assert classes[0].properties["front_line"]


def test_required_channels(authored: r.ListBundle) -> None:
    channels = _items(authored, a.CHANNELS)

    for channel in ("desk", "phone", "letter", "email", "web", "chat", "home-visit"):
        assert channel in channels
    assert "mobile-office" in channels
    assert "sms" in channels


def test_audience_hierarchy(authored: r.ListBundle) -> None:
    audiences = _items(authored, a.AUDIENCES)

    for top in ("residents", "businesses", "visitors", "community-organisations"):
        assert audiences[top].parent is None
    assert audiences["older-people"].parent == "residents"
    assert audiences["carers"].parent == "residents"
    assert audiences["students"].parent == "young-people"
    for audience in audiences.values():
        assert audience.parent is None or audience.parent in audiences


def test_life_event_kinds(authored: r.ListBundle) -> None:
    events = _items(authored, a.LIFE_EVENTS)
    kinds = Counter(event.properties["kind"] for event in events.values())

    assert set(kinds) == {"citizen", "business"}
    assert events["having-a-child"].properties["kind"] == "citizen"
    assert events["starting-a-business"].properties["kind"] == "business"


# --- Coverage of every service -------------------------------------------------------------


def test_one_abc_class_per_service(authored: r.ListBundle) -> None:
    per_service = _by_service(authored, a.HAS_ABC_CLASS)

    assert len(per_service) == SERVICE_COUNT
    assert all(len(links) == 1 for links in per_service.values())
    assert {link.object_id for link in _links(authored, a.HAS_ABC_CLASS)} == {"A", "B", "C"}


def test_one_primary_channel_per_service(authored: r.ListBundle) -> None:
    per_service = _by_service(authored, a.HAS_CHANNEL)

    assert len(per_service) == SERVICE_COUNT
    for service, links in per_service.items():
        primaries = [link.object_id for link in links if link.properties["primary"]]
        assert len(primaries) == 1, service
        assert len({link.object_id for link in links}) == len(links), service


def test_audience_for_every_service(authored: r.ListBundle) -> None:
    per_service = _by_service(authored, a.HAS_AUDIENCE)

    assert len(per_service) == SERVICE_COUNT
    for service, links in per_service.items():
        assert len({link.object_id for link in links}) == len(links), service


def test_one_process_per_service(authored: r.ListBundle) -> None:
    per_service = _by_service(authored, a.FOLLOWS_PROCESS)

    assert len(per_service) == SERVICE_COUNT
    assert all(len(links) == 1 for links in per_service.values())


def test_life_events_reach_services(authored: r.ListBundle) -> None:
    reached = _life_event_services(authored)

    assert len(reached) >= 25
    assert set(reached) == set(_items(authored, a.LIFE_EVENTS))
    for event, services in reached.items():
        assert len(services) >= 3, event


# --- ABC classes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        (OPENING_HOURS_SERVICE, "A"),
        (TERM_DATES_SERVICE, "A"),
        (GENERAL_INFORMATION_SERVICE, "A"),
        (PLANNING_PERMIT_SERVICE, "B"),
        (BUILDING_PERMIT_SERVICE, "B"),
        (DANGEROUS_ANIMALS_SERVICE, "C"),
        (HMO_LICENCE_SERVICE, "C"),
        (QUALIFIED_REGISTRATION_SERVICE, "C"),
    ],
)
def test_abc_examples(
    authored: r.ListBundle, bundle: r.ListBundle, service: str, expected: str
) -> None:
    services = _items(bundle, r.SERVICES)
    link = _by_service(authored, a.HAS_ABC_CLASS)[service][0]

    assert link.object_id == expected, services[service].label
    assert link.properties["rule"] != "exception"


def test_abc_example_labels(bundle: r.ListBundle) -> None:
    services = _items(bundle, r.SERVICES)

    assert services[OPENING_HOURS_SERVICE].label == "Civic buildings"
    assert "opening hours" in services[OPENING_HOURS_SERVICE].descriptions["en"]
    assert services[PLANNING_PERMIT_SERVICE].label == "Full planning applications"
    assert services[BUILDING_PERMIT_SERVICE].label == "Building control"
    assert services[DANGEROUS_ANIMALS_SERVICE].label == "Dangerous animals licence"
    assert services[HMO_LICENCE_SERVICE].label == "Homes in multiple occupancy licence"
    assert services[QUALIFIED_REGISTRATION_SERVICE].label == "Architect registration"


def test_abc_links_name_rule(authored: r.ListBundle) -> None:
    rule_ids = {row["rule_id"] for row in _read_csv(default_data_dir(), "abc_rules.csv")}

    for link in _links(authored, a.HAS_ABC_CLASS):
        assert link.properties["assignment"] == "suggested"
        rule = link.properties["rule"]
        if rule == "exception":
            assert link.source == "authored exception"
        else:
            assert rule in rule_ids
            assert link.source == f"authored rule {rule}"
        assert link.note


def test_abc_exceptions_override_rules(
    authored: r.ListBundle, bundle: r.ListBundle, tmp_path: Path
) -> None:
    exceptions = _read_csv(default_data_dir(), "abc_exceptions.csv")
    data_dir = _copy_authored(tmp_path)
    _write_csv(data_dir, "abc_exceptions.csv", exceptions[:0], fieldnames=list(exceptions[0]))
    by_rules = _abc_of(a.read_authored_lists(data_dir, bundle))
    links = {link.subject_id: link for link in _links(authored, a.HAS_ABC_CLASS)}

    assert len(exceptions) >= 20
    for row in exceptions:
        link = links[row["service_id"]]
        assert link.object_id == row["abc_class"]
        assert link.properties["rule"] == "exception"
        assert link.note == row["reason"]
        assert link.properties["reviewed_by"] == "servicelist maintainers"
        assert by_rules[row["service_id"]] != row["abc_class"], row["service_id"]


def test_anchored_words_match_start(authored: r.ListBundle) -> None:
    links = {link.subject_id: link for link in _links(authored, a.HAS_ABC_CLASS)}

    # "Facilities -fleet ownership and maintenance" starts with the internal prefix.
    assert links["965"].properties["rule"] == "ABC-INTERNAL"
    # "Sports - facilities - information" contains "facilities -" but does not start with it.
    assert links["644"].properties["rule"] != "ABC-INTERNAL"


def test_readme_abc_counts_are_true(authored: r.ListBundle) -> None:
    readme = (default_data_dir() / "authored" / "README.md").read_text(encoding="utf-8")
    documented = _readme_table(readme, "| ABC class | Services |")
    counts = Counter(link.object_id for link in _links(authored, a.HAS_ABC_CLASS))

    assert documented == {key: str(value) for key, value in counts.items()}


def test_readme_template_counts_are_true(authored: r.ListBundle) -> None:
    readme = (default_data_dir() / "authored" / "README.md").read_text(encoding="utf-8")
    documented = _readme_table(readme, "| Process template | Services |")
    counts = Counter(link.object_id for link in _links(authored, a.FOLLOWS_PROCESS))

    assert documented == {key: str(value) for key, value in counts.items()}


def _readme_table(readme: str, header: str) -> dict[str, str]:
    """Return the first two columns of the Markdown table under ``header``."""
    lines = readme.splitlines()
    start = lines.index(header) + 2
    table: dict[str, str] = {}
    for line in lines[start:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2:
            break
        table[cells[0].strip("`")] = cells[1].replace(",", "")
    return table


# --- Life events ---------------------------------------------------------------------------


def test_having_a_child_services(authored: r.ListBundle) -> None:
    services = _life_event_services(authored)["having-a-child"]

    for service in ("319", "927", "924", "1451"):  # birth registration, midwifery, immunisation
        assert service in services
    assert services["319"].properties == {"reason_type": "editorial"}
    assert services["319"].note
    assert services["319"].source == "authored mapping service 319"
    assert "321" not in services  # death registration shares heading 40 with births


def test_life_event_heading_beats_function(authored: r.ListBundle) -> None:
    services = _life_event_services(authored)["owning-a-pet"]

    # Dog wardens is reached through heading 61 and through function 31 (Animal welfare).
    assert services["432"].properties == {"reason_type": "navigation"}
    assert services["432"].source == "authored mapping navigation 61"


def test_life_event_links_are_unique(authored: r.ListBundle) -> None:
    pairs = Counter(
        (link.subject_id, link.object_id)
        for link in authored.links
        if link.subject_list == a.LIFE_EVENTS
    )

    assert all(count == 1 for count in pairs.values())
    for link in authored.links:
        if link.subject_list == a.LIFE_EVENTS:
            assert link.relation == r.CONTAINS
            assert link.object_list == r.SERVICES


# --- Process templates ---------------------------------------------------------------------


def test_question_template_steps(authored: r.ListBundle) -> None:
    template = _items(authored, a.PROCESS_TEMPLATES)["question"]
    steps = template.properties["steps"]

    assert template.properties["kind"] == "question"
    assert [step["order"] for step in steps] == [1, 2, 3]
    assert [step["office_tier"] for step in steps] == ["front", "mid", "front"]
    assert [step["channel_role"] for step in steps] == ["intake", "none", "delivery"]


def test_request_template_steps(authored: r.ListBundle) -> None:
    template = _items(authored, a.PROCESS_TEMPLATES)["request"]
    steps = template.properties["steps"]

    assert template.properties["kind"] == "request"
    assert [step["order"] for step in steps] == [1, 2, 3, 4, 5]
    assert [step["office_tier"] for step in steps] == ["front", "mid", "back", "mid", "front"]
    assert steps[2]["label"] == "Processing"
    for step in steps:
        assert set(step) == {
            "order",
            "label",
            "office_tier",
            "actor_role",
            "duration",
            "manual",
            "channel_role",
            "description",
        }
        assert isinstance(step["manual"], bool)


def test_process_durations_by_abc_class(authored: r.ListBundle) -> None:
    processes = {link.subject_id: link for link in _links(authored, a.FOLLOWS_PROCESS)}
    planning = processes[PLANNING_PERMIT_SERVICE]
    licence = processes[DANGEROUS_ANIMALS_SERVICE]

    assert planning.object_id == "request"
    assert planning.properties["steps"][2]["duration"] == "P10D"
    assert licence.object_id == "request"
    assert licence.properties["steps"][2]["duration"] == "P20D"
    assert licence.properties["steps"][0]["duration"] == "PT30M"


def test_process_channels(authored: r.ListBundle) -> None:
    processes = {link.subject_id: link for link in _links(authored, a.FOLLOWS_PROCESS)}
    primaries = {
        link.subject_id: link.object_id
        for link in _links(authored, a.HAS_CHANNEL)
        if link.properties["primary"]
    }
    opening_hours = processes[OPENING_HOURS_SERVICE]

    assert opening_hours.object_id == "question"
    assert opening_hours.properties["delivery_channel"] == "web"
    for service, link in processes.items():
        assert link.properties["intake_channel"] == primaries[service]
        if link.object_id == "request":
            assert link.properties["delivery_channel"] == primaries[service]


# --- Channels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "eur", "gbp"),
    [("desk", 27.5, 8.62), ("phone", 10.0, 2.83), ("web", 0.5, 0.15)],
)
def test_channel_costs(authored: r.ListBundle, channel: str, eur: float, gbp: float) -> None:
    costs = _items(authored, a.CHANNELS)[channel].properties["cost_per_contact"]
    by_currency = {cost["currency"]: cost for cost in costs}

    assert by_currency["EUR"]["amount"] == eur
    assert by_currency["EUR"]["source"] == "Dutch study of municipal channels"
    assert by_currency["GBP"]["amount"] == gbp
    assert "Socitm Channel Value Benchmarking 2011" in by_currency["GBP"]["source"]
    assert "wired-gov.net" in by_currency["GBP"]["source"]


def test_channels_without_published_cost(authored: r.ListBundle) -> None:
    channels = _items(authored, a.CHANNELS)

    for channel in ("letter", "email", "chat", "home-visit", "mobile-office", "sms"):
        assert channels[channel].properties["cost_per_contact"] == []
    for row in _read_csv(default_data_dir(), "channels.csv"):
        if not row["cost_eur"]:
            assert "No published cost" in row["cost_eur_source"]


def test_channel_eu_alignment_unconfirmed(authored: r.ListBundle) -> None:
    for channel in _items(authored, a.CHANNELS).values():
        alignment = channel.properties["eu_alignment"]
        assert alignment["uri"] is None
        assert "b37115f83e" in alignment["note"]


def test_channel_opening_hours(authored: r.ListBundle) -> None:
    channels = _items(authored, a.CHANNELS)
    desk = channels["desk"].properties["opening_hours"]
    web = channels["web"].properties["opening_hours"]

    assert {"day": "Mo", "opens": "09:00", "closes": "17:00"} in desk
    assert [hours["day"] for hours in desk] == ["Mo", "Tu", "We", "Th", "Fr"]
    assert [hours["day"] for hours in web] == list(a.WEEKDAYS)
    assert all(hours["opens"] == "00:00" and hours["closes"] == "24:00" for hours in web)
    assert channels["mobile-office"].properties["opening_hours"]
    assert channels["chat"].properties["opening_hours"]


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        ("2026-01-01", "New Year"),
        ("2026-04-03", "Good Friday"),
        ("2026-04-06", "Easter Monday"),
        ("2026-05-04", "Early May"),
        ("2026-05-25", "Spring"),
        ("2026-08-31", "Summer"),
        ("2026-12-25", "Christmas Day"),
        ("2026-12-28", "Boxing Day"),
        ("2027-01-01", "New Year"),
        ("2027-03-26", "Good Friday"),
        ("2027-03-29", "Easter Monday"),
        ("2027-05-03", "Early May"),
        ("2027-05-31", "Spring"),
        ("2027-08-30", "Summer"),
        ("2027-12-27", "Christmas Day"),
        ("2027-12-28", "Boxing Day"),
    ],
)
def test_bank_holidays_close_channels(authored: r.ListBundle, day: str, reason: str) -> None:
    channels = _items(authored, a.CHANNELS)

    for channel in ("desk", "phone", "chat", "mobile-office"):
        exceptions = {e["date"]: e for e in channels[channel].properties["hours_exceptions"]}
        assert exceptions[day]["opens"] is None, channel
        assert exceptions[day]["closes"] is None, channel
        assert reason in exceptions[day]["reason"], channel
    assert channels["web"].properties["hours_exceptions"] == []


def test_christmas_eve_early_closing(authored: r.ListBundle) -> None:
    desk = _items(authored, a.CHANNELS)["desk"].properties["hours_exceptions"]
    christmas_eve = next(e for e in desk if e["date"] == "2026-12-24")

    assert christmas_eve["opens"] == "09:00"
    assert christmas_eve["closes"] == "13:00"


def test_channel_link_properties(authored: r.ListBundle) -> None:
    channels = _items(authored, a.CHANNELS)
    desk_links = [link for link in _links(authored, a.HAS_CHANNEL) if link.object_id == "desk"]

    assert desk_links
    for link in desk_links[:20]:
        assert link.properties["url"] is None
        assert link.properties["phone"] is None
        assert link.properties["email"] is None
        assert link.properties["languages"] == ["en"]
        assert link.properties["opening_hours"] == channels["desk"].properties["opening_hours"]
        assert (
            link.properties["cost_per_contact"] == channels["desk"].properties["cost_per_contact"]
        )
        assert link.source.startswith("authored rule ")


def test_channel_rule_examples(authored: r.ListBundle) -> None:
    channels = {
        service: {link.object_id: link.properties["primary"] for link in links}
        for service, links in _by_service(authored, a.HAS_CHANNEL).items()
    }

    assert channels["372"]["web"] is True  # Abandoned vehicles: report online
    assert "phone" in channels["372"]
    assert {"web", "email", "letter"} <= set(channels[PLANNING_PERMIT_SERVICE])
    assert channels["209"]["phone"] is True  # Care needs assessment
    assert "home-visit" in channels["209"]
    assert "mobile-office" in channels["440"]  # Library loan renewals
    assert "sms" in channels["440"]
    assert "chat" in channels[OPENING_HOURS_SERVICE]
    assert "desk" in channels[HMO_LICENCE_SERVICE]
    assert channels["319"]["desk"] is True  # Birth registration with a registrar


# --- Errors in the data files --------------------------------------------------------------


def _copy_authored(tmp_path: Path) -> Path:
    """Copy the authored folder into ``tmp_path`` and return the new data folder."""
    data_dir = tmp_path / "data"
    shutil.copytree(default_data_dir() / "authored", data_dir / "authored")
    return data_dir


def _read_csv(data_dir: Path, name: str) -> list[dict[str, str]]:
    with (data_dir / "authored" / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _write_csv(
    data_dir: Path, name: str, rows: list[dict[str, str]], fieldnames: list[str] | None = None
) -> None:
    columns = fieldnames or list(rows[0])
    with (data_dir / "authored" / name).open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _edit(tmp_path: Path, name: str, change: Callable[[list[dict[str, str]]], None]) -> Path:
    data_dir = _copy_authored(tmp_path)
    rows = _read_csv(data_dir, name)
    fieldnames = list(rows[0])
    change(rows)
    _write_csv(data_dir, name, rows, fieldnames)
    return data_dir


def _rejected(data_dir: Path, bundle: r.ListBundle) -> list[RowError]:
    with pytest.raises(ImportRejected) as raised:
        a.read_authored_lists(data_dir, bundle)
    return raised.value.errors


def _set(index: int, column: str, value: str) -> Callable[[list[dict[str, str]]], None]:
    def change(rows: list[dict[str, str]]) -> None:
        rows[index][column] = value

    return change


@pytest.mark.parametrize(
    ("name", "change", "column", "value"),
    [
        ("abc_rules.csv", _set(0, "abc_class", "D"), "abc_class", "D"),
        ("abc_rules.csv", _set(0, "navigation", "9999"), "navigation", "9999"),
        ("abc_rules.csv", _set(0, "function", "9999"), "function", "9999"),
        ("abc_rules.csv", _set(0, "interaction", "99"), "interaction", "99"),
        ("abc_rules.csv", _set(0, "tier", "parish"), "tier", "parish"),
        ("abc_rules.csv", _set(0, "priority", "first"), "priority", "first"),
        ("abc_rules.csv", _set(1, "rule_id", "ABC-MEMBERS-INFO"), "rule_id", "ABC-MEMBERS-INFO"),
        ("abc_rules.csv", _set(0, "label_words", "a||b"), "label_words", "a||b"),
        ("abc_exceptions.csv", _set(0, "service_id", "99999"), "service_id", "99999"),
        ("abc_exceptions.csv", _set(0, "abc_class", "Z"), "abc_class", "Z"),
        ("abc_exceptions.csv", _set(0, "reviewed_on", "yesterday"), "reviewed_on", "yesterday"),
        ("channel_rules.csv", _set(0, "channel_id", "pigeon"), "channel_id", "pigeon"),
        ("channel_rules.csv", _set(0, "primary", "yes"), "primary", "yes"),
        ("channel_rules.csv", _set(0, "abc_class", "Q"), "abc_class", "Q"),
        ("audience_rules.csv", _set(0, "audience_id", "martians"), "audience_id", "martians"),
        ("audiences.csv", _set(5, "parent", "nobody"), "parent", "nobody"),
        ("life_event_mappings.csv", _set(0, "value", "99999"), "value", "99999"),
        ("life_event_mappings.csv", _set(0, "life_event_id", "x"), "life_event_id", "x"),
        ("life_event_mappings.csv", _set(0, "source", "rumour"), "source", "rumour"),
        ("life_events.csv", _set(0, "kind", "pet"), "kind", "pet"),
        ("process_templates.csv", _set(0, "duration", "5 minutes"), "duration", "5 minutes"),
        ("process_templates.csv", _set(0, "office_tier", "side"), "office_tier", "side"),
        ("process_templates.csv", _set(1, "step", "3"), "step", "3"),
        ("process_templates.csv", _set(0, "manual", "maybe"), "manual", "maybe"),
        ("process_durations.csv", _set(0, "duration", "P1X"), "duration", "P1X"),
        ("process_durations.csv", _set(0, "duration", "P1M"), "duration", "P1M"),
        ("process_durations.csv", _set(0, "step", "9"), "step", "9"),
        ("process_rules.csv", _set(0, "template_id", "wish"), "template_id", "wish"),
        ("channels.csv", _set(0, "cost_eur", "cheap"), "cost_eur", "cheap"),
        ("channels.csv", _set(0, "cost_gbp_source", ""), "cost_gbp_source", ""),
        ("channel_hours.csv", _set(0, "opens", "9am"), "opens", "9am"),
        ("channel_hours.csv", _set(0, "closes", "08:00"), "closes", "08:00"),
        ("channel_hours.csv", _set(0, "day", "Monday"), "day", "Monday"),
        ("channel_hours_exceptions.csv", _set(0, "date", "2026-02-30"), "date", "2026-02-30"),
        ("channel_hours_exceptions.csv", _set(0, "opens", "18:00"), "closes", ""),
    ],
)
def test_invalid_row_rejected(
    bundle: r.ListBundle,
    tmp_path: Path,
    name: str,
    change: Callable[[list[dict[str, str]]], None],
    column: str,
    value: str | None,
) -> None:
    errors = _rejected(_edit(tmp_path, name, change), bundle)

    assert [error.column for error in errors] == [column]
    assert errors[0].value == value
    assert errors[0].reason


def test_unknown_heading_names_row(bundle: r.ListBundle, tmp_path: Path) -> None:
    data_dir = _edit(tmp_path, "abc_rules.csv", _set(2, "navigation", "9999"))
    errors = _rejected(data_dir, bundle)

    assert errors == [
        RowError(row=4, column="navigation", value="9999", reason="heading '9999' not found")
    ]


def test_default_rule_must_be_last(bundle: r.ListBundle, tmp_path: Path) -> None:
    def move_default_first(rows: list[dict[str, str]]) -> None:
        rows[-1]["priority"] = "1"

    errors = _rejected(_edit(tmp_path, "process_rules.csv", move_default_first), bundle)

    assert errors[0].column == "priority"
    assert "highest priority number" in errors[0].reason


def test_abc_rules_need_default(bundle: r.ListBundle, tmp_path: Path) -> None:
    errors = _rejected(_edit(tmp_path, "abc_rules.csv", _set(-1, "label_words", "zzz")), bundle)

    assert [error.column for error in errors] == ["priority"]
    assert "must have every condition empty" in errors[0].reason


def test_channel_rules_need_default(bundle: r.ListBundle, tmp_path: Path) -> None:
    def drop_defaults(rows: list[dict[str, str]]) -> None:
        rows[:] = [row for row in rows if not row["rule_id"].startswith("CH-DEFAULT")]

    errors = _rejected(_edit(tmp_path, "channel_rules.csv", drop_defaults), bundle)

    assert errors[0].column == "primary"
    assert "primary true" in errors[0].reason


def test_audience_rules_need_default(bundle: r.ListBundle, tmp_path: Path) -> None:
    def drop_default(rows: list[dict[str, str]]) -> None:
        rows[:] = [row for row in rows if row["rule_id"] != "AUD-DEFAULT-RESIDENTS"]

    errors = _rejected(_edit(tmp_path, "audience_rules.csv", drop_default), bundle)

    assert "every condition empty" in errors[0].reason


def test_missing_file_rejected(bundle: r.ListBundle, tmp_path: Path) -> None:
    data_dir = _copy_authored(tmp_path)
    (data_dir / "authored" / "audiences.csv").unlink()

    errors = _rejected(data_dir, bundle)

    assert errors[0].reason == "file not found"


def test_audience_fallback_stands_alone(authored: r.ListBundle) -> None:
    for service, links in _by_service(authored, a.HAS_AUDIENCE).items():
        rules = {link.source for link in links}
        if "authored rule AUD-DEFAULT-RESIDENTS" in rules:
            assert len(links) == 1, service


def test_word_patterns_match_words(bundle: r.ListBundle, tmp_path: Path) -> None:
    def add_first_rule(rows: list[dict[str, str]]) -> None:
        rule = dict.fromkeys(rows[0], "")
        rule.update(
            rule_id="TEST-WORDS",
            priority="1",
            label_words="licen*|^bus",
            abc_class="C",
            rationale="test",
        )
        rows.insert(0, rule)

    data_dir = _edit(tmp_path, "abc_rules.csv", add_first_rule)
    rules = {
        link.subject_id: link.properties["rule"]
        for link in _links(a.read_authored_lists(data_dir, bundle), a.HAS_ABC_CLASS)
    }

    assert rules["376"] == "TEST-WORDS"  # Dangerous animals licence
    assert rules["1440"] == "TEST-WORDS"  # Video sales licence
    assert rules["1599"] == "TEST-WORDS"  # Bus lanes and routes
    assert rules["273"] != "TEST-WORDS"  # Older people's bus pass: "bus" not at the start
    assert rules["55"] != "TEST-WORDS"  # Business rate relief: "bus" is not a whole word
