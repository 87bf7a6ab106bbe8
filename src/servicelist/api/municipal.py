"""Request steps shared by the municipality routers: reads, responses, cursors, preconditions.

The routers of municipalities, navigation, search, Open311, the change feed and benchmarks use
these functions. So they all read a municipality's catalogue, send JSON with strong ETags and
private cache headers, and check visibility in the same way.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

import orjson
from anyio import to_thread
from fastapi import Header, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from servicelist.api.auth import Principal
from servicelist.api.conditional import response_parts
from servicelist.api.formats import FORMATS, JSON
from servicelist.api.state import CachedResponse, CatalogueState, Representation
from servicelist.errors import InvalidCursor, NotFound, PreconditionRequired
from servicelist.municipalities import operations as ops
from servicelist.municipalities.effective import LocalCatalogue
from servicelist.municipalities.models import Municipality

T = TypeVar("T")
RDF_CONTENT: dict[str, dict[str, object]] = {fmt.media_type: {} for fmt in FORMATS if fmt.is_rdf}
IfMatch = Annotated[
    str | None,
    Header(description="ETag of the JSON representation being changed, from its last GET."),
]
IfNoneMatch = Annotated[
    str | None, Header(description="'*' to create something that must not exist yet.")
]
FormatParameter = Annotated[
    str | None,
    Query(alias="format", description="json, jsonld, ttl, rdf or nt; overrides Accept."),
]
LimitParameter = Annotated[int, Query(ge=1, le=1000, description="Page size, at most 1000.")]
CursorParameter = Annotated[str | None, Query(description="next_cursor of the previous page.")]


class StrictModel(BaseModel):
    """Request body that rejects unknown fields, so a misspelt field never passes silently."""

    model_config = ConfigDict(extra="forbid")


def catalogue_state(request: Request) -> CatalogueState:
    found: CatalogueState = request.app.state.catalogue_state
    return found


def reader_for(request: Request) -> ops.Reader:
    reader: ops.Reader = request.app.state.municipal_reader
    return reader


async def run(function: Callable[[], T]) -> T:
    return await to_thread.run_sync(function)


def respond(
    request: Request,
    document: Any,
    *,
    private: bool = False,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Return ``document`` as JSON with a strong ETag, honouring If-None-Match and gzip."""
    representation = Representation.of(orjson.dumps(document), JSON.content_type)
    return send(request, representation, private=private, status=status, headers=headers)


def send(
    request: Request,
    representation: Representation,
    *,
    private: bool,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    cached = CachedResponse(representation, tuple((headers or {}).items()))
    code, response_headers, body = response_parts(
        cached,
        request.headers.get("if-none-match") if request.method in ("GET", "HEAD") else None,
        request.headers.get("accept-encoding"),
    )
    response = Response(body, status_code=status if code == 200 else code)
    for name, value in response_headers:
        response.headers[name] = value
    if private:
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers["Vary"] = "Accept, Accept-Encoding, Authorization"
    return response


def require_visible(municipality: Municipality, principal: Principal | None) -> None:
    """Raise 404 for an unpublished municipality unless the key belongs to it."""
    if municipality.published:
        return
    if principal is None or not principal.belongs_to(municipality.id):
        raise NotFound(f"There is no municipality {municipality.id!r}.")


async def newest_release(request: Request) -> int:
    catalogue, _ = await catalogue_state(request).current()
    return catalogue.release or 1


async def local_catalogue(
    request: Request,
    municipality_id: str,
    principal: Principal | None,
    service_id: str | None = None,
) -> LocalCatalogue:
    reader = reader_for(request)

    def read() -> LocalCatalogue:
        with reader.engine.connect() as connection:
            municipality = reader.municipality(connection, municipality_id)
            require_visible(municipality, principal)
            return reader.local_catalogue(connection, municipality, service_id)

    return await run(read)


def create_or_match(if_match: str | None, if_none_match: str | None) -> str | None:
    """Return the If-Match value, or "*" when the request creates with If-None-Match: *."""
    if if_match is None and if_none_match is not None and if_none_match.strip() == "*":
        return "*"
    return if_match


def page_cursor(last_id: str) -> str:
    return encode_cursor("m1", last_id)


def encode_cursor(prefix: str, value: str) -> str:
    return base64.urlsafe_b64encode(f"{prefix}:{value}".encode()).decode().rstrip("=")


def cursor_problem(cursor: str) -> InvalidCursor:
    return InvalidCursor(
        f"The cursor {cursor[:80]!r} is not one this API issued for this list. Pass back the "
        "next_cursor of the previous page unchanged, or omit cursor to start again.",
        parameter="cursor",
        value=cursor[:200],
    )


def decode_cursor(prefix: str, cursor: str) -> str:
    """Return the value in a cursor made by ``encode_cursor`` or raise ``InvalidCursor``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise cursor_problem(cursor) from None
    if len(cursor) > 400 or not raw.startswith(f"{prefix}:"):
        raise cursor_problem(cursor)
    return raw[len(prefix) + 1 :]


def after_cursor(cursor: str | None, ids: Sequence[str]) -> int:
    """Return the index after the id that ``cursor`` names, or raise ``InvalidCursor``."""
    if cursor is None:
        return 0
    last = decode_cursor("m1", cursor)
    for index, identifier in enumerate(ids):
        if identifier == last:
            return index + 1
    raise cursor_problem(cursor)


def page(
    request: Request, ids: Sequence[str], cursor: str | None, limit: int
) -> tuple[Sequence[str], dict[str, Any], dict[str, str]]:
    start = after_cursor(cursor, ids)
    chosen = ids[start : start + limit]
    next_cursor = page_cursor(chosen[-1]) if chosen and start + limit < len(ids) else None
    next_href = str(request.url.include_query_params(cursor=next_cursor)) if next_cursor else None
    metadata = {
        "count": len(chosen),
        "total": len(ids),
        "limit": limit,
        "next_cursor": next_cursor,
        "next": next_href,
    }
    headers = {"Link": f'<{next_href}>; rel="next"'} if next_href else {}
    return chosen, metadata, headers


def can_see(municipality: Municipality, principal: Principal | None) -> bool:
    return municipality.published or (
        principal is not None and principal.belongs_to(municipality.id)
    )


def require_create_precondition(if_none_match: str | None, href: str) -> None:
    if if_none_match is None or if_none_match.strip() != "*":
        raise PreconditionRequired(
            f"Creating {href} needs 'If-None-Match: *', so it never replaces an existing one."
        )


def require_csv(content_type: str | None) -> None:
    """Raise 415 unless the request body is declared as UTF-8 ``text/csv``."""
    media_type, _, parameters = (content_type or "").partition(";")
    charset = "utf-8"
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if media_type.strip().lower() != "text/csv" or charset not in ("utf-8", "utf8"):
        raise HTTPException(
            415,
            detail=f"The import takes the CSV file as the request body with Content-Type "
            f"text/csv (UTF-8), not {(content_type or 'no Content-Type')[:100]!r}.",
        )
