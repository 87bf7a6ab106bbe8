"""Metrics of many municipalities at once, with a cache per municipality revision and release.

One request reads the municipalities (one query), then, only for those whose cached metrics
are missing or stale, their local entries and overrides (one query each) and their open review
items (one grouped query). The standard side comes from ``ReleaseFacts``, computed once per
release.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from servicelist.benchmarks import repository as bench_repository
from servicelist.benchmarks.facts import ReleaseFacts, ReleaseFactsCache
from servicelist.benchmarks.metrics import CatalogueMetrics, MetricsCache, compute_metrics
from servicelist.catalogue.snapshot import Catalogue
from servicelist.lists import records as r
from servicelist.municipalities.effective import StandardFieldCache
from servicelist.municipalities.models import Municipality
from servicelist.municipalities.repository import LOCAL

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MunicipalityMetrics:
    """A municipality with its catalogue metrics."""

    municipality: Municipality
    metrics: CatalogueMetrics


class BenchmarkService:
    """Computes and caches catalogue metrics; shared by the requests of one worker."""

    def __init__(
        self, catalogue_for: Callable[[int], Catalogue], field_cache: StandardFieldCache
    ) -> None:
        self.catalogue_for = catalogue_for
        self.field_cache = field_cache
        self.facts_cache = ReleaseFactsCache(field_cache)
        self.metrics_cache = MetricsCache()

    def facts(self, release: int) -> ReleaseFacts:
        return self.facts_cache.get(self.catalogue_for(release), release)

    def metrics(
        self, connection: Connection, municipalities: Sequence[Municipality]
    ) -> list[MunicipalityMetrics]:
        """Return the metrics of ``municipalities`` in their order, computing the stale ones."""
        started = time.perf_counter()
        found: dict[str, CatalogueMetrics] = {}
        stale: list[Municipality] = []
        for municipality in municipalities:
            cached = self.metrics_cache.get(municipality)
            if cached is None:
                stale.append(municipality)
            else:
                found[municipality.id] = cached
        if stale:
            ids = [municipality.id for municipality in stale]
            local = bench_repository.read_local_facts(connection, ids)
            open_review = bench_repository.count_open_review_items(connection, ids)
            by_release: dict[int, list[Municipality]] = defaultdict(list)
            for municipality in stale:
                by_release[municipality.release].append(municipality)
            for release, members in by_release.items():
                facts = self.facts(release)
                for municipality in members:
                    computed = compute_metrics(
                        municipality,
                        facts,
                        local[municipality.id],
                        open_review.get(municipality.id, {}),
                    )
                    self.metrics_cache.put(municipality, computed)
                    found[municipality.id] = computed
            log.info(
                "benchmark metrics computed",
                extra={
                    "municipalities": len(municipalities),
                    "computed": len(stale),
                    "seconds": round(time.perf_counter() - started, 3),
                },
            )
        return [MunicipalityMetrics(m, found[m.id]) for m in municipalities]

    def service_offers(
        self, connection: Connection, municipalities: Sequence[Municipality], service_id: str
    ) -> list[ServiceOffer]:
        """Return how each municipality offers the standard service ``service_id``."""
        local = bench_repository.read_local_facts(
            connection, [m.id for m in municipalities], service_id=service_id
        )
        offers = []
        for municipality in municipalities:
            facts = self.facts(municipality.release)
            item = facts.catalogue.find_item(r.SERVICES, service_id)
            mine = local[municipality.id]
            if item is None or mine.kinds.get(service_id) == LOCAL:
                offers.append(ServiceOffer(municipality, False, False, "standard", None, [], None))
                continue
            values = dict(self.field_cache.fields(facts.catalogue, municipality.release, item))
            values.update(mine.overrides.get(service_id, {}))
            if service_id in mine.offered:
                offered, source = mine.offered[service_id], "local"
            else:
                offered, source = service_id in facts.expected(municipality.tier), "standard"
            channels = [
                channel for channel in facts.channels if values.get(f"channels.{channel}.available")
            ]
            offers.append(
                ServiceOffer(
                    municipality,
                    True,
                    offered,
                    source,
                    values.get("abc_class"),
                    channels,
                    values.get("channels.web.url"),
                )
            )
        return offers


@dataclass(frozen=True, slots=True)
class ServiceOffer:
    """One municipality's offer of one standard service: offered or not, class and channels."""

    municipality: Municipality
    in_release: bool
    offered: bool
    offered_source: str
    abc_class: str | None
    channels: list[str]
    web_url: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "municipality": {
                "id": self.municipality.id,
                "name": self.municipality.name,
                "href": f"/v1/municipalities/{self.municipality.id}",
                "tier": self.municipality.tier,
                "region": self.municipality.region_id,
            },
            "release": self.municipality.release,
            "in_release": self.in_release,
            "offered": self.offered,
            "offered_source": self.offered_source,
            "abc_class": self.abc_class,
            "channels": self.channels,
            "web_url": self.web_url,
        }
