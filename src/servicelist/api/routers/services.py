"""The LGSL services: filtered and paginated lists, single services, process maps and
first-contact guidance."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from servicelist.api import schemas
from servicelist.api.conditional import represent
from servicelist.api.dependencies import Served, ServedDep
from servicelist.api.formats import FORMATS
from servicelist.api.pagination import next_link, paginate
from servicelist.api.render import (
    cached,
    json_fragment,
    render,
    render_json_only,
    splice_page,
)
from servicelist.api.state import Representation
from servicelist.catalogue import contact, rdf, views
from servicelist.catalogue.snapshot import ServiceFilter

router = APIRouter(prefix="/v1/services", tags=["services"])

RDF_CONTENT: dict[str, dict[str, object]] = {fmt.media_type: {} for fmt in FORMATS if fmt.is_rdf}

LimitParameter = Annotated[
    int | None, Query(ge=1, description="Page size; default 100, maximum 1000.")
]
CursorParameter = Annotated[str | None, Query(description="The next_cursor of the previous page.")]


async def service_page(
    request: Request, served: Served, criteria: ServiceFilter, limit: int | None, cursor: str | None
) -> Response:
    """Return one keyset page of the services matching ``criteria``."""
    page_size = min(limit or served.settings.page_size_default, served.settings.page_size_max)
    matches = served.catalogue.filter_services(criteria)
    page = paginate(matches, cursor, page_size)
    next_href, link_header = next_link(request.url, page.next_cursor)
    # The page embeds the absolute URL of the next page, so the whole URL is in the key.
    key = ("services", str(request.url))

    def build_json() -> Representation:
        fragments = [
            json_fragment(
                served,
                ("service", item.identifier),
                partial(views.service_view, served.catalogue, item, served.base_uri),
            )
            for item in page.items
        ]
        metadata = views.page_view(
            [],
            total=len(matches),
            limit=page_size,
            next_cursor=page.next_cursor,
            next_href=next_href,
        )
        del metadata["items"]
        metadata["count"] = len(fragments)
        return Representation.of(splice_page(fragments, metadata), served.format.content_type)

    if served.format.is_rdf:
        representation = await render(
            served,
            key,
            lambda: None,
            lambda: rdf.services_triples(served.catalogue, page.items, served.base_uri),
            query=True,
        )
    else:
        representation = await cached(served, (*key, "json"), build_json, query=True)
    headers = {"Link": link_header} if link_header else None
    return represent(request, representation, headers)


@router.get(
    "",
    summary="List LGSL services",
    response_model=schemas.ServicePage,
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def list_services(
    request: Request,
    served: ServedDep,
    function: Annotated[
        str | None, Query(description="esd function identifier; includes its sub-functions.")
    ] = None,
    navigation: Annotated[
        str | None, Query(description="LGNL heading identifier; includes the headings below it.")
    ] = None,
    interaction: Annotated[str | None, Query(description="LGIL interaction identifier.")] = None,
    tier: Annotated[
        Literal["county", "district", "unitary"] | None,
        Query(description="Tier of local authority that provides the service (GOV.UK)."),
    ] = None,
    abc: Annotated[
        Literal["A", "B", "C"] | None,
        Query(description="ABC class: how much expertise the front line needs."),
    ] = None,
    channel: Annotated[
        str | None, Query(description="Channel identifier, e.g. desk, phone, web.")
    ] = None,
    audience: Annotated[
        str | None, Query(description="Audience identifier; includes its finer groups.")
    ] = None,
    life_event: Annotated[
        str | None, Query(description="Life event identifier, e.g. having-a-child.")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words that must all occur in the label or description (any case).",
        ),
    ] = None,
    status: Annotated[Literal["live", "discontinued", "retired"] | None, Query()] = None,
    limit: LimitParameter = None,
    cursor: CursorParameter = None,
) -> Response:
    """List services in identifier order, filtered, one keyset page at a time."""
    criteria = ServiceFilter(
        function=function,
        navigation=navigation,
        interaction=interaction,
        tier=tier,
        abc=abc,
        channel=channel,
        audience=audience,
        life_event=life_event,
        text=q,
        status=status,
    )
    return await service_page(request, served, criteria, limit, cursor)


@router.get(
    "/{service_id}",
    summary="Read one LGSL service",
    response_model=schemas.Service,
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def read_service(request: Request, served: ServedDep, service_id: str) -> Response:
    """Return a service with its labels, description, history, dates and links."""
    item = served.catalogue.get_service(service_id)
    representation = await render(
        served,
        ("service", item.identifier),
        lambda: views.service_view(served.catalogue, item, served.base_uri),
        lambda: rdf.service_triples(served.catalogue, item.identifier, served.base_uri),
    )
    return represent(request, representation)


@router.get(
    "/{service_id}/process",
    summary="Read the process map of a service",
    response_model=schemas.ProcessMap,
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def read_process(request: Request, served: ServedDep, service_id: str) -> Response:
    """Return the ordered steps from intake to delivery, with office tier, actor and duration."""
    item = served.catalogue.get_service(service_id)
    representation = await render(
        served,
        ("process", item.identifier),
        lambda: contact.process_view(served.catalogue, item),
        lambda: rdf.process_triples(served.catalogue, item.identifier, served.base_uri),
    )
    return represent(request, representation)


@router.get(
    "/{service_id}/first-contact",
    summary="Answer a first contact about a service",
    response_model=schemas.FirstContact,
    responses=schemas.ERROR_RESPONSES,
)
async def read_first_contact(
    request: Request,
    served: ServedDep,
    service_id: str,
    channel: Annotated[
        str | None,
        Query(description="Channel of the contact, e.g. phone; default the primary channel."),
    ] = None,
) -> Response:
    """Tell the agent whether to settle (A), explain and forward (B) or refer (C)."""
    item = served.catalogue.get_service(service_id)
    representation = await render_json_only(
        served,
        ("first-contact", item.identifier, channel or ""),
        lambda: contact.first_contact(served.catalogue, item, channel),
    )
    return represent(request, representation)
