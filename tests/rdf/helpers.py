"""Names and parsers shared by the RDF tests."""

from __future__ import annotations

import rdflib
from rdflib import URIRef

BASE = "http://127.0.0.1:8000/"

# rdflib's parser name for each media type the API serves.
RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


def concept(list_id: str, identifier: str) -> URIRef:
    return URIRef(f"{BASE}lists/{list_id}/{identifier}")


def service(identifier: str) -> URIRef:
    return URIRef(f"{BASE}services/{identifier}")


def parse(data: bytes, media_type: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data, format=RDFLIB_FORMATS[media_type])
