"""The FastAPI application."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import Engine
from starlette.responses import Response

from servicelist import __version__
from servicelist.api.fastpath import FastPath
from servicelist.api.problems import BodySizeLimit, install_problem_handlers
from servicelist.api.routers import (
    benchmarks,
    catalogue,
    changes,
    hsds,
    life_events,
    lists,
    municipalities,
    navigation,
    open311,
    releases,
    search,
    services,
    vocabulary,
)
from servicelist.api.state import CatalogueState
from servicelist.database import create_database_engine
from servicelist.municipalities.effective import StandardFieldCache
from servicelist.municipalities.operations import Reader
from servicelist.search.service import SearchService
from servicelist.settings import Settings, get_settings

log = logging.getLogger(__name__)

DESCRIPTION = """\
The standard list of UK local-government services (LGSL) and its companion lists (LGIL
interactions, esd functions, LGNL navigation, providing tiers, UK councils), as JSON and as
CPSV-AP 3.2.0 / SKOS / DCAT RDF.

Choose a representation with `Accept` or `?format=` (json, jsonld, ttl, rdf, nt). Every
response carries a strong ETag; send it back in `If-None-Match` to get 304. Errors are RFC 9457
`application/problem+json`.

The esd-toolkit lists are published under the Open Government Licence v3.0 and must be
attributed to the esd-toolkit / LG Inform Plus programme. `/v1/lists` gives each list's
licence and attribution.
"""


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the application for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()
    engine = engine or create_database_engine(
        settings.database_url, sqlite_synchronous=settings.sqlite_synchronous
    )
    app = FastAPI(
        title="servicelist",
        version=__version__,
        description=DESCRIPTION,
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.catalogue_state = CatalogueState(engine, settings.refresh_interval_seconds)
    app.state.municipal_reader = Reader(
        engine=engine,
        catalogue_for=app.state.catalogue_state.release_catalogue_sync,
        field_cache=StandardFieldCache(),
        base_uri=settings.base_uri,
    )
    app.state.search = SearchService(
        engine, settings.data_dir, app.state.municipal_reader.field_cache
    )

    install_problem_handlers(app)
    app.include_router(lists.router)
    app.include_router(services.router)
    app.include_router(life_events.router)
    app.include_router(catalogue.router)
    app.include_router(vocabulary.router)
    app.include_router(releases.router)
    app.include_router(municipalities.router)
    app.include_router(search.router)
    app.include_router(benchmarks.router)
    app.include_router(changes.router)
    app.include_router(open311.selection_router)
    app.include_router(open311.router)
    app.include_router(navigation.router)
    app.include_router(hsds.router)

    @app.get("/v1", include_in_schema=False)
    async def index(request: Request) -> Response:
        body = (
            b'{"lists":"/v1/lists","services":"/v1/services","life_events":"/v1/life-events",'
            b'"catalogue":"/v1/catalogue","releases":"/v1/releases",'
            b'"openapi":"/openapi.json","docs":"/docs"}'
        )
        return Response(body, media_type="application/json")

    app.add_middleware(FastPath, state=app.state.catalogue_state)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "If-None-Match"],
        expose_headers=["ETag", "Link", "Location", "Retry-After", "Content-Encoding"],
    )
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        import_max_bytes=settings.max_import_bytes,
    )
    return app
