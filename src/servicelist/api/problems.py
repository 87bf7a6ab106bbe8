"""RFC 9457 problem details: the one error body of the API.

Every error response is ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and ``instance``; payload and parameter problems add an ``errors`` list. The
``type`` URIs are stable: ``urn:servicelist:problem:<code>``.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicelist.errors import (
    ImportRejected,
    InvalidParameter,
    InvalidValue,
    PreconditionFailed,
    ServicelistError,
    Unauthorized,
)
from servicelist.logs import RateLimit

log = logging.getLogger(__name__)

# Client errors can arrive by the thousand; log at most one per problem code per second.
_rejections = RateLimit(interval=1.0)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:servicelist:problem:"

# Titles of the problems raised by the framework rather than by domain code.
HTTP_PROBLEMS = {
    400: ("bad-request", "Bad request"),
    404: ("not-found", "Resource not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("content-too-large", "Content too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "Invalid request"),
    500: ("internal-error", "Internal server error"),
}


def problem_body(
    *,
    code: str,
    title: str,
    status: int,
    detail: str,
    instance: str | None,
    errors: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> bytes:
    """Serialise one problem document."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return orjson.dumps(body)


def problem_response(
    *,
    code: str,
    title: str,
    status: int,
    detail: str,
    instance: str | None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """Return a problem+json response."""
    body = problem_body(
        code=code,
        title=title,
        status=status,
        detail=detail,
        instance=instance,
        errors=errors,
        extra=extra,
    )
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


class NotAcceptable(ServicelistError):
    """The client accepts none of the media types a resource is available in."""

    status = 406
    code = "not-acceptable"
    title = "Not acceptable"

    def __init__(self, detail: str, supported: list[str]) -> None:
        super().__init__(detail)
        self.supported = supported


def _instance(request: Request) -> str:
    return request.url.path


async def _servicelist_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServicelistError)
    errors: list[dict[str, Any]] | None = None
    extra: dict[str, Any] | None = None
    if isinstance(exc, InvalidParameter):
        errors = [
            {
                "location": exc.location,
                "name": exc.parameter,
                "value": exc.value,
                "reason": exc.detail,
            }
        ]
    if isinstance(exc, ImportRejected | InvalidValue):
        errors = [error.as_dict() for error in exc.errors] or None
    headers: dict[str, str] = {}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="servicelist"'
    if isinstance(exc, PreconditionFailed):
        headers["ETag"] = exc.current_etag
        extra = {"current_etag": exc.current_etag}
    if isinstance(exc, NotAcceptable):
        extra = {"supported": exc.supported}
    emit, suppressed = _rejections.allow(exc.code)
    if emit:
        log.warning(
            "request rejected",
            extra={
                "path": request.url.path,
                "status": exc.status,
                "problem": exc.code,
                "suppressed_since_last": suppressed,
            },
        )
    return problem_response(
        code=exc.code,
        title=exc.title,
        status=exc.status,
        detail=exc.detail,
        instance=_instance(request),
        errors=errors,
        extra=extra,
        headers={**headers, "Vary": "Accept"} if isinstance(exc, NotAcceptable) else headers,
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "location": str(error["loc"][0]) if error.get("loc") else None,
            "name": ".".join(str(part) for part in error.get("loc", ())[1:]) or None,
            "value": _printable(error.get("input")),
            "reason": error.get("msg"),
        }
        for error in exc.errors()
    ]
    names = ", ".join(error["name"] or error["location"] or "?" for error in errors)
    return problem_response(
        code="validation-error",
        title="Invalid request",
        status=422,
        detail=f"The request has invalid values: {names}. Each entry of 'errors' says why.",
        instance=_instance(request),
        errors=errors,
    )


def _printable(value: object) -> object:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)[:200]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code, title = HTTP_PROBLEMS.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404:
        detail = f"No resource at {request.url.path}. The API lives under /v1; see /docs."
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    elif exc.status_code == 413:
        detail = "The request body is larger than the server accepts."
    return problem_response(
        code=code,
        title=title,
        status=exc.status_code,
        detail=detail,
        instance=_instance(request),
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", extra={"path": request.url.path, "method": request.method})
    return problem_response(
        code="internal-error",
        title="Internal server error",
        status=500,
        detail="The server failed to answer this request. The error is logged; try again later.",
        instance=_instance(request),
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error of ``app`` as problem+json."""
    app.add_exception_handler(ServicelistError, _servicelist_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


class BodySizeLimit:
    """Reject request bodies above ``max_bytes`` with a 413 problem, before any route runs.

    A declared Content-Length is checked up front; a chunked body is counted as it arrives.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, import_max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.import_max_bytes = import_max_bytes or max_bytes

    def limit(self, scope: Scope) -> int:
        """Return the body limit of a request: CSV uploads carry whole catalogues or volumes."""
        path = str(scope.get("path", ""))
        if scope.get("method") == "POST" and path.endswith(("/import", "/volumes")):
            return self.import_max_bytes
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        limit = self.limit(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._reject(scope, send, limit)
            return

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise StarletteHTTPException(413)
            return message

        await self.app(scope, counting_receive, send)

    async def _reject(self, scope: Scope, send: Send, limit: int) -> None:
        body = problem_body(
            code="content-too-large",
            title="Content too large",
            status=413,
            detail=f"The request body is larger than the limit of {limit} bytes.",
            instance=scope.get("path"),
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
