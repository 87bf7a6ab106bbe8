"""Building representations: JSON through orjson, RDF through the pyoxigraph mapping."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import orjson
from anyio import to_thread
from pyoxigraph import Triple

from servicelist.api.dependencies import Served
from servicelist.api.formats import JSON
from servicelist.api.problems import NotAcceptable
from servicelist.api.state import Representation
from servicelist.catalogue import rdf

JsonBuilder = Callable[[], Any]
TriplesBuilder = Callable[[], Sequence[Triple]]


async def render(
    served: Served,
    key: tuple[str, ...],
    json_builder: JsonBuilder,
    triples_builder: TriplesBuilder,
    *,
    query: bool = False,
) -> Representation:
    """Return the representation of one resource in the negotiated format, cached per version."""
    fmt = served.format

    def build() -> Representation:
        if fmt.is_rdf:
            body = rdf.serialize(list(triples_builder()), fmt.media_type, served.base_uri)
        else:
            body = orjson.dumps(json_builder())
        return Representation.of(body, fmt.content_type)

    return await cached(served, (*key, fmt.name), build, query=query)


async def cached(
    served: Served,
    key: tuple[str, ...],
    build: Callable[[], Representation],
    *,
    query: bool = False,
) -> Representation:
    """Return a cached representation, building it in a worker thread on first use.

    Building the whole catalogue in RDF takes up to a second. In a thread it does not hold up
    the requests that the event loop serves meanwhile.
    """
    found = served.cache.peek(key, query=query)
    if found is not None:
        return found
    return await to_thread.run_sync(partial(served.cache.get, key, build, query=query))


async def render_json_only(
    served: Served, key: tuple[str, ...], json_builder: JsonBuilder
) -> Representation:
    """Return a resource that exists only as JSON; an RDF request gets 406."""
    if served.format.is_rdf:
        raise NotAcceptable(
            f"This resource is available only as JSON, not as {served.format.media_type}.",
            supported=[JSON.media_type],
        )
    return await cached(
        served,
        (*key, "json"),
        lambda: Representation.of(orjson.dumps(json_builder()), JSON.content_type),
        query=True,
    )


def json_fragment(served: Served, key: tuple[str, ...], builder: JsonBuilder) -> bytes:
    """Return the cached JSON bytes of one entry, for splicing into a page."""
    return served.cache.get(
        (*key, "fragment"), lambda: Representation(orjson.dumps(builder()), "", "")
    ).body


def splice_page(fragments: Sequence[bytes], metadata: dict[str, Any]) -> bytes:
    """Return a page document whose ``items`` are already-serialised JSON objects."""
    rest = orjson.dumps(metadata)
    items = b"[" + b",".join(fragments) + b"]"
    if rest == b"{}":
        return b'{"items":' + items + b"}"
    return b'{"items":' + items + b"," + rest[1:]
