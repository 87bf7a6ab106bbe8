"""Municipalities, regions and local catalogues: reads, field-level edits and release reviews.

A published municipality's catalogue is public. Review items, history, exports and key lists
are private to the municipality's own API keys and to platform administrators. Other keys get
404 for them, exactly as for a municipality that does not exist. Every write needs the ETag of what
it changes in ``If-Match`` (412 when outdated, 428 when missing); a create of something new
takes ``If-None-Match: *`` instead.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Body, Query, Request
from pydantic import Field
from starlette.responses import Response

from servicelist.api import municipal, schemas
from servicelist.api.auth import OptionalPrincipal, Principal, RequiredPrincipal
from servicelist.api.formats import JSON, negotiate
from servicelist.api.municipal import (
    RDF_CONTENT,
    CursorParameter,
    FormatParameter,
    IfMatch,
    IfNoneMatch,
    LimitParameter,
    StrictModel,
)
from servicelist.api.state import Representation
from servicelist.catalogue import rdf
from servicelist.errors import (
    Conflict,
    InvalidValue,
    NotFound,
    PreconditionRequired,
    RowError,
)
from servicelist.lists import releases
from servicelist.municipalities import csv_io, keys, repository, review
from servicelist.municipalities import operations as ops
from servicelist.municipalities import rdf as local_rdf
from servicelist.municipalities.effective import (
    LOCAL_ID_HELP,
    LocalCatalogue,
    is_local_id,
)
from servicelist.municipalities.models import Municipality, Region

router = APIRouter(prefix="/v1", tags=["municipalities"])

# Request bodies. Unknown fields are rejected, so a misspelt field never passes silently.


class ServicePatch(StrictModel):
    """Fields to set and to reset, and whether the municipality offers the service."""

    set: dict[str, Any] = Field(
        default_factory=dict,
        description="Field path to local value, e.g. {'label.en': 'Bins', "
        "'channels.web.url': 'https://...'}.",
    )
    reset: list[str] = Field(
        default_factory=list, description="Field paths that go back to the standard value."
    )
    offered: bool | None = Field(
        default=None,
        description="true or false to decide locally; null to follow the tier rule again.",
    )


class LocalServiceCreate(StrictModel):
    """A service only this municipality has."""

    id: str = Field(description=f"Local id: {LOCAL_ID_HELP}.")
    set: dict[str, Any] = Field(description="Field values; at least one label.<language>.")
    offered: bool | None = None


class MunicipalityCreate(StrictModel):
    """A municipality that is not in the seeded UK councils list, such as a Belgian town."""

    id: str = Field(description=f"Stable id: {LOCAL_ID_HELP}.")
    name: str = Field(min_length=1, max_length=200)
    country: str | None = Field(default=None, max_length=80)
    tier: Literal["county", "district", "unitary"] | None = None
    parent: str | None = None
    region: str | None = None
    languages: list[str] = Field(default_factory=lambda: ["en"], max_length=20)
    homepage_url: str | None = None
    release: int | None = Field(default=None, description="Release to adopt; default newest.")
    published: bool = False


class MunicipalityPatch(StrictModel):
    """Settings of a municipality; omitted fields stay as they are."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    country: str | None = Field(default=None, max_length=80)
    tier: Literal["county", "district", "unitary"] | None = None
    parent: str | None = None
    region: str | None = None
    languages: list[str] | None = Field(default=None, max_length=20)
    homepage_url: str | None = None
    published: bool | None = None


class RegionCreate(StrictModel):
    id: str = Field(description=f"Stable id: {LOCAL_ID_HELP}.")
    name: str = Field(min_length=1, max_length=200)
    country: str | None = Field(default=None, max_length=80)


class ReleaseMove(StrictModel):
    release: int = Field(ge=1, description="Number of the newer release to move to.")


class Resolution(StrictModel):
    resolution: Literal["accept-upstream", "keep-local", "edit", "withdraw"]
    value: Any = Field(default=None, description="The new local value; only with 'edit'.")


class TermPut(StrictModel):
    labels: dict[str, str] = Field(description="Language tag to label, e.g. {'nl': 'Verhuizen'}.")
    descriptions: dict[str, str] = Field(default_factory=dict)
    parent: str | None = None


# Regions


def _region_document(region: Region, members: list[Municipality]) -> dict[str, Any]:
    return {
        "id": region.id,
        "href": f"/v1/regions/{region.id}",
        "name": region.name,
        "country": region.country,
        "source": region.source,
        "municipality_count": len(members),
        "municipalities": [_municipality_reference(m) for m in members],
    }


def _municipality_reference(municipality: Municipality) -> dict[str, Any]:
    return {
        "id": municipality.id,
        "href": f"/v1/municipalities/{municipality.id}",
        "name": municipality.name,
        "tier": municipality.tier,
        "country": municipality.country,
        "region": municipality.region_id,
        "parent": municipality.parent_id,
        "release": municipality.release,
        "published": municipality.published,
    }


@router.get("/regions", summary="List regions", responses=schemas.ERROR_RESPONSES)
async def list_regions(request: Request, principal: OptionalPrincipal) -> Response:
    """Return every region with its published municipalities."""

    def read() -> dict[str, Any]:
        with municipal.reader_for(request).engine.connect() as connection:
            regions = repository.list_regions(connection)
            members = repository.list_municipalities(connection)
        visible = [m for m in members if municipal.can_see(m, principal)]
        return {
            "items": [
                _region_document(region, [m for m in visible if m.region_id == region.id])
                for region in regions
            ]
        }

    return municipal.respond(request, await municipal.run(read))


@router.get("/regions/{region_id}", summary="Read one region", responses=schemas.ERROR_RESPONSES)
async def read_region(request: Request, region_id: str, principal: OptionalPrincipal) -> Response:
    """Return a region and its municipalities."""

    def read() -> dict[str, Any]:
        with municipal.reader_for(request).engine.connect() as connection:
            region = repository.get_region(connection, region_id)
            if region is None:
                raise NotFound(f"There is no region {region_id!r}; GET /v1/regions lists them.")
            members = repository.list_municipalities(connection, region_id=region_id)
        return _region_document(region, [m for m in members if municipal.can_see(m, principal)])

    return municipal.respond(request, await municipal.run(read))


@router.post(
    "/regions", status_code=201, summary="Create a region", responses=schemas.ERROR_RESPONSES
)
async def create_region(
    request: Request,
    body: RegionCreate,
    principal: RequiredPrincipal,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Create a region (platform administrators; send If-None-Match: *)."""
    principal.require_platform_admin()
    municipal.require_create_precondition(if_none_match, f"/v1/regions/{body.id}")
    if not is_local_id(body.id):
        raise InvalidValue(
            f"{body.id!r} cannot be a region id: use {LOCAL_ID_HELP}.",
            [RowError(0, "id", body.id, f"use {LOCAL_ID_HELP}")],
        )

    def write() -> dict[str, Any]:
        with municipal.reader_for(request).engine.begin() as connection:
            if repository.get_region(connection, body.id) is not None:
                raise Conflict(f"Region {body.id!r} exists already.")
            region = Region(id=body.id, name=body.name, country=body.country, source="API")
            repository.insert_regions(connection, [region])
        return _region_document(region, [])

    document = await municipal.run(write)
    return municipal.respond(request, document, status=201, headers={"Location": document["href"]})


# Municipalities


@router.get("/municipalities", summary="List municipalities", responses=schemas.ERROR_RESPONSES)
async def list_municipalities(
    request: Request,
    principal: OptionalPrincipal,
    region: str | None = None,
    tier: Literal["county", "district", "unitary"] | None = None,
    country: str | None = None,
) -> Response:
    """Return the municipalities the caller may see, optionally in one region, tier or country."""

    def read() -> dict[str, Any]:
        with municipal.reader_for(request).engine.connect() as connection:
            found = repository.list_municipalities(connection, region_id=region or None)
        items = [
            _municipality_reference(m)
            for m in found
            if municipal.can_see(m, principal)
            and (not tier or m.tier == tier)
            and (not country or (m.country or "").casefold() == country.casefold())
        ]
        return {"items": items, "count": len(items)}

    return municipal.respond(request, await municipal.run(read), private=principal is not None)


@router.get(
    "/municipalities/{municipality_id}",
    summary="Read one municipality",
    responses=schemas.ERROR_RESPONSES,
)
async def read_municipality(
    request: Request, municipality_id: str, principal: OptionalPrincipal
) -> Response:
    """Return a municipality: tier, parent, region, adopted release and catalogue counts.

    Its ETag is the If-Match precondition of writes to the municipality as a whole.
    """
    newest = await municipal.newest_release(request)

    def read() -> dict[str, Any]:
        reader = municipal.reader_for(request)
        with reader.engine.connect() as connection:
            municipality = reader.municipality(connection, municipality_id)
            municipal.require_visible(municipality, principal)
            return ops.municipality_document(connection, municipality, newest_release=newest)

    return municipal.respond(request, await municipal.run(read), private=principal is not None)


@router.post(
    "/municipalities",
    status_code=201,
    summary="Create a municipality",
    responses=schemas.ERROR_RESPONSES,
)
async def create_municipality(
    request: Request,
    body: MunicipalityCreate,
    principal: RequiredPrincipal,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Create a municipality that adopts a release (platform administrators).

    Send ``If-None-Match: *``. A new municipality is unpublished until an admin publishes it.
    """
    principal.require_platform_admin()
    municipal.require_create_precondition(if_none_match, f"/v1/municipalities/{body.id}")
    newest = await municipal.newest_release(request)
    release = body.release or newest
    errors = _check_settings(body.id, body.languages, body.homepage_url)
    if errors:
        raise InvalidValue(f"The municipality has {len(errors)} invalid values.", errors)

    def write() -> dict[str, Any]:
        reader = municipal.reader_for(request)
        with reader.engine.begin() as connection:
            if repository.get_municipality(connection, body.id) is not None:
                raise Conflict(f"Municipality {body.id!r} exists already.")
            _check_references(connection, body.parent, body.region, release)
            stamp = repository.now()
            municipality = Municipality(
                id=body.id,
                name=body.name.strip(),
                country=body.country,
                tier=body.tier,
                parent_id=body.parent,
                region_id=body.region,
                languages=body.languages,
                homepage_url=body.homepage_url,
                release=release,
                published=body.published,
                revision=1,
                source="API",
                created_at=stamp,
                updated_at=stamp,
            )
            repository.insert_municipalities(connection, [municipality])
            ops.record_municipality_change(
                connection,
                municipality,
                "municipality",
                None,
                body.model_dump(),
                actor=principal.actor,
                action="create",
            )
            return ops.municipality_document(connection, municipality, newest_release=newest)

    document = await municipal.run(write)
    return municipal.respond(
        request, document, status=201, private=True, headers={"Location": document["href"]}
    )


def _check_settings(
    municipality_id: str | None, languages: list[str] | None, homepage_url: str | None
) -> list[RowError]:
    from servicelist.municipalities import fields as f

    errors: list[RowError] = []
    if municipality_id is not None and not is_local_id(municipality_id):
        errors.append(RowError(0, "id", municipality_id, f"use {LOCAL_ID_HELP}"))
    for language in languages or []:
        if not f.LANGUAGE_TAG.match(language):
            errors.append(RowError(0, "languages", language, "not a BCP 47 language tag"))
    if languages is not None and not languages:
        errors.append(RowError(0, "languages", "[]", "name at least one language"))
    if homepage_url is not None:
        try:
            f.check_url(homepage_url)
        except f.FieldError as error:
            errors.append(RowError(0, "homepage_url", homepage_url[:200], str(error)))
    return errors


def _check_references(
    connection: Any, parent: str | None, region: str | None, release: int | None
) -> None:
    errors: list[RowError] = []
    if parent is not None and repository.get_municipality(connection, parent) is None:
        errors.append(RowError(0, "parent", parent, "no municipality has this id"))
    if region is not None and repository.get_region(connection, region) is None:
        errors.append(RowError(0, "region", region, "no region has this id; see /v1/regions"))
    if release is not None:
        try:
            releases.get_release(connection, release)
        except NotFound:
            errors.append(RowError(0, "release", str(release), "no release has this number"))
    if errors:
        raise InvalidValue(f"{len(errors)} references point nowhere; nothing was stored.", errors)


@router.patch(
    "/municipalities/{municipality_id}",
    summary="Change a municipality's settings",
    responses=schemas.ERROR_RESPONSES,
)
async def update_municipality(
    request: Request,
    municipality_id: str,
    body: MunicipalityPatch,
    principal: RequiredPrincipal,
    if_match: IfMatch = None,
) -> Response:
    """Change name, languages, tier, parent, region, homepage or publication (admins)."""
    principal.require(municipality_id, keys.ADMIN)
    newest = await municipal.newest_release(request)
    given = body.model_dump(exclude_unset=True)
    errors = _check_settings(None, given.get("languages"), given.get("homepage_url"))
    if errors:
        raise InvalidValue(f"The settings have {len(errors)} invalid values.", errors)
    columns = {"parent": "parent_id", "region": "region_id"}

    def write() -> dict[str, Any]:
        reader = municipal.reader_for(request)
        with reader.engine.begin() as connection:
            municipality = ops.lock_checked(
                connection, municipality_id, if_match, newest_release=newest
            )
            _check_references(connection, given.get("parent"), given.get("region"), None)
            if given.get("parent") == municipality_id:
                raise InvalidValue(
                    "A municipality cannot be its own parent.",
                    [RowError(0, "parent", municipality_id, "choose another municipality")],
                )
            values = {columns.get(name, name): value for name, value in given.items()}
            for name, value in values.items():
                before = getattr(municipality, name)
                if before != value:
                    ops.record_municipality_change(
                        connection, municipality, name, before, value, actor=principal.actor
                    )
            repository.update_municipality(connection, municipality_id, values)
            updated = reader.municipality(connection, municipality_id)
            return ops.municipality_document(connection, updated, newest_release=newest)

    return municipal.respond(request, await municipal.run(write), private=True)


# The effective catalogue


@router.get(
    "/municipalities/{municipality_id}/services",
    summary="List a municipality's effective services",
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def list_local_services(
    request: Request,
    municipality_id: str,
    principal: OptionalPrincipal,
    offered: bool | None = Query(default=None, description="Only offered or only not offered."),
    kind: Literal["standard", "local"] | None = None,
    overridden: bool | None = Query(default=None, description="Only services with overrides."),
    abc: str | None = None,
    channel: str | None = None,
    detail: Literal["summary", "full"] = "summary",
    limit: LimitParameter = 100,
    cursor: CursorParameter = None,
    format_name: FormatParameter = None,
) -> Response:
    """Return the standard services of the adopted release and the local services, each with
    whether the municipality offers it. ``detail=full`` returns every field with provenance."""
    fmt = negotiate(request.headers.get("accept"), format_name)
    local = await municipal.local_catalogue(request, municipality_id, principal)

    def build() -> tuple[Representation, dict[str, str]]:
        ids = [
            service_id
            for service_id in local.service_ids()
            if _matches(local, service_id, offered, kind, overridden, abc, channel)
        ]
        chosen, metadata, headers = municipal.page(request, ids, cursor, limit)
        if fmt.is_rdf:
            triples = local_rdf.service_triples(local, chosen)
            body = rdf.serialize(triples, fmt.media_type, local.base_uri)
            return Representation.of(body, fmt.content_type), headers
        view = local.service_view if detail == "full" else local.summary_view
        document = {
            "municipality": municipality_id,
            "release": local.release,
            "items": [view(service_id) for service_id in chosen],
            **metadata,
        }
        return Representation.of(orjson.dumps(document), JSON.content_type), headers

    representation, headers = await municipal.run(build)
    return municipal.send(request, representation, private=principal is not None, headers=headers)


def _matches(
    local: LocalCatalogue,
    service_id: str,
    offered: bool | None,
    kind: str | None,
    overridden: bool | None,
    abc: str | None,
    channel: str | None,
) -> bool:
    entry = local.local.entries.get(service_id)
    if kind is not None and (entry.kind if entry is not None else "standard") != kind:
        return False
    if overridden is not None and bool(entry is not None and entry.overrides) != overridden:
        return False
    if offered is not None and local.offer(service_id).offered != offered:
        return False
    if abc is None and channel is None:
        return True
    values, _ = local.effective(service_id)
    if abc is not None and values.get("abc_class") != abc:
        return False
    return channel is None or bool(values.get(f"channels.{channel}.available"))


@router.get(
    "/municipalities/{municipality_id}/services/{service_id}",
    summary="Read one effective service with the provenance of each field",
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def read_local_service(
    request: Request,
    municipality_id: str,
    service_id: str,
    principal: OptionalPrincipal,
    format_name: FormatParameter = None,
) -> Response:
    """Return a service as the municipality offers it: each field local or standard, with the
    release, who set it and when. Its JSON ETag is the If-Match precondition for PATCH."""
    fmt = negotiate(request.headers.get("accept"), format_name)
    local = await municipal.local_catalogue(request, municipality_id, principal, service_id)
    local.require(service_id)

    def build() -> Representation:
        if fmt.is_rdf:
            triples = local_rdf.service_triples(local, [service_id])
            body = rdf.serialize(triples, fmt.media_type, local.base_uri)
            return Representation.of(body, fmt.content_type)
        return Representation.of(orjson.dumps(local.service_view(service_id)), JSON.content_type)

    return municipal.send(request, await municipal.run(build), private=principal is not None)


@router.patch(
    "/municipalities/{municipality_id}/services/{service_id}",
    summary="Override, reset or offer a service's fields",
    responses=schemas.ERROR_RESPONSES,
)
async def edit_local_service(
    request: Request,
    municipality_id: str,
    service_id: str,
    principal: RequiredPrincipal,
    body: Annotated[ServicePatch, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Set local values of fields, reset fields to the standard, or decide whether the
    municipality offers the service (editors). Every change is recorded in the history."""
    principal.require(municipality_id, keys.EDITOR)
    edit = ops.ServiceEdit(
        set=body.set,
        reset=body.reset,
        offered=body.offered,
        offered_given="offered" in body.model_fields_set,
    )
    local = await municipal.run(
        partial(
            ops.edit_service,
            municipal.reader_for(request),
            municipality_id,
            service_id,
            edit,
            if_match=if_match,
            actor=principal.actor,
        )
    )
    return municipal.respond(request, local.service_view(service_id), private=True)


@router.post(
    "/municipalities/{municipality_id}/services",
    status_code=201,
    summary="Add a local service",
    responses=schemas.ERROR_RESPONSES,
)
async def create_local_service(
    request: Request,
    municipality_id: str,
    body: LocalServiceCreate,
    principal: RequiredPrincipal,
    if_match: IfMatch = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Add a service that only this municipality offers (editors).

    Send ``If-None-Match: *``, or ``If-Match`` with the municipality's ETag.
    """
    principal.require(municipality_id, keys.EDITOR)
    newest = await municipal.newest_release(request)
    edit = ops.ServiceEdit(
        set=body.set, offered=body.offered, offered_given="offered" in body.model_fields_set
    )
    local = await municipal.run(
        partial(
            ops.create_local_service,
            municipal.reader_for(request),
            municipality_id,
            body.id,
            edit,
            if_match=municipal.create_or_match(if_match, if_none_match),
            newest_release=newest,
            actor=principal.actor,
        )
    )
    document = local.service_view(body.id)
    return municipal.respond(
        request, document, status=201, private=True, headers={"Location": document["href"]}
    )


# Local terms


@router.get(
    "/municipalities/{municipality_id}/terms",
    summary="List a municipality's own life events and navigation headings",
    responses=schemas.ERROR_RESPONSES,
)
async def list_terms(
    request: Request, municipality_id: str, principal: OptionalPrincipal
) -> Response:
    """Return the local life events and navigation headings."""
    local = await municipal.local_catalogue(request, municipality_id, principal, service_id="")
    items = [ops.term_document(term) for term in local.local.terms]
    return municipal.respond(
        request, {"items": items, "count": len(items)}, private=principal is not None
    )


@router.get(
    "/municipalities/{municipality_id}/terms/{list_id}/{identifier}",
    summary="Read a local life event or navigation heading",
    responses=schemas.ERROR_RESPONSES,
)
async def read_term(
    request: Request,
    municipality_id: str,
    list_id: str,
    identifier: str,
    principal: OptionalPrincipal,
) -> Response:
    """Return one local term; its ETag is the If-Match precondition for replacing it."""
    local = await municipal.local_catalogue(request, municipality_id, principal, service_id="")
    for term in local.local.terms:
        if term.list_id == list_id and term.identifier == identifier:
            return municipal.respond(
                request, ops.term_document(term), private=principal is not None
            )
    raise NotFound(f"Municipality {municipality_id!r} has no {list_id} term {identifier!r}.")


@router.put(
    "/municipalities/{municipality_id}/terms/{list_id}/{identifier}",
    summary="Create or replace a local life event or navigation heading",
    responses=schemas.ERROR_RESPONSES,
)
async def put_term(
    request: Request,
    municipality_id: str,
    list_id: Literal["life-events", "navigation"],
    identifier: str,
    body: TermPut,
    principal: RequiredPrincipal,
    if_match: IfMatch = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Create a term with ``If-None-Match: *`` or replace one with ``If-Match`` (editors)."""
    principal.require(municipality_id, keys.EDITOR)
    precondition = municipal.create_or_match(if_match, if_none_match)
    if precondition is None:
        raise PreconditionRequired(
            "Send 'If-None-Match: *' to create the term, or If-Match with its ETag to replace it."
        )
    term = await municipal.run(
        partial(
            ops.put_term,
            municipal.reader_for(request),
            municipality_id,
            list_id,
            identifier,
            labels=body.labels,
            descriptions=body.descriptions,
            parent=body.parent,
            if_match=precondition,
            actor=principal.actor,
        )
    )
    return municipal.respond(request, ops.term_document(term), private=True)


# Releases and review


@router.post(
    "/municipalities/{municipality_id}/release",
    summary="Move a municipality to a newer release",
    responses=schemas.ERROR_RESPONSES,
)
async def move_to_release(
    request: Request,
    municipality_id: str,
    body: ReleaseMove,
    principal: RequiredPrincipal,
    if_match: IfMatch = None,
) -> Response:
    """Adopt a newer release (admins). Upstream changes to fields without a local override are
    taken over; overridden fields that upstream changed become open review items."""
    principal.require(municipality_id, keys.ADMIN)
    newest = await municipal.newest_release(request)
    if body.release > newest:
        raise InvalidValue(
            f"There is no release {body.release}; the newest is {newest}.",
            [RowError(0, "release", str(body.release), f"use a release up to {newest}")],
        )
    await municipal.catalogue_state(request).release_catalogue(body.release)
    plan = await municipal.run(
        partial(
            ops.move_release,
            municipal.reader_for(request),
            municipality_id,
            body.release,
            newest_release=newest,
            if_match=if_match,
            actor=principal.actor,
        )
    )
    document = {
        "municipality": municipality_id,
        "from_release": plan.from_release,
        "to_release": plan.to_release,
        "summary": review.summary(plan.items),
        "review": f"/v1/municipalities/{municipality_id}/review",
    }
    return municipal.respond(request, document, private=True)


@router.get(
    "/municipalities/{municipality_id}/review",
    summary="List what the last release move took over and what needs a decision",
    responses=schemas.ERROR_RESPONSES,
)
async def read_review(
    request: Request,
    municipality_id: str,
    principal: RequiredPrincipal,
    status: Literal["open", "resolved", "info", "all"] = "all",
    kind: Literal["conflict", "taken-over", "retired", "added"] | None = None,
    limit: LimitParameter = 500,
    cursor: CursorParameter = None,
) -> Response:
    """Return the review items of the municipality's current release (its own keys only)."""
    principal.require(municipality_id, keys.READER)

    def read() -> tuple[dict[str, Any], dict[str, str]]:
        reader = municipal.reader_for(request)
        with reader.engine.connect() as connection:
            municipality = reader.municipality(connection, municipality_id)
            items = repository.read_review_items(
                connection, municipality_id, to_release=municipality.release
            )
        chosen = [
            entry
            for entry in items
            if (status == "all" or entry.status == status) and (kind is None or entry.kind == kind)
        ]
        ids = [str(entry.id) for entry in chosen]
        page_ids, metadata, headers = municipal.page(request, ids, cursor, limit)
        wanted = set(page_ids)
        return {
            "municipality": municipality_id,
            "release": municipality.release,
            "summary": review.summary(items),
            "items": [
                review.item_view(entry, municipality_id)
                for entry in chosen
                if str(entry.id) in wanted
            ],
            **metadata,
        }, headers

    document, headers = await municipal.run(read)
    return municipal.respond(request, document, private=True, headers=headers)


@router.get(
    "/municipalities/{municipality_id}/review/preview",
    summary="Preview a move to a newer release without storing anything",
    responses=schemas.ERROR_RESPONSES,
)
async def preview_review(
    request: Request,
    municipality_id: str,
    principal: RequiredPrincipal,
    release: Annotated[int, Query(ge=1)],
) -> Response:
    """Return the conflicts, take-overs, retirements and additions a move would bring."""
    principal.require(municipality_id, keys.READER)
    newest = await municipal.newest_release(request)
    if release > newest:
        raise NotFound(f"There is no release {release}; the newest is {newest}.")
    await municipal.catalogue_state(request).release_catalogue(release)
    plan = await municipal.run(
        partial(ops.preview_move, municipal.reader_for(request), municipality_id, release)
    )
    document = {
        "municipality": municipality_id,
        "from_release": plan.from_release,
        "to_release": plan.to_release,
        "summary": review.summary(plan.items),
        "items": [review.item_view(entry, municipality_id) for entry in plan.items],
    }
    return municipal.respond(request, document, private=True)


@router.get(
    "/municipalities/{municipality_id}/review/{item_id}",
    summary="Read one review item",
    responses=schemas.ERROR_RESPONSES,
)
async def read_review_item(
    request: Request, municipality_id: str, item_id: int, principal: RequiredPrincipal
) -> Response:
    """Return one item with the old standard, new standard and local values. Its ETag is the
    If-Match precondition for resolving it."""
    principal.require(municipality_id, keys.READER)

    def read() -> dict[str, Any]:
        with municipal.reader_for(request).engine.connect() as connection:
            item = repository.get_review_item(connection, municipality_id, item_id)
        if item is None:
            raise NotFound(f"Municipality {municipality_id!r} has no review item {item_id}.")
        return review.item_view(item, municipality_id)

    return municipal.respond(request, await municipal.run(read), private=True)


@router.post(
    "/municipalities/{municipality_id}/review/{item_id}/resolution",
    summary="Resolve a review item",
    responses=schemas.ERROR_RESPONSES,
)
async def resolve_review_item(
    request: Request,
    municipality_id: str,
    item_id: int,
    body: Resolution,
    principal: RequiredPrincipal,
    if_match: IfMatch = None,
) -> Response:
    """Accept the upstream value, keep the local one, or edit it; for a retired service,
    withdraw it or keep offering it (editors)."""
    principal.require(municipality_id, keys.EDITOR)
    document = await municipal.run(
        partial(
            ops.resolve_item,
            municipal.reader_for(request),
            municipality_id,
            item_id,
            resolution=body.resolution,
            value=body.value,
            value_given="value" in body.model_fields_set,
            if_match=if_match,
            actor=principal.actor,
        )
    )
    return municipal.respond(request, document, private=True)


# History and keys


def _change_view(change: Any) -> dict[str, Any]:
    return {
        "id": change.id,
        "entity": change.entity,
        "entity_id": change.entity_id,
        "path": change.path,
        "action": change.action,
        "before": change.before,
        "after": change.after,
        "actor": change.actor,
        "release": change.release,
        "at": repository.iso(change.at),
    }


async def _history(
    request: Request,
    municipality_id: str,
    principal: Principal,
    *,
    entity: str | None,
    entity_id: str | None,
    limit: int,
    cursor: str | None,
) -> Response:
    principal.require(municipality_id, keys.READER)
    after = _history_cursor(cursor)

    def read() -> dict[str, Any]:
        reader = municipal.reader_for(request)
        with reader.engine.connect() as connection:
            reader.municipality(connection, municipality_id)
            changes = repository.read_history(
                connection,
                municipality_id,
                entity=entity,
                entity_id=entity_id,
                after_id=after,
                limit=limit + 1,
            )
        more = len(changes) > limit
        changes = changes[:limit]
        next_cursor = (
            municipal.encode_cursor("h1", str(changes[-1].id)) if more and changes else None
        )
        return {
            "municipality": municipality_id,
            "items": [_change_view(change) for change in changes],
            "count": len(changes),
            "next_cursor": next_cursor,
            "next": (
                str(request.url.include_query_params(cursor=next_cursor)) if next_cursor else None
            ),
        }

    document = await municipal.run(read)
    headers = {"Link": f'<{document["next"]}>; rel="next"'} if document["next"] else None
    return municipal.respond(request, document, private=True, headers=headers)


def _history_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    value = municipal.decode_cursor("h1", cursor)
    if not value.isdigit():
        raise municipal.cursor_problem(cursor)
    return int(value)


@router.get(
    "/municipalities/{municipality_id}/history",
    summary="List every recorded change of a municipality",
    responses=schemas.ERROR_RESPONSES,
)
async def municipality_history(
    request: Request,
    municipality_id: str,
    principal: RequiredPrincipal,
    limit: LimitParameter = 100,
    cursor: CursorParameter = None,
) -> Response:
    """Return changes oldest first: who, when, which field, before and after."""
    return await _history(
        request, municipality_id, principal, entity=None, entity_id=None, limit=limit, cursor=cursor
    )


@router.get(
    "/municipalities/{municipality_id}/services/{service_id}/history",
    summary="List the recorded changes of one service",
    responses=schemas.ERROR_RESPONSES,
)
async def service_history(
    request: Request,
    municipality_id: str,
    service_id: str,
    principal: RequiredPrincipal,
    limit: LimitParameter = 100,
    cursor: CursorParameter = None,
) -> Response:
    """Return the changes of one service oldest first: who, when, which field, before, after."""
    return await _history(
        request,
        municipality_id,
        principal,
        entity="service",
        entity_id=service_id,
        limit=limit,
        cursor=cursor,
    )


@router.get(
    "/municipalities/{municipality_id}/keys",
    summary="List a municipality's API keys",
    responses=schemas.ERROR_RESPONSES,
)
async def list_municipality_keys(
    request: Request, municipality_id: str, principal: RequiredPrincipal
) -> Response:
    """Return the keys of the municipality without their secrets (admins)."""
    principal.require(municipality_id, keys.ADMIN)

    def read() -> dict[str, Any]:
        with municipal.reader_for(request).engine.connect() as connection:
            found = keys.list_keys(connection, municipality_id)
        return {
            "items": [
                {
                    "id": key.id,
                    "name": key.name,
                    "role": key.role,
                    "created_at": repository.iso(key.created_at),
                    "revoked_at": repository.iso(key.revoked_at) if key.revoked_at else None,
                }
                for key in found
            ]
        }

    return municipal.respond(request, await municipal.run(read), private=True)


# CSV export and import


@router.get(
    "/municipalities/{municipality_id}/export.csv",
    summary="Export a municipality's catalogue as CSV",
    responses={200: {"content": {"text/csv": {}}}, **schemas.ERROR_RESPONSES},
)
async def export_catalogue_csv(
    request: Request, municipality_id: str, principal: RequiredPrincipal
) -> Response:
    """Return one row per service with its local values, for editing in a spreadsheet.

    Keys of the municipality (readers and up) and platform administrators. POST the edited
    file to ``import`` to apply it. Module ``csv_io`` describes the columns and cell rules.
    """
    principal.require(municipality_id, keys.READER)
    local = await municipal.local_catalogue(request, municipality_id, principal)
    body = await municipal.run(partial(csv_io.export_csv, local))
    disposition = f'attachment; filename="{municipality_id}-catalogue.csv"'
    return municipal.send(
        request,
        Representation.of(body, csv_io.CONTENT_TYPE),
        private=True,
        headers={"Content-Disposition": disposition},
    )


@router.post(
    "/municipalities/{municipality_id}/import",
    summary="Import a municipality's catalogue from CSV, or preview the import",
    responses=schemas.ERROR_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def import_catalogue_csv(
    request: Request,
    municipality_id: str,
    principal: RequiredPrincipal,
    dry_run: Annotated[
        bool, Query(description="true lists the changes without writing; false applies them.")
    ] = True,
    if_match: IfMatch = None,
) -> Response:
    """Apply a CSV in the shape of ``export.csv``, all or nothing (editors).

    The body is the file, sent as ``text/csv``. A dry run needs no precondition; applying needs
    If-Match with the municipality's ETag. Both return every change and a summary. A file
    with errors gets 422 listing each row, column, value and reason, and nothing is written.
    """
    principal.require(municipality_id, keys.EDITOR)
    municipal.require_csv(request.headers.get("content-type"))
    data = await request.body()
    newest = await municipal.newest_release(request)
    reader = municipal.reader_for(request)
    if dry_run:
        plan, etag = await municipal.run(
            partial(csv_io.preview_import, reader, municipality_id, data, newest_release=newest)
        )
    else:
        plan, etag = await municipal.run(
            partial(
                csv_io.apply_import,
                reader,
                municipality_id,
                data,
                if_match=if_match,
                newest_release=newest,
                actor=principal.actor,
            )
        )
    document = {
        "municipality": municipality_id,
        "dry_run": dry_run,
        "municipality_etag": etag,
        "summary": plan.summary(),
        "changes": [change.as_dict() for change in plan.changes()],
    }
    return municipal.respond(request, document, private=True)
