"""Turn the bundled source files into one ``ListBundle``.

Each ``parse_*`` function takes the bytes of one published file and returns records; it never
touches the database. ``read_bundled_releases`` combines them into the two releases the bundled
files make: the 2015 LGSL alone, then the 2019 labels and descriptions on top, each with the
mappings between the lists. ``read_bundled_lists`` returns the newest of them.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

from servicelist.errors import ImportRejected, RowError
from servicelist.lists import records as r
from servicelist.lists.authored import read_authored_lists
from servicelist.lists.esd_csv import clean_text, read_rows

log = logging.getLogger(__name__)

ESD_COLUMNS = ("Identifier", "Label", "Description", "Created", "Modified", "History notes")

# GOV.UK local-links-manager codes tiers as 1, 2 and 3.
TIER_CODES = {"1": "county", "2": "district", "3": "unitary"}
TIER_LABELS = {
    "county": "County council",
    "district": "District council",
    "unitary": "Unitary authority",
}
TIER_DESCRIPTIONS = {
    "county": "The upper tier of a two-tier area in England, providing services such as "
    "education, social care, highways and waste disposal.",
    "district": "The lower tier of a two-tier area in England, providing services such as "
    "waste collection, housing, planning applications and council tax collection.",
    "unitary": "A single-tier authority providing every local government service in its area: "
    "unitary councils, London and metropolitan boroughs, and the councils of Scotland, "
    "Wales and Northern Ireland.",
}
# GOV.UK's providing tier names which authority types deliver a service.
PROVIDING_TIERS = {
    "county/unitary": ("county", "unitary"),
    "district/unitary": ("district", "unitary"),
    "all": ("county", "district", "unitary"),
}


def esd_date(value: str) -> str | None:
    """Return the date part of an esd timestamp (``2013-04-03T14:06:44.910`` or ``2013-04-03``)."""
    value = value.strip()
    return value[:10] if value else None


def parse_identifier(value: str, row: int, errors: list[RowError]) -> int | None:
    """Return an esd identifier as an integer, or record why it is not one."""
    text = value.strip()
    if text.isdigit():
        return int(text)
    errors.append(
        RowError(
            row=row, column="Identifier", value=value, reason="identifier must be a whole number"
        )
    )
    return None


def _rejected_if_any(source: str, errors: list[RowError]) -> None:
    if errors:
        raise ImportRejected(f"{source} has {len(errors)} invalid values", errors)


def parse_esd_list(data: bytes, *, list_id: str, source: str) -> list[r.ItemRecord]:
    """Parse an esd-toolkit list export (services, functions, interactions) into items.

    ``Parent identifiers`` gives the hierarchy where the list has one; only the first parent
    is kept because the esd lists used here are strict trees. The optional ``Replaces`` column
    names, separated by semicolons, the identifiers that a row replaces. They go into the
    item's ``replaces`` property, and the load retires them (``servicelist.lists.releases``).
    """
    rows = read_rows(data, source=source, required=("Identifier", "Label"))
    items: list[r.ItemRecord] = []
    errors: list[RowError] = []
    seen: set[int] = set()
    for row_number, row in enumerate(rows, start=2):
        identifier = parse_identifier(row["Identifier"], row_number, errors)
        label = clean_text(row["Label"])
        if not label:
            errors.append(RowError(row_number, "Label", row["Label"], "label must not be empty"))
        if identifier is None or not label:
            continue
        if identifier in seen:
            errors.append(
                RowError(row_number, "Identifier", row["Identifier"], "duplicate identifier")
            )
            continue
        seen.add(identifier)

        description = clean_text(row.get("Description", ""))
        parents = [p.strip() for p in row.get("Parent identifiers", "").split(";") if p.strip()]
        replaces = _parse_replaces(row.get("Replaces", ""), identifier, row_number, errors)
        items.append(
            r.ItemRecord(
                list_id=list_id,
                identifier=str(identifier),
                position=identifier,
                labels={"en": label},
                descriptions={"en": description} if description else {},
                created=esd_date(row.get("Created", "")),
                modified=esd_date(row.get("Modified", "")),
                history_notes=clean_text(row.get("History notes", "")) or None,
                parent=parents[0] if parents else None,
                properties={r.REPLACES: replaces} if replaces else {},
            )
        )
    _rejected_if_any(source, errors)
    return items


def _parse_replaces(value: str, identifier: int, row: int, errors: list[RowError]) -> list[str]:
    """Return the identifiers of a ``Replaces`` cell, or record why one is invalid."""
    replaced: list[str] = []
    for part in value.split(";"):
        text = part.strip()
        if not text:
            continue
        if not (text.isascii() and text.isdigit()):
            errors.append(RowError(row, "Replaces", text, "identifier must be a whole number"))
        elif int(text) == identifier:
            errors.append(RowError(row, "Replaces", text, "an item cannot replace itself"))
        elif str(int(text)) in replaced:
            errors.append(RowError(row, "Replaces", text, "identifier is named twice"))
        else:
            replaced.append(str(int(text)))
    return replaced


def apply_revision(
    base: list[r.ItemRecord], revision: list[r.ItemRecord], *, edition: str
) -> list[r.ItemRecord]:
    """Apply a later edition's labels and descriptions over the base list.

    Revised entries keep their history notes and created date. When the revision changed the
    label or description, ``properties`` records the earlier text. Entries that only the
    revision has are added.
    """
    by_id = {item.identifier: item for item in base}
    merged: dict[str, r.ItemRecord] = dict(by_id)
    for new in revision:
        old = by_id.get(new.identifier)
        if old is None:
            properties = {"edition": edition, "added_in": edition}
            merged[new.identifier] = replace(new, properties=properties)
            continue
        properties = dict(old.properties)
        properties["edition"] = edition
        if old.label != new.label:
            properties["previous_label"] = old.label
        old_description = old.descriptions.get("en", "")
        new_description = new.descriptions.get("en", "")
        if new_description and old_description != new_description:
            properties["previous_description"] = old_description
        merged[new.identifier] = replace(
            old,
            labels=new.labels,
            descriptions=new.descriptions or old.descriptions,
            modified=max(filter(None, (old.modified, new.modified)), default=None),
            properties=properties,
        )
    return sorted(merged.values(), key=lambda item: item.position)


def parse_interactions(data: bytes, *, source: str) -> list[r.ItemRecord]:
    """Parse the LGIL list (``identifier,label,shortname``)."""
    rows = read_rows(data, source=source, required=("identifier", "label"))
    items: list[r.ItemRecord] = []
    errors: list[RowError] = []
    for row_number, row in enumerate(rows, start=2):
        identifier = parse_identifier(row["identifier"], row_number, errors)
        if identifier is None:
            continue
        properties = {"short_name": row["shortname"].strip()} if row.get("shortname") else {}
        items.append(
            r.ItemRecord(
                list_id=r.INTERACTIONS,
                identifier=str(identifier),
                position=identifier,
                labels={"en": clean_text(row["label"])},
                properties=properties,
            )
        )
    _rejected_if_any(source, errors)
    return items


def parse_navigation(data: bytes, *, source: str) -> tuple[list[r.ItemRecord], list[r.LinkRecord]]:
    """Parse the LGNL export, one row per heading and mapped service, into headings and links."""
    rows = read_rows(
        data, source=source, required=(*ESD_COLUMNS, "Parent identifiers", "Mapped identifier")
    )
    headings: dict[str, r.ItemRecord] = {}
    links: list[r.LinkRecord] = []
    errors: list[RowError] = []
    for row_number, row in enumerate(rows, start=2):
        identifier = parse_identifier(row["Identifier"], row_number, errors)
        if identifier is None:
            continue
        key = str(identifier)
        if key not in headings:
            parent = row["Parent identifiers"].strip() or None
            headings[key] = r.ItemRecord(
                list_id=r.NAVIGATION,
                identifier=key,
                position=identifier,
                labels={"en": clean_text(row["Label"])},
                descriptions={"en": d} if (d := clean_text(row["Description"])) else {},
                created=esd_date(row["Created"]),
                modified=esd_date(row["Modified"]),
                history_notes=clean_text(row["History notes"]) or None,
                status=_status(row.get("Status", "")),
                parent=parent,
            )
        mapped = row["Mapped identifier"].strip()
        if not mapped:
            continue
        if parse_identifier(mapped, row_number, errors) is None:
            continue
        links.append(
            r.LinkRecord(
                subject_list=r.NAVIGATION,
                subject_id=key,
                relation=r.CONTAINS,
                object_list=r.SERVICES,
                object_id=mapped,
                status=_status(row.get("Mapped status", "")),
                source="LGNL 4.00, 2019 export",
            )
        )
    _rejected_if_any(source, errors)
    return sorted(headings.values(), key=lambda item: item.position), links


def _status(value: str) -> str:
    return r.STATUS_DISCONTINUED if value.strip().lower() == "discontinued" else r.STATUS_LIVE


def parse_navigation_functions(
    data: bytes, navigation_links: Iterable[r.LinkRecord], *, source: str
) -> list[r.LinkRecord]:
    """Map services to esd functions through the authored heading-to-function table."""
    rows = read_rows(data, source=source, required=("navigation_id", "function_id", "reason"))
    function_of_heading = {row["navigation_id"].strip(): row for row in rows}
    links: dict[tuple[str, str], r.LinkRecord] = {}
    for link in navigation_links:
        row = function_of_heading.get(link.subject_id)
        if row is None:
            continue
        key = (row["function_id"].strip(), link.object_id)
        if key in links:
            continue
        links[key] = r.LinkRecord(
            subject_list=r.FUNCTIONS,
            subject_id=key[0],
            relation=r.CONTAINS,
            object_list=r.SERVICES,
            object_id=link.object_id,
            status=link.status,
            note=f"via LGNL heading {link.subject_id}: {row['reason'].strip()}",
            source="authored by servicelist",
        )
    return list(links.values())


def parse_providing_tiers(
    data: bytes, *, source: str
) -> tuple[list[r.ItemRecord], list[r.LinkRecord]]:
    """Build the tier list and the providing tiers of services from GOV.UK's services file."""
    rows = read_rows(data, source=source, required=("LGSL", "Description", "Providing Tier"))
    tiers = [
        r.ItemRecord(
            list_id=r.TIERS,
            identifier=tier,
            position=int(code),
            labels={"en": TIER_LABELS[tier]},
            descriptions={"en": TIER_DESCRIPTIONS[tier]},
            properties={"govuk_tier_id": int(code)},
        )
        for code, tier in TIER_CODES.items()
    ]
    links: list[r.LinkRecord] = []
    errors: list[RowError] = []
    for row_number, row in enumerate(rows, start=2):
        service = parse_identifier(row["LGSL"], row_number, errors)
        providing = row["Providing Tier"].strip()
        if providing not in PROVIDING_TIERS:
            errors.append(
                RowError(
                    row_number,
                    "Providing Tier",
                    providing,
                    f"providing tier must be one of {', '.join(PROVIDING_TIERS)}",
                )
            )
            continue
        if service is None:
            continue
        for tier in PROVIDING_TIERS[providing]:
            links.append(
                r.LinkRecord(
                    subject_list=r.SERVICES,
                    subject_id=str(service),
                    relation=r.PROVIDED_BY,
                    object_list=r.TIERS,
                    object_id=tier,
                    note=f"GOV.UK providing tier {providing}: {clean_text(row['Description'])}",
                    source="GOV.UK publisher local_services.csv",
                )
            )
    _rejected_if_any(source, errors)
    return tiers, links


def parse_councils(data: bytes, *, source: str) -> tuple[list[r.ItemRecord], list[r.LinkRecord]]:
    """Parse GOV.UK's ``local-authorities.csv`` into councils and their tier links."""
    required = ("id", "gss", "snac", "tier_id", "parent_local_authority_id", "slug", "name")
    rows = read_rows(data, source=source, required=required)
    councils: list[r.ItemRecord] = []
    links: list[r.LinkRecord] = []
    errors: list[RowError] = []
    for row_number, row in enumerate(rows, start=2):
        identifier = row["id"].strip()
        tier = TIER_CODES.get(row["tier_id"].strip())
        if not identifier.isdigit():
            errors.append(RowError(row_number, "id", identifier, "id must be a whole number"))
            continue
        if tier is None:
            errors.append(
                RowError(row_number, "tier_id", row["tier_id"], "tier_id must be 1, 2 or 3")
            )
            continue
        properties = {
            "slug": row["slug"].strip(),
            "gss": row["gss"].strip() or None,
            "snac": row["snac"].strip() or None,
            "local_custodian_code": row.get("local_custodian_code", "").strip() or None,
            "tier": tier,
            "country": row.get("country_name", "").strip() or None,
            "homepage_url": row.get("homepage_url", "").strip() or None,
        }
        councils.append(
            r.ItemRecord(
                list_id=r.COUNCILS,
                identifier=identifier,
                position=int(identifier),
                labels={"en": clean_text(row["name"])},
                parent=row["parent_local_authority_id"].strip() or None,
                properties=properties,
            )
        )
        links.append(
            r.LinkRecord(
                subject_list=r.COUNCILS,
                subject_id=identifier,
                relation=r.HAS_TIER,
                object_list=r.TIERS,
                object_id=tier,
                source="GOV.UK local-links-manager local-authorities.csv",
            )
        )
    _rejected_if_any(source, errors)
    return councils, links


FALLBACK_LINK_EXTRA_COLUMNS = ("lgsl_code", "lgil_code")


def parse_interaction_pairs(data: bytes, *, source: str) -> list[r.LinkRecord]:
    """Derive service-to-interaction links from GOV.UK's fallback links.

    The file's header names four columns (``la,lgsl,lgil,link``) but every row has six: the
    last two are the LGSL and LGIL codes. Each distinct pair becomes one link, with the number
    of council pages that use it in the note. This is a partial mapping: GOV.UK uses only
    the interactions apply, pay, providing information and report.
    """
    rows = read_rows(
        data,
        source=source,
        required=("la", "lgsl", "lgil", "link"),
        extra_columns=FALLBACK_LINK_EXTRA_COLUMNS,
    )
    counts: Counter[tuple[int, int]] = Counter()
    errors: list[RowError] = []
    for row_number, row in enumerate(rows, start=2):
        service = parse_identifier(row["lgsl_code"], row_number, errors)
        interaction = parse_identifier(row["lgil_code"], row_number, errors)
        if service is not None and interaction is not None:
            counts[(service, interaction)] += 1
    _rejected_if_any(source, errors)
    return [
        r.LinkRecord(
            subject_list=r.SERVICES,
            subject_id=str(service),
            relation=r.HAS_INTERACTION,
            object_list=r.INTERACTIONS,
            object_id=str(interaction),
            note=f"used by {count} council pages in GOV.UK's fallback links (2017)",
            source="GOV.UK local-links-manager lgsl_lgil_fallback_links.csv",
        )
        for (service, interaction), count in sorted(counts.items())
    ]


def read_list_metadata(data: bytes) -> list[r.ListRecord]:
    """Parse ``lists.json``, the provenance and licence of every bundled list."""
    entries = json.loads(data)
    return [r.ListRecord(**{**entry, "files": tuple(entry["files"])}) for entry in entries]


class BundledRelease(NamedTuple):
    """One release the bundled files make: its title, notes and content."""

    title: str
    notes: str
    bundle: r.ListBundle


@dataclass(frozen=True, slots=True)
class _StandardSources:
    """The parsed standard files, before the services of an edition are chosen."""

    services_2015: list[r.ItemRecord]
    revision_2019: list[r.ItemRecord]
    lists: list[r.ListRecord]
    other_items: list[r.ItemRecord]
    links: list[r.LinkRecord]


# The services list of release 1, which has only the 2015 file. lists.json describes the list
# with the 2019 revision applied, as the newest release publishes it.
SERVICES_2015_VERSION = "4.0.1 (2015)"
SERVICES_2015_DESCRIPTION = (
    "The standard list of services that UK local authorities provide, one entry per service "
    "with a stable identifier. The full v4.0.1 list of 2015."
)
SERVICES_2015_FILE = "lgsl_services_2015.csv"


def _read_standard_sources(data_dir: Path, step: Callable[[str], None]) -> _StandardSources:
    esd = data_dir / "esd_lists"
    authored = data_dir / "authored"

    def read(path: Path) -> bytes:
        return path.read_bytes()

    step("LGSL services 2015")
    services = parse_esd_list(
        read(esd / SERVICES_2015_FILE), list_id=r.SERVICES, source=SERVICES_2015_FILE
    )
    services = [
        replace(item, properties={**item.properties, "edition": "2015"}) for item in services
    ]
    step("LGSL services 2019")
    revision = parse_esd_list(
        read(esd / "lgsl_services_2019.csv"), list_id=r.SERVICES, source="lgsl_services_2019.csv"
    )

    step("esd functions")
    functions = parse_esd_list(
        read(esd / "esd_functions.csv"), list_id=r.FUNCTIONS, source="esd_functions.csv"
    )
    step("LGIL interactions")
    interactions = parse_interactions(
        read(esd / "lgil_interactions.csv"), source="lgil_interactions.csv"
    )
    step("LGNL navigation")
    headings, navigation_links = parse_navigation(
        read(esd / "lgnl_navigation.csv"), source="lgnl_navigation.csv"
    )
    function_links = parse_navigation_functions(
        read(authored / "navigation_functions.csv"),
        navigation_links,
        source="navigation_functions.csv",
    )
    step("GOV.UK providing tiers")
    tiers, tier_links = parse_providing_tiers(
        read(esd / "govuk_providing_tiers.csv"), source="govuk_providing_tiers.csv"
    )
    step("UK councils")
    councils, council_links = parse_councils(
        read(esd / "uk_councils.csv"), source="uk_councils.csv"
    )
    step("GOV.UK interaction pairs")
    interaction_links = parse_interaction_pairs(
        read(esd / "govuk_fallback_links.csv"), source="govuk_fallback_links.csv"
    )
    return _StandardSources(
        services_2015=services,
        revision_2019=revision,
        lists=read_list_metadata(read(esd / "lists.json")),
        other_items=[*interactions, *functions, *headings, *tiers, *councils],
        links=[*navigation_links, *function_links, *tier_links, *council_links, *interaction_links],
    )


def _with_authored(
    data_dir: Path,
    lists: list[r.ListRecord],
    items: list[r.ItemRecord],
    links: list[r.LinkRecord],
    step: Callable[[str], None],
    later_services: Iterable[str] = (),
) -> r.ListBundle:
    """Return the standard lists with the authored lists evaluated over their services."""
    standard = r.ListBundle(lists=lists, items=items, links=links)
    step("authored ABC classes, channels, audiences, life events and processes")
    authored_bundle = read_authored_lists(data_dir, standard, later_services=later_services)
    return r.ListBundle(
        lists=[*standard.lists, *authored_bundle.lists],
        items=[*standard.items, *authored_bundle.items],
        links=[*standard.links, *authored_bundle.links],
    )


def _release_2015(
    data_dir: Path, sources: _StandardSources, step: Callable[[str], None]
) -> BundledRelease:
    """Return the v4.0.1 list of 2015 alone, with the other lists and the mappings it allows.

    The navigation, tier and interaction files are newer than 2015. Their mappings to the
    services that only 2019 added are left out, because this release lacks those services.
    """
    services = sources.services_2015
    items = [*services, *sources.other_items]
    keys = {(item.list_id, item.identifier) for item in items}
    links = [
        link
        for link in sources.links
        if (link.subject_list, link.subject_id) in keys
        and (link.object_list, link.object_id) in keys
    ]
    newest_change = max(filter(None, (item.modified for item in services)), default="2015")
    lists = [
        replace(
            record,
            version=SERVICES_2015_VERSION,
            modified=newest_change,
            description=SERVICES_2015_DESCRIPTION,
            files=(SERVICES_2015_FILE,),
        )
        if record.id == r.SERVICES
        else record
        for record in sources.lists
    ]
    later_services = {item.identifier for item in sources.revision_2019} - {
        item.identifier for item in services
    }
    bundle = _with_authored(data_dir, lists, items, links, step, later_services)
    notes = (
        f"The LGSL v4.0.1 list of 2015 ({len(services):,} services) with the other bundled "
        f"lists and the authored lists evaluated over it. {len(sources.links) - len(links)} "
        "mappings to services that only the 2019 revision has are left out."
    )
    return BundledRelease("LGSL v4.0.1 (2015)", notes, bundle)


def _release_2019(
    data_dir: Path, sources: _StandardSources, step: Callable[[str], None]
) -> BundledRelease:
    """Return the 2015 list with the 2019 revision applied, as the catalogue publishes it."""
    services = apply_revision(sources.services_2015, sources.revision_2019, edition="2019")
    bundle = _with_authored(
        data_dir, sources.lists, [*services, *sources.other_items], sources.links, step
    )
    added = sum(1 for item in services if item.properties.get("added_in") == "2019")
    relabelled = sum(
        1
        for item in services
        if item.properties.get("edition") == "2019" and "previous_label" in item.properties
    )
    notes = (
        f"The 2019 revision of {len(sources.revision_2019):,} services applied over v4.0.1: "
        f"{relabelled} labels changed and {added} services added, {len(services):,} services "
        "in all."
    )
    return BundledRelease("LGSL 2019 revision", notes, bundle)


def _progress_step(progress: Callable[[str], None] | None) -> Callable[[str], None]:
    def step(message: str) -> None:
        log.info("reading bundled lists", extra={"step": message})
        if progress is not None:
            progress(message)

    return step


def read_bundled_releases(
    data_dir: Path, progress: Callable[[str], None] | None = None
) -> list[BundledRelease]:
    """Read the bundled files under ``data_dir`` into their releases, oldest first.

    Release 1 is the LGSL v4.0.1 list of 2015; release 2 applies the 2019 revision over it.
    Each has the other bundled lists and the authored lists evaluated over its services.
    """
    step = _progress_step(progress)
    sources = _read_standard_sources(data_dir, step)
    return [_release_2015(data_dir, sources, step), _release_2019(data_dir, sources, step)]


def read_newest_bundled_release(
    data_dir: Path, progress: Callable[[str], None] | None = None
) -> BundledRelease:
    """Read the bundled files under ``data_dir`` into their newest release only."""
    step = _progress_step(progress)
    sources = _read_standard_sources(data_dir, step)
    return _release_2019(data_dir, sources, step)


def read_bundled_lists(
    data_dir: Path, progress: Callable[[str], None] | None = None
) -> r.ListBundle:
    """Read every bundled source file under ``data_dir`` into the newest release's bundle."""
    return read_newest_bundled_release(data_dir, progress).bundle
