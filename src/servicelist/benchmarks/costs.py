"""Cost per contact of each channel: the authored defaults and a municipality's own figures.

The defaults are the ``cost_per_contact`` entries of the ``channels`` list, in EUR and GBP,
each with the source it was taken from (``data/authored/README.md``). A municipality replaces
any of them with its own figure in any ISO 4217 currency. Amounts are ``Decimal`` throughout.
The authored list stores them as JSON numbers, which are read back through their shortest
decimal text (``8.62``), so no binary rounding error enters a cost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from servicelist.benchmarks.models import ChannelCost
from servicelist.catalogue.snapshot import Catalogue
from servicelist.lists import records as r
from servicelist.municipalities.models import Municipality

DEFAULT = "default"
LOCAL = "local"
CURRENCY = re.compile(r"^[A-Z]{3}$")
# Countries whose councils report in pounds sterling; every other municipality defaults to EUR.
GBP_COUNTRIES = frozenset({"England", "Scotland", "Wales", "Northern Ireland", "United Kingdom"})
CENT = Decimal("0.01")


def default_currency(municipality: Municipality) -> str:
    """Return GBP for a UK municipality and EUR for any other."""
    return "GBP" if municipality.country in GBP_COUNTRIES else "EUR"


def money(amount: Decimal) -> str:
    """Return an amount as text rounded to cents, half to even, e.g. ``"1234.50"``."""
    return str(amount.quantize(CENT, rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True, slots=True)
class CostEntry:
    """The cost per contact of one channel in one currency, and where it comes from."""

    channel: str
    currency: str
    amount: Decimal | None
    origin: str | None
    source: str | None
    set_by: str | None = None
    set_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "currency": self.currency,
            "amount": str(self.amount) if self.amount is not None else None,
            "origin": self.origin,
            "source": self.source,
            "set_by": self.set_by,
            "set_at": self.set_at,
        }


def channel_ids(catalogue: Catalogue) -> list[str]:
    return [channel.identifier for channel in catalogue.items.get(r.CHANNELS, [])]


def default_costs(catalogue: Catalogue) -> dict[tuple[str, str], CostEntry]:
    """Return the authored cost per contact of each channel, keyed by (channel, currency)."""
    found: dict[tuple[str, str], CostEntry] = {}
    for channel in catalogue.items.get(r.CHANNELS, []):
        for cost in channel.properties.get("cost_per_contact") or []:
            currency = str(cost.get("currency", ""))
            amount = cost.get("amount")
            if not CURRENCY.match(currency) or amount is None:
                continue
            found[(channel.identifier, currency)] = CostEntry(
                channel=channel.identifier,
                currency=currency,
                amount=Decimal(str(amount)),
                origin=DEFAULT,
                source=cost.get("source"),
            )
    return found


def effective_costs(
    catalogue: Catalogue, own: Iterable[ChannelCost], currency: str
) -> dict[str, CostEntry]:
    """Return the cost of every channel in ``currency``: the municipality's own, else the
    default, else an entry with no amount."""
    defaults = default_costs(catalogue)
    local = {(cost.channel_id, cost.currency): cost for cost in own}
    result: dict[str, CostEntry] = {}
    for channel in channel_ids(catalogue):
        mine = local.get((channel, currency))
        if mine is not None:
            result[channel] = CostEntry(
                channel=channel,
                currency=currency,
                amount=Decimal(mine.amount),
                origin=LOCAL,
                source=mine.source,
                set_by=mine.updated_by,
                set_at=mine.updated_at.isoformat(),
            )
            continue
        result[channel] = defaults.get(
            (channel, currency), CostEntry(channel, currency, None, None, None)
        )
    return result
