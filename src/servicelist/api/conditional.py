"""Responses from cached representations, with strong ETags and ``If-None-Match`` (RFC 9110)."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from servicelist.api.state import Representation

CACHE_CONTROL = "no-cache"


def _matches(if_none_match: str, etag: str) -> bool:
    # If-None-Match uses the weak comparison: W/"x" matches "x" (RFC 9110 section 13.1.2).
    if if_none_match.strip() == "*":
        return True
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == etag:
            return True
    return False


def represent(
    request: Request, representation: Representation, headers: dict[str, str] | None = None
) -> Response:
    """Return 304 when the client holds this representation, else the bytes with their ETag."""
    response_headers = {
        "ETag": representation.etag,
        "Vary": "Accept",
        "Cache-Control": CACHE_CONTROL,
    }
    if headers:
        response_headers.update(headers)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and _matches(if_none_match, representation.etag):
        return Response(status_code=304, headers=response_headers)
    return Response(
        representation.body, media_type=representation.media_type, headers=response_headers
    )
