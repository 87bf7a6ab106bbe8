"""A small SVG writer and the three chart shapes of the benchmarks.

Every text and attribute value goes through ``text`` or ``attribute``, which escape XML's
special characters and drop the characters XML 1.0 does not allow (such as NUL), so a
municipality named ``<script>`` or ``"a" & b`` stays text. The output has no scripts, no
external references and no XML declaration, so it can be served as ``image/svg+xml`` or put
inline into an HTML page as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
MEDIA_TYPE = "image/svg+xml"
# Characters that XML 1.0 does not allow in a document: C0 controls other than tab, line feed
# and carriage return, lone surrogates, and U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_LABEL_CHARS = 40

FONT = "font-family:sans-serif"
BAR_COLOUR = "#2b6cb0"
GRID_COLOUR = "#d0d0d0"
TEXT_COLOUR = "#1a1a1a"
# Colour-blind-safe colours (Okabe and Ito) for the parts of a stacked or grouped bar.
PART_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#999999", "#cc79a7", "#56b4e9")


def text(value: str) -> str:
    """Return ``value`` escaped for XML character data."""
    cleaned = _NOT_XML.sub("", value)
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attribute(value: str) -> str:
    """Return ``value`` escaped for a double-quoted XML attribute."""
    return text(value).replace('"', "&quot;").replace("'", "&#39;")


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def shorten(label: str, maximum: int = MAX_LABEL_CHARS) -> str:
    return label if len(label) <= maximum else label[: maximum - 1] + "\u2026"


class Drawing:
    """An SVG document built element by element; ``render`` returns the markup."""

    def __init__(self, width: float, height: float, title: str, element_id: str) -> None:
        self.width = width
        self.height = height
        self.title = title
        self.element_id = element_id
        self._parts: list[str] = []

    def rect(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        fill: str,
        *,
        tooltip: str | None = None,
        css_class: str | None = None,
    ) -> None:
        extra = f' class="{attribute(css_class)}"' if css_class else ""
        opening = (
            f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(max(width, 0))}" '
            f'height="{_number(height)}" fill="{attribute(fill)}"{extra}'
        )
        if tooltip is None:
            self._parts.append(opening + "/>")
        else:
            self._parts.append(f"{opening}><title>{text(tooltip)}</title></rect>")

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str) -> None:
        self._parts.append(
            f'<line x1="{_number(x1)}" y1="{_number(y1)}" x2="{_number(x2)}" '
            f'y2="{_number(y2)}" stroke="{attribute(stroke)}" stroke-width="1"/>'
        )

    def label(
        self,
        x: float,
        y: float,
        content: str,
        *,
        anchor: str = "start",
        size: int = 11,
        weight: str = "normal",
    ) -> None:
        self._parts.append(
            f'<text x="{_number(x)}" y="{_number(y)}" text-anchor="{attribute(anchor)}" '
            f'font-size="{size}" font-weight="{attribute(weight)}" fill="{TEXT_COLOUR}" '
            f'style="{FONT}">{text(content)}</text>'
        )

    def render(self) -> str:
        title_id = f"{self.element_id}-title"
        return (
            f'<svg xmlns="{SVG_NAMESPACE}" id="{attribute(self.element_id)}" '
            f'width="{_number(self.width)}" height="{_number(self.height)}" '
            f'viewBox="0 0 {_number(self.width)} {_number(self.height)}" role="img" '
            f'aria-labelledby="{attribute(title_id)}">'
            f'<title id="{attribute(title_id)}">{text(self.title)}</title>'
            + "".join(self._parts)
            + "</svg>"
        )


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


# Chart shapes


WIDTH = 900
LABEL_WIDTH = 250
VALUE_WIDTH = 70
ROW_HEIGHT = 18
TOP = 56
BOTTOM = 16


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, float | None]],
    *,
    element_id: str,
    subtitle: str = "",
) -> str:
    """Draw horizontal bars of shares (0 to 1), best first; missing values last, with no bar."""
    ordered = sorted(rows, key=lambda row: (row[1] is None, -(row[1] or 0.0), row[0]))
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + ROW_HEIGHT * max(len(ordered), 1) + BOTTOM
    drawing = Drawing(WIDTH, height, title, element_id)
    drawing.label(8, 20, title, size=15, weight="bold")
    if subtitle:
        drawing.label(8, 38, subtitle, size=11)
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = LABEL_WIDTH + area * tick
        drawing.line(x, TOP - 6, x, height - BOTTOM, GRID_COLOUR)
        drawing.label(x, TOP - 9, percent(tick), anchor="middle", size=9)
    for index, (name, value) in enumerate(ordered):
        y = TOP + index * ROW_HEIGHT
        drawing.label(LABEL_WIDTH - 6, y + 12, shorten(name), anchor="end")
        if value is None:
            drawing.label(LABEL_WIDTH + 4, y + 12, "no value")
            continue
        drawing.rect(
            LABEL_WIDTH,
            y + 3,
            area * value,
            ROW_HEIGHT - 6,
            BAR_COLOUR,
            tooltip=f"{name}: {percent(value)}",
            css_class="bar",
        )
        drawing.label(LABEL_WIDTH + area * value + 4, y + 12, percent(value), size=10)
    return drawing.render()


def stacked_bar_chart(
    title: str,
    parts: Sequence[str],
    rows: Sequence[tuple[str, dict[str, float | None]]],
    *,
    element_id: str,
    sort_by: str,
    subtitle: str = "",
) -> str:
    """Draw one bar per row split into ``parts`` (shares adding up to 1), sorted by one part."""
    ordered = sorted(rows, key=lambda row: (-(row[1].get(sort_by) or 0.0), row[0]))
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + 18 + ROW_HEIGHT * max(len(ordered), 1) + BOTTOM
    drawing = Drawing(WIDTH, height, title, element_id)
    drawing.label(8, 20, title, size=15, weight="bold")
    if subtitle:
        drawing.label(8, 38, subtitle, size=11)
    legend_x = float(LABEL_WIDTH)
    for index, part in enumerate(parts):
        colour = PART_COLOURS[index % len(PART_COLOURS)]
        drawing.rect(legend_x, TOP - 8, 12, 12, colour)
        drawing.label(legend_x + 16, TOP + 2, part)
        legend_x += 30 + 7 * len(part)
    top = TOP + 18
    for index, (name, shares) in enumerate(ordered):
        y = top + index * ROW_HEIGHT
        drawing.label(LABEL_WIDTH - 6, y + 12, shorten(name), anchor="end")
        x = float(LABEL_WIDTH)
        for part_index, part in enumerate(parts):
            share = shares.get(part) or 0.0
            if share <= 0:
                continue
            drawing.rect(
                x,
                y + 3,
                area * share,
                ROW_HEIGHT - 6,
                PART_COLOURS[part_index % len(PART_COLOURS)],
                tooltip=f"{name}: {part} {percent(share)}",
                css_class="bar",
            )
            x += area * share
    return drawing.render()


@dataclass(frozen=True, slots=True)
class Series:
    """One set of bars in a grouped bar chart, such as the costs before a scenario."""

    name: str
    values: Sequence[float | None]


def grouped_bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    element_id: str,
    value_label: Callable[[float], str],
    subtitle: str = "",
) -> str:
    """Draw vertical bars per category, one bar per series side by side."""
    chart_height = 280
    top = 70
    left = 90
    group_width = 90
    width = max(left + group_width * len(categories) + 40, 420)
    height = top + chart_height + 60
    drawing = Drawing(width, height, title, element_id)
    drawing.label(8, 20, title, size=15, weight="bold")
    if subtitle:
        drawing.label(8, 38, subtitle, size=11)
    legend_x = float(left)
    for index, item in enumerate(series):
        drawing.rect(legend_x, 48, 12, 12, PART_COLOURS[index % len(PART_COLOURS)])
        drawing.label(legend_x + 16, 58, item.name)
        legend_x += 30 + 7 * len(item.name)
    largest = max((value or 0.0 for item in series for value in item.values), default=0.0)
    scale = chart_height / largest if largest > 0 else 0.0
    base = top + chart_height
    for step in range(5):
        tick = largest * step / 4
        y = base - tick * scale
        drawing.line(left, y, width - 20, y, GRID_COLOUR)
        drawing.label(left - 6, y + 4, value_label(tick), anchor="end", size=9)
    bar_width = (group_width - 20) / max(len(series), 1)
    for index, category in enumerate(categories):
        x0 = left + index * group_width + 10
        for series_index, item in enumerate(series):
            value = item.values[index]
            if value is None:
                continue
            bar_height = value * scale
            drawing.rect(
                x0 + series_index * bar_width,
                base - bar_height,
                bar_width - 2,
                bar_height,
                PART_COLOURS[series_index % len(PART_COLOURS)],
                tooltip=f"{category}, {item.name}: {value_label(value)}",
                css_class="bar",
            )
        drawing.label(
            x0 + (group_width - 20) / 2, base + 16, shorten(category, 14), anchor="middle"
        )
    return drawing.render()
