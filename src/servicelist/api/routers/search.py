"""Search for contact centres: ranked services for the words a caller uses, and the synonyms.

``GET /v1/search`` searches the standard services of the newest release;
``GET /v1/municipalities/{m}/search`` searches a municipality's effective catalogue, which is
public once the municipality is published. A municipality's synonyms (``GET``/``PUT
.../synonyms``) apply to its own searches on top of the authored ones.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from pydantic import Field
from starlette.responses import Response

from servicelist.api import municipal, schemas
from servicelist.api.auth import OptionalPrincipal, RequiredPrincipal
from servicelist.api.municipal import IfMatch, IfNoneMatch, StrictModel
from servicelist.municipalities import keys
from servicelist.search import synonym_lists
from servicelist.search.results import Filters
from servicelist.search.service import SearchService
from servicelist.search.synonyms import (
    MAX_EXPANSION_CHARACTERS,
    MAX_MUNICIPAL_ENTRIES,
    MAX_TERM_CHARACTERS,
)

router = APIRouter(prefix="/v1", tags=["search"])

MAX_QUERY_CHARACTERS = 200
MAX_LIMIT = 50

QueryText = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_QUERY_CHARACTERS,
        description="The caller's words, 1 to 200 characters, e.g. 'missed bin' or 'recyling'.",
    ),
]
LimitParameter = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Number of services, at most {MAX_LIMIT}.")
]
AbcParameter = Annotated[
    Literal["A", "B", "C"] | None,
    Query(description="ABC class: how much expertise the front line needs."),
]
ChannelParameter = Annotated[
    str | None, Query(description="Channel identifier, e.g. desk, phone, web.")
]
AudienceParameter = Annotated[
    str | None, Query(description="Audience identifier; includes its finer groups.")
]
LifeEventParameter = Annotated[
    str | None, Query(description="Life event identifier, e.g. moving-house.")
]
InteractionParameter = Annotated[
    str | None, Query(description="LGIL interaction identifier, e.g. 17 (reporting).")
]


class SynonymEntry(StrictModel):
    """A word or phrase callers use and the words of the catalogue it stands for."""

    term: str = Field(
        max_length=MAX_TERM_CHARACTERS, description="What callers say, e.g. 'wheelie bin'."
    )
    expansion: str = Field(
        max_length=MAX_EXPANSION_CHARACTERS,
        description="Words the services use, searched as a phrase, e.g. 'waste containers'.",
    )


class SynonymListPut(StrictModel):
    """The municipality's whole synonym list; it replaces the stored one."""

    items: list[SynonymEntry] = Field(max_length=MAX_MUNICIPAL_ENTRIES)


def _service(request: Request) -> SearchService:
    service: SearchService = request.app.state.search
    return service


@router.get("/search", summary="Search the standard services", responses=schemas.ERROR_RESPONSES)
async def search_standard(
    request: Request,
    q: QueryText,
    limit: LimitParameter = 10,
    abc: AbcParameter = None,
    channel: ChannelParameter = None,
    audience: AudienceParameter = None,
    life_event: LifeEventParameter = None,
    interaction: InteractionParameter = None,
) -> Response:
    """Return the standard services of the newest release that best match the caller's words.

    The words are expanded with the authored synonyms, stemmed, corrected for spelling
    slips, and the last word is also completed as a prefix. Each hit has the ABC class, the
    channels, the department, the first-contact resolution, the score and which words matched.
    """
    catalogue, _ = await municipal.catalogue_state(request).current()
    filters = Filters(
        abc=abc, channel=channel, audience=audience, life_event=life_event, interaction=interaction
    )
    document = await municipal.run(
        partial(_service(request).search_standard, catalogue, q, filters, limit)
    )
    return municipal.respond(request, document)


@router.get(
    "/municipalities/{municipality_id}/search",
    summary="Search a municipality's effective catalogue",
    responses=schemas.ERROR_RESPONSES,
)
async def search_municipality(
    request: Request,
    municipality_id: str,
    principal: OptionalPrincipal,
    q: QueryText,
    limit: LimitParameter = 10,
    abc: AbcParameter = None,
    channel: ChannelParameter = None,
    audience: AudienceParameter = None,
    life_event: LifeEventParameter = None,
    interaction: InteractionParameter = None,
    offered: Annotated[
        bool | None, Query(description="Only services the municipality offers, or does not.")
    ] = None,
    kind: Annotated[
        Literal["standard", "local"] | None,
        Query(description="Only standard services, or only the municipality's own."),
    ] = None,
) -> Response:
    """Return the municipality's services that best match the caller's words.

    Local labels, descriptions and keywords are searched in place of the standard ones, in
    every language the municipality writes them in, and the municipality's own synonyms are
    used besides the authored ones. Each hit also shows whether the municipality offers the
    service and who provides it when it does not.
    """
    local = await municipal.local_catalogue(request, municipality_id, principal)
    filters = Filters(
        abc=abc,
        channel=channel,
        audience=audience,
        life_event=life_event,
        interaction=interaction,
        offered=offered,
        kind=kind,
    )
    document = await municipal.run(
        partial(_service(request).search_municipality, local, q, filters, limit)
    )
    return municipal.respond(request, document, private=principal is not None)


@router.get(
    "/municipalities/{municipality_id}/synonyms",
    summary="Read a municipality's synonyms",
    responses=schemas.ERROR_RESPONSES,
)
async def read_synonyms(
    request: Request, municipality_id: str, principal: OptionalPrincipal
) -> Response:
    """Return the municipality's own synonyms; its ETag is the If-Match precondition of PUT."""
    reader = municipal.reader_for(request)

    def read() -> dict[str, Any]:
        with reader.engine.connect() as connection:
            municipality = reader.municipality(connection, municipality_id)
            municipal.require_visible(municipality, principal)
            stored = synonym_lists.read_list(connection, municipality_id)
        return synonym_lists.list_document(municipality_id, stored)

    return municipal.respond(request, await municipal.run(read), private=principal is not None)


@router.put(
    "/municipalities/{municipality_id}/synonyms",
    summary="Replace a municipality's synonyms",
    responses=schemas.ERROR_RESPONSES,
)
async def replace_synonyms(
    request: Request,
    municipality_id: str,
    body: Annotated[SynonymListPut, Body()],
    principal: RequiredPrincipal,
    if_match: IfMatch = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Replace the whole list (editors). Send If-Match with the ETag of the GET, or
    'If-None-Match: *' while the municipality has no list. The change is recorded in the
    history."""
    principal.require(municipality_id, keys.EDITOR)
    document = await municipal.run(
        partial(
            synonym_lists.replace_list,
            municipal.reader_for(request).engine,
            municipality_id,
            [(entry.term, entry.expansion) for entry in body.items],
            if_match=if_match,
            if_none_match=if_none_match,
            actor=principal.actor,
        )
    )
    return municipal.respond(request, document, private=True)
