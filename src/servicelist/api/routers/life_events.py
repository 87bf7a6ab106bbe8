"""Life events and the services they lead to."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from servicelist.api import schemas
from servicelist.api.conditional import represent
from servicelist.api.dependencies import ServedDep
from servicelist.api.render import render
from servicelist.api.routers.lists import item_page
from servicelist.api.routers.services import (
    RDF_CONTENT,
    CursorParameter,
    LimitParameter,
    service_page,
)
from servicelist.catalogue import rdf, views
from servicelist.catalogue.snapshot import ServiceFilter
from servicelist.lists import records as r

router = APIRouter(prefix="/v1/life-events", tags=["life events"])


@router.get(
    "",
    summary="List life events",
    response_model=schemas.ItemPage,
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def list_life_events(
    request: Request,
    served: ServedDep,
    limit: LimitParameter = None,
    cursor: CursorParameter = None,
) -> Response:
    """Return life events in list order, each with the services it leads to."""
    record = served.catalogue.get_list(r.LIFE_EVENTS)
    items = served.catalogue.items.get(record.id, [])
    return await item_page(request, served, record.id, items, limit, cursor)


@router.get(
    "/{event_id}",
    summary="Read one life event",
    response_model=schemas.Item,
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def read_life_event(request: Request, served: ServedDep, event_id: str) -> Response:
    """Return a life event with the services it leads to, each with a reason."""
    item = served.catalogue.get_item(r.LIFE_EVENTS, event_id)
    representation = await render(
        served,
        ("item", item.list_id, item.identifier),
        lambda: views.item_view(served.catalogue, item, served.base_uri),
        lambda: rdf.item_triples(served.catalogue, item.list_id, item.identifier, served.base_uri),
    )
    return represent(request, representation)


@router.get(
    "/{event_id}/services",
    summary="List the services a life event leads to",
    response_model=schemas.ServicePage,
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def list_life_event_services(
    request: Request,
    served: ServedDep,
    event_id: str,
    limit: LimitParameter = None,
    cursor: CursorParameter = None,
) -> Response:
    """Return the services of a life event, in the shape and order of ``/v1/services``."""
    item = served.catalogue.get_item(r.LIFE_EVENTS, event_id)
    criteria = ServiceFilter(life_event=item.identifier)
    return await service_page(request, served, criteria, limit, cursor)
