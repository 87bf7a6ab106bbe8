"""The comparison table: municipalities by metric, with ranks, medians, quartiles and peers.

Ranks are within the selected municipalities. Statistics are over every municipality the
caller may see: per region, per country ("national"), over all of them, and per peer group
(same region and same tier). Exports as CSV and XLSX neutralise every text cell that a
spreadsheet would run as a formula and write numbers as numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from servicelist.benchmarks.metrics import Metric
from servicelist.benchmarks.service import MunicipalityMetrics
from servicelist.benchmarks.statistics import Summary, ranks, summarise
from servicelist.municipalities.csv_io import neutralise
from servicelist.municipalities.models import Municipality, Region

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_TIER = "none"


def peer_group_id(municipality: Municipality) -> str:
    """Return the peer group of a municipality: its region and tier, e.g. ``england/district``."""
    return f"{municipality.region_id or 'none'}/{municipality.tier or NO_TIER}"


def municipality_reference(municipality: Municipality) -> dict[str, Any]:
    return {
        "id": municipality.id,
        "name": municipality.name,
        "href": f"/v1/municipalities/{municipality.id}",
        "tier": municipality.tier,
        "region": municipality.region_id,
        "country": municipality.country,
    }


@dataclass(frozen=True, slots=True)
class Row:
    """One municipality of the table with its metric values."""

    municipality: Municipality
    values: dict[str, Any]


def rows_of(entries: Sequence[MunicipalityMetrics], newest_release: int) -> list[Row]:
    return [
        Row(
            entry.municipality,
            entry.metrics.values(release=entry.municipality.release, newest_release=newest_release),
        )
        for entry in entries
    ]


def _summaries(rows: Sequence[Row], metrics: Sequence[Metric]) -> dict[str, Summary]:
    return {
        metric.name: summarise(row.values.get(metric.name) for row in rows) for metric in metrics
    }


def _group_stats(
    key: str, value: str | None, rows: Sequence[Row], metrics: Sequence[Metric]
) -> dict[str, Any]:
    return {
        key: value,
        "count": len(rows),
        "metrics": {name: summary.as_dict() for name, summary in _summaries(rows, metrics).items()},
    }


def comparison_document(
    selected: Sequence[Row],
    universe: Sequence[Row],
    metrics: Sequence[Metric],
    *,
    selection: dict[str, Any],
    regions: dict[str, Region],
    newest_release: int,
) -> dict[str, Any]:
    """Build the JSON of the comparison of ``selected`` against everyone in ``universe``."""
    rank_tables = {
        metric.name: ranks(
            {row.municipality.id: row.values.get(metric.name) for row in selected}, metric.better
        )
        for metric in metrics
        if metric.better is not None
    }
    by_region: dict[str | None, list[Row]] = defaultdict(list)
    by_country: dict[str | None, list[Row]] = defaultdict(list)
    by_peers: dict[str, list[Row]] = defaultdict(list)
    for row in universe:
        by_region[row.municipality.region_id].append(row)
        by_country[row.municipality.country].append(row)
        by_peers[peer_group_id(row.municipality)].append(row)

    selected_regions = sorted({row.municipality.region_id or "" for row in selected})
    selected_countries = sorted({row.municipality.country or "" for row in selected})
    selected_peers = sorted({peer_group_id(row.municipality) for row in selected})
    items = [
        {
            "municipality": municipality_reference(row.municipality),
            "peer_group": peer_group_id(row.municipality),
            "values": {metric.name: row.values.get(metric.name) for metric in metrics},
            "ranks": {name: table[row.municipality.id] for name, table in rank_tables.items()},
        }
        for row in selected
    ]
    region_stats = []
    for region_id in selected_regions:
        stats = _group_stats("id", region_id or None, by_region[region_id or None], metrics)
        region = regions.get(region_id)
        stats["name"] = region.name if region is not None else None
        region_stats.append(stats)
    return {
        "selection": selection,
        "newest_release": newest_release,
        "metrics": [
            {"name": m.name, "label": m.label, "kind": m.kind, "better": m.better} for m in metrics
        ],
        "count": len(items),
        "rank_scope": "the selected municipalities; 1 is best, ties share the best rank",
        "items": items,
        "statistics": {
            "quartile_method": "inclusive (linear interpolation, as Excel QUARTILE.INC)",
            "selection": _group_stats("scope", "selection", selected, metrics),
            "regions": region_stats,
            "national": [
                _group_stats("country", country or None, by_country[country or None], metrics)
                for country in selected_countries
            ],
            "overall": _group_stats("scope", "all visible municipalities", universe, metrics),
        },
        "peer_groups": [
            {
                **_group_stats("id", peer, by_peers[peer], metrics),
                "region": by_peers[peer][0].municipality.region_id,
                "tier": by_peers[peer][0].municipality.tier,
            }
            for peer in selected_peers
        ],
    }


# Exports


def _cell(value: Any) -> Any:
    """Return a value for a spreadsheet cell: numbers stay numbers, text is neutralised."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return neutralise(str(value))


# Control characters that XML 1.0, and so an XLSX file, cannot store.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_cell(value: Any) -> Any:
    """Return ``_cell(value)`` without the control characters that XLSX cannot store."""
    cell = _cell(value)
    return _XML_ILLEGAL.sub("", cell) if isinstance(cell, str) else cell


def table_rows(document: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Return the header and rows of the municipality table of a comparison document."""
    metrics = [metric["name"] for metric in document["metrics"]]
    ranked = {metric["name"] for metric in document["metrics"] if metric["better"] is not None}
    region_medians = {stats["id"]: stats["metrics"] for stats in document["statistics"]["regions"]}
    peer_medians = {group["id"]: group["metrics"] for group in document["peer_groups"]}
    header = ["municipality", "name", "country", "region", "tier", "peer_group"]
    for name in metrics:
        header.append(name)
        if name in ranked:
            header.append(f"{name}_rank")
        header += [f"{name}_region_median", f"{name}_peer_median"]
    rows: list[list[Any]] = []
    for item in document["items"]:
        reference = item["municipality"]
        row: list[Any] = [
            reference["id"],
            reference["name"],
            reference["country"],
            reference["region"],
            reference["tier"],
            item["peer_group"],
        ]
        for name in metrics:
            row.append(item["values"][name])
            if name in ranked:
                row.append(item["ranks"][name])
            row.append(region_medians.get(reference["region"], {}).get(name, {}).get("median"))
            row.append(peer_medians.get(item["peer_group"], {}).get(name, {}).get("median"))
        rows.append(row)
    return header, rows


def statistics_rows(document: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Return the header and rows of the statistics table: one row per group and metric."""
    header = ["scope", "group", "metric", "count", "min", "q1", "median", "q3", "max"]
    statistics = document["statistics"]
    groups: list[tuple[str, str | None, dict[str, Any]]] = [
        ("selection", "selection", statistics["selection"]),
        *[("region", stats["id"], stats) for stats in statistics["regions"]],
        *[("national", stats["country"], stats) for stats in statistics["national"]],
        ("overall", "all", statistics["overall"]),
        *[("peer group", group["id"], group) for group in document["peer_groups"]],
    ]
    rows = []
    for scope, group, stats in groups:
        for name, summary in stats["metrics"].items():
            rows.append(
                [
                    scope,
                    group,
                    name,
                    summary["count"],
                    summary["min"],
                    summary["q1"],
                    summary["median"],
                    summary["q3"],
                    summary["max"],
                ]
            )
    return header, rows


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """Write a table as UTF-8 CSV with a byte order mark; empty cells for missing values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_cell(name) for name in header])
    for row in rows:
        writer.writerow(["" if value is None else _csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value: Any) -> Any:
    if isinstance(value, float):
        return repr(round(value, 6))
    return _cell(value)


def to_xlsx(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """Write tables as an XLSX workbook, one sheet each, with XlsxWriter.

    XlsxWriter turns text that starts with "=" into a live formula unless
    ``strings_to_formulas`` is off, so it is off, and every text cell is written with
    ``write_string`` after neutralising. Numbers stay numbers.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    workbook = xlsxwriter.Workbook(buffer, options)
    for title, header, rows in sheets:
        sheet = workbook.add_worksheet(title)
        for row_number, values in enumerate([header, *rows]):
            for column, value in enumerate(values):
                cell = _xlsx_cell(value)
                if cell is None:
                    continue
                if isinstance(cell, str):
                    sheet.write_string(row_number, column, cell)
                elif isinstance(cell, bool):
                    sheet.write_boolean(row_number, column, cell)
                else:
                    sheet.write_number(row_number, column, cell)
    workbook.close()
    return buffer.getvalue()
