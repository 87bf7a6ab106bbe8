"""The change feed of a municipality's effective catalogue (``servicelist.feed``).

The feed of a published municipality is public, like its catalogue: its entries name what
changed and when, never who changed it or the values, which the private history keeps.
An unpublished municipality's feed is visible to its own keys only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from servicelist.api import municipal, schemas
from servicelist.api.auth import OptionalPrincipal
from servicelist.api.municipal import LimitParameter
from servicelist.feed.feed import decode_cursor, encode_cursor, read_page
from servicelist.settings import Settings

router = APIRouter(prefix="/v1", tags=["changes"])

SinceParameter = Annotated[
    str | None,
    Query(
        description="next_cursor of the previous page; absent to start at the oldest retained "
        "change."
    ),
]
FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    **schemas.ERROR_RESPONSES,
    410: {
        "description": "The cursor is older than the retained history: relist the catalogue",
        "model": schemas.Problem,
        "content": {"application/problem+json": {}},
    },
}


@router.get(
    "/municipalities/{municipality_id}/changes",
    summary="Follow the changes of a municipality's effective catalogue",
    responses=FEED_RESPONSES,
)
async def read_changes(
    request: Request,
    municipality_id: str,
    principal: OptionalPrincipal,
    since: SinceParameter = None,
    limit: LimitParameter = 100,
) -> Response:
    """Return the changes after ``since``, oldest first: local edits, and what upstream
    changed when the municipality moved to a newer release.

    Every page has a ``next_cursor``, also when it is empty, so a client polls with it. A
    cursor older than the retained history gets 410 Gone: GET the catalogue again, then
    follow the feed from the start.
    """
    reader = municipal.reader_for(request)
    settings: Settings = request.app.state.settings

    def read() -> dict[str, Any]:
        with reader.engine.connect() as connection:
            municipality = reader.municipality(connection, municipality_id)
            municipal.require_visible(municipality, principal)
            position = decode_cursor(municipality_id, since) if since is not None else None
            page = read_page(
                connection,
                municipality_id,
                position,
                limit,
                retention_days=settings.change_retention_days,
            )
        next_cursor = encode_cursor(municipality_id, page.position)
        return {
            "municipality": municipality_id,
            "items": page.entries,
            "count": len(page.entries),
            "limit": limit,
            "more": page.more,
            "next_cursor": next_cursor,
            "next": str(request.url.include_query_params(since=next_cursor)),
            "retention_days": settings.change_retention_days,
        }

    document = await municipal.run(read)
    return municipal.respond(
        request,
        document,
        private=principal is not None,
        headers={"Link": f'<{document["next"]}>; rel="next"'},
    )
