"""The process vocabulary and its SHACL shapes, published under the base URI."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph
from fastapi import APIRouter, Request
from starlette.responses import Response

from servicelist.api import schemas
from servicelist.api.conditional import represent
from servicelist.api.dependencies import Served, ServedDep
from servicelist.api.formats import TURTLE
from servicelist.api.problems import NotAcceptable
from servicelist.api.render import cached
from servicelist.api.routers.services import RDF_CONTENT
from servicelist.api.state import Representation
from servicelist.catalogue import rdf

router = APIRouter(prefix="/vocab", tags=["vocabulary"])

RDF_ONLY = {200: {"content": RDF_CONTENT}, **schemas.ERROR_RESPONSES}


async def _document(served: Served, name: str, turtle: Callable[[str], bytes]) -> Representation:
    """Return one of our Turtle documents in the negotiated RDF syntax."""
    if not served.format.is_rdf:
        raise NotAcceptable(
            f"The {name} document is RDF only; ask for text/turtle or another RDF syntax.",
            supported=[
                TURTLE.media_type,
                "application/ld+json",
                "application/rdf+xml",
                "application/n-triples",
            ],
        )

    def build() -> Representation:
        source = turtle(served.base_uri)
        if served.format is TURTLE:
            return Representation.of(source, served.format.content_type)
        triples = [
            quad.triple for quad in pyoxigraph.parse(source, format=pyoxigraph.RdfFormat.TURTLE)
        ]
        body = rdf.serialize(triples, served.format.media_type, served.base_uri)
        return Representation.of(body, served.format.content_type)

    return await cached(served, ("vocab", name, served.format.name), build)


@router.get(
    "/process", summary="Read the process vocabulary", response_model=None, responses=RDF_ONLY
)
async def read_process_vocabulary(request: Request, served: ServedDep) -> Response:
    """Return the classes and properties of process maps, with labels and comments."""
    representation = await _document(served, "process vocabulary", rdf.process_vocabulary_turtle)
    return represent(request, representation)


@router.get(
    "/process/shapes", summary="Read the process shapes", response_model=None, responses=RDF_ONLY
)
async def read_process_shapes(request: Request, served: ServedDep) -> Response:
    """Return the SHACL shapes that process maps, costs and opening hours satisfy."""
    representation = await _document(served, "process shapes", rdf.process_shapes_turtle)
    return represent(request, representation)
