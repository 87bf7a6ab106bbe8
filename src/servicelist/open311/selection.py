"""The services a municipality publishes through Open311, and their service codes.

Without a stored selection, a municipality publishes its offered services that have the LGIL
interaction 17, "Reporting". A service has an interaction when the standard release links it
to the interaction (``hasInteraction``) or when the municipality gave it a web page for that
interaction (a key of any channel's ``interaction_urls``). A stored selection names the
interactions and lists further services by id. Either way only offered services are
published; the others are listed in ``not_exposed`` with the reason.

A service's code is its id unless the selection overrides it. An override may contain inner
spaces and is returned byte for byte. It must not be the id of another service, so the codes a
municipality publishes stay unique.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, insert, select, update
from sqlmodel import col

from servicelist.errors import InvalidValue, NotFound, PreconditionFailed, RowError
from servicelist.lists import records as r
from servicelist.municipalities import repository
from servicelist.municipalities.effective import LocalCatalogue, municipality_href
from servicelist.municipalities.models import Change
from servicelist.municipalities.operations import Reader, check_if_match, etag_of
from servicelist.open311.models import Open311Selection

REPORTING = "17"
RequestType = Literal["realtime", "batch", "blackbox"]
# This catalogue takes no service requests, so by default it promises no request id.
DEFAULT_REQUEST_TYPE: RequestType = "blackbox"
MAX_INTERACTIONS = 50
MAX_SERVICES = 2000
MAX_CODE_LENGTH = 100
# A code travels as one path segment: "/" would split it, and "\", "?", "#" and "%" are
# mangled by clients that encode paths loosely.
FORBIDDEN_CODE_CHARACTERS = "/\\?#%"
ENTITY = "open311"


@dataclass(frozen=True, slots=True)
class Selection:
    """A municipality's Open311 selection. ``stored`` is False for the default one."""

    interactions: tuple[str, ...] = (REPORTING,)
    services: tuple[str, ...] = ()
    service_codes: Mapping[str, str] = field(default_factory=dict)
    request_type: str = DEFAULT_REQUEST_TYPE
    stored: bool = False
    revision: int = 0
    updated_at: datetime | None = None

    def fields(self) -> dict[str, Any]:
        """Return the fields a PUT sets, as JSON values."""
        return {
            "interactions": list(self.interactions),
            "services": list(self.services),
            "service_codes": dict(self.service_codes),
            "type": self.request_type,
        }


@dataclass(frozen=True, slots=True)
class ExposedService:
    """A service published through Open311, with its code and why it was selected."""

    service_id: str
    service_code: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Excluded:
    """A service the selection names that is not published, and why."""

    service_id: str
    reason: str


@dataclass(slots=True)
class Resolution:
    """The services a selection publishes, in catalogue order, and those it leaves out."""

    exposed: list[ExposedService]
    not_exposed: list[Excluded]

    def by_code(self, service_code: str) -> ExposedService | None:
        for service in self.exposed:
            if service.service_code == service_code:
                return service
        return None


# Reading and resolving


def read_selection(connection: Connection, municipality_id: str) -> Selection:
    """Return the stored selection of a municipality, or the default one."""
    row = connection.execute(
        select(Open311Selection).where(col(Open311Selection.municipality_id) == municipality_id)
    ).first()
    if row is None:
        return Selection()
    return Selection(
        interactions=tuple(row.interactions),
        services=tuple(row.services),
        service_codes=dict(row.service_codes),
        request_type=row.request_type,
        stored=True,
        revision=row.revision,
        updated_at=row.updated_at,
    )


def resolve(local: LocalCatalogue, selection: Selection) -> Resolution:
    """Return the services ``selection`` publishes in ``local`` and those it leaves out."""
    reasons: dict[str, list[str]] = {}

    def add(service_id: str, reason: str) -> None:
        found = reasons.setdefault(service_id, [])
        if reason not in found:
            found.append(reason)

    selected_interactions = set(selection.interactions)
    for interaction_id in selection.interactions:
        interaction = local.catalogue.find_item(r.INTERACTIONS, interaction_id)
        if interaction is None:
            continue
        for related in local.catalogue.related(interaction, r.SERVICES):
            add(related.item.identifier, f"interaction {interaction_id}")
    for service_id, entry in local.local.entries.items():
        for path, override in entry.overrides.items():
            if path.startswith("channels.") and path.endswith(".interaction_urls"):
                for interaction_id in sorted(override.value or {}):
                    if interaction_id in selected_interactions:
                        add(service_id, f"interaction {interaction_id}")
    for service_id in selection.services:
        add(service_id, "listed")

    exposed: list[ExposedService] = []
    not_exposed: list[Excluded] = []
    for service_id in local.service_ids():
        found = reasons.pop(service_id, None)
        if found is None:
            continue
        offer = local.offer(service_id)
        if not offer.offered:
            not_exposed.append(Excluded(service_id, f"not offered: {offer.reason}"))
            continue
        code = selection.service_codes.get(service_id, service_id)
        exposed.append(ExposedService(service_id, code, tuple(found)))
    for service_id in reasons:
        not_exposed.append(
            Excluded(service_id, f"not in release {local.release} and not a local service")
        )
    return _without_code_clashes(exposed, not_exposed, selection)


def _without_code_clashes(
    exposed: list[ExposedService], not_exposed: list[Excluded], selection: Selection
) -> Resolution:
    """Drop a service whose default code equals another service's code override.

    Validation rejects such overrides, but a local service created later may take an id that
    an override already uses. The override keeps the code.
    """
    overridden = {
        code: service_id
        for service_id, code in selection.service_codes.items()
        if code != service_id
    }
    unique: list[ExposedService] = []
    for service in exposed:
        owner = overridden.get(service.service_code)
        if owner is not None and owner != service.service_id:
            not_exposed.append(
                Excluded(
                    service.service_id,
                    f"its code {service.service_code!r} is the code override of service "
                    f"{owner}; give one of the two another code",
                )
            )
            continue
        unique.append(service)
    return Resolution(unique, not_exposed)


def selection_document(local: LocalCatalogue, selection: Selection) -> dict[str, Any]:
    """Build the JSON of a selection with the services it publishes and leaves out."""
    municipality_id = local.municipality.id
    href = f"{municipality_href(municipality_id)}/open311"
    resolution = resolve(local, selection)
    exposed = []
    for service in resolution.exposed:
        view = local.summary_view(service.service_id)
        exposed.append(
            {
                "id": service.service_id,
                "href": view["href"],
                "service_code": service.service_code,
                "service_name": view["label"],
                "reasons": list(service.reasons),
            }
        )
    return {
        "municipality": municipality_id,
        "href": href,
        "stored": selection.stored,
        "revision": selection.revision,
        "updated_at": selection.updated_at.isoformat() if selection.updated_at else None,
        **selection.fields(),
        "exposed": exposed,
        "not_exposed": [
            {"id": entry.service_id, "reason": entry.reason} for entry in resolution.not_exposed
        ],
        "links": {
            "services_json": f"/open311/v2/services.json?jurisdiction_id={municipality_id}",
            "services_xml": f"/open311/v2/services.xml?jurisdiction_id={municipality_id}",
        },
    }


# Validation


def code_problem(code: str) -> str | None:
    """Return why ``code`` cannot be a service code, or None when it can."""
    if not code:
        return "a service code must not be empty"
    if len(code) > MAX_CODE_LENGTH:
        return f"the code is {len(code)} characters long; the maximum is {MAX_CODE_LENGTH}"
    if code != code.strip():
        return "a service code must not start or end with white space"
    if not code.isprintable():
        return "a service code must not contain control or other non-printing characters"
    forbidden = sorted({character for character in code if character in FORBIDDEN_CODE_CHARACTERS})
    if forbidden:
        return (
            f"a service code must not contain {' '.join(forbidden)}, because it is sent as one "
            "segment of a URL path"
        )
    return None


def check_selection(
    local: LocalCatalogue,
    *,
    interactions: Sequence[str],
    services: Sequence[str],
    service_codes: Mapping[str, str],
    request_type: str,
) -> Selection:
    """Return the selection when every value refers to something that exists, else raise 422."""
    errors: list[RowError] = []
    known_interactions = {item.identifier for item in local.catalogue.items.get(r.INTERACTIONS, [])}
    if len(interactions) > MAX_INTERACTIONS:
        errors.append(
            RowError(
                0, "interactions", str(len(interactions)), f"the maximum is {MAX_INTERACTIONS}"
            )
        )
    for index, interaction_id in enumerate(interactions):
        column = f"interactions[{index}]"
        if interaction_id not in known_interactions:
            errors.append(
                RowError(
                    0,
                    column,
                    interaction_id[:200],
                    "no LGIL interaction has this identifier; GET /v1/lists/interactions/items "
                    "lists them (17 is Reporting)",
                )
            )
        elif interaction_id in interactions[:index]:
            errors.append(RowError(0, column, interaction_id, "listed twice"))
    if len(services) > MAX_SERVICES:
        errors.append(RowError(0, "services", str(len(services)), f"the maximum is {MAX_SERVICES}"))
    for index, service_id in enumerate(services[:MAX_SERVICES]):
        column = f"services[{index}]"
        if not local.exists(service_id):
            errors.append(RowError(0, column, service_id[:200], _unknown_service(local)))
        elif service_id in services[:index]:
            errors.append(RowError(0, column, service_id, "listed twice"))
    if len(service_codes) > MAX_SERVICES:
        errors.append(
            RowError(0, "service_codes", str(len(service_codes)), f"the maximum is {MAX_SERVICES}")
        )
    errors.extend(_code_errors(local, service_codes))
    if errors:
        raise InvalidValue(
            f"The Open311 selection has {len(errors)} invalid values; nothing was stored. Each "
            "entry of 'errors' names the value and why.",
            errors,
        )
    return Selection(
        interactions=tuple(interactions),
        services=tuple(services),
        service_codes=dict(service_codes),
        request_type=request_type,
    )


def _code_errors(local: LocalCatalogue, service_codes: Mapping[str, str]) -> list[RowError]:
    errors: list[RowError] = []
    owners: dict[str, str] = {}
    for service_id, code in list(service_codes.items())[:MAX_SERVICES]:
        column = f"service_codes.{service_id[:100]}"
        if not local.exists(service_id):
            errors.append(RowError(0, column, service_id[:200], _unknown_service(local)))
            continue
        problem = code_problem(code)
        if problem is not None:
            errors.append(RowError(0, column, code[:200], problem))
        elif code != service_id and local.exists(code):
            errors.append(
                RowError(
                    0,
                    column,
                    code,
                    f"{code!r} is the id of another service and so its default code; "
                    "choose another code",
                )
            )
        elif code in owners:
            errors.append(
                RowError(0, column, code, f"service {owners[code]} has this code already")
            )
        else:
            owners[code] = service_id
    return errors


def _unknown_service(local: LocalCatalogue) -> str:
    return (
        f"no service has this id in release {local.release} or among the municipality's local "
        "services"
    )


# Writing


def write_selection(
    reader: Reader,
    municipality_id: str,
    *,
    interactions: Sequence[str],
    services: Sequence[str],
    service_codes: Mapping[str, str],
    request_type: str,
    if_match: str | None,
    if_none_match: str | None,
    actor: str,
) -> dict[str, Any]:
    """Store a municipality's selection when the precondition holds, and record what changed.

    ``If-None-Match: *`` stores the first selection; ``If-Match`` names the ETag of the GET
    document, stored or default.
    """
    with reader.engine.begin() as connection:
        municipality = repository.lock_municipality(connection, municipality_id)
        if municipality is None:
            raise NotFound(f"There is no municipality {municipality_id!r}.")
        local = reader.local_catalogue(connection, municipality)
        current = read_selection(connection, municipality_id)
        document = selection_document(local, current)
        if if_none_match is not None and if_none_match.strip() == "*":
            if current.stored:
                raise PreconditionFailed(
                    f"{document['href']} exists already, so 'If-None-Match: *' fails; send "
                    "If-Match with its ETag to replace it.",
                    etag_of(document),
                )
        else:
            check_if_match(if_match, etag_of(document), document["href"])
        replacement = check_selection(
            local,
            interactions=interactions,
            services=services,
            service_codes=service_codes,
            request_type=request_type,
        )
        before, after = current.fields(), replacement.fields()
        if current.stored and before == after:
            return document
        stamp = repository.now()
        values = {
            "interactions": after["interactions"],
            "services": after["services"],
            "service_codes": after["service_codes"],
            "request_type": after["type"],
            "revision": current.revision + 1,
            "updated_by": actor,
            "updated_at": stamp,
        }
        if current.stored:
            connection.execute(
                update(Open311Selection)
                .where(col(Open311Selection.municipality_id) == municipality_id)
                .values(**values)
            )
        else:
            connection.execute(
                insert(Open311Selection).values(municipality_id=municipality_id, **values)
            )
        repository.insert_changes(
            connection,
            [
                Change(
                    municipality_id=municipality_id,
                    entity=ENTITY,
                    entity_id=municipality_id,
                    path=f"open311.{name}",
                    action="set",
                    before=before[name],
                    after=after[name],
                    actor=actor,
                    release=municipality.release,
                    at=stamp,
                )
                for name in after
                if before[name] != after[name]
            ],
        )
        return selection_document(local, read_selection(connection, municipality_id))
