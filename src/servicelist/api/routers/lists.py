"""The standard lists, their items, hierarchy and mappings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from servicelist.api import schemas
from servicelist.api.conditional import represent
from servicelist.api.dependencies import Served, ServedDep
from servicelist.api.pagination import next_link, paginate
from servicelist.api.render import render
from servicelist.api.routers.services import RDF_CONTENT
from servicelist.catalogue import rdf, views
from servicelist.lists.records import ItemRecord

router = APIRouter(prefix="/v1/lists", tags=["lists"])


async def item_page(
    request: Request,
    served: Served,
    list_id: str,
    items: Sequence[ItemRecord],
    limit: int | None,
    cursor: str | None,
) -> Response:
    """Return one keyset page of ``items`` of a list."""
    catalogue = served.catalogue
    page_size = min(limit or served.settings.page_size_default, served.settings.page_size_max)
    page = paginate(items, cursor, page_size)
    next_href, link_header = next_link(request.url, page.next_cursor)

    representation = await render(
        served,
        # The page embeds the absolute URL of the next page, so the whole URL is in the key.
        ("items", list_id, str(request.url)),
        lambda: views.page_view(
            [views.item_view(catalogue, item, served.base_uri) for item in page.items],
            total=len(items),
            limit=page_size,
            next_cursor=page.next_cursor,
            next_href=next_href,
        ),
        lambda: rdf.items_triples(catalogue, list_id, page.items, served.base_uri),
        query=True,
    )
    return represent(request, representation, {"Link": link_header} if link_header else None)


@router.get(
    "",
    summary="List the standard lists",
    response_model=schemas.ListIndex,
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def read_lists(request: Request, served: ServedDep) -> Response:
    """Return every list with its version, item count, source, licence and attribution."""
    representation = await render(
        served,
        ("lists",),
        lambda: views.lists_view(served.catalogue, served.base_uri),
        lambda: rdf.lists_triples(served.catalogue, served.base_uri),
    )
    return represent(request, representation)


@router.get(
    "/{list_id}",
    summary="Read one list's metadata",
    response_model=schemas.ListMetadata,
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def read_list(request: Request, served: ServedDep, list_id: str) -> Response:
    """Return a list's metadata as JSON; in RDF, the whole concept scheme with every item."""
    record = served.catalogue.get_list(list_id)
    representation = await render(
        served,
        ("list", record.id),
        lambda: views.list_view(served.catalogue, record, served.base_uri),
        lambda: served.cache.memo(
            ("list-triples", record.id),
            lambda: rdf.list_triples(served.catalogue, record.id, served.base_uri),
        ),
    )
    return represent(request, representation)


@router.get(
    "/{list_id}/items",
    summary="List the items of a list",
    response_model=schemas.ItemPage,
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def list_items(
    request: Request,
    served: ServedDep,
    list_id: str,
    parent: Annotated[
        str | None,
        Query(description="Only the children of this item; 'none' for the top level."),
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Words that must all occur in the label.")
    ] = None,
    limit: Annotated[int | None, Query(ge=1, description="Page size; maximum 1000.")] = None,
    cursor: Annotated[
        str | None, Query(description="The next_cursor of the previous page.")
    ] = None,
) -> Response:
    """Return items in identifier order, with parent, children and mappings, page by page."""
    catalogue = served.catalogue
    record = catalogue.get_list(list_id)
    items = catalogue.items.get(record.id, [])
    if parent is not None:
        if parent.lower() == "none":
            items = [item for item in items if item.parent is None]
        else:
            parent_item = catalogue.get_item(record.id, parent)
            items = catalogue.children(parent_item)
    if q:
        words = q.casefold().split()
        items = [item for item in items if all(w in item.label.casefold() for w in words)]
    return await item_page(request, served, record.id, items, limit, cursor)


@router.get(
    "/{list_id}/items/{item_id}",
    summary="Read one item of a list",
    response_model=schemas.Item,
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def read_item(request: Request, served: ServedDep, list_id: str, item_id: str) -> Response:
    """Return one item with its parent, children and the items mapped to it both ways."""
    item = served.catalogue.get_item(list_id, item_id)
    representation = await render(
        served,
        ("item", item.list_id, item.identifier),
        lambda: views.item_view(served.catalogue, item, served.base_uri),
        lambda: rdf.item_triples(served.catalogue, item.list_id, item.identifier, served.base_uri),
    )
    return represent(request, representation)
