"""Metrics of one municipality's effective catalogue, computed in bulk with set operations.

Definitions (``docs/benchmarks-api.md`` gives the same with examples):

* **expected services**: the live standard services of the adopted release that the tier rules
  of ``LocalCatalogue.offer`` give the municipality's tier, without local decisions. Those are
  the services that name no providing tier or name the municipality's tier. A municipality
  without a tier is expected to offer every live service.
* **coverage** = expected services that the municipality offers / expected services.
* **offered services**: standard and local services that the effective catalogue offers, local
  decisions included. Every share below is of the offered services.
* **online share** = offered services whose web channel is available and has a URL / offered.
  ``web_available_share`` counts an available web channel with or without a URL, because the
  standard list makes the web channel available for every service but has no council's URL.
* **channel shares**: per channel, offered services on which it is available / offered.
* **ABC mix**: offered services of class A, B, C and without a class / offered.
* **overridden field share** = overridden fields of the release's standard services / their
  fields (every flattened path of every standard service, plus overridden paths that the
  standard lacks, such as a Welsh label). Local services are left out because all of their
  fields are local. **customised share** = offered services with an override / offered.
* **releases behind** = newest release number - adopted release number (releases are numbered
  1, 2, 3 without gaps).
* **open review conflicts**: open conflict items of the last release move; **open review
  items** adds the open retired-service items.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from servicelist.benchmarks.facts import (
    ABC_CLASSES,
    WEB_ONLINE,
    ReleaseFacts,
    abc_key,
    channel_key,
)
from servicelist.benchmarks.repository import LocalFacts
from servicelist.municipalities.models import Municipality
from servicelist.municipalities.repository import LOCAL

WEB_PATHS = frozenset({"channels.web.available", "channels.web.url"})
ABC_PATH = "abc_class"
CHANNEL_PREFIX = "channels."
AVAILABLE_SUFFIX = ".available"
UNCLASSIFIED = "unclassified"


@dataclass(frozen=True, slots=True)
class Metric:
    """One column of the comparison table.

    ``better`` is "higher" or "lower" for metrics that have a best end, and None for metrics
    that only describe (they get no rank).
    """

    name: str
    label: str
    kind: str
    better: str | None


SHARE = "share"
COUNT = "count"


def _metrics(channels: Iterable[str]) -> tuple[Metric, ...]:
    fixed = [
        Metric("coverage", "Coverage of the tier's services", SHARE, "higher"),
        Metric("online_share", "Online share (web channel with a URL)", SHARE, "higher"),
        Metric("web_available_share", "Web channel available (with or without URL)", SHARE, None),
        Metric("expected_services", "Services the tier should offer", COUNT, None),
        Metric("offered_services", "Offered services", COUNT, None),
        Metric("offered_beyond_tier", "Standard services offered beyond the tier", COUNT, None),
        Metric("local_services", "Offered local services", COUNT, None),
        Metric("online_services", "Offered services online", COUNT, "higher"),
        Metric("abc_a_share", "ABC class A share", SHARE, None),
        Metric("abc_b_share", "ABC class B share", SHARE, None),
        Metric("abc_c_share", "ABC class C share", SHARE, None),
        Metric("abc_unclassified_share", "Share without ABC class", SHARE, None),
        Metric("overridden_field_share", "Share of standard fields overridden", SHARE, None),
        Metric("customised_share", "Offered services with an override", SHARE, None),
        Metric("release", "Adopted release", COUNT, "higher"),
        Metric("releases_behind", "Releases behind the newest", COUNT, "lower"),
        Metric("open_review_conflicts", "Open review conflicts", COUNT, "lower"),
        Metric("open_review_items", "Open review items", COUNT, "lower"),
    ]
    per_channel = [
        Metric(f"channel_{channel.replace('-', '_')}_share", f"Offered on {channel}", SHARE, None)
        for channel in channels
    ]
    return (*fixed, *per_channel)


# The channels of the bundled authored list; a release with other channels adds its own.
DEFAULT_CHANNELS = (
    "desk",
    "phone",
    "letter",
    "email",
    "web",
    "chat",
    "home-visit",
    "mobile-office",
    "sms",
)
METRICS = _metrics(DEFAULT_CHANNELS)
METRICS_BY_NAME = {metric.name: metric for metric in METRICS}
DEFAULT_METRICS = ("coverage", "online_share", "web_available_share", "abc_a_share")


def channel_metric(channel: str) -> str:
    return f"channel_{channel.replace('-', '_')}_share"


@dataclass(frozen=True, slots=True)
class CatalogueMetrics:
    """The metrics of one municipality that depend only on its stored catalogue and release."""

    expected_services: int
    offered_expected: int
    offered_services: int
    offered_standard: int
    offered_beyond_tier: int
    local_services: int
    online_services: int
    web_available_services: int
    channel_counts: dict[str, int]
    abc_counts: dict[str, int]
    overridden_fields: int
    field_count: int
    customised_services: int
    open_review: dict[str, int]

    def values(self, *, release: int, newest_release: int) -> dict[str, Any]:
        """Return every metric by name, shares as fractions from 0 to 1."""
        offered = self.offered_services
        values: dict[str, Any] = {
            "coverage": _share(self.offered_expected, self.expected_services),
            "online_share": _share(self.online_services, offered),
            "web_available_share": _share(self.web_available_services, offered),
            "expected_services": self.expected_services,
            "offered_services": offered,
            "offered_beyond_tier": self.offered_beyond_tier,
            "local_services": self.local_services,
            "online_services": self.online_services,
            "abc_a_share": _share(self.abc_counts.get("A", 0), offered),
            "abc_b_share": _share(self.abc_counts.get("B", 0), offered),
            "abc_c_share": _share(self.abc_counts.get("C", 0), offered),
            "abc_unclassified_share": _share(self.abc_counts.get(UNCLASSIFIED, 0), offered),
            "overridden_field_share": _share(self.overridden_fields, self.field_count),
            "customised_share": _share(self.customised_services, offered),
            "release": release,
            "releases_behind": max(newest_release - release, 0),
            "open_review_conflicts": self.open_review.get("conflict", 0),
            "open_review_items": sum(self.open_review.values()),
        }
        for channel, count in self.channel_counts.items():
            values[channel_metric(channel)] = _share(count, offered)
        return values

    def detail(self) -> dict[str, Any]:
        """Return the counts behind the shares, for the JSON of one municipality."""
        return {
            "expected_services": self.expected_services,
            "offered_expected_services": self.offered_expected,
            "offered_services": self.offered_services,
            "offered_standard_services": self.offered_standard,
            "offered_beyond_tier": self.offered_beyond_tier,
            "local_services": self.local_services,
            "online_services": self.online_services,
            "web_available_services": self.web_available_services,
            "channels": dict(self.channel_counts),
            "abc": dict(self.abc_counts),
            "overridden_fields": self.overridden_fields,
            "standard_fields": self.field_count,
            "customised_services": self.customised_services,
            "open_review_items": dict(self.open_review),
        }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class _Offered:
    """The services a municipality offers: the tier's expected set and the few local decisions.

    Counting them in a set of the release then needs no new large set.
    """

    def __init__(self, facts: ReleaseFacts, tier: str | None, local: LocalFacts) -> None:
        self.facts = facts
        self.tier = tier
        self.expected = facts.expected(tier)
        forced_off = {service for service, offered in local.offered.items() if not offered}
        forced_on = {service for service, offered in local.offered.items() if offered}
        local_ids = {service for service, kind in local.kinds.items() if kind == LOCAL}
        self.withdrawn = forced_off & self.expected
        self.beyond_tier = (forced_on & facts.service_ids) - self.expected
        self.local = local_ids - forced_off

    @property
    def standard_count(self) -> int:
        return len(self.expected) - len(self.withdrawn) + len(self.beyond_tier)

    @property
    def count(self) -> int:
        return self.standard_count + len(self.local)

    def standard(self, service: str) -> bool:
        in_expected = service in self.expected and service not in self.withdrawn
        return in_expected or service in self.beyond_tier

    def __contains__(self, service: str) -> bool:
        return self.standard(service) or service in self.local

    def count_in(self, key: str, members: frozenset[str]) -> int:
        """Return how many offered standard services are in ``members``, the set ``key`` of
        the release facts."""
        count = self.facts.expected_count(self.tier, key)
        count -= sum(1 for service in self.withdrawn if service in members)
        count += sum(1 for service in self.beyond_tier if service in members)
        return count


def compute_metrics(
    municipality: Municipality,
    facts: ReleaseFacts,
    local: LocalFacts,
    open_review: dict[str, int],
) -> CatalogueMetrics:
    """Compute one municipality's catalogue metrics from the release facts and its overrides.

    Each count starts from the offered standard services in a set of the release (whose count
    over the tier's expected services is cached) and then corrects for the services whose
    overrides touch the counted field.
    """
    offered = _Offered(facts, municipality.tier, local)
    overrides = local.overrides
    online = offered.count_in(WEB_ONLINE, facts.web_online)
    channel_counts = {
        channel: offered.count_in(channel_key(channel), facts.channel_available[channel])
        for channel in facts.channels
    }
    abc_counts = {
        name: offered.count_in(abc_key(name), facts.abc_sets[name]) for name in ABC_CLASSES
    }

    # Correct the counts for the offered services whose overrides change a counted field:
    # take the standard value out and put the effective value in.
    for service, values in overrides.items():
        if service not in offered:
            continue
        standard = offered.standard(service)
        for path, value in values.items():
            if path == ABC_PATH:
                standard_class = facts.abc.get(service) if standard else None
                if standard_class in abc_counts:
                    abc_counts[standard_class] -= 1
                if value in abc_counts:
                    abc_counts[value] += 1
                continue
            channel = _available_channel(path)
            if channel is None or channel not in channel_counts:
                continue
            if standard and service in facts.channel_available[channel]:
                channel_counts[channel] -= 1
            if value:
                channel_counts[channel] += 1
        if not WEB_PATHS.isdisjoint(values):
            if standard and service in facts.web_online:
                online -= 1
            available = values.get("channels.web.available", _standard_flag(facts, service, "web"))
            if "channels.web.url" in values:
                has_url = bool(values["channels.web.url"])
            else:
                has_url = service in facts.web_url
            if available and has_url:
                online += 1
    abc_counts[UNCLASSIFIED] = offered.count - sum(abc_counts.values())

    overridden_fields = 0
    added_paths = 0
    for service, values in overrides.items():
        standard_paths = facts.field_paths.get(service)
        if standard_paths is None:
            continue
        overridden_fields += len(values)
        added_paths += sum(1 for path in values if path not in standard_paths)

    return CatalogueMetrics(
        expected_services=len(offered.expected),
        offered_expected=len(offered.expected) - len(offered.withdrawn),
        offered_services=offered.count,
        offered_standard=offered.standard_count,
        offered_beyond_tier=len(offered.beyond_tier),
        local_services=len(offered.local),
        online_services=online,
        web_available_services=channel_counts.get("web", 0),
        channel_counts=channel_counts,
        abc_counts=abc_counts,
        overridden_fields=overridden_fields,
        field_count=facts.field_count + added_paths,
        customised_services=sum(1 for service in overrides if service in offered),
        open_review=dict(open_review),
    )


def _available_channel(path: str) -> str | None:
    """Return the channel of a ``channels.<channel>.available`` path, else None."""
    if path.startswith(CHANNEL_PREFIX) and path.endswith(AVAILABLE_SUFFIX):
        return path[len(CHANNEL_PREFIX) : -len(AVAILABLE_SUFFIX)]
    return None


def _standard_flag(facts: ReleaseFacts, service: str, channel: str) -> bool:
    return service in facts.channel_available.get(channel, frozenset())


class MetricsCache:
    """Catalogue metrics per municipality, valid while its revision and release stay the same.

    Every write to a municipality bumps its revision, so a cached entry is never stale for
    longer than the read that finds the new revision.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[int, int, CatalogueMetrics]] = {}
        self._lock = threading.Lock()

    def get(self, municipality: Municipality) -> CatalogueMetrics | None:
        found = self._entries.get(municipality.id)
        if found is None or found[:2] != (municipality.revision, municipality.release):
            return None
        return found[2]

    def put(self, municipality: Municipality, metrics: CatalogueMetrics) -> None:
        with self._lock:
            self._entries[municipality.id] = (
                municipality.revision,
                municipality.release,
                metrics,
            )
