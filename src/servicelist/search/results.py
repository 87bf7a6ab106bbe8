"""Filters of a search and what one hit shows an agent at a glance.

A hit is built from a service's flat fields (``municipalities.fields``): the standard fields
for the standard list, the effective fields for a municipality. So a municipality's local ABC
class, channels, web address and department appear in its results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from servicelist.catalogue.contact import RESOLUTIONS
from servicelist.catalogue.durations import total_duration
from servicelist.catalogue.snapshot import Catalogue
from servicelist.errors import InvalidParameter
from servicelist.lists import records as r
from servicelist.municipalities import fields as f
from servicelist.search.index import STRONG, WEAK, Match
from servicelist.search.query import QueryPlan


@dataclass(frozen=True, slots=True)
class Filters:
    """Filters of the service list. Every given filter narrows the result (logical AND)."""

    abc: str | None = None
    channel: str | None = None
    audience: str | None = None
    life_event: str | None = None
    interaction: str | None = None
    offered: bool | None = None
    kind: str | None = None

    def view(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in (
                ("abc", self.abc),
                ("channel", self.channel),
                ("audience", self.audience),
                ("life_event", self.life_event),
                ("interaction", self.interaction),
                ("offered", self.offered),
                ("kind", self.kind),
            )
            if value is not None
        }


@dataclass(frozen=True, slots=True)
class CheckedFilters:
    """Filters whose identifiers exist; ``audiences`` includes the finer groups."""

    filters: Filters
    audiences: frozenset[str] | None

    def accepts(
        self,
        values: f.Flat,
        interactions: Callable[[], Iterable[str]],
        offered: Callable[[], bool],
        kind: str,
    ) -> bool:
        """Return whether a service with these effective fields passes every filter."""
        wanted = self.filters
        if wanted.abc is not None and values.get("abc_class") != wanted.abc:
            return False
        if wanted.channel is not None and not values.get(f"channels.{wanted.channel}.available"):
            return False
        if self.audiences is not None and not self.audiences & set(values.get("audiences") or []):
            return False
        if wanted.life_event is not None and wanted.life_event not in (
            values.get("life_events") or []
        ):
            return False
        if wanted.kind is not None and kind != wanted.kind:
            return False
        if wanted.interaction is not None and wanted.interaction not in set(interactions()):
            return False
        return wanted.offered is None or offered() == wanted.offered


def check_filters(
    filters: Filters, catalogue: Catalogue, local_life_events: frozenset[str] = frozenset()
) -> CheckedFilters:
    """Raise ``InvalidParameter`` for an identifier that no list has; return the filters."""
    for parameter, list_id, value, extra in (
        ("channel", r.CHANNELS, filters.channel, frozenset[str]()),
        ("audience", r.AUDIENCES, filters.audience, frozenset[str]()),
        ("life_event", r.LIFE_EVENTS, filters.life_event, local_life_events),
        ("interaction", r.INTERACTIONS, filters.interaction, frozenset[str]()),
    ):
        if value is None or value in extra or catalogue.find_item(list_id, value) is not None:
            continue
        raise InvalidParameter(
            f"The {list_id} list has no item {value!r}; see /v1/lists/{list_id}/items for the "
            "valid identifiers.",
            parameter=parameter,
            value=value,
        )
    audiences = None
    if filters.audience is not None:
        item = catalogue.find_item(r.AUDIENCES, filters.audience)
        assert item is not None
        audiences = frozenset(entry.identifier for entry in [item, *catalogue.descendants(item)])
    return CheckedFilters(filters, audiences)


def best_per_service(matches: Iterable[Match]) -> Iterator[Match]:
    """Yield the best match of each service, in order; matches come best first."""
    seen: set[str] = set()
    for match in matches:
        if match.service_id not in seen:
            seen.add(match.service_id)
            yield match


def hit_view(
    catalogue: Catalogue,
    values: f.Flat,
    match: Match,
    plan: QueryPlan,
    *,
    href: str,
    first_contact_href: str | None,
) -> dict[str, Any]:
    """Build one hit: what the service is, who handles it, how, and why it matched."""
    labels = _language_map(values, "label")
    label = labels.get(match.language) or labels.get("en") or next(iter(labels.values()), "")
    channels = [
        channel.identifier
        for channel in catalogue.items.get(r.CHANNELS, [])
        if values.get(f"channels.{channel.identifier}.available")
    ]
    primary = next(
        (channel for channel in channels if values.get(f"channels.{channel}.primary")), None
    )
    abc = values.get("abc_class")
    department = values.get("department")
    return {
        "id": match.service_id,
        "href": href,
        "label": label,
        "language": match.language,
        "abc_class": abc,
        "channels": channels,
        "primary_channel": primary,
        "web_url": values.get("channels.web.url"),
        "phone": values.get("channels.phone.phone"),
        "department": department,
        "first_contact": first_contact(
            label, abc, department, values.get("process.steps") or [], first_contact_href
        ),
        "score": round(match.score, 4),
        "coverage": round(match.coverage / (STRONG * len(plan.groups)), 4),
        "matched": [
            " ".join(group.words)
            for group, strength in zip(plan.groups, match.strengths, strict=True)
            if strength == STRONG
        ],
        "matched_as_prefix": [
            " ".join(group.words)
            for group, strength in zip(plan.groups, match.strengths, strict=True)
            if strength == WEAK
        ],
    }


def first_contact(
    label: str,
    abc: str | None,
    department: str | None,
    steps: list[dict[str, Any]],
    href: str | None,
) -> dict[str, Any]:
    """Say what the front line does at first contact: settle, explain and forward, or refer.

    The ABC class decides it, as in ``catalogue.contact``. A service without a class gets no
    resolution.
    """
    resolution = RESOLUTIONS.get(abc) if abc is not None else None
    remaining = steps[1:]
    if resolution == "settle":
        summary = f"Any agent can settle '{label}' at first contact."
    elif resolution == "explain-and-forward":
        following = remaining[0] if remaining else None
        where = (
            f" It goes next to the {following.get('office_tier')} office "
            f"({following.get('actor_role')})."
            if following
            else ""
        )
        summary = f"Explain the next steps of '{label}' and take the request.{where}"
    elif resolution == "refer":
        target = department or "the responsible department"
        summary = f"'{label}' needs professional input: refer the customer to {target}."
    else:
        summary = f"'{label}' has no ABC class, so the catalogue gives no first-contact advice."
    return {
        "resolution": resolution,
        "summary": summary,
        "expected_duration": total_duration(step["duration"] for step in remaining)
        if remaining
        else None,
        "href": href,
    }


def _language_map(values: f.Flat, head: str) -> dict[str, str]:
    prefix = head + "."
    return {
        path[len(prefix) :]: value
        for path, value in values.items()
        if path.startswith(prefix) and isinstance(value, str) and value
    }
