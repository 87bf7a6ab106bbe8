"""Open311 GeoReport v2 service discovery for municipalities, and the selection behind it.

``/open311/v2/services.{json|xml}`` and ``/open311/v2/services/{service_code}.{json|xml}``
follow GeoReport v2: the format is the path's extension, ``jurisdiction_id`` is the id of a
published municipality, and errors are a list of ``code`` and ``description`` in the requested
format with the HTTP status as the code. No API key is read: GeoReport's service list needs
none, so unpublished municipalities are not found here. Every other path under
``/open311/v2`` returns an error in the GeoReport format too, because service requests are not
taken.

``/v1/municipalities/{m}/open311`` reads and replaces a municipality's selection (admins).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from pydantic import Field
from starlette.responses import Response

from servicelist.api import municipal, schemas
from servicelist.api.auth import OptionalPrincipal, RequiredPrincipal
from servicelist.api.municipal import IfMatch, IfNoneMatch, StrictModel
from servicelist.api.state import Representation
from servicelist.errors import NotFound, ServicelistError
from servicelist.municipalities import keys
from servicelist.municipalities.effective import LocalCatalogue
from servicelist.open311 import georeport, selection
from servicelist.open311.questions import load_questions
from servicelist.open311.xml_output import to_xml
from servicelist.settings import Settings

router = APIRouter(prefix="/open311/v2", tags=["open311"])
selection_router = APIRouter(prefix="/v1", tags=["open311"])

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")
GEOREPORT_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {JSON_TYPE: {}, XML_TYPE: {}}},
    400: {
        "description": "jurisdiction_id missing while several municipalities exist; GeoReport "
        "errors: a list of code and description",
        "content": {JSON_TYPE: {}, XML_TYPE: {}},
    },
    404: {
        "description": "Unknown jurisdiction, service code or format; GeoReport errors",
        "content": {JSON_TYPE: {}, XML_TYPE: {}},
    },
}
JurisdictionParameter = Annotated[
    str | None,
    Query(
        description="Id of the municipality, e.g. leicester. Needed when more than one "
        "municipality exists; empty counts as absent."
    ),
]


# GeoReport responses


def _format_of(request: Request, extension: str | None) -> str:
    """Return the response format: the path's extension, else the one Accept prefers."""
    if extension in FORMATS:
        return extension
    accept = request.headers.get("accept", "").lower()
    return "xml" if "xml" in accept and "json" not in accept else "json"


def _georeport(request: Request, root: str, document: Any, fmt: str) -> Response:
    if fmt == "xml":
        representation = Representation.of(to_xml(root, document), XML_TYPE)
    else:
        representation = Representation.of(orjson.dumps(document), JSON_TYPE)
    return municipal.send(request, representation, private=False)


def _error(
    status: int, description: str, fmt: str, headers: dict[str, str] | None = None
) -> Response:
    """Return a GeoReport error list with one error; its code is the HTTP status."""
    errors = [{"code": status, "description": description}]
    if fmt == "xml":
        body, media_type = to_xml("errors", errors), XML_TYPE
    else:
        body, media_type = orjson.dumps(errors), JSON_TYPE
    response = Response(body, status_code=status, headers=headers)
    response.headers["Content-Type"] = media_type
    response.headers["Cache-Control"] = "no-cache"
    return response


def _unknown_format(extension: str) -> NotFound:
    return NotFound(
        f"The format {extension[:20]!r} is not served: end the path with .json or .xml."
    )


async def _published(
    request: Request, jurisdiction_id: str | None
) -> tuple[LocalCatalogue, selection.Selection, selection.Resolution]:
    """Read the jurisdiction's catalogue and selection, and resolve what it publishes."""
    reader = municipal.reader_for(request)

    def read() -> tuple[LocalCatalogue, selection.Selection, selection.Resolution]:
        with reader.engine.connect() as connection:
            municipality = georeport.find_jurisdiction(connection, jurisdiction_id)
            local = reader.local_catalogue(connection, municipality)
            chosen = selection.read_selection(connection, municipality.id)
        return local, chosen, selection.resolve(local, chosen)

    return await municipal.run(read)


@router.get(
    "/services.{response_format}",
    summary="Open311 GeoReport v2 service list of a municipality",
    responses=GEOREPORT_CONTENT,
)
async def list_georeport_services(
    request: Request, response_format: str, jurisdiction_id: JurisdictionParameter = None
) -> Response:
    """Return the services a municipality publishes through Open311, as JSON or XML.

    By default these are its offered services with the LGIL interaction 17 (Reporting);
    ``PUT /v1/municipalities/{m}/open311`` changes the selection.
    """
    fmt = _format_of(request, response_format)
    try:
        if response_format not in FORMATS:
            raise _unknown_format(response_format)
        local, chosen, resolution = await _published(request, jurisdiction_id)

        def build() -> list[dict[str, Any]]:
            return [
                georeport.service_entry(local, service, chosen) for service in resolution.exposed
            ]

        document = await municipal.run(build)
    except ServicelistError as error:
        return _error(error.status, error.detail, fmt)
    return _georeport(request, "services", document, fmt)


@router.get(
    "/services/{service_code}.{response_format}",
    summary="Open311 GeoReport v2 service definition",
    responses=GEOREPORT_CONTENT,
)
async def read_georeport_definition(
    request: Request,
    service_code: str,
    response_format: str,
    jurisdiction_id: JurisdictionParameter = None,
) -> Response:
    """Return the attributes of a report on one service, as JSON or XML.

    ``service_code`` is percent-encoded in the path; a code with inner spaces comes back byte
    for byte in the body.
    """
    fmt = _format_of(request, response_format)
    try:
        if response_format not in FORMATS:
            raise _unknown_format(response_format)
        local, _, resolution = await _published(request, jurisdiction_id)
        service = resolution.by_code(service_code)
        if service is None:
            raise NotFound(
                f"service_code {service_code[:100]!r} was not found in jurisdiction "
                f"{local.municipality.id!r}: GET /open311/v2/services.{fmt}?jurisdiction_id="
                f"{local.municipality.id} lists the codes."
            )
        settings: Settings = request.app.state.settings
        questions = await municipal.run(partial(load_questions, settings.data_dir))
        document = await municipal.run(
            partial(georeport.service_definition, local, service, questions)
        )
    except ServicelistError as error:
        return _error(error.status, error.detail, fmt)
    return _georeport(request, "service_definition", document, fmt)


@router.api_route(
    "/{path:path}",
    methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
async def other_georeport_path(request: Request, path: str) -> Response:
    """Return a GeoReport error for every other path under ``/open311/v2``."""
    stem, dot, extension = path.rpartition(".")
    fmt = _format_of(request, extension if dot else None)
    name = stem if dot else path
    if request.method not in ("GET", "HEAD"):
        return _error(
            405,
            f"{request.method} is not allowed here: this endpoint only publishes service lists "
            "and service definitions, and takes no service requests.",
            fmt,
            headers={"Allow": "GET"},
        )
    if name.split("/")[0] in ("requests", "request", "tokens"):
        description = (
            "This endpoint publishes service lists and service definitions only; it does not "
            "take or list service requests."
        )
    elif name in ("services", "services/") or name.startswith("services/"):
        description = (
            f"No resource at /open311/v2/{path[:100]}: end the path with .json or .xml, as in "
            "/open311/v2/services.json."
        )
    else:
        description = (
            f"No resource at /open311/v2/{path[:100]}: GET /open311/v2/services.json or "
            "/open311/v2/services/{service_code}.json."
        )
    return _error(404, description, fmt)


# The selection


class SelectionPut(StrictModel):
    """The services a municipality publishes through Open311, and their codes."""

    interactions: list[str] = Field(
        default_factory=lambda: [selection.REPORTING],
        max_length=selection.MAX_INTERACTIONS,
        description="LGIL interaction ids; offered services with any of them are published. "
        "Default ['17'] (Reporting).",
    )
    services: list[str] = Field(
        default_factory=list,
        max_length=selection.MAX_SERVICES,
        description="Ids of further services to publish while they are offered.",
    )
    service_codes: dict[str, str] = Field(
        default_factory=dict,
        description="Service id to its Open311 service_code, which may contain inner spaces; "
        "a service without one uses its id.",
    )
    type: selection.RequestType = Field(
        default=selection.DEFAULT_REQUEST_TYPE,
        description="GeoReport type of every published service.",
    )


@selection_router.get(
    "/municipalities/{municipality_id}/open311",
    summary="Read a municipality's Open311 selection",
    responses=schemas.ERROR_RESPONSES,
)
async def read_open311_selection(
    request: Request, municipality_id: str, principal: OptionalPrincipal
) -> Response:
    """Return the selection, the services it publishes with their codes and the services it
    names but does not publish, with the reason. Its ETag is the If-Match precondition of PUT."""
    reader = municipal.reader_for(request)

    def read() -> dict[str, Any]:
        with reader.engine.connect() as connection:
            municipality = reader.municipality(connection, municipality_id)
            municipal.require_visible(municipality, principal)
            local = reader.local_catalogue(connection, municipality)
            chosen = selection.read_selection(connection, municipality_id)
        return selection.selection_document(local, chosen)

    return municipal.respond(request, await municipal.run(read), private=principal is not None)


@selection_router.put(
    "/municipalities/{municipality_id}/open311",
    summary="Replace a municipality's Open311 selection",
    responses=schemas.ERROR_RESPONSES,
)
async def put_open311_selection(
    request: Request,
    municipality_id: str,
    body: SelectionPut,
    principal: RequiredPrincipal,
    if_match: IfMatch = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Replace the selection (admins). Omitted fields take their defaults. Send
    ``If-None-Match: *`` to store the first selection, else If-Match with the GET's ETag."""
    principal.require(municipality_id, keys.ADMIN)
    document = await municipal.run(
        partial(
            selection.write_selection,
            municipal.reader_for(request),
            municipality_id,
            interactions=body.interactions,
            services=body.services,
            service_codes=body.service_codes,
            request_type=body.type,
            if_match=if_match,
            if_none_match=if_none_match,
            actor=principal.actor,
        )
    )
    return municipal.respond(request, document, private=True)
