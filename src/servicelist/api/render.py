"""Building representations: JSON through orjson, RDF through the pyoxigraph mapping."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson
from pyoxigraph import Triple

from servicelist.api.dependencies import Served
from servicelist.api.state import Representation
from servicelist.catalogue import rdf

JsonBuilder = Callable[[], Any]
TriplesBuilder = Callable[[], Sequence[Triple]]


def render(
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
            body = rdf.serialize(list(triples_builder()), fmt.media_type)
        else:
            body = orjson.dumps(json_builder())
        return Representation.of(body, fmt.content_type)

    return served.cache.get((*key, fmt.name), build, query=query)


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
