"""ISO 8601 durations as process maps use them: days, hours, minutes and seconds."""

from __future__ import annotations

import re
from collections.abc import Iterable

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
_SECONDS = {"weeks": 7 * 86400, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}


def parse_duration(text: str) -> int:
    """Return the length of an ISO 8601 duration in seconds; raise ValueError when invalid.

    Years and months are rejected because their length in seconds depends on the calendar.
    """
    match = _DURATION.match(text)
    if match is None or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as PT15M or P5D")
    return sum(int(value) * _SECONDS[name] for name, value in match.groupdict().items() if value)


def format_duration(seconds: int) -> str:
    """Return ``seconds`` as an ISO 8601 duration in days, hours, minutes and seconds."""
    if seconds <= 0:
        return "PT0S"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    date_part = f"{days}D" if days else ""
    time_part = ""
    if hours:
        time_part += f"{hours}H"
    if minutes:
        time_part += f"{minutes}M"
    if secs:
        time_part += f"{secs}S"
    if time_part:
        return f"P{date_part}T{time_part}"
    return f"P{date_part}"


def total_duration(durations: Iterable[str]) -> str:
    """Return the sum of ISO 8601 durations as one duration."""
    return format_duration(sum(parse_duration(duration) for duration in durations))
