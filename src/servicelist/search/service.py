"""Searches as the API runs them: the standard list, or one municipality's catalogue.

``SearchService`` picks the index for the engine's database, keeps the authored synonyms,
brings the index up to date, filters the ranked matches and builds the response. Its methods
block on the database, so the API calls them in a worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from servicelist.catalogue.snapshot import Catalogue
from servicelist.catalogue.views import service_href
from servicelist.errors import InvalidParameter
from servicelist.lists import records as r
from servicelist.municipalities.effective import (
    LocalCatalogue,
    StandardFieldCache,
    local_service_href,
)
from servicelist.municipalities.repository import LOCAL, STANDARD
from servicelist.search import synonym_lists, text
from servicelist.search.documents import municipality_scope
from servicelist.search.index import Match, SearchIndex
from servicelist.search.query import QueryPlan
from servicelist.search.results import CheckedFilters, Filters, best_per_service, check_filters
from servicelist.search.results import hit_view as build_hit
from servicelist.search.synonyms import SynonymTable, read_authored


def index_for(engine: Engine) -> SearchIndex:
    """Return the search index implementation of the engine's database."""
    if engine.dialect.name == "postgresql":
        from servicelist.search.postgres import PostgresSearchIndex

        return PostgresSearchIndex(engine)
    if engine.dialect.name == "sqlite":
        from servicelist.search.sqlite import SqliteSearchIndex

        return SqliteSearchIndex(engine)
    raise ValueError(f"search supports SQLite and PostgreSQL, not {engine.dialect.name}")


def check_query(query: str) -> None:
    """Raise ``InvalidParameter`` when ``query`` has no word to search for."""
    if not text.words(query):
        raise InvalidParameter(
            f"The query {query[:200]!r} contains no letters or digits. Send the words the "
            "caller used, such as q=bin collection.",
            parameter="q",
            value=query[:200],
        )


class SearchService:
    """Ranked search over the standard services and the municipalities' catalogues."""

    def __init__(self, engine: Engine, data_dir: Path, field_cache: StandardFieldCache) -> None:
        self.index = index_for(engine)
        self.engine = engine
        self.data_dir = data_dir
        self.field_cache = field_cache
        self._authored: SynonymTable | None = None
        self._lock = threading.Lock()

    def authored_synonyms(self) -> SynonymTable:
        """Return the authored synonyms, read from the data folder on first use."""
        with self._lock:
            if self._authored is None:
                self._authored = SynonymTable(read_authored(self.data_dir))
            return self._authored

    def search_standard(
        self, catalogue: Catalogue, query: str, filters: Filters, limit: int
    ) -> dict[str, Any]:
        """Search the standard services of ``catalogue``'s release."""
        check_query(query)
        checked = check_filters(filters, catalogue)
        target = self.index.rebuild_release(catalogue)
        plan, matches = self.index.search(target, query, self.authored_synonyms())
        release = catalogue.release or 0

        def hits() -> Iterator[dict[str, Any]]:
            for match in best_per_service(matches):
                service = catalogue.find_item(r.SERVICES, match.service_id)
                if service is None:
                    continue
                values = self.field_cache.fields(catalogue, release, service)
                if not checked.accepts(
                    values, partial(_interactions, catalogue, service), _always, STANDARD
                ):
                    continue
                hit = build_hit(
                    catalogue,
                    values,
                    match,
                    plan,
                    href=service_href(match.service_id),
                    first_contact_href=f"{service_href(match.service_id)}/first-contact",
                )
                hit["status"] = service.status
                yield hit

        return _document(query, plan, filters, limit, hits(), {"release": release})

    def search_municipality(
        self, local: LocalCatalogue, query: str, filters: Filters, limit: int
    ) -> dict[str, Any]:
        """Search a municipality's effective catalogue, with its own synonyms on top."""
        check_query(query)
        municipality = local.municipality
        checked = check_filters(filters, local.catalogue, local.local.term_ids(r.LIFE_EVENTS))
        target = self.index.sync_municipality(local)
        with self.engine.connect() as connection:
            stored = synonym_lists.read_list(connection, municipality.id)
        synonyms = self.authored_synonyms().extended(synonym_lists.stored_synonyms(stored))
        plan, matches = self.index.search(target, query, synonyms)

        def hits() -> Iterator[dict[str, Any]]:
            for match in best_per_service(matches):
                if not local.exists(match.service_id):
                    continue
                yield from self._local_hit(local, checked, match, plan)

        extra = {
            "municipality": {
                "id": municipality.id,
                "name": municipality.name,
                "href": f"/v1/municipalities/{municipality.id}",
            },
            "release": local.release,
        }
        return _document(query, plan, filters, limit, hits(), extra)

    def _local_hit(
        self, local: LocalCatalogue, checked: CheckedFilters, match: Match, plan: QueryPlan
    ) -> Iterator[dict[str, Any]]:
        """Yield the hit of one match when the service passes the filters."""
        service_id = match.service_id
        values, _ = local.effective(service_id)
        entry = local.local.entries.get(service_id)
        kind = entry.kind if entry is not None else STANDARD
        standard = local.catalogue.find_item(r.SERVICES, service_id)
        offer = local.offer(service_id)

        interactions = (
            partial(_interactions, local.catalogue, standard) if standard is not None else list
        )
        if not checked.accepts(values, interactions, lambda: offer.offered, kind):
            return

        hit = build_hit(
            local.catalogue,
            values,
            match,
            plan,
            href=local_service_href(local.municipality.id, service_id),
            first_contact_href=(
                f"{service_href(service_id)}/first-contact" if kind != LOCAL else None
            ),
        )
        hit["kind"] = kind
        hit["offered"] = offer.offered
        hit["offered_reason"] = offer.reason
        hit["provided_by"] = (
            {"id": offer.provider.id, "name": offer.provider.name}
            if offer.provider is not None
            else None
        )
        hit["local_text"] = match.scope == municipality_scope(local.municipality.id)
        yield hit


def _always() -> bool:
    return True


def _interactions(catalogue: Catalogue, service: r.ItemRecord) -> list[str]:
    return [rel.item.identifier for rel in catalogue.related(service, r.INTERACTIONS)]


def _document(
    query: str,
    plan: QueryPlan,
    filters: Filters,
    limit: int,
    hits: Iterator[dict[str, Any]],
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Build the response: how the query was read, then the first ``limit`` hits."""
    items: list[dict[str, Any]] = []
    more = False
    for hit in hits:
        if len(items) == limit:
            more = True
            break
        items.append(hit)
    return {
        "query": query,
        **extra,
        "words": plan.words_view(),
        "ignored": plan.ignored,
        "did_you_mean": plan.did_you_mean,
        "filters": filters.view(),
        "limit": limit,
        "count": len(items),
        "more": more,
        "items": items,
    }
