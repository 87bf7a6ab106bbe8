"""Benchmarks: metrics per municipality, comparisons, charts, region reports, contact volumes,
channel costs and channel-shift scenarios.

Comparisons, charts and reports are public and cover published municipalities. A key also
reads its own unpublished municipality, and a platform-admin key reads every one. Volumes,
costs and scenarios are private to the municipality's keys and to platform administrators,
and another municipality's key gets 404 for them.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection
from starlette.responses import Response

from servicelist.api import municipal, schemas
from servicelist.api.auth import OptionalPrincipal, Principal, RequiredPrincipal
from servicelist.api.municipal import IfMatch
from servicelist.api.problems import NotAcceptable
from servicelist.api.state import Representation
from servicelist.benchmarks import charts, comparison, costs, report, scenarios, svg, volumes
from servicelist.benchmarks import repository as bench_repository
from servicelist.benchmarks.metrics import DEFAULT_METRICS, METRICS, METRICS_BY_NAME, Metric
from servicelist.benchmarks.models import ChannelCost
from servicelist.benchmarks.service import BenchmarkService
from servicelist.errors import InvalidParameter, InvalidValue, NotFound, RowError
from servicelist.lists import records as r
from servicelist.municipalities import keys, repository
from servicelist.municipalities.effective import LocalCatalogue
from servicelist.municipalities.models import Municipality, Region
from servicelist.municipalities.operations import lock_checked, record_municipality_change

router = APIRouter(prefix="/v1", tags=["benchmarks"])

_service_lock = threading.Lock()
MAX_LISTED_MUNICIPALITIES = 1000
TABLE_MEDIA_TYPES = {
    "json": "application/json",
    "csv": comparison.CSV_MEDIA_TYPE,
    "xlsx": comparison.XLSX_MEDIA_TYPE,
}
SVG_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}
CurrencyParameter = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 currency of costs; default GBP for UK councils, EUR otherwise.",
    ),
]
PeriodParameter = Annotated[
    str | None, Query(description="ISO 8601 month (2026-01) or quarter (2026-Q1).")
]
SelectionMunicipalities = Annotated[
    str | None,
    Query(description="Comma-separated municipality ids; default every visible municipality."),
]
SelectionRegion = Annotated[str | None, Query(description="Only the municipalities of a region.")]
SelectionTier = Annotated[Literal["county", "district", "unitary"] | None, Query()]
TableFormat = Annotated[
    Literal["json", "csv", "xlsx"] | None,
    Query(alias="format", description="json, csv or xlsx; overrides Accept."),
]


def _benchmarks(request: Request) -> BenchmarkService:
    """Return the worker's benchmark service, creating it on first use."""
    state = request.app.state
    service: BenchmarkService | None = getattr(state, "benchmarks", None)
    if service is None:
        with _service_lock:
            service = getattr(state, "benchmarks", None)
            if service is None:
                reader = municipal.reader_for(request)
                service = BenchmarkService(reader.catalogue_for, reader.field_cache)
                state.benchmarks = service
    return service


async def _newest(request: Request) -> int:
    catalogue, _ = await municipal.catalogue_state(request).current()
    return catalogue.release or 1


def _table_format(request: Request, format_name: str | None) -> str:
    """Choose json, csv or xlsx: ``?format=`` wins, then the best match in Accept."""
    if format_name:
        return format_name
    accept = request.headers.get("accept")
    if not accept or not accept.strip():
        return "json"
    best: tuple[float, int] | None = None
    chosen = None
    for order, part in enumerate(accept.split(",")):
        media, *parameters = [piece.strip().lower() for piece in part.split(";")]
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        for name, media_type in TABLE_MEDIA_TYPES.items():
            full = media_type.split(";")[0]
            matches = media in (full, "*/*") or (
                media.endswith("/*") and full.startswith(media[:-1])
            )
            if matches and quality > 0 and (best is None or (quality, -order) > best):
                best, chosen = (quality, -order), name
                break
    if chosen is None:
        supported = [media.split(";")[0] for media in TABLE_MEDIA_TYPES.values()]
        raise NotAcceptable(
            f"None of the requested media types ({accept[:200]}) is available. Supported: "
            f"{', '.join(supported)}; or add ?format=json, csv or xlsx.",
            supported=supported,
        )
    return chosen


def _metric_list(value: str | None, default: tuple[str, ...]) -> list[Metric]:
    """Return the metrics named in ``metrics=``, every metric for "all", or ``default``."""
    if value is None or not value.strip():
        return [METRICS_BY_NAME[name] for name in default]
    names = list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if names == ["all"]:
        return list(METRICS)
    unknown = [name for name in names if name not in METRICS_BY_NAME]
    if unknown:
        raise InvalidParameter(
            f"Unknown metrics {', '.join(repr(n[:60]) for n in unknown[:10])}; use any of "
            f"{', '.join(METRICS_BY_NAME)}, separated by commas, or 'all'.",
            parameter="metrics",
            value=value[:200],
        )
    return [METRICS_BY_NAME[name] for name in names]


class Selection:
    """The municipalities a comparison covers and every municipality the caller may see."""

    def __init__(
        self,
        universe: list[Municipality],
        selected: list[Municipality],
        regions: dict[str, Region],
        description: dict[str, Any],
    ) -> None:
        self.universe = universe
        self.selected = selected
        self.regions = regions
        self.description = description


def _select(
    connection: Connection,
    principal: Principal | None,
    *,
    municipalities: str | None,
    region: str | None,
    tier: str | None,
) -> Selection:
    """Read the visible municipalities and narrow them to the requested ones."""
    everyone = repository.list_municipalities(connection)
    universe = [m for m in everyone if municipal.can_see(m, principal)]
    regions = {region.id: region for region in repository.list_regions(connection)}
    selected = universe
    if region is not None:
        if region not in regions:
            raise InvalidParameter(
                f"There is no region {region[:64]!r}; GET /v1/regions lists them.",
                parameter="region",
                value=region[:200],
            )
        selected = [m for m in selected if m.region_id == region]
    if tier is not None:
        selected = [m for m in selected if m.tier == tier]
    if municipalities is not None:
        wanted = list(dict.fromkeys(p.strip() for p in municipalities.split(",") if p.strip()))
        if len(wanted) > MAX_LISTED_MUNICIPALITIES:
            raise InvalidParameter(
                f"At most {MAX_LISTED_MUNICIPALITIES} municipalities can be listed; use region= "
                "or tier= for larger groups.",
                parameter="municipalities",
                value=municipalities[:200],
            )
        visible = {m.id: m for m in universe}
        unknown = [identifier for identifier in wanted if identifier not in visible]
        if unknown:
            raise InvalidParameter(
                f"There is no municipality {', '.join(repr(u[:64]) for u in unknown[:10])}; "
                "GET /v1/municipalities lists them.",
                parameter="municipalities",
                value=municipalities[:200],
            )
        chosen = set(wanted)
        selected = [m for m in selected if m.id in chosen]
    description = {"municipalities": municipalities, "region": region, "tier": tier}
    return Selection(universe, selected, regions, description)


def _table_response(
    request: Request,
    principal: Principal | None,
    fmt: str,
    document: dict[str, Any],
    sheets: list[tuple[str, list[str], list[list[Any]]]],
    filename: str,
) -> Response:
    private = principal is not None
    if fmt == "json":
        return municipal.respond(request, document, private=private)
    if fmt == "csv":
        _, header, rows = sheets[0]
        body = comparison.to_csv(header, rows)
        media_type = comparison.CSV_MEDIA_TYPE
        disposition = f'attachment; filename="{filename}.csv"'
    else:
        body = comparison.to_xlsx(sheets)
        media_type = comparison.XLSX_MEDIA_TYPE
        disposition = f'attachment; filename="{filename}.xlsx"'
    return municipal.send(
        request,
        Representation.of(body, media_type),
        private=private,
        headers={"Content-Disposition": disposition},
    )


# Comparison


@router.get(
    "/benchmarks",
    summary="Compare municipalities by metric",
    responses={
        200: {"content": {"text/csv": {}, comparison.XLSX_MEDIA_TYPE: {}}},
        **schemas.ERROR_RESPONSES,
    },
)
async def compare_municipalities(
    request: Request,
    principal: OptionalPrincipal,
    municipalities: SelectionMunicipalities = None,
    region: SelectionRegion = None,
    tier: SelectionTier = None,
    metrics: Annotated[
        str | None,
        Query(
            description="Comma-separated metric names, or 'all'; default "
            + ",".join(DEFAULT_METRICS)
        ),
    ] = None,
    table: Annotated[
        Literal["municipalities", "statistics"],
        Query(description="The table of a CSV; an XLSX has both tables as sheets."),
    ] = "municipalities",
    format_name: TableFormat = None,
) -> Response:
    """Return a table of municipalities by metric with ranks, and the medians and quartiles of
    their regions, countries, all municipalities and peer groups (same region and tier)."""
    fmt = _table_format(request, format_name)
    chosen_metrics = _metric_list(metrics, DEFAULT_METRICS)
    newest = await _newest(request)
    service = _benchmarks(request)

    def build() -> dict[str, Any]:
        with municipal.reader_for(request).engine.connect() as connection:
            selection = _select(
                connection, principal, municipalities=municipalities, region=region, tier=tier
            )
            computed = service.metrics(connection, selection.universe)
        rows = comparison.rows_of(computed, newest)
        chosen = {m.id for m in selection.selected}
        selected_rows = [row for row in rows if row.municipality.id in chosen]
        return comparison.comparison_document(
            selected_rows,
            rows,
            chosen_metrics,
            selection=selection.description,
            regions=selection.regions,
            newest_release=newest,
        )

    document = await municipal.run(build)
    municipality_table = comparison.table_rows(document)
    statistics_table = comparison.statistics_rows(document)
    sheets = [
        ("Municipalities", *municipality_table),
        ("Statistics", *statistics_table),
    ]
    if table == "statistics":
        sheets.reverse()
    return _table_response(request, principal, fmt, document, sheets, "benchmarks")


@router.get(
    "/benchmarks/municipalities/{municipality_id}",
    summary="Read the metrics of one municipality with the counts behind them",
    responses=schemas.ERROR_RESPONSES,
)
async def municipality_metrics(
    request: Request, municipality_id: str, principal: OptionalPrincipal
) -> Response:
    """Return every metric of one municipality and the counts each share is made of."""
    newest = await _newest(request)
    service = _benchmarks(request)

    def build() -> dict[str, Any]:
        reader = municipal.reader_for(request)
        with reader.engine.connect() as connection:
            municipality = reader.municipality(connection, municipality_id)
            municipal.require_visible(municipality, principal)
            (computed,) = service.metrics(connection, [municipality])
        return {
            "municipality": comparison.municipality_reference(municipality),
            "peer_group": comparison.peer_group_id(municipality),
            "newest_release": newest,
            "values": computed.metrics.values(release=municipality.release, newest_release=newest),
            "counts": computed.metrics.detail(),
        }

    return municipal.respond(request, await municipal.run(build), private=principal is not None)


@router.get(
    "/benchmarks/services/{service_id}",
    summary="Compare how municipalities offer one standard service",
    responses={
        200: {"content": {"text/csv": {}, comparison.XLSX_MEDIA_TYPE: {}}},
        **schemas.ERROR_RESPONSES,
    },
)
async def compare_service(
    request: Request,
    service_id: str,
    principal: OptionalPrincipal,
    municipalities: SelectionMunicipalities = None,
    region: SelectionRegion = None,
    tier: SelectionTier = None,
    format_name: TableFormat = None,
) -> Response:
    """Return which municipalities offer the service, on which channels and at which ABC
    class, with counts per channel and class."""
    fmt = _table_format(request, format_name)
    catalogue, _ = await municipal.catalogue_state(request).current()
    item = catalogue.find_item(r.SERVICES, service_id)
    if item is None:
        raise NotFound(
            f"There is no standard service {service_id[:80]!r}; GET /v1/services lists them."
        )
    service = _benchmarks(request)

    def build() -> dict[str, Any]:
        with municipal.reader_for(request).engine.connect() as connection:
            selection = _select(
                connection, principal, municipalities=municipalities, region=region, tier=tier
            )
            offers = service.service_offers(connection, selection.selected, service_id)
        offered = [offer for offer in offers if offer.offered]
        channel_counts: dict[str, int] = {}
        abc_counts: dict[str, int] = {}
        for offer in offered:
            for channel in offer.channels:
                channel_counts[channel] = channel_counts.get(channel, 0) + 1
            key = offer.abc_class or "unclassified"
            abc_counts[key] = abc_counts.get(key, 0) + 1
        return {
            "service": {
                "id": item.identifier,
                "label": item.label,
                "href": f"/v1/services/{item.identifier}",
            },
            "selection": selection.description,
            "count": len(offers),
            "summary": {
                "municipalities": len(offers),
                "offered": len(offered),
                "offered_share": len(offered) / len(offers) if offers else None,
                "online": sum(1 for o in offered if "web" in o.channels and o.web_url),
                "channels": channel_counts,
                "abc": abc_counts,
            },
            "items": [offer.as_dict() for offer in offers],
        }

    document = await municipal.run(build)
    header = [
        "municipality",
        "name",
        "region",
        "tier",
        "release",
        "offered",
        "offered_source",
        "abc_class",
        "channels",
        "web_url",
    ]
    rows = [
        [
            entry["municipality"]["id"],
            entry["municipality"]["name"],
            entry["municipality"]["region"],
            entry["municipality"]["tier"],
            entry["release"],
            entry["offered"],
            entry["offered_source"],
            entry["abc_class"],
            "; ".join(entry["channels"]),
            entry["web_url"],
        ]
        for entry in document["items"]
    ]
    return _table_response(
        request, principal, fmt, document, [("Service", header, rows)], f"service-{item.identifier}"
    )


# Charts and report


@router.get(
    "/benchmarks/charts/{chart}.svg",
    summary="Draw a benchmark chart as SVG",
    responses={200: {"content": {svg.MEDIA_TYPE: {}}}, **schemas.ERROR_RESPONSES},
)
async def benchmark_chart(
    request: Request,
    chart: str,
    principal: OptionalPrincipal,
    municipalities: SelectionMunicipalities = None,
    region: SelectionRegion = None,
    tier: SelectionTier = None,
    municipality: Annotated[
        str | None, Query(description="The municipality of a channel-shift chart.")
    ] = None,
    from_channel: Annotated[str | None, Query(alias="from")] = None,
    to_channel: Annotated[str | None, Query(alias="to")] = None,
    percentage: Annotated[Decimal | None, Query(ge=0, le=100, decimal_places=2)] = None,
    services: Annotated[str | None, Query(description="Comma-separated service ids.")] = None,
    abc: Annotated[str | None, Query(description="Comma-separated ABC classes.")] = None,
    function: str | None = None,
    period_from: PeriodParameter = None,
    period_to: PeriodParameter = None,
    currency: CurrencyParameter = None,
) -> Response:
    """Draw ``coverage`` or ``online-share`` (sorted bars), ``abc-mix`` (stacked bars) for the
    selected municipalities, or ``channel-shift`` (cost per channel before and after a
    scenario) for one municipality, which needs one of its keys."""
    if chart not in charts.CHARTS:
        raise NotFound(
            f"There is no chart {chart[:40]!r}; the charts are {', '.join(charts.CHARTS)}."
        )
    if chart == charts.SHIFT_CHART:
        given = {
            "municipality": municipality,
            "from": from_channel,
            "to": to_channel,
            "percentage": percentage,
        }
        missing = [name for name, value in given.items() if value is None]
        if municipality is None or from_channel is None or to_channel is None or percentage is None:
            raise InvalidParameter(
                "The channel-shift chart needs municipality, from, to and percentage; "
                f"missing: {', '.join(missing)}.",
                parameter=missing[0],
                value="",
            )
        if principal is None:
            raise NotFound(f"There is no municipality {municipality!r}.")
        request_ = _shift_request(
            from_channel, to_channel, percentage, services, abc, function, period_from, period_to
        )
        result = await _shift(request, municipality, principal, request_, currency)
        body = charts.shift_chart(result)
        return municipal.send(
            request,
            Representation.of(body.encode(), svg.MEDIA_TYPE),
            private=True,
            headers=SVG_HEADERS,
        )

    newest = await _newest(request)
    service = _benchmarks(request)

    def build() -> str:
        with municipal.reader_for(request).engine.connect() as connection:
            selection = _select(
                connection, principal, municipalities=municipalities, region=region, tier=tier
            )
            computed = service.metrics(connection, selection.selected)
        rows = comparison.rows_of(computed, newest)
        scope = selection.regions[region].name if region else "selected municipalities"
        if chart == charts.ABC_CHART:
            return charts.abc_chart(rows, scope)
        return charts.share_chart(chart, rows, scope)

    body = await municipal.run(build)
    return municipal.send(
        request,
        Representation.of(body.encode(), svg.MEDIA_TYPE),
        private=principal is not None,
        headers=SVG_HEADERS,
    )


@router.get(
    "/regions/{region_id}/report",
    summary="Read the HTML benchmark report of a region",
    responses={200: {"content": {"text/html": {}}}, **schemas.ERROR_RESPONSES},
)
async def region_report(request: Request, region_id: str, principal: OptionalPrincipal) -> Response:
    """Return an HTML page with the region's medians, peer groups, charts and members."""
    newest = await _newest(request)
    service = _benchmarks(request)

    def build() -> str:
        with municipal.reader_for(request).engine.connect() as connection:
            region = repository.get_region(connection, region_id)
            if region is None:
                raise NotFound(f"There is no region {region_id!r}; GET /v1/regions lists them.")
            selection = _select(
                connection, principal, municipalities=None, region=region_id, tier=None
            )
            computed = service.metrics(connection, selection.universe)
        rows = comparison.rows_of(computed, newest)
        members = [row for row in rows if row.municipality.region_id == region_id]
        document = comparison.comparison_document(
            members,
            rows,
            list(METRICS),
            selection=selection.description,
            regions=selection.regions,
            newest_release=newest,
        )
        return report.region_report(region, members, document)

    body = await municipal.run(build)
    return municipal.send(
        request,
        Representation.of(body.encode(), report.MEDIA_TYPE),
        private=principal is not None,
        headers={
            "Content-Security-Policy": report.CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
        },
    )


# Contact volumes


async def _local(
    request: Request, municipality_id: str
) -> tuple[LocalCatalogue, list[bench_repository.VolumeRow], list[ChannelCost]]:
    reader = municipal.reader_for(request)

    def read() -> tuple[LocalCatalogue, list[bench_repository.VolumeRow], list[ChannelCost]]:
        with reader.engine.connect() as connection:
            municipality = reader.municipality(connection, municipality_id)
            local = reader.local_catalogue(connection, municipality)
            stored = bench_repository.read_volumes(connection, municipality_id)
            own = bench_repository.read_channel_costs(connection, municipality_id)
        return local, stored, own

    municipality = await municipal.run(partial(_municipality, request, municipality_id))
    await municipal.catalogue_state(request).release_catalogue(municipality.release)
    return await municipal.run(read)


def _municipality(request: Request, municipality_id: str) -> Municipality:
    reader = municipal.reader_for(request)
    with reader.engine.connect() as connection:
        return reader.municipality(connection, municipality_id)


@router.post(
    "/municipalities/{municipality_id}/volumes",
    summary="Import contact volumes from CSV, or preview the import",
    responses=schemas.ERROR_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def import_volumes(
    request: Request,
    municipality_id: str,
    principal: RequiredPrincipal,
    dry_run: Annotated[
        bool, Query(description="true lists the changes without writing; false applies them.")
    ] = True,
    mode: Annotated[
        Literal["merge", "replace"],
        Query(description="merge keeps rows the file leaves out; replace deletes them."),
    ] = "merge",
    if_match: IfMatch = None,
) -> Response:
    """Apply a CSV of ``service,channel,period,contacts`` rows all or nothing (editors).

    A dry run needs no precondition; applying needs If-Match with the municipality's ETag. A
    file with errors gets 422 listing each row, column, value and reason, and nothing is
    written. An empty ``contacts`` cell deletes the stored figure.
    """
    principal.require(municipality_id, keys.EDITOR)
    municipal.require_csv(request.headers.get("content-type"))
    data = await request.body()
    newest = await _newest(request)
    reader = municipal.reader_for(request)
    municipality = await municipal.run(partial(_municipality, request, municipality_id))
    await municipal.catalogue_state(request).release_catalogue(municipality.release)
    if dry_run:
        plan, etag = await municipal.run(
            partial(
                volumes.preview, reader, municipality_id, data, mode=mode, newest_release=newest
            )
        )
    else:
        plan, etag = await municipal.run(
            partial(
                volumes.apply,
                reader,
                municipality_id,
                data,
                mode=mode,
                if_match=if_match,
                newest_release=newest,
                actor=principal.actor,
            )
        )
    listed, truncated = plan.listed_changes()
    document = {
        "municipality": municipality_id,
        "dry_run": dry_run,
        "municipality_etag": etag,
        "summary": plan.summary(),
        "changes": listed,
        "changes_truncated": truncated,
    }
    return municipal.respond(request, document, private=True)


@router.get(
    "/municipalities/{municipality_id}/volumes",
    summary="List a municipality's contact volumes",
    responses={200: {"content": {"text/csv": {}}}, **schemas.ERROR_RESPONSES},
)
async def list_volumes(
    request: Request,
    municipality_id: str,
    principal: RequiredPrincipal,
    service: Annotated[str | None, Query(description="Only this service.")] = None,
    channel: Annotated[str | None, Query(description="Only this channel.")] = None,
    period_from: PeriodParameter = None,
    period_to: PeriodParameter = None,
    limit: Annotated[int, Query(ge=1, le=10000, description="Page size, at most 10000.")] = 1000,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page.")] = None,
    format_name: Annotated[
        Literal["json", "csv"] | None,
        Query(alias="format", description="json (pages) or csv (every row, for editing)."),
    ] = None,
) -> Response:
    """Return the stored figures ordered by period, service and channel (the municipality's
    keys and platform administrators). The CSV has the columns the import takes."""
    principal.require(municipality_id, keys.READER)
    volumes.check_period_parameter("period_from", period_from)
    volumes.check_period_parameter("period_to", period_to)
    fmt = format_name or ("csv" if "text/csv" in (request.headers.get("accept") or "") else "json")

    def read() -> list[bench_repository.VolumeRow]:
        reader = municipal.reader_for(request)
        with reader.engine.connect() as connection:
            reader.municipality(connection, municipality_id)
            return bench_repository.read_volumes(connection, municipality_id)

    rows = [
        row
        for row in await municipal.run(read)
        if (service is None or row.service_id == service)
        and (channel is None or row.channel_id == channel)
        and volumes.in_range(row.period, period_from, period_to)
    ]
    if fmt == "csv":
        return municipal.send(
            request,
            Representation.of(volumes.export_csv(rows), volumes.CONTENT_TYPE),
            private=True,
            headers={
                "Content-Disposition": f'attachment; filename="{municipality_id}-volumes.csv"'
            },
        )
    start = 0
    if cursor is not None:
        last = municipal.decode_cursor("v1", cursor)
        keys_in_order = [f"{row.period}|{row.service_id}|{row.channel_id}" for row in rows]
        if last not in keys_in_order:
            raise InvalidParameter(
                f"The cursor {cursor[:80]!r} is not one this API issued for this list; pass back "
                "next_cursor unchanged, or omit cursor to start again.",
                parameter="cursor",
                value=cursor[:200],
            )
        start = keys_in_order.index(last) + 1
    page = rows[start : start + limit]
    next_cursor = None
    if page and start + limit < len(rows):
        last_row = page[-1]
        next_cursor = municipal.encode_cursor(
            "v1", f"{last_row.period}|{last_row.service_id}|{last_row.channel_id}"
        )
    next_href = str(request.url.include_query_params(cursor=next_cursor)) if next_cursor else None
    document = {
        "municipality": municipality_id,
        "granularity": volumes.period_granularity(rows[0].period) if rows else None,
        "total": len(rows),
        "count": len(page),
        "contacts": sum(row.contacts for row in rows),
        "items": [
            {
                "service": row.service_id,
                "channel": row.channel_id,
                "period": row.period,
                "contacts": row.contacts,
            }
            for row in page
        ],
        "limit": limit,
        "next_cursor": next_cursor,
        "next": next_href,
    }
    headers = {"Link": f'<{next_href}>; rel="next"'} if next_href else None
    return municipal.respond(request, document, private=True, headers=headers)


@router.get(
    "/municipalities/{municipality_id}/volumes/summary",
    summary="Sum contacts and cost per channel and period",
    responses=schemas.ERROR_RESPONSES,
)
async def volume_summary(
    request: Request,
    municipality_id: str,
    principal: RequiredPrincipal,
    period_from: PeriodParameter = None,
    period_to: PeriodParameter = None,
    granularity: Annotated[
        Literal["stored", "quarter"],
        Query(description="stored keeps the stored periods; quarter adds months up."),
    ] = "stored",
    currency: CurrencyParameter = None,
) -> Response:
    """Return contacts and cost per channel and period, totals, the contacts per ABC class and
    the A-class share as an estimate of what the front line can settle at first contact."""
    principal.require(municipality_id, keys.READER)
    volumes.check_period_parameter("period_from", period_from)
    volumes.check_period_parameter("period_to", period_to)
    local, stored, own = await _local(request, municipality_id)
    chosen_currency = currency or costs.default_currency(local.municipality)

    def build() -> dict[str, Any]:
        rows = scenarios.select_rows(stored, period_from, period_to)
        effective = costs.effective_costs(local.catalogue, own, chosen_currency)
        summary = scenarios.volume_summary(
            local,
            rows,
            effective,
            currency=chosen_currency,
            granularity=volumes.QUARTERS if granularity == "quarter" else None,
        )
        return {
            "municipality": municipality_id,
            "period_from": period_from,
            "period_to": period_to,
            **summary,
        }

    return municipal.respond(request, await municipal.run(build), private=True)


# Channel costs


class CostSetting(BaseModel):
    """A municipality's own cost per contact on one channel."""

    model_config = ConfigDict(extra="forbid")

    channel: str = Field(max_length=40, description="A channel id, such as desk or web.")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, such as GBP.")
    amount: Decimal = Field(
        ge=0, max_digits=13, decimal_places=4, description="Cost of one contact, e.g. '8.62'."
    )
    source: str = Field(
        default="set by the municipality",
        min_length=1,
        max_length=500,
        description="Where the figure comes from, such as a costing study.",
    )


class CostsPut(BaseModel):
    """Every cost the municipality sets itself; channels left out use the default."""

    model_config = ConfigDict(extra="forbid")

    costs: list[CostSetting] = Field(max_length=200)


def _costs_document(
    local_municipality: Municipality,
    catalogue_costs: dict[str, costs.CostEntry],
    own: list[ChannelCost],
    currency: str,
) -> dict[str, Any]:
    return {
        "municipality": local_municipality.id,
        "currency": currency,
        "default_currency": costs.default_currency(local_municipality),
        "items": [entry.as_dict() for entry in catalogue_costs.values()],
        "own": [
            {
                "channel": cost.channel_id,
                "currency": cost.currency,
                "amount": cost.amount,
                "source": cost.source,
                "set_by": cost.updated_by,
                "set_at": cost.updated_at.isoformat(),
            }
            for cost in own
        ],
    }


@router.get(
    "/municipalities/{municipality_id}/channel-costs",
    summary="Read the cost per contact of each channel",
    responses=schemas.ERROR_RESPONSES,
)
async def read_channel_costs(
    request: Request,
    municipality_id: str,
    principal: RequiredPrincipal,
    currency: CurrencyParameter = None,
) -> Response:
    """Return each channel's cost per contact in one currency, the municipality's own figure or
    the authored default with its source, and every figure the municipality set itself."""
    principal.require(municipality_id, keys.READER)
    local, _, own = await _local(request, municipality_id)
    chosen = currency or costs.default_currency(local.municipality)
    effective = costs.effective_costs(local.catalogue, own, chosen)
    return municipal.respond(
        request, _costs_document(local.municipality, effective, own, chosen), private=True
    )


@router.put(
    "/municipalities/{municipality_id}/channel-costs",
    summary="Set the municipality's own costs per contact",
    responses=schemas.ERROR_RESPONSES,
)
async def put_channel_costs(
    request: Request,
    municipality_id: str,
    body: CostsPut,
    principal: RequiredPrincipal,
    if_match: IfMatch = None,
) -> Response:
    """Replace every cost the municipality set itself (admins; If-Match with the
    municipality's ETag). An empty list returns every channel to the default."""
    principal.require(municipality_id, keys.ADMIN)
    newest = await _newest(request)
    municipality = await municipal.run(partial(_municipality, request, municipality_id))
    catalogue = await municipal.catalogue_state(request).release_catalogue(municipality.release)
    channels = costs.channel_ids(catalogue)
    errors: list[RowError] = []
    seen: set[tuple[str, str]] = set()
    for index, setting in enumerate(body.costs):
        if setting.channel not in channels:
            errors.append(
                RowError(
                    0,
                    f"costs.{index}.channel",
                    setting.channel,
                    f"unknown channel; use one of {', '.join(channels)}",
                )
            )
        key = (setting.channel, setting.currency)
        if key in seen:
            errors.append(
                RowError(
                    0,
                    f"costs.{index}",
                    f"{setting.channel} {setting.currency}",
                    "the channel has two costs in this currency",
                )
            )
        seen.add(key)
    if errors:
        raise InvalidValue(f"{len(errors)} costs cannot be stored; nothing was changed.", errors)

    def write() -> dict[str, Any]:
        reader = municipal.reader_for(request)
        with reader.engine.begin() as connection:
            locked = lock_checked(connection, municipality_id, if_match, newest_release=newest)
            before = bench_repository.read_channel_costs(connection, municipality_id)
            stamp = repository.now()
            new = [
                ChannelCost(
                    municipality_id=municipality_id,
                    channel_id=setting.channel,
                    currency=setting.currency,
                    amount=str(setting.amount),
                    source=setting.source.strip(),
                    updated_by=principal.actor,
                    updated_at=stamp,
                )
                for setting in body.costs
            ]
            bench_repository.replace_channel_costs(connection, municipality_id, new)
            record_municipality_change(
                connection,
                locked,
                "channel_costs",
                [_cost_value(cost) for cost in before],
                [_cost_value(cost) for cost in new],
                actor=principal.actor,
            )
            own = bench_repository.read_channel_costs(connection, municipality_id)
        currency = costs.default_currency(locked)
        return _costs_document(
            locked, costs.effective_costs(catalogue, own, currency), own, currency
        )

    return municipal.respond(request, await municipal.run(write), private=True)


def _cost_value(cost: ChannelCost) -> dict[str, str]:
    return {
        "channel": cost.channel_id,
        "currency": cost.currency,
        "amount": cost.amount,
        "source": cost.source,
    }


# Channel-shift scenarios


class ShiftBody(BaseModel):
    """A channel-shift scenario."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_channel: str = Field(
        alias="from", max_length=40, description="Channel the contacts leave."
    )
    to_channel: str = Field(alias="to", max_length=40, description="Channel they move to.")
    percentage: Decimal = Field(
        ge=0, le=100, decimal_places=2, description="Share that moves, 0-100."
    )
    services: list[str] | None = Field(
        default=None, max_length=5000, description="Only these services."
    )
    abc: list[Literal["A", "B", "C"]] | None = Field(
        default=None, description="Only these ABC classes."
    )
    function: str | None = Field(
        default=None, max_length=40, description="Only services of this esd function or below."
    )
    period_from: str | None = None
    period_to: str | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


def _shift_request(
    from_channel: str,
    to_channel: str,
    percentage: Decimal,
    services: str | list[str] | None,
    abc: str | list[str] | None,
    function: str | None,
    period_from: str | None,
    period_to: str | None,
) -> scenarios.ShiftRequest:
    volumes.check_period_parameter("period_from", period_from)
    volumes.check_period_parameter("period_to", period_to)

    def listed(value: str | list[str] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        parts = value.split(",") if isinstance(value, str) else value
        return tuple(dict.fromkeys(part.strip() for part in parts if part.strip()))

    return scenarios.ShiftRequest(
        from_channel=from_channel,
        to_channel=to_channel,
        percentage=percentage,
        services=listed(services),
        abc=listed(abc),
        function=function,
        period_from=period_from,
        period_to=period_to,
    )


async def _shift(
    request: Request,
    municipality_id: str,
    principal: Principal,
    shift: scenarios.ShiftRequest,
    currency: str | None,
) -> dict[str, Any]:
    principal.require(municipality_id, keys.READER)
    local, stored, own = await _local(request, municipality_id)
    chosen = currency or costs.default_currency(local.municipality)

    def build() -> dict[str, Any]:
        effective = costs.effective_costs(local.catalogue, own, chosen)
        return scenarios.channel_shift(local, stored, effective, shift, currency=chosen)

    return await municipal.run(build)


@router.get(
    "/municipalities/{municipality_id}/scenarios/channel-shift",
    summary="Compute a channel-shift scenario",
    responses=schemas.ERROR_RESPONSES,
)
async def channel_shift(
    request: Request,
    municipality_id: str,
    principal: RequiredPrincipal,
    from_channel: Annotated[str, Query(alias="from", max_length=40)],
    to_channel: Annotated[str, Query(alias="to", max_length=40)],
    percentage: Annotated[Decimal, Query(ge=0, le=100, decimal_places=2)],
    services: Annotated[str | None, Query(description="Comma-separated service ids.")] = None,
    abc: Annotated[str | None, Query(description="Comma-separated ABC classes.")] = None,
    function: Annotated[str | None, Query(max_length=40)] = None,
    period_from: PeriodParameter = None,
    period_to: PeriodParameter = None,
    currency: CurrencyParameter = None,
) -> Response:
    """Move ``percentage`` of the contacts on one channel to another and return contacts and
    cost per channel before and after, and the saving (the municipality's keys)."""
    shift = _shift_request(
        from_channel, to_channel, percentage, services, abc, function, period_from, period_to
    )
    return municipal.respond(
        request, await _shift(request, municipality_id, principal, shift, currency), private=True
    )


@router.post(
    "/municipalities/{municipality_id}/scenarios/channel-shift",
    summary="Compute a channel-shift scenario given as JSON",
    responses=schemas.ERROR_RESPONSES,
)
async def channel_shift_post(
    request: Request, municipality_id: str, body: ShiftBody, principal: RequiredPrincipal
) -> Response:
    """Compute the scenario of the GET from a JSON body, for long service lists. Nothing is
    stored."""
    shift = _shift_request(
        body.from_channel,
        body.to_channel,
        body.percentage,
        body.services,
        list(body.abc) if body.abc is not None else None,
        body.function,
        body.period_from,
        body.period_to,
    )
    return municipal.respond(
        request,
        await _shift(request, municipality_id, principal, shift, body.currency),
        private=True,
    )
