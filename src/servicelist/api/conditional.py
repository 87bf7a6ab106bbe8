"""Responses from cached representations: strong ETags, ``If-None-Match`` and gzip (RFC 9110).

``response_parts`` decides status, headers and body from a representation and the request's
headers. The routers and the fast path (``servicelist.api.fastpath``) both use it, so a request
gets the same response whichever of them serves it.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from servicelist.api.state import (
    CachedResponse,
    Representation,
    RepresentationCache,
    ResponseKey,
)

CACHE_CONTROL = "no-cache"
VARY = "Accept, Accept-Encoding"


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Return whether ``If-None-Match`` names ``etag``.

    If-None-Match uses the weak comparison: W/"x" matches "x" (RFC 9110 section 13.1.2).
    """
    if if_none_match.strip() == "*":
        return True
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == etag:
            return True
    return False


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Return whether ``Accept-Encoding`` allows gzip (a q-value of 0 forbids it)."""
    if not accept_encoding:
        return False
    allowed = False
    for part in accept_encoding.split(","):
        coding, _, parameters = part.strip().partition(";")
        coding = coding.strip().lower()
        quality = 1.0
        key, _, value = parameters.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
        if coding == "gzip":
            return quality > 0
        if coding == "*":
            allowed = quality > 0
    return allowed


def response_parts(
    cached: CachedResponse, if_none_match: str | None, accept_encoding: str | None
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Return the status, headers and body of the response to a request for ``cached``."""
    representation = cached.representation
    body = representation.body
    etag = representation.etag
    headers = [("Vary", VARY), ("Cache-Control", CACHE_CONTROL), *cached.headers]
    if representation.gzip_body is not None and accepts_gzip(accept_encoding):
        body = representation.gzip_body
        etag = representation.gzip_etag or etag
        headers.append(("Content-Encoding", "gzip"))
    headers.append(("ETag", etag))
    if if_none_match is not None and etag_matches(if_none_match, etag):
        return 304, [h for h in headers if h[0] != "Content-Encoding"], b""
    headers.append(("Content-Type", representation.media_type))
    return 200, headers, body


def response_key(request: Request) -> ResponseKey:
    """Return what identifies a cached response: path, query string, Accept and Host."""
    return (
        request.url.path,
        request.scope.get("query_string", b""),
        request.headers.get("accept", ""),
        request.headers.get("host", ""),
    )


def represent(
    request: Request, representation: Representation, headers: dict[str, str] | None = None
) -> Response:
    """Return ``representation`` as a response: 304 when the client has it, else its bytes."""
    cached = CachedResponse(representation, tuple((headers or {}).items()))
    cache: RepresentationCache | None = getattr(request.state, "representation_cache", None)
    if cache is not None:
        cache.remember_response(response_key(request), cached)
    status, response_headers, body = response_parts(
        cached, request.headers.get("if-none-match"), request.headers.get("accept-encoding")
    )
    response = Response(body, status_code=status)
    for name, value in response_headers:
        response.headers[name] = value
    return response
