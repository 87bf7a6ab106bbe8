"""Open Referral HSDS 3.0 read API of one municipality, at ``/hsds/{municipality_id}``.

Below that prefix the paths are those of the HSDS 3.0 API reference: ``/``, ``/services``,
``/services/{id}``, ``/taxonomies``, ``/taxonomies/{id}``, ``/taxonomy_terms``,
``/taxonomy_terms/{id}``, ``/organizations`` and ``/organizations/{id}``. Lists are numbered
pages (``page`` from 1, ``per_page``) with the HSDS paging fields and ``contents``, and an RFC
8288 ``Link`` header to the previous and next page. Ids are UUIDs (``servicelist.hsds``).
Caching and visibility are those of the navigation routes: public, for a minute, with strong
ETags; private with an API key.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from servicelist.api import schemas
from servicelist.api.auth import OptionalPrincipal, Principal
from servicelist.api.formats import JSON
from servicelist.api.routers.navigation import respond_view
from servicelist.api.state import Representation
from servicelist.errors import InvalidParameter, NotFound
from servicelist.hsds import pages
from servicelist.hsds.services import HSDS_VERSION, HsdsCatalogue
from servicelist.hsds.taxonomies import Term
from servicelist.municipalities.effective import LocalCatalogue

router = APIRouter(prefix="/hsds/{municipality_id}", tags=["hsds"])

# This API follows HSDS 3.0 without a profile, so the profile URL is the specification's own
# schema folder, where its canonical openapi.json is.
# NOTE: HSDS 3.0 names no URL for "no profile", so this choice is ours.
PROFILE_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"

PageParameter = Annotated[int, Query(ge=1, description="Page number, from 1.")]
PerPageParameter = Annotated[
    int,
    Query(
        ge=1,
        le=pages.PER_PAGE_MAX,
        description=f"Items per page, at most {pages.PER_PAGE_MAX} "
        f"({pages.PER_PAGE_FULL_MAX} with full=true).",
    ),
]
SearchParameter = Annotated[
    str | None,
    Query(max_length=200, description="Words that must all occur in the name or description."),
]
FormatParameter = Annotated[
    Literal["json"], Query(alias="format", description="Only json is available.")
]


HsdsBuilder = Callable[[HsdsCatalogue], tuple[Any, dict[str, str]]]


async def _respond(
    request: Request, municipality_id: str, principal: Principal | None, build: HsdsBuilder
) -> Response:
    """Send the JSON that ``build`` makes from the municipality's HSDS view, with its headers."""

    def view(local: LocalCatalogue) -> tuple[Representation, dict[str, str]]:
        document, headers = build(HsdsCatalogue(local))
        return Representation.of(orjson.dumps(document), JSON.content_type), headers

    return await respond_view(request, municipality_id, principal, view)


def _page_links(request: Request, fields: dict[str, Any]) -> dict[str, str]:
    """Return a Link header to the previous and next pages, when they exist."""
    links = []
    number = fields["page_number"]
    if number < fields["total_pages"]:
        links.append(f'<{request.url.include_query_params(page=number + 1)}>; rel="next"')
    if 1 < number <= fields["total_pages"]:
        links.append(f'<{request.url.include_query_params(page=number - 1)}>; rel="prev"')
    return {"Link": ", ".join(links)} if links else {}


def _not_found(kind: str, hsds_id: str, municipality_id: str, listing: str) -> NotFound:
    return NotFound(
        f"Municipality {municipality_id!r} has no HSDS {kind} with id {hsds_id[:80]!r}. HSDS "
        f"ids are UUIDs, and GET /hsds/{municipality_id}/{listing} lists them."
    )


# Root


@router.get("", summary="HSDS API information", responses=schemas.ERROR_RESPONSES)
@router.get("/", include_in_schema=False)
async def hsds_root(
    request: Request, municipality_id: str, principal: OptionalPrincipal
) -> Response:
    """Return the HSDS version, profile and OpenAPI document of this API."""
    openapi_url = str(request.base_url).rstrip("/") + request.app.openapi_url
    document = {"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": openapi_url}
    return await _respond(request, municipality_id, principal, lambda _: (document, {}))


# Services


@router.get("/services", summary="List HSDS services", responses=schemas.ERROR_RESPONSES)
async def list_hsds_services(
    request: Request,
    municipality_id: str,
    principal: OptionalPrincipal,
    search: SearchParameter = None,
    page: PageParameter = 1,
    per_page: PerPageParameter = pages.PER_PAGE_DEFAULT,
    format_name: FormatParameter = "json",
    taxonomy_term_id: Annotated[
        uuid.UUID | None, Query(description="Only services filed under this term.")
    ] = None,
    taxonomy_id: Annotated[
        uuid.UUID | None, Query(description="Only services with a term of this taxonomy.")
    ] = None,
    organization_id: Annotated[
        uuid.UUID | None, Query(description="Only services of this organization.")
    ] = None,
    modified_after: Annotated[
        datetime | None,
        Query(description="Only services changed at or after this time (RFC 3339)."),
    ] = None,
    minimal: Annotated[
        bool, Query(description="true: each service has only id and last_modified.")
    ] = False,
    full: Annotated[
        bool, Query(description="true: fully nested services (phones, schedules, ...).")
    ] = False,
) -> Response:
    """Return the services the municipality offers, in catalogue order. Filters combine with
    AND, as the HSDS API reference requires."""
    if full and per_page > pages.PER_PAGE_FULL_MAX:
        raise InvalidParameter(
            f"per_page={per_page} is too large with full=true; use at most "
            f"{pages.PER_PAGE_FULL_MAX}, or leave full out.",
            parameter="per_page",
            value=str(per_page),
        )
    words = pages.search_words(search)
    since = _aware(modified_after) if modified_after is not None else None

    def build(hsds: HsdsCatalogue) -> tuple[dict[str, Any], dict[str, str]]:
        chosen = []
        other_organization = (
            organization_id is not None and str(organization_id) != hsds.organization_id
        )
        for service_id in [] if other_organization else hsds.offered:
            values = hsds.values(service_id)
            if since is not None:
                changed = hsds.last_modified(service_id)
                if changed is None or changed < since:
                    continue
            if taxonomy_term_id is not None or taxonomy_id is not None:
                terms = hsds.terms(service_id, values)
                if not _has_term(terms, taxonomy_term_id, taxonomy_id):
                    continue
            if words:
                summary = hsds.service(service_id, full=False, values=values)
                texts = (
                    summary.get("name"),
                    summary.get("alternate_name"),
                    summary.get("description"),
                )
                if not pages.matches(words, texts):
                    continue
            chosen.append((service_id, values))
        page_items, fields = pages.page_of(chosen, page, per_page)
        contents = []
        for service_id, values in page_items:
            document = hsds.service(service_id, full=full, values=values)
            if minimal:
                document = {
                    key: document[key] for key in ("id", "last_modified") if key in document
                }
            contents.append(document)
        return {**fields, "contents": contents}, _page_links(request, fields)

    return await _respond(request, municipality_id, principal, build)


def _aware(moment: datetime) -> datetime:
    """Return ``moment`` with a time zone; a time without one is taken as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _has_term(terms: list[Term], term_id: uuid.UUID | None, taxonomy_id: uuid.UUID | None) -> bool:
    if term_id is not None and not any(term.id == str(term_id) for term in terms):
        return False
    return taxonomy_id is None or any(term.taxonomy_id == str(taxonomy_id) for term in terms)


@router.get("/services/{id}", summary="Read one HSDS service", responses=schemas.ERROR_RESPONSES)
async def read_hsds_service(
    request: Request,
    municipality_id: str,
    id: str,
    principal: OptionalPrincipal,
) -> Response:
    """Return one offered service, fully nested: organization, phones, schedules, contacts,
    languages, service area and the attributes linking its taxonomy terms."""

    def build(hsds: HsdsCatalogue) -> tuple[dict[str, Any], dict[str, str]]:
        service_id = hsds.service_id(id)
        if service_id is None:
            raise _not_found("service", id, municipality_id, "services")
        return hsds.service(service_id, full=True), {}

    return await _respond(request, municipality_id, principal, build)


# Taxonomies


@router.get("/taxonomies", summary="List HSDS taxonomies", responses=schemas.ERROR_RESPONSES)
async def list_hsds_taxonomies(
    request: Request,
    municipality_id: str,
    principal: OptionalPrincipal,
    search: SearchParameter = None,
    page: PageParameter = 1,
    per_page: PerPageParameter = pages.PER_PAGE_DEFAULT,
    format_name: FormatParameter = "json",
) -> Response:
    """Return the taxonomies: LGSL, LGIL, functions, navigation, ABC classes, channels,
    audiences and life events, then the municipality's local headings and life events."""
    words = pages.search_words(search)

    def build(hsds: HsdsCatalogue) -> tuple[dict[str, Any], dict[str, str]]:
        chosen = [
            taxonomy
            for taxonomy in hsds.taxonomies.taxonomies
            if pages.matches(words, (taxonomy["name"], taxonomy["description"]))
        ]
        contents, fields = pages.page_of(chosen, page, per_page)
        return {**fields, "contents": list(contents)}, _page_links(request, fields)

    return await _respond(request, municipality_id, principal, build)


@router.get("/taxonomies/{id}", summary="Read one HSDS taxonomy", responses=schemas.ERROR_RESPONSES)
async def read_hsds_taxonomy(
    request: Request,
    municipality_id: str,
    id: str,
    principal: OptionalPrincipal,
) -> Response:
    """Return one taxonomy."""

    def build(hsds: HsdsCatalogue) -> tuple[dict[str, Any], dict[str, str]]:
        taxonomy = hsds.taxonomies.taxonomy_by_id.get(id)
        if taxonomy is None:
            raise _not_found("taxonomy", id, municipality_id, "taxonomies")
        return taxonomy, {}

    return await _respond(request, municipality_id, principal, build)


@router.get(
    "/taxonomy_terms", summary="List HSDS taxonomy terms", responses=schemas.ERROR_RESPONSES
)
async def list_hsds_taxonomy_terms(
    request: Request,
    municipality_id: str,
    principal: OptionalPrincipal,
    search: SearchParameter = None,
    page: PageParameter = 1,
    per_page: PerPageParameter = pages.PER_PAGE_DEFAULT,
    format_name: FormatParameter = "json",
    taxonomy_id: Annotated[
        uuid.UUID | None, Query(description="Only terms of this taxonomy.")
    ] = None,
    top_only: Annotated[bool, Query(description="true: only terms without a parent term.")] = False,
    parent_id: Annotated[
        uuid.UUID | None, Query(description="Only the direct children of this term.")
    ] = None,
) -> Response:
    """Return taxonomy terms, taxonomy by taxonomy in list order, each with code, name,
    description and term_uri."""
    words = pages.search_words(search)

    def build(hsds: HsdsCatalogue) -> tuple[dict[str, Any], dict[str, str]]:
        chosen = [
            term.document
            for term in hsds.taxonomies.terms
            if (taxonomy_id is None or term.taxonomy_id == str(taxonomy_id))
            and (not top_only or term.parent_id is None)
            and (parent_id is None or term.parent_id == str(parent_id))
            and pages.matches(
                words, (term.code, term.document["name"], term.document["description"])
            )
        ]
        contents, fields = pages.page_of(chosen, page, per_page)
        return {**fields, "contents": list(contents)}, _page_links(request, fields)

    return await _respond(request, municipality_id, principal, build)


@router.get(
    "/taxonomy_terms/{id}",
    summary="Read one HSDS taxonomy term",
    responses=schemas.ERROR_RESPONSES,
)
async def read_hsds_taxonomy_term(
    request: Request,
    municipality_id: str,
    id: str,
    principal: OptionalPrincipal,
) -> Response:
    """Return one taxonomy term with its taxonomy."""

    def build(hsds: HsdsCatalogue) -> tuple[dict[str, Any], dict[str, str]]:
        term = hsds.taxonomies.term_by_id.get(id)
        if term is None:
            raise _not_found("taxonomy term", id, municipality_id, "taxonomy_terms")
        return term.document, {}

    return await _respond(request, municipality_id, principal, build)


# Organizations


@router.get("/organizations", summary="List HSDS organizations", responses=schemas.ERROR_RESPONSES)
async def list_hsds_organizations(
    request: Request,
    municipality_id: str,
    principal: OptionalPrincipal,
    search: SearchParameter = None,
    full_service: Annotated[
        bool, Query(description="true: with full=true, services are fully nested.")
    ] = False,
    full: Annotated[
        bool, Query(description="true: each organization with its identifiers and services.")
    ] = False,
    page: PageParameter = 1,
    per_page: PerPageParameter = pages.PER_PAGE_DEFAULT,
    format_name: FormatParameter = "json",
) -> Response:
    """Return the organizations: the municipality itself, the one organization of its data."""
    words = pages.search_words(search)

    def build(hsds: HsdsCatalogue) -> tuple[dict[str, Any], dict[str, str]]:
        if full and full_service:
            _check_full_service(hsds, municipality_id)
        organization = hsds.organization(full=False)
        chosen = (
            [organization]
            if pages.matches(words, (organization["name"], organization["description"]))
            else []
        )
        contents, fields = pages.page_of(chosen, page, per_page)
        if full:
            contents = [_full_organization(hsds, full_service) for _ in contents]
        return {**fields, "contents": list(contents)}, _page_links(request, fields)

    return await _respond(request, municipality_id, principal, build)


def _check_full_service(hsds: HsdsCatalogue, municipality_id: str) -> None:
    """Raise unless the organization has few enough services to nest them all in full."""
    if len(hsds.offered) > pages.PER_PAGE_FULL_MAX:
        raise InvalidParameter(
            f"full_service=true would nest all {len(hsds.offered)} services of "
            f"{municipality_id!r} in full, more than the {pages.PER_PAGE_FULL_MAX} a page may "
            f"hold. Leave full_service out and page through /hsds/{municipality_id}/services?"
            f"full=true&per_page={pages.PER_PAGE_FULL_MAX} instead.",
            parameter="full_service",
            value="true",
        )


def _full_organization(hsds: HsdsCatalogue, full_service: bool) -> dict[str, Any]:
    """Return the organization with its identifiers and its services.

    Services are summaries (one-to-one fields), or fully nested with ``full_service``.
    """
    document = hsds.organization(full=True)
    document["services"] = [
        hsds.service(service_id, full=full_service) for service_id in hsds.offered
    ]
    return document


@router.get(
    "/organizations/{id}",
    summary="Read one HSDS organization",
    responses=schemas.ERROR_RESPONSES,
)
async def read_hsds_organization(
    request: Request,
    municipality_id: str,
    id: str,
    principal: OptionalPrincipal,
    full_service: Annotated[
        bool, Query(description="true: services fully nested instead of summaries.")
    ] = False,
) -> Response:
    """Return the municipality as an organization with its identifiers and offered services."""

    def build(hsds: HsdsCatalogue) -> tuple[dict[str, Any], dict[str, str]]:
        if id != hsds.organization_id:
            raise _not_found("organization", id, municipality_id, "organizations")
        if full_service:
            _check_full_service(hsds, municipality_id)
        return _full_organization(hsds, full_service), {}

    return await _respond(request, municipality_id, principal, build)
