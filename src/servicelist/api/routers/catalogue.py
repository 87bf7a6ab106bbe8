"""The whole catalogue in one document."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from servicelist.api import schemas
from servicelist.api.conditional import represent
from servicelist.api.dependencies import ServedDep
from servicelist.api.render import render
from servicelist.api.routers.services import RDF_CONTENT
from servicelist.catalogue import rdf, views

router = APIRouter(prefix="/v1", tags=["catalogue"])


@router.get(
    "/catalogue",
    summary="Read the whole catalogue",
    response_model=schemas.CatalogueDocument,
    responses={200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES},
)
async def read_catalogue(request: Request, served: ServedDep) -> Response:
    """Return every list with every item and mapping; in RDF, a DCAT catalogue of schemes."""
    representation = await render(
        served,
        ("catalogue",),
        lambda: views.catalogue_view(served.catalogue, served.base_uri),
        lambda: served.cache.memo(
            ("catalogue-triples",),
            lambda: rdf.catalogue_triples(served.catalogue, served.base_uri),
        ),
    )
    return represent(request, representation)
