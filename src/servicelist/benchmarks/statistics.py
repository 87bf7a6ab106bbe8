"""Medians, quartiles and ranks of metric values.

Quartiles use the inclusive method: the position ``(n - 1) * p`` in the sorted values, with
linear interpolation between the two neighbours. It is the method of Python's
``statistics.quantiles(method="inclusive")``, numpy's default and Excel's ``QUARTILE.INC``, so
a benchmarker can check every figure in a spreadsheet. Missing values (None) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Summary:
    """Count, minimum, quartiles and maximum of one metric over a group of municipalities."""

    count: int
    minimum: float | None
    q1: float | None
    median: float | None
    q3: float | None
    maximum: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "min": self.minimum,
            "q1": self.q1,
            "median": self.median,
            "q3": self.q3,
            "max": self.maximum,
        }


def quantile(ordered: Sequence[float], fraction: float) -> float:
    """Return the inclusive quantile of non-empty sorted ``ordered`` at ``fraction``."""
    position = (len(ordered) - 1) * fraction
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    weight = position - below
    return ordered[below] + (ordered[above] - ordered[below]) * weight


def summarise(values: Iterable[float | int | None]) -> Summary:
    ordered = sorted(float(value) for value in values if value is not None)
    if not ordered:
        return Summary(0, None, None, None, None, None)
    return Summary(
        count=len(ordered),
        minimum=ordered[0],
        q1=quantile(ordered, 0.25),
        median=quantile(ordered, 0.5),
        q3=quantile(ordered, 0.75),
        maximum=ordered[-1],
    )


def ranks(values: dict[str, float | int | None], better: str) -> dict[str, int | None]:
    """Rank keys by value, 1 for the best; ties share the best rank of the tie (1, 2, 2, 4).

    ``better`` is "higher" or "lower". A missing value gets no rank.
    """
    present = [(key, value) for key, value in values.items() if value is not None]
    present.sort(key=lambda pair: pair[1], reverse=better == "higher")
    result: dict[str, int | None] = {key: None for key in values}
    previous: float | int | None = None
    rank = 0
    for position, (key, value) in enumerate(present, start=1):
        if value != previous:
            rank = position
            previous = value
        result[key] = rank
    return result
