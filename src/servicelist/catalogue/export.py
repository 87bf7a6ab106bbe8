"""Whole-catalogue exports, shared by the CLI and the benchmarks."""

from __future__ import annotations

import orjson
from sqlalchemy import Engine

from servicelist.catalogue import rdf, views
from servicelist.catalogue.snapshot import Catalogue
from servicelist.lists import repository


def read_catalogue(engine: Engine) -> Catalogue:
    """Build a snapshot of the newest load from the database."""
    with engine.connect() as connection:
        load = repository.latest_load(connection)
        bundle = repository.read_all(connection)
    version = load.content_hash[:16] if load else "empty"
    loaded_at = load.loaded_at.isoformat() if load else ""
    return Catalogue.build(bundle, version=version, loaded_at=loaded_at)


def render_catalogue(catalogue: Catalogue, base_uri: str, media_type: str) -> bytes:
    """Serialise the whole catalogue as JSON or one of the RDF syntaxes."""
    if media_type == "application/json":
        return orjson.dumps(views.catalogue_view(catalogue, base_uri))
    return rdf.serialize(rdf.catalogue_triples(catalogue, base_uri), media_type)


def export_catalogue(engine: Engine, base_uri: str, media_type: str) -> bytes:
    """Read the newest load and serialise the whole catalogue."""
    return render_catalogue(read_catalogue(engine), base_uri, media_type)
