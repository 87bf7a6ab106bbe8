"""An ASGI layer that serves repeated GET and HEAD requests from the representation cache.

After a router has served a request target once, its representation is remembered under
(path, query string, Accept, Host). This layer serves the next request for that target before
routing and dependency injection, which cost most of the time of a small cached response.
Requests whose snapshot is due for a freshness check go through the app, which refreshes it.

HEAD gets the response to GET without the body (RFC 9110 section 9.3.2), here and in the app.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicelist.api.conditional import response_parts
from servicelist.api.state import CatalogueState


class FastPath:
    """Serve remembered responses of the current snapshot; pass everything else on."""

    def __init__(self, app: ASGIApp, state: CatalogueState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        headers = Headers(scope=scope)

        cache = self.state.fresh_cache()
        if cache is not None:
            key = (
                scope["path"],
                scope.get("query_string", b""),
                headers.get("accept", ""),
                headers.get("host", ""),
            )
            cached = cache.response(key)
            if cached is not None:
                status, response_headers, body = response_parts(
                    cached, headers.get("if-none-match"), headers.get("accept-encoding")
                )
                raw_headers = [
                    (name.lower().encode(), value.encode()) for name, value in response_headers
                ]
                if status == 200:
                    raw_headers.append((b"content-length", str(len(body)).encode()))
                await send(
                    {"type": "http.response.start", "status": status, "headers": raw_headers}
                )
                await send({"type": "http.response.body", "body": b"" if head else body})
                return

        if not head:
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
