"""The benchmark charts as SVG: shares by municipality, the ABC mix, and a channel shift."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from servicelist.benchmarks import svg
from servicelist.benchmarks.comparison import Row

# Chart name -> (metric, title). The names are the {chart} of /v1/benchmarks/charts/{chart}.svg.
SHARE_CHARTS = {
    "coverage": ("coverage", "Coverage of the services the tier should offer"),
    "online-share": ("online_share", "Online share: offered services with a web URL"),
}
ABC_CHART = "abc-mix"
SHIFT_CHART = "channel-shift"
CHARTS = (*SHARE_CHARTS, ABC_CHART, SHIFT_CHART)
ABC_PARTS = (("A", "abc_a_share"), ("B", "abc_b_share"), ("C", "abc_c_share"))
UNCLASSIFIED_PART = ("no class", "abc_unclassified_share")


def share_chart(chart: str, rows: Sequence[Row], scope: str) -> str:
    """Draw one share metric of every municipality in ``rows``, highest first."""
    metric, title = SHARE_CHARTS[chart]
    values = [(row.municipality.name, row.values.get(metric)) for row in rows]
    return svg.bar_chart(
        f"{title}, {scope}",
        values,
        element_id=f"chart-{chart}",
        subtitle=f"{len(values)} municipalities, highest first",
    )


def abc_chart(rows: Sequence[Row], scope: str) -> str:
    """Draw the ABC mix of the offered services of every municipality, most A first."""
    parts = (*ABC_PARTS, UNCLASSIFIED_PART)
    values = [
        (row.municipality.name, {label: row.values.get(metric) for label, metric in parts})
        for row in rows
    ]
    return svg.stacked_bar_chart(
        f"ABC mix of offered services, {scope}",
        [label for label, _ in parts],
        values,
        element_id=f"chart-{ABC_CHART}",
        sort_by="A",
        subtitle=f"{len(values)} municipalities, largest share of class A first",
    )


def shift_chart(result: dict[str, Any]) -> str:
    """Draw cost per channel before and after a channel-shift scenario."""
    channels = [entry for entry in result["channels"] if entry["before"]["cost"] is not None]
    currency = result["currency"]

    def amount(entry: dict[str, Any], side: str) -> float | None:
        cost = entry[side]["cost"]
        return float(Decimal(cost)) if cost is not None else None

    scenario = result["scenario"]
    return svg.grouped_bar_chart(
        f"Cost per channel before and after moving {scenario['percentage']}% of "
        f"{scenario['from']} contacts to {scenario['to']}",
        [entry["channel"] for entry in channels],
        [
            svg.Series("before", [amount(entry, "before") for entry in channels]),
            svg.Series("after", [amount(entry, "after") for entry in channels]),
        ],
        element_id=f"chart-{SHIFT_CHART}",
        value_label=lambda value: f"{currency} {value:,.0f}",
        subtitle=f"{result['municipality']}: saving {currency} {result['saving']}",
    )
