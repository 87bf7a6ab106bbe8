"""Seed municipalities from the UK councils list and import GOV.UK's council web links.

The councils become municipalities with their GOV.UK slug as stable id, grouped into regions by
nation (the councils file gives the country and nothing finer). GOV.UK's fallback links, one
council web page per service and interaction, become the councils' first local overrides: the
web channel's URL and its per-interaction URLs.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from servicelist.catalogue.snapshot import Catalogue
from servicelist.errors import ImportRejected, RowError
from servicelist.lists import records as r
from servicelist.lists import releases
from servicelist.lists.esd_csv import read_rows
from servicelist.lists.sources import FALLBACK_LINK_EXTRA_COLUMNS
from servicelist.municipalities import fields as f
from servicelist.municipalities import repository
from servicelist.municipalities.models import Municipality, Region
from servicelist.municipalities.repository import STANDARD, FieldChange

log = logging.getLogger(__name__)

COUNCILS_SOURCE = "GOV.UK local-links-manager local-authorities.csv"
LINKS_SOURCE = "GOV.UK local-links-manager lgsl_lgil_fallback_links.csv (2017)"
LINKS_ACTOR = "import of GOV.UK fallback links"
# When a council has pages for several interactions of a service, the web channel's main URL
# is the page of the first interaction in this order: providing information, applying,
# reporting, paying. The other pages stay in interaction_urls.
URL_PREFERENCE = ("8", "0", "17", "4")


@dataclass(frozen=True, slots=True)
class LinkImport:
    """Counts of an import of GOV.UK links: imported and skipped rows."""

    councils: int
    services: int
    links: int
    skipped_unknown_councils: int
    skipped_unknown_services: int
    unknown_councils: tuple[str, ...]


def region_id(country: str) -> str:
    return country.strip().lower().replace(" ", "-")


def seed_councils(connection: Connection, catalogue: Catalogue, release: int) -> int:
    """Create a municipality for every council of ``catalogue`` on ``release``; return the count.

    Councils that already exist as municipalities are left as they are.
    """
    councils = catalogue.items.get(r.COUNCILS, [])
    existing = {m.id for m in repository.list_municipalities(connection)}
    regions = {region.id for region in repository.list_regions(connection)}
    slugs = {council.identifier: council.properties["slug"] for council in councils}

    new_regions: dict[str, Region] = {}
    municipalities: list[Municipality] = []
    stamp = repository.now()
    for council in councils:
        properties = council.properties
        slug = properties["slug"]
        if slug in existing:
            continue
        country = properties.get("country")
        region = region_id(country) if country else None
        if country and region and region not in regions and region not in new_regions:
            new_regions[region] = Region(
                id=region, name=country, country=country, source=COUNCILS_SOURCE
            )
        languages = ["en", "cy"] if country == "Wales" else ["en"]
        municipalities.append(
            Municipality(
                id=slug,
                name=council.label,
                country=country,
                tier=properties.get("tier"),
                parent_id=slugs.get(council.parent) if council.parent else None,
                region_id=region,
                council_id=council.identifier,
                gss=properties.get("gss"),
                homepage_url=properties.get("homepage_url"),
                languages=languages,
                release=release,
                published=True,
                revision=1,
                source=COUNCILS_SOURCE,
                created_at=stamp,
                updated_at=stamp,
            )
        )
    repository.insert_regions(connection, new_regions.values())
    # Parents first, so the foreign key from district to county is valid at every insert.
    municipalities.sort(key=lambda m: m.parent_id is not None)
    repository.insert_municipalities(connection, municipalities)
    return len(municipalities)


def import_govuk_links(
    connection: Connection, catalogue: Catalogue, release: int, path: Path
) -> LinkImport:
    """Set the web channel of each council's services from GOV.UK's fallback links.

    Rows for councils that no longer exist (merged before the councils list was published) and
    for services outside the release are counted and skipped. Invalid rows reject the import.
    """
    rows = read_rows(
        path.read_bytes(),
        source=path.name,
        required=("la", "lgsl", "lgil", "link"),
        extra_columns=FALLBACK_LINK_EXTRA_COLUMNS,
    )
    municipalities = {m.id: m for m in repository.list_municipalities(connection)}
    terms = f.Terms.of(catalogue)
    pages: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    errors: list[RowError] = []
    unknown_councils: set[str] = set()
    skipped_councils = skipped_services = 0
    for row_number, row in enumerate(rows, start=2):
        council = row["la"].strip()
        service = row["lgsl_code"].strip()
        interaction = row["lgil_code"].strip()
        if council not in municipalities:
            unknown_councils.add(council)
            skipped_councils += 1
            continue
        if catalogue.find_item(r.SERVICES, service) is None:
            skipped_services += 1
            continue
        # One Hinckley and Bosworth link has a bare space in its query, which browsers send
        # as %20; the URL is stored that way.
        link = row["link"].strip().replace(" ", "%20")
        try:
            url = f.check_url(link)
            f.check_value("channels.web.interaction_urls", {interaction: url}, terms)
        except f.FieldError as error:
            errors.append(RowError(row_number, "link", row["link"], str(error)))
            continue
        assert url is not None
        pages[(council, service)][interaction] = url
    if errors:
        raise ImportRejected(f"{path.name} has {len(errors)} invalid links", errors)

    by_council: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for (council, service), urls in pages.items():
        by_council[council][service] = urls
    links = 0
    for council, services in sorted(by_council.items()):
        municipality = repository.lock_municipality(connection, council)
        assert municipality is not None
        local = repository.read_local(connection, council)
        for service, urls in sorted(services.items()):
            ordered = dict(sorted(urls.items(), key=lambda pair: _preference(pair[0])))
            standard = f.standard_fields(catalogue, catalogue.get_service(service))
            changes = [
                FieldChange("channels.web.url", next(iter(ordered.values()))),
                FieldChange("channels.web.interaction_urls", ordered),
            ]
            if not standard.get("channels.web.available"):
                changes.append(FieldChange("channels.web.available", True))
            repository.write_entry(
                connection,
                municipality,
                service,
                kind=STANDARD,
                offered=None,
                offered_changed=False,
                changes=changes,
                current=local.entries.get(service),
                standard=standard,
                actor=LINKS_ACTOR,
                source=LINKS_SOURCE,
                action_prefix="import ",
            )
            links += len(urls)
    result = LinkImport(
        councils=len(by_council),
        services=len(pages),
        links=links,
        skipped_unknown_councils=skipped_councils,
        skipped_unknown_services=skipped_services,
        unknown_councils=tuple(sorted(unknown_councils)),
    )
    log.info(
        "imported GOV.UK links",
        extra={
            "councils": result.councils,
            "links": result.links,
            "skipped_unknown_councils": skipped_councils,
            "skipped_unknown_services": skipped_services,
        },
    )
    return result


def _preference(interaction: str) -> tuple[int, int]:
    if interaction in URL_PREFERENCE:
        return (URL_PREFERENCE.index(interaction), 0)
    return (len(URL_PREFERENCE), int(interaction) if interaction.isdigit() else 0)


@dataclass(frozen=True, slots=True)
class SeedResult:
    """Result of seeding: municipalities created, their release and the link import."""

    municipalities: int
    release: int
    links: LinkImport


def seed_if_empty(engine: Engine, data_dir: Path) -> SeedResult | None:
    """Seed councils and their GOV.UK links when no municipality exists yet, in one transaction.

    Councils adopt the first release, LGSL v4.0.1 (2015): the edition GOV.UK's 2017 links were
    made against. Moving them to a newer release is a review like any other. Returns None when
    municipalities exist already or no release is loaded.
    """
    with engine.begin() as connection:
        if repository.count_municipalities(connection) > 0:
            return None
        first = releases.list_releases(connection)
        if not first:
            return None
        number = first[0].number
        bundle = releases.read_release_bundle(connection, number)
        catalogue = Catalogue.build(bundle, version=str(number), loaded_at="")
        created = seed_councils(connection, catalogue, number)
        links = import_govuk_links(
            connection, catalogue, number, data_dir / "esd_lists" / "govuk_fallback_links.csv"
        )
    return SeedResult(created, number, links)
