"""The HTML benchmark report of one region: medians, peer groups, charts and every member.

The page is static HTML with the charts inline as SVG. It needs no JavaScript and loads
nothing else, so the response can carry a Content-Security-Policy that allows no scripts and
no external resources. Every text from the database goes through ``html.escape``.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from servicelist.benchmarks import charts
from servicelist.benchmarks.comparison import Row
from servicelist.municipalities.models import Region

MEDIA_TYPE = "text/html; charset=utf-8"
NO_VALUE = "\u2013"  # an en dash marks a missing value
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"
SUMMARY_METRICS = (
    "coverage",
    "online_share",
    "web_available_share",
    "abc_a_share",
    "abc_b_share",
    "abc_c_share",
    "overridden_field_share",
    "releases_behind",
)
MEMBER_COLUMNS = (
    ("coverage", "Coverage"),
    ("online_share", "Online"),
    ("abc_a_share", "A"),
    ("abc_b_share", "B"),
    ("abc_c_share", "C"),
    ("offered_services", "Offered"),
    ("releases_behind", "Releases behind"),
)
STYLE = """
body { font-family: sans-serif; margin: 2em; color: #1a1a1a; max-width: 1000px; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
figure { margin: 2em 0; overflow-x: auto; }
"""


def _format(value: Any, kind: str) -> str:
    if value is None:
        return NO_VALUE
    if kind == "share":
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def _statistics_table(document: dict[str, Any], region_id: str) -> str:
    kinds = {metric["name"]: metric["kind"] for metric in document["metrics"]}
    labels = {metric["name"]: metric["label"] for metric in document["metrics"]}
    region = next(
        (stats for stats in document["statistics"]["regions"] if stats["id"] == region_id), None
    )
    overall = document["statistics"]["overall"]
    head = (
        "<tr><th>Metric</th><th>Region Q1</th><th>Region median</th><th>Region Q3</th>"
        "<th>All municipalities median</th></tr>"
    )
    lines = [head]
    for name in SUMMARY_METRICS:
        if name not in kinds:
            continue
        stats = region["metrics"][name] if region is not None else {}
        kind = kinds[name]
        lines.append(
            f"<tr><td>{escape(labels[name])}</td>"
            f"<td>{_format(stats.get('q1'), kind)}</td>"
            f"<td>{_format(stats.get('median'), kind)}</td>"
            f"<td>{_format(stats.get('q3'), kind)}</td>"
            f"<td>{_format(overall['metrics'][name]['median'], kind)}</td></tr>"
        )
    return '<table id="medians">' + "".join(lines) + "</table>"


def _peer_table(document: dict[str, Any]) -> str:
    lines = [
        "<tr><th>Peer group (region/tier)</th><th>Municipalities</th>"
        "<th>Coverage median</th><th>Online median</th><th>A median</th></tr>"
    ]
    for group in document["peer_groups"]:
        metrics = group["metrics"]
        lines.append(
            f"<tr><td>{escape(group['id'])}</td><td>{group['count']}</td>"
            f"<td>{_format(metrics['coverage']['median'], 'share')}</td>"
            f"<td>{_format(metrics['online_share']['median'], 'share')}</td>"
            f"<td>{_format(metrics['abc_a_share']['median'], 'share')}</td></tr>"
        )
    return '<table id="peer-groups">' + "".join(lines) + "</table>"


def _member_table(rows: Sequence[Row]) -> str:
    kinds = {"offered_services": "count", "releases_behind": "count"}
    head = "".join(f"<th>{escape(label)}</th>" for _, label in MEMBER_COLUMNS)
    lines = [f"<tr><th>Municipality</th><th>Tier</th>{head}</tr>"]
    for row in sorted(rows, key=lambda row: row.municipality.name.casefold()):
        cells = "".join(
            f"<td>{_format(row.values.get(name), kinds.get(name, 'share'))}</td>"
            for name, _ in MEMBER_COLUMNS
        )
        municipality = row.municipality
        lines.append(
            f'<tr><td><a href="/v1/municipalities/{escape(municipality.id)}">'
            f"{escape(municipality.name)}</a></td><td>{escape(municipality.tier or NO_VALUE)}</td>"
            f"{cells}</tr>"
        )
    return '<table id="members">' + "".join(lines) + "</table>"


def region_report(region: Region, rows: Sequence[Row], document: dict[str, Any]) -> str:
    """Return the HTML page of a region's benchmark."""
    name = escape(region.name)
    region_id = escape(region.id)
    figures = [
        charts.share_chart("coverage", rows, region.name),
        charts.share_chart("online-share", rows, region.name),
        charts.abc_chart(rows, region.name),
    ]
    figure_html = "".join(f"<figure>{figure}</figure>" for figure in figures)
    downloads = (
        f'<a href="/v1/benchmarks?region={region_id}&amp;format=csv">CSV</a>, '
        f'<a href="/v1/benchmarks?region={region_id}&amp;format=xlsx">XLSX</a>, '
        f'<a href="/v1/benchmarks?region={region_id}">JSON</a>'
    )
    return (
        "<!DOCTYPE html>"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>Benchmark report: {name}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Benchmark report: {name}</h1>"
        f"<p>{len(rows)} municipalities of region {name}. The newest release of the standard "
        f"list is {document['newest_release']}. Shares are of each municipality's offered "
        "services, except coverage, which is of the services its tier should offer. "
        f"Download the table as {downloads}.</p>"
        "<h2>Medians and quartiles</h2>"
        f"{_statistics_table(document, region.id)}"
        "<h2>Peer groups</h2>"
        f"{_peer_table(document)}"
        "<h2>Charts</h2>"
        f"{figure_html}"
        "<h2>Municipalities</h2>"
        f"{_member_table(rows)}"
        "</body></html>"
    )
