"""The LGSL services: filtered and paginated lists, and single services."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from servicelist.api import schemas
from servicelist.api.conditional import represent
from servicelist.api.dependencies import ServedDep
from servicelist.api.formats import FORMATS
from servicelist.api.pagination import next_link, paginate
from servicelist.api.render import json_fragment, render, splice_page
from servicelist.api.state import Representation
from servicelist.catalogue import rdf, views
from servicelist.catalogue.snapshot import ServiceFilter

router = APIRouter(prefix="/v1/services", tags=["services"])

RDF_CONTENT: dict[str, dict[str, object]] = {fmt.media_type: {} for fmt in FORMATS if fmt.is_rdf}


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
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words that must all occur in the label or description (any case).",
        ),
    ] = None,
    status: Annotated[Literal["live", "discontinued"] | None, Query()] = None,
    limit: Annotated[
        int | None, Query(ge=1, description="Page size; default 100, maximum 1000.")
    ] = None,
    cursor: Annotated[
        str | None, Query(description="The next_cursor of the previous page.")
    ] = None,
) -> Response:
    """List services in identifier order, filtered, one keyset page at a time."""
    page_size = min(limit or served.settings.page_size_default, served.settings.page_size_max)
    criteria = ServiceFilter(
        function=function,
        navigation=navigation,
        interaction=interaction,
        tier=tier,
        text=q,
        status=status,
    )
    matches = served.catalogue.filter_services(criteria)
    page = paginate(matches, cursor, page_size)
    next_href, link_header = next_link(request.url, page.next_cursor)
    key = ("services", str(criteria), cursor or "", str(page_size))

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
        representation = render(
            served,
            key,
            lambda: None,
            lambda: rdf.services_triples(served.catalogue, page.items, served.base_uri),
            query=True,
        )
    else:
        representation = served.cache.get((*key, "json"), build_json, query=True)
    headers = {"Link": link_header} if link_header else None
    return represent(request, representation, headers)


@router.get(
    "/{service_id}",
    summary="Read one LGSL service",
    response_model=schemas.Service,
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def read_service(request: Request, served: ServedDep, service_id: str) -> Response:
    """Return a service with its labels, description, history, dates and links."""
    item = served.catalogue.get_service(service_id)
    representation = render(
        served,
        ("service", item.identifier),
        lambda: views.service_view(served.catalogue, item, served.base_uri),
        lambda: rdf.service_triples(served.catalogue, item.identifier, served.base_uri),
    )
    return represent(request, representation)
