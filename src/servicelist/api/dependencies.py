"""Request dependencies shared by the routers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from servicelist.api.formats import Format, negotiate
from servicelist.api.state import CatalogueState, RepresentationCache
from servicelist.catalogue.snapshot import Catalogue
from servicelist.settings import Settings


@dataclass(frozen=True, slots=True)
class Served:
    """Request context of a read: the catalogue, its cache, the chosen format and the settings."""

    catalogue: Catalogue
    cache: RepresentationCache
    format: Format
    settings: Settings

    @property
    def base_uri(self) -> str:
        return self.settings.base_uri


FormatParameter = Annotated[
    str | None,
    Query(
        alias="format",
        description="Representation to return, overriding Accept: json, jsonld, ttl, rdf or nt.",
    ),
]


async def served(request: Request, format_name: FormatParameter = None) -> Served:
    """Negotiate the format, then return the current catalogue."""
    chosen = negotiate(request.headers.get("accept"), format_name)
    state: CatalogueState = request.app.state.catalogue_state
    catalogue, cache = await state.current()
    request.state.representation_cache = cache
    return Served(catalogue, cache, chosen, request.app.state.settings)


ServedDep = Annotated[Served, Depends(served)]
