"""ISO 8601 durations of process steps."""

from __future__ import annotations

import pytest

from servicelist.catalogue.durations import format_duration, parse_duration, total_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("PT15M", 900), ("P2D", 172_800), ("P1DT2H", 93_600), ("P1W", 604_800), ("PT30S", 30)],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["P", "PT", "P1M", "5D", "P1DT", "PT1.5H", ""])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_duration(text)


def test_format_duration() -> None:
    assert format_duration(0) == "PT0S"
    assert format_duration(93_600) == "P1DT2H"
    assert format_duration(900) == "PT15M"


def test_total_duration() -> None:
    assert total_duration(["PT5M", "P1D", "PT10M"]) == "P1DT15M"
    assert total_duration([]) == "PT0S"
