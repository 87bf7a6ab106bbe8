"""Figures derived from contact volumes: cost per channel and period, the share of contacts in
A-class services, and channel-shift scenarios.

Money is ``Decimal``: a cost is contacts times the cost per contact, exact, and only the
figures sent out are rounded to cents (half to even). Contacts are whole numbers. A scenario
moves ``percentage`` of the contacts of every matching stored row (one service and period)
from one channel to another, and rounds each row's moved contacts to a whole number, half to
even, because contacts are people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from servicelist.benchmarks.costs import CostEntry, money
from servicelist.benchmarks.facts import ABC_CLASSES
from servicelist.benchmarks.metrics import UNCLASSIFIED
from servicelist.benchmarks.repository import VolumeRow
from servicelist.benchmarks.volumes import QUARTERS, in_range, period_start, quarter_of
from servicelist.errors import InvalidValue, RowError
from servicelist.lists import records as r
from servicelist.municipalities.effective import LocalCatalogue

A_CLASS_NOTE = (
    "An estimate of the contacts the front line can settle at the first contact: the share "
    "of contacts in services of ABC class A, which any employee can answer. It assumes that "
    "every contact with an A-class service is settled at once, which real contact centres "
    "reach for about 80% of questions."
)
HUNDRED = Decimal(100)


def _cost(contacts: int | Decimal, cost: CostEntry | None) -> Decimal | None:
    if cost is None or cost.amount is None:
        return None
    return Decimal(contacts) * cost.amount


def _money(amount: Decimal | None) -> str | None:
    return money(amount) if amount is not None else None


def select_rows(
    rows: Iterable[VolumeRow], period_from: str | None, period_to: str | None
) -> list[VolumeRow]:
    return [row for row in rows if in_range(row.period, period_from, period_to)]


def abc_classes(local: LocalCatalogue, service_ids: Iterable[str]) -> dict[str, str]:
    """Return each service's effective ABC class in the municipality, or ``unclassified``."""
    found: dict[str, str] = {}
    for service_id in set(service_ids):
        values, _ = local.effective(service_id)
        value = values.get("abc_class")
        found[service_id] = value if value in ABC_CLASSES else UNCLASSIFIED
    return found


# Summary per channel and period


def volume_summary(
    local: LocalCatalogue,
    rows: Sequence[VolumeRow],
    costs: dict[str, CostEntry],
    *,
    currency: str,
    granularity: str | None,
) -> dict[str, Any]:
    """Return contacts and cost per channel and period, totals and the A-class estimate.

    ``granularity`` ``quarter`` adds months up into their quarters; None keeps the stored
    periods.
    """

    def period_of(row: VolumeRow) -> str:
        return quarter_of(row.period) if granularity == QUARTERS else row.period

    contacts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        contacts[period_of(row)][row.channel_id] += row.contacts
    periods = sorted(contacts, key=period_start)
    channels = [channel for channel in costs if any(channel in contacts[p] for p in periods)]

    by_period = []
    for period in periods:
        per_channel = {
            channel: _figures(contacts[period].get(channel, 0), costs.get(channel))
            for channel in channels
        }
        by_period.append(
            {"period": period, **_total(contacts[period], costs), "channels": per_channel}
        )
    channel_totals: dict[str, int] = defaultdict(int)
    for row in rows:
        channel_totals[row.channel_id] += row.contacts
    abc = abc_classes(local, (row.service_id for row in rows))
    abc_contacts: dict[str, int] = dict.fromkeys((*ABC_CLASSES, UNCLASSIFIED), 0)
    for row in rows:
        abc_contacts[abc[row.service_id]] += row.contacts
    total_contacts = sum(channel_totals.values())
    return {
        "currency": currency,
        "granularity": granularity or _stored_granularity(rows),
        "periods": periods,
        "channels": [
            {
                **_figures(channel_totals[channel], costs.get(channel)),
                "channel": channel,
                "cost_per_contact": costs[channel].as_dict(),
            }
            for channel in channels
        ],
        "by_period": by_period,
        "totals": _total(channel_totals, costs),
        "abc": {
            name: {
                "contacts": count,
                "share": count / total_contacts if total_contacts else None,
            }
            for name, count in abc_contacts.items()
        },
        "first_contact_estimate": {
            "contacts": abc_contacts["A"],
            "share": abc_contacts["A"] / total_contacts if total_contacts else None,
            "note": A_CLASS_NOTE,
        },
    }


def _stored_granularity(rows: Sequence[VolumeRow]) -> str | None:
    if not rows:
        return None
    return QUARTERS if "Q" in rows[0].period else "month"


def _figures(contacts: int, cost: CostEntry | None) -> dict[str, Any]:
    return {"contacts": contacts, "cost": _money(_cost(contacts, cost))}


def _total(contacts: dict[str, int], costs: dict[str, CostEntry]) -> dict[str, Any]:
    """Return total contacts and the cost of the channels whose cost per contact is known."""
    total = Decimal(0)
    missing = []
    for channel, count in sorted(contacts.items()):
        cost = _cost(count, costs.get(channel))
        if cost is None:
            if count:
                missing.append(channel)
            continue
        total += cost
    return {
        "contacts": sum(contacts.values()),
        "cost": money(total),
        "cost_complete": not missing,
        "channels_without_cost": missing,
    }


# Channel shift


@dataclass(frozen=True, slots=True)
class ShiftRequest:
    """A channel-shift scenario: move ``percentage`` of one channel's contacts to another.

    ``services``, ``abc`` and ``function`` narrow the services whose contacts move; each one
    given must match (logical AND). ``function`` includes the functions below it.
    """

    from_channel: str
    to_channel: str
    percentage: Decimal
    services: tuple[str, ...] | None = None
    abc: tuple[str, ...] | None = None
    function: str | None = None
    period_from: str | None = None
    period_to: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.from_channel,
            "to": self.to_channel,
            "percentage": str(self.percentage),
            "services": list(self.services) if self.services is not None else None,
            "abc": list(self.abc) if self.abc is not None else None,
            "function": self.function,
            "period_from": self.period_from,
            "period_to": self.period_to,
        }


def check_shift(
    local: LocalCatalogue, request: ShiftRequest, costs: dict[str, CostEntry], currency: str
) -> None:
    """Raise a 422 listing every value of the scenario that cannot be used."""
    errors: list[RowError] = []
    channels = list(costs)
    for name, channel in (("from", request.from_channel), ("to", request.to_channel)):
        if channel not in costs:
            errors.append(RowError(0, name, channel, f"unknown channel; use one of {channels}"))
        elif costs[channel].amount is None:
            errors.append(
                RowError(
                    0,
                    name,
                    channel,
                    f"the channel has no cost per contact in {currency}; set one with PUT "
                    f"/v1/municipalities/{local.municipality.id}/channel-costs, or choose "
                    "another currency",
                )
            )
    if request.from_channel == request.to_channel:
        errors.append(RowError(0, "to", request.to_channel, "choose a channel other than 'from'"))
    if not Decimal(0) <= request.percentage <= HUNDRED:
        errors.append(
            RowError(0, "percentage", str(request.percentage), "give a number from 0 to 100")
        )
    for service_id in request.services or ():
        if not local.exists(service_id):
            errors.append(
                RowError(
                    0,
                    "services",
                    service_id,
                    f"no such service in release {local.release} or among the local services",
                )
            )
    for name in request.abc or ():
        if name not in ABC_CLASSES:
            errors.append(RowError(0, "abc", name, "use A, B or C"))
    if (
        request.function is not None
        and local.catalogue.find_item(r.FUNCTIONS, request.function) is None
    ):
        errors.append(
            RowError(0, "function", request.function, "no esd function has this identifier")
        )
    if errors:
        raise InvalidValue(
            f"The scenario has {len(errors)} invalid values. Each entry of 'errors' names the "
            "field, the value and the reason.",
            errors,
        )


def matching_services(
    local: LocalCatalogue, request: ShiftRequest, service_ids: Iterable[str]
) -> set[str]:
    """Return the services among ``service_ids`` that the scenario's filters select."""
    chosen = set(service_ids)
    if request.services is not None:
        chosen &= set(request.services)
    if request.abc is not None:
        classes = abc_classes(local, chosen)
        chosen = {service for service in chosen if classes[service] in request.abc}
    if request.function is not None:
        catalogue = local.catalogue
        function = catalogue.get_item(r.FUNCTIONS, request.function)
        functions = {function.identifier} | {
            item.identifier for item in catalogue.descendants(function)
        }
        chosen = {
            service
            for service in chosen
            if (item := catalogue.find_item(r.SERVICES, service)) is not None
            and any(
                related.item.identifier in functions
                for related in catalogue.related(item, r.FUNCTIONS)
            )
        }
    return chosen


def channel_shift(
    local: LocalCatalogue,
    rows: Sequence[VolumeRow],
    costs: dict[str, CostEntry],
    request: ShiftRequest,
    *,
    currency: str,
) -> dict[str, Any]:
    """Return contacts and cost per channel before and after the shift, and the saving."""
    check_shift(local, request, costs, currency)
    chosen = select_rows(rows, request.period_from, request.period_to)
    matched = matching_services(
        local, request, {row.service_id for row in chosen if row.channel_id == request.from_channel}
    )
    before: dict[str, int] = defaultdict(int)
    for row in chosen:
        before[row.channel_id] += row.contacts
    moved = 0
    for row in chosen:
        if row.channel_id == request.from_channel and row.service_id in matched:
            share = Decimal(row.contacts) * request.percentage / HUNDRED
            moved += int(share.to_integral_value(rounding=ROUND_HALF_EVEN))
    after = dict(before)
    after[request.from_channel] = before[request.from_channel] - moved
    after[request.to_channel] = before.get(request.to_channel, 0) + moved

    channels = [channel for channel in costs if before.get(channel) or after.get(channel)]
    rows_out = []
    for channel in channels:
        cost = costs[channel]
        before_cost = _cost(before.get(channel, 0), cost)
        after_cost = _cost(after.get(channel, 0), cost)
        rows_out.append(
            {
                "channel": channel,
                "cost_per_contact": cost.as_dict(),
                "before": {"contacts": before.get(channel, 0), "cost": _money(before_cost)},
                "after": {"contacts": after.get(channel, 0), "cost": _money(after_cost)},
                "change": {
                    "contacts": after.get(channel, 0) - before.get(channel, 0),
                    "cost": _money(after_cost - before_cost)
                    if before_cost is not None and after_cost is not None
                    else None,
                },
            }
        )
    from_cost = costs[request.from_channel].amount
    to_cost = costs[request.to_channel].amount
    assert from_cost is not None and to_cost is not None
    saving = Decimal(moved) * (from_cost - to_cost)
    return {
        "municipality": local.municipality.id,
        "currency": currency,
        "scenario": request.as_dict(),
        "periods": sorted({row.period for row in chosen}, key=period_start),
        "matched_services": sorted(matched),
        "moved_contacts": moved,
        "channels": rows_out,
        "totals": {"before": _total(before, costs), "after": _total(after, costs)},
        "saving": money(saving),
        "method": (
            f"For every stored row of a matched service on {request.from_channel}, "
            f"{request.percentage}% of its contacts, rounded to a whole number (half to even), "
            f"move to {request.to_channel}. Cost = contacts x cost per contact in {currency}; "
            "saving = moved contacts x (cost on the from-channel - cost on the to-channel). "
            "Amounts are rounded to cents only for display."
        ),
    }
