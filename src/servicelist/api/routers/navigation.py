"""Website navigation and service pages of one municipality, for council websites.

Everything here is a public read of a published municipality (an unpublished one is visible to
its own keys only, as elsewhere). Websites cache these responses, so anonymous responses carry
``Cache-Control: public, max-age=60``: a shared cache may serve them for a minute after an
edit, then revalidates with the strong ETag and gets 304 while nothing changed. Responses to a
request with an API key are ``private, no-cache``.

Each worker keeps the views it built per request URL and municipality revision
(``servicelist.api.view_cache``), so repeated requests and revalidations only read the
municipality's row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from servicelist.api import municipal, schemas
from servicelist.api.auth import OptionalPrincipal, Principal
from servicelist.api.formats import JSON
from servicelist.api.state import Representation
from servicelist.api.view_cache import CachedView, view_cache
from servicelist.municipalities import navigation, service_page
from servicelist.municipalities.effective import LocalCatalogue
from servicelist.municipalities.models import Municipality

router = APIRouter(prefix="/v1", tags=["navigation"])

PUBLIC_CACHE_CONTROL = "public, max-age=60"
HTML_MEDIA_TYPE = "text/html; charset=utf-8"
JSON_LD_MEDIA_TYPE = "application/ld+json"
# The page has no scripts, styles or images of its own; JSON-LD is data and is not blocked.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'",
    "X-Content-Type-Options": "nosniff",
}

LanguageParameter = Annotated[
    str | None,
    Query(
        description="Language of labels and texts: one of the municipality's languages or en. "
        "Default: the municipality's first language. Texts missing in it fall back to English."
    ),
]
IncludeEmptyParameter = Annotated[
    bool,
    Query(
        description="false (default) leaves out branches without offered services; true "
        "keeps them with service_count 0."
    ),
]


def respond_cacheable(
    request: Request,
    representation: Representation,
    principal_given: bool,
    headers: dict[str, str] | None = None,
) -> Response:
    """Send a representation with the public or private cache policy of this router."""
    all_headers = dict(headers or {})
    if not principal_given:
        all_headers["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return municipal.send(request, representation, private=principal_given, headers=all_headers)


ViewBuilder = Callable[[LocalCatalogue], tuple[Representation, dict[str, str]]]


async def respond_view(
    request: Request,
    municipality_id: str,
    principal: Principal | None,
    build: ViewBuilder,
    service_id: str | None = None,
) -> Response:
    """Send the view that ``build`` makes from the local catalogue, reusing a built one.

    With ``service_id``, the local catalogue contains that service's local values only. Errors
    that ``build`` raises (a bad language, a service not offered) are not kept.
    """

    def read() -> Municipality:
        reader = municipal.reader_for(request)
        with reader.engine.connect() as connection:
            municipality = reader.municipality(connection, municipality_id)
        municipal.require_visible(municipality, principal)
        return municipality

    municipality = await municipal.run(read)
    cache = view_cache(request.app)
    key = (str(request.url), municipality.id, municipality.revision, municipality.release)
    view = cache.get(key)
    if view is None:
        local = await municipal.local_catalogue(request, municipality_id, principal, service_id)
        representation, headers = await municipal.run(lambda: build(local))
        view = CachedView(representation, tuple(headers.items()))
        cache.put(key, view)
    return respond_cacheable(
        request, view.representation, principal is not None, dict(view.headers)
    )


def _json_view(document: object) -> Representation:
    return Representation.of(orjson.dumps(document), JSON.content_type)


async def _tree(
    request: Request,
    municipality_id: str,
    principal: OptionalPrincipal,
    tree: navigation.TreeKind,
    lang: str | None,
    include_empty: bool,
) -> Response:
    def build(local: LocalCatalogue) -> tuple[Representation, dict[str, str]]:
        language = navigation.choose_language(local.municipality, lang)
        document = navigation.navigation_tree(local, tree, language, include_empty=include_empty)
        return _json_view(document), {}

    return await respond_view(request, municipality_id, principal, build)


@router.get(
    "/municipalities/{municipality_id}/navigation/functions",
    summary="Navigation by function: LGNL headings and local headings with offered services",
    responses=schemas.ERROR_RESPONSES,
)
async def navigation_functions(
    request: Request,
    municipality_id: str,
    principal: OptionalPrincipal,
    lang: LanguageParameter = None,
    include_empty: IncludeEmptyParameter = False,
) -> Response:
    """Return the LGNL navigation headings and the municipality's own headings as a tree, each
    with the offered services filed under it (effective ``navigation`` field)."""
    return await _tree(
        request, municipality_id, principal, navigation.FUNCTIONS, lang, include_empty
    )


@router.get(
    "/municipalities/{municipality_id}/navigation/life-events",
    summary="Navigation by life event, with offered services",
    responses=schemas.ERROR_RESPONSES,
)
async def navigation_life_events(
    request: Request,
    municipality_id: str,
    principal: OptionalPrincipal,
    lang: LanguageParameter = None,
    include_empty: IncludeEmptyParameter = False,
) -> Response:
    """Return the standard and local life events, each with the offered services it leads to
    (effective ``life_events`` field)."""
    return await _tree(
        request, municipality_id, principal, navigation.LIFE_EVENTS, lang, include_empty
    )


@router.get(
    "/municipalities/{municipality_id}/navigation/audiences",
    summary="Navigation by audience, with offered services",
    responses=schemas.ERROR_RESPONSES,
)
async def navigation_audiences(
    request: Request,
    municipality_id: str,
    principal: OptionalPrincipal,
    lang: LanguageParameter = None,
    include_empty: IncludeEmptyParameter = False,
) -> Response:
    """Return the audiences as a tree, each with the offered services meant for it (effective
    ``audiences`` field)."""
    return await _tree(
        request, municipality_id, principal, navigation.AUDIENCES, lang, include_empty
    )


# Service pages


def _page_content(
    request: Request, local: LocalCatalogue, service_id: str, lang: str | None
) -> tuple[service_page.ServiceContent, str]:
    """Return the page content and the absolute URL of the page."""
    municipality = local.municipality
    language = navigation.choose_language(municipality, lang)
    content = service_page.service_content(local, service_id, language)
    default = navigation.page_languages(municipality)[0]
    href = navigation.page_href(municipality.id, service_id, language, default)
    return content, str(request.base_url).rstrip("/") + href


@router.get(
    "/municipalities/{municipality_id}/services/{service_id}/page",
    summary="HTML page of an offered service with schema.org JSON-LD",
    responses={200: {"content": {"text/html": {}}}, **schemas.ERROR_RESPONSES},
)
async def read_service_page(
    request: Request,
    municipality_id: str,
    service_id: str,
    principal: OptionalPrincipal,
    lang: LanguageParameter = None,
) -> Response:
    """Return a small HTML5 page: title, description, how to get the service on each channel
    (URL, phone, email, hours), fees, procedure and the process steps, with a schema.org
    ``GovernmentService`` in ``<script type="application/ld+json">``. A service the
    municipality does not offer has no page (404, naming the provider when there is one)."""

    def build(local: LocalCatalogue) -> tuple[Representation, dict[str, str]]:
        content, page_url = _page_content(request, local, service_id, lang)
        node = service_page.government_service(content, page_url)
        body = service_page.render_page(content, node)
        return Representation.of(body, HTML_MEDIA_TYPE), PAGE_HEADERS

    return await respond_view(request, municipality_id, principal, build, service_id)


@router.get(
    "/municipalities/{municipality_id}/services/{service_id}/schema-org",
    summary="schema.org GovernmentService JSON-LD of an offered service",
    responses={200: {"content": {JSON_LD_MEDIA_TYPE: {}}}, **schemas.ERROR_RESPONSES},
)
async def read_service_schema_org(
    request: Request,
    municipality_id: str,
    service_id: str,
    principal: OptionalPrincipal,
    lang: LanguageParameter = None,
) -> Response:
    """Return the JSON-LD that the service page embeds: a ``GovernmentService`` with its
    provider (the council as ``GovernmentOrganization``), area served, channels, audiences."""

    def build(local: LocalCatalogue) -> tuple[Representation, dict[str, str]]:
        content, page_url = _page_content(request, local, service_id, lang)
        node = service_page.government_service(content, page_url)
        return Representation.of(service_page.json_ld_bytes(node), JSON_LD_MEDIA_TYPE), {}

    return await respond_view(request, municipality_id, principal, build, service_id)
