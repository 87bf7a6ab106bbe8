"""The SVG writer: escaping, well-formed output and the geometry of the charts."""

from __future__ import annotations

# The tests parse only SVG that this code generated: no entities, no DTD.
import xml.etree.ElementTree as ET

import pytest

from servicelist.benchmarks import svg

NS = {"svg": svg.SVG_NAMESPACE}
HOSTILE = "<script>alert('x')</script> & \"quoted\" \x00\x1f end"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a & b", "a &amp; b"),
        ("<b>", "&lt;b&gt;"),
        ("nul\x00byte", "nulbyte"),
        ("tab\tkept", "tab\tkept"),
        ("\ufffe", ""),
    ],
)
def test_text_escapes(raw: str, escaped: str) -> None:
    assert svg.text(raw) == escaped


def test_attribute_escapes_quotes() -> None:
    assert svg.attribute("\"a\" 'b' <c>") == "&quot;a&quot; &#39;b&#39; &lt;c&gt;"


def test_hostile_label_stays_text() -> None:
    markup = svg.bar_chart(HOSTILE, [(HOSTILE, 0.5)], element_id="chart-x")

    root = parse(markup)
    assert root.find("svg:script", NS) is None
    assert "<script>" not in markup
    texts = ["".join(node.itertext()) for node in root.iter(f"{{{svg.SVG_NAMESPACE}}}text")]
    assert "<script>alert('x')</script> & \"quoted\"  end" in texts[0]
    title = root.find("svg:title", NS)
    assert title is not None
    assert title.text == "<script>alert('x')</script> & \"quoted\"  end"


def test_bar_chart_sorted_and_scaled() -> None:
    markup = svg.bar_chart(
        "Coverage", [("Low", 0.25), ("None", None), ("High", 1.0)], element_id="chart-c"
    )

    root = parse(markup)
    bars = [
        rect for rect in root.iter(f"{{{svg.SVG_NAMESPACE}}}rect") if rect.get("class") == "bar"
    ]
    widths = [float(bar.get("width", "0")) for bar in bars]
    tooltips = [bar.findtext("svg:title", namespaces=NS) for bar in bars]
    area = svg.WIDTH - svg.LABEL_WIDTH - svg.VALUE_WIDTH
    assert tooltips == ["High: 100.0%", "Low: 25.0%"]
    assert widths == [area, area / 4]
    assert "no value" in markup
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-c-title"


def test_stacked_bars_add_up() -> None:
    markup = svg.stacked_bar_chart(
        "Mix",
        ["A", "B", "C"],
        [("Town", {"A": 0.5, "B": 0.3, "C": 0.2}), ("City", {"A": 0.7, "B": 0.3, "C": 0.0})],
        element_id="chart-m",
        sort_by="A",
    )

    root = parse(markup)
    bars = [
        rect for rect in root.iter(f"{{{svg.SVG_NAMESPACE}}}rect") if rect.get("class") == "bar"
    ]
    area = svg.WIDTH - svg.LABEL_WIDTH - svg.VALUE_WIDTH
    city = [
        bar for bar in bars if (bar.findtext("svg:title", namespaces=NS) or "").startswith("City")
    ]
    town = [
        bar for bar in bars if (bar.findtext("svg:title", namespaces=NS) or "").startswith("Town")
    ]
    assert len(city) == 2  # a zero share draws no bar
    assert sum(float(bar.get("width", "0")) for bar in town) == pytest.approx(area)
    assert float(city[0].get("y", "0")) < float(town[0].get("y", "0"))


def test_grouped_bars_share_scale() -> None:
    markup = svg.grouped_bar_chart(
        "Cost",
        ["desk", "web"],
        [svg.Series("before", [100.0, 10.0]), svg.Series("after", [50.0, None])],
        element_id="chart-g",
        value_label=lambda value: f"EUR {value:.0f}",
    )

    root = parse(markup)
    bars = [
        rect for rect in root.iter(f"{{{svg.SVG_NAMESPACE}}}rect") if rect.get("class") == "bar"
    ]
    heights = [float(bar.get("height", "0")) for bar in bars]
    assert len(bars) == 3
    assert heights[0] == 2 * heights[1]
    assert heights[0] == 10 * heights[2]
