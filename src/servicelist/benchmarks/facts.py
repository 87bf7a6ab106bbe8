"""Facts the metrics need about every standard service of one release, computed once.

Releases never change, so the facts of a release stay valid for the life of the process. They
are sets of service identifiers, such as the services whose standard web channel has a URL or
the services of ABC class A. The metrics of a municipality are counts in those sets, corrected
for the services the municipality overrode.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from servicelist.catalogue.snapshot import Catalogue
from servicelist.lists import records as r
from servicelist.municipalities.effective import StandardFieldCache

ABC_CLASSES = ("A", "B", "C")
WEB_ONLINE = "web-online"


def channel_key(channel: str) -> str:
    return f"channel:{channel}"


def abc_key(name: str) -> str:
    return f"abc:{name}"


@dataclass(slots=True)
class ReleaseFacts:
    """Sets of standard services of one release, keyed the way the metrics read them.

    ``tiers`` maps a service to the tiers that provide it. An empty set means that the standard
    gives no providing tier, so every municipality should offer the service.
    """

    release: int
    catalogue: Catalogue
    service_ids: frozenset[str]
    live: frozenset[str]
    tiers: dict[str, frozenset[str]]
    channels: tuple[str, ...]
    channel_available: dict[str, frozenset[str]]
    web_url: frozenset[str]
    web_online: frozenset[str]
    abc: dict[str, str | None]
    abc_sets: dict[str, frozenset[str]]
    field_paths: dict[str, frozenset[str]]
    field_count: int
    _expected: dict[str | None, frozenset[str]] = field(default_factory=dict)
    _expected_counts: dict[str | None, dict[str, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def expected(self, tier: str | None) -> frozenset[str]:
        """Return the services that a municipality of ``tier`` should offer by the tier rules.

        These are the live services that either name no providing tier or name ``tier``. A
        municipality without a tier should offer every live service. Local decisions to offer
        or not are left out on purpose: this is the yardstick that coverage is measured against.
        """
        with self._lock:
            found = self._expected.get(tier)
            if found is None:
                found = frozenset(
                    service_id
                    for service_id in self.live
                    if tier is None or not self.tiers[service_id] or tier in self.tiers[service_id]
                )
                self._expected[tier] = found
            return found

    def expected_count(self, tier: str | None, key: str) -> int:
        """Return how many of the tier's expected services are in the set named ``key``:
        ``channel:<id>``, ``abc:<class>`` or ``web-online``."""
        counts = self._expected_counts.get(tier)
        if counts is None:
            expected = self.expected(tier)
            counts = {WEB_ONLINE: len(expected & self.web_online)}
            for channel, members in self.channel_available.items():
                counts[channel_key(channel)] = len(expected & members)
            for name, members in self.abc_sets.items():
                counts[abc_key(name)] = len(expected & members)
            with self._lock:
                self._expected_counts[tier] = counts
        return counts[key]


def build_release_facts(
    catalogue: Catalogue, release: int, field_cache: StandardFieldCache
) -> ReleaseFacts:
    """Flatten every standard service of ``catalogue`` once and collect the metric sets."""
    services = catalogue.items.get(r.SERVICES, [])
    channels = tuple(channel.identifier for channel in catalogue.items.get(r.CHANNELS, []))
    live: set[str] = set()
    tiers: dict[str, frozenset[str]] = {}
    available: dict[str, set[str]] = {channel: set() for channel in channels}
    web_url: set[str] = set()
    web_online: set[str] = set()
    abc: dict[str, str | None] = {}
    abc_sets: dict[str, set[str]] = {name: set() for name in ABC_CLASSES}
    field_paths: dict[str, frozenset[str]] = {}
    field_count = 0

    for service in services:
        identifier = service.identifier
        flat = field_cache.fields(catalogue, release, service)
        field_paths[identifier] = frozenset(flat)
        field_count += len(flat)
        if service.status != r.STATUS_RETIRED:
            live.add(identifier)
        tiers[identifier] = frozenset(
            related.item.identifier for related in catalogue.related(service, r.TIERS)
        )

        for channel in channels:
            if flat.get(f"channels.{channel}.available"):
                available[channel].add(identifier)
        if flat.get("channels.web.url"):
            web_url.add(identifier)
            if flat.get("channels.web.available"):
                web_online.add(identifier)

        abc_class = flat.get("abc_class")
        abc[identifier] = abc_class
        if abc_class in abc_sets:
            abc_sets[abc_class].add(identifier)

    return ReleaseFacts(
        release=release,
        catalogue=catalogue,
        service_ids=frozenset(service.identifier for service in services),
        live=frozenset(live),
        tiers=tiers,
        channels=channels,
        channel_available={channel: frozenset(ids) for channel, ids in available.items()},
        web_url=frozenset(web_url),
        web_online=frozenset(web_online),
        abc=abc,
        abc_sets={name: frozenset(ids) for name, ids in abc_sets.items()},
        field_paths=field_paths,
        field_count=field_count,
    )


class ReleaseFactsCache:
    """Facts per release, least recently used first out. Building one takes a few tenths of
    a second for the 1,567 services of a bundled release, and blocks only its caller."""

    def __init__(self, field_cache: StandardFieldCache, max_releases: int = 4) -> None:
        self._field_cache = field_cache
        self._max = max_releases
        self._facts: OrderedDict[int, ReleaseFacts] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, catalogue: Catalogue, release: int) -> ReleaseFacts:
        with self._lock:
            found = self._facts.get(release)
            if found is not None:
                self._facts.move_to_end(release)
                return found
            facts = build_release_facts(catalogue, release, self._field_cache)
            self._facts[release] = facts
            self._facts.move_to_end(release)
            if len(self._facts) > self._max:
                self._facts.popitem(last=False)
            return facts
