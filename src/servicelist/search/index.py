"""The search index: one interface, an implementation per database (SQLite FTS5, PostgreSQL).

``SearchIndex`` keeps the documents of each scope up to date and runs a planned query. The
subclasses write the documents and match them with the database's own full-text search:
``SqliteSearchIndex`` in ``sqlite.py`` and ``PostgresSearchIndex`` in ``postgres.py``.

Consistency with writes: the documents of a scope record what they were built from (the
catalogue version of a release, the revision of a municipality). A release's documents are
built on the first search of that release, because releases never change. A municipality's
documents are rebuilt before a search whenever its revision differs, since every write to a
municipality increments it. The rebuild is cheap: only local services and services with local
wording have documents of their own. Writers therefore need no hook, and a search never reads
documents older than the catalogue it shows.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from servicelist.catalogue.snapshot import Catalogue
from servicelist.municipalities.effective import LocalCatalogue
from servicelist.municipalities.repository import now
from servicelist.search import documents as d
from servicelist.search.models import SearchDocument, SearchScope, SearchVocabulary
from servicelist.search.query import Lexicon, QueryPlan, plan_query
from servicelist.search.synonyms import SynonymTable

log = logging.getLogger(__name__)

# Ranked documents read per search, before filters and before merging languages. A query
# matching more documents is cut to the best ones.
# NOTE: a filter applies after the cut, so a very common word with a narrow filter can miss
# services ranked below the first 1,000 documents.
MAX_CANDIDATES = 1000
STRONG = 2
WEAK = 1


@dataclass(frozen=True, slots=True)
class Target:
    """The scopes one search reads.

    ``local_scope`` documents replace the ``release_scope`` documents of the same service.
    ``languages`` are the languages of the documents, because PostgreSQL queries each
    language's text search configuration. ``documents`` counts the release's documents, for
    weighing rare words above common ones.
    """

    release_scope: str
    local_scope: str | None = None
    languages: tuple[str, ...] = ("en",)
    documents: int = 1

    @property
    def scopes(self) -> tuple[str, ...]:
        if self.local_scope is None:
            return (self.release_scope,)
        return (self.release_scope, self.local_scope)


@dataclass(frozen=True, slots=True)
class Match:
    """A matching document: its service, language and scope, how well and which groups."""

    service_id: str
    language: str
    scope: str
    coverage: int
    score: float
    strengths: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ScopeState:
    """Build state of a scope's stored documents: their source, revision, languages and count."""

    source: str
    revision: int
    languages: tuple[str, ...]
    documents: int


class SearchIndex(ABC):
    """Documents per scope, kept in step with the catalogue, and ranked matching."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._states: dict[str, ScopeState] = {}
        # Scope to (source, word frequencies). A release's words are a few thousand entries,
        # a municipality's only those of its own documents.
        self._vocabularies: dict[str, tuple[str, dict[str, int]]] = {}
        self._lock = threading.Lock()

    # Keeping the documents up to date

    def rebuild_release(self, catalogue: Catalogue) -> Target:
        """Index the standard services of ``catalogue`` unless they are indexed already."""
        # Lists loaded before releases were recorded have no number until the next load.
        scope = d.release_scope(catalogue.release if catalogue.release is not None else 0)
        state = self._states.get(scope)
        if state is None or state.source != catalogue.version:
            state = self._build(scope, catalogue.version, 0, lambda: d.release_documents(catalogue))
        return Target(release_scope=scope, languages=state.languages, documents=state.documents)

    def sync_municipality(self, local: LocalCatalogue) -> Target:
        """Index a municipality's own documents if its revision changed since the last time.

        Also indexes the municipality's release when needed. The local documents are built
        from ``local``, the catalogue the search then shows, unless documents of a newer
        revision are stored already.
        """
        release = self.rebuild_release(local.catalogue)
        municipality = local.municipality
        scope = d.municipality_scope(municipality.id)
        source = f"{municipality.release}:{municipality.revision}"
        state = self._states.get(scope)
        if state is None or state.revision < municipality.revision:
            state = self._build(
                scope, source, municipality.revision, lambda: d.municipality_documents(local)
            )
        languages = dict.fromkeys([*release.languages, *state.languages, *municipality.languages])
        return Target(
            release_scope=release.release_scope,
            local_scope=scope,
            languages=tuple(languages),
            documents=release.documents,
        )

    def _build(
        self,
        scope: str,
        source: str,
        revision: int,
        build: Callable[[], list[d.Document]],
    ) -> ScopeState:
        """Replace the documents of ``scope`` unless the stored ones are as new; return them.

        One transaction locks the scope's state row first, so concurrent builders of one scope
        wait for each other and the later one finds the work done.
        """
        with self.engine.connect() as connection:
            stored = self._read_state(connection, scope)
        if stored is not None and _current(stored, source, revision):
            return self._remember(scope, stored)

        documents: list[d.Document] = build()
        words = d.vocabulary(documents)
        started = time.perf_counter()
        with self.engine.begin() as connection:
            self._insert_missing_state(connection, scope)
            stored = self._read_state(connection, scope, lock=True)
            if stored is not None and _current(stored, source, revision):
                return self._remember(scope, stored)
            connection.execute(delete(SearchDocument).where(col(SearchDocument.scope) == scope))
            connection.execute(delete(SearchVocabulary).where(col(SearchVocabulary.scope) == scope))
            self._insert_documents(connection, scope, documents)
            if words:
                connection.execute(
                    insert(SearchVocabulary),
                    [
                        {"scope": scope, "word": word, "frequency": count}
                        for word, count in sorted(words.items())
                    ],
                )
            self._after_insert(connection, len(documents))
            languages = sorted({document.language for document in documents})
            connection.execute(
                update(SearchScope)
                .where(col(SearchScope.scope) == scope)
                .values(
                    source=source,
                    revision=revision,
                    languages=languages,
                    documents=len(documents),
                    words=len(words),
                    built_at=now(),
                )
            )
        log.info(
            "search scope indexed",
            extra={
                "scope": scope,
                "source": source,
                "documents": len(documents),
                "words": len(words),
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
        with self._lock:
            self._vocabularies[scope] = (source, dict(words))
        return self._remember(scope, ScopeState(source, revision, tuple(languages), len(documents)))

    def _remember(self, scope: str, state: ScopeState) -> ScopeState:
        with self._lock:
            self._states[scope] = state
        return state

    def _read_state(
        self, connection: Connection, scope: str, *, lock: bool = False
    ) -> ScopeState | None:
        query = select(SearchScope).where(col(SearchScope.scope) == scope)
        if lock:
            query = query.with_for_update()
        row = connection.execute(query).first()
        if row is None or row.revision < 0:
            return None
        return ScopeState(row.source, row.revision, tuple(row.languages), row.documents)

    def _insert_missing_state(self, connection: Connection, scope: str) -> None:
        """Insert an empty state row for ``scope`` unless one exists (revision -1: not built).

        On SQLite the insert also takes the database's write lock for the transaction.
        """
        values = {
            "scope": scope,
            "source": "",
            "revision": -1,
            "languages": [],
            "documents": 0,
            "words": 0,
            "built_at": now(),
        }
        if self.engine.dialect.name == "postgresql":
            connection.execute(
                postgresql.insert(SearchScope).values(**values).on_conflict_do_nothing()
            )
        else:
            connection.execute(sqlite.insert(SearchScope).values(**values).on_conflict_do_nothing())

    # Searching

    def search(
        self, target: Target, query: str, synonyms: SynonymTable
    ) -> tuple[QueryPlan, list[Match]]:
        """Plan ``query`` against the words of ``target`` and return the ranked matches.

        Matches come best first: by coverage (the sum over groups of 2 for a strong match
        and 1 for a weak one), then by relevance score. A service may match in several
        languages.
        """
        with self.engine.connect() as connection:
            lexicon = self._lexicon(connection, target)
            plan = plan_query(query, synonyms, lexicon)
            matches = self._match(connection, target, plan, MAX_CANDIDATES)
        return plan, matches

    def vocabulary(self, connection: Connection, scope: str) -> dict[str, int]:
        """Return the words of a scope with their document frequencies, cached per build.

        The cache saves a query per search word. On PostgreSQL that query is also slow,
        because the planner prefers the pg_trgm index for equality, which costs about 20 ms
        on the bundled vocabulary of some 5,000 words.
        """
        state = self._states.get(scope)
        source = state.source if state is not None else ""
        cached = self._vocabularies.get(scope)
        if cached is not None and cached[0] == source:
            return cached[1]
        rows = connection.execute(
            select(col(SearchVocabulary.word), col(SearchVocabulary.frequency)).where(
                col(SearchVocabulary.scope) == scope
            )
        )
        counts = {word: int(frequency) for word, frequency in rows}
        with self._lock:
            self._vocabularies[scope] = (source, counts)
        return counts

    def word_frequencies(
        self, connection: Connection, target: Target, words: Iterable[str]
    ) -> dict[str, int]:
        """Return how many documents of ``target`` contain each of ``words`` that occurs."""
        found: dict[str, int] = {}
        for scope in target.scopes:
            counts = self.vocabulary(connection, scope)
            for word in set(words):
                if word in counts:
                    found[word] = found.get(word, 0) + counts[word]
        return found

    def known_words(self, connection: Connection, target: Target, words: Iterable[str]) -> set[str]:
        """Return those of ``words`` that the vocabulary of ``target`` contains."""
        return set(self.word_frequencies(connection, target, words))

    # What each database does its own way

    @abstractmethod
    def _insert_documents(
        self, connection: Connection, scope: str, documents: Sequence[d.Document]
    ) -> None:
        """Insert the documents of a scope, with whatever the database's full-text index needs."""

    @abstractmethod
    def _after_insert(self, connection: Connection, documents: int) -> None:
        """Run after a scope's documents were inserted, in the same transaction."""

    @abstractmethod
    def _lexicon(self, connection: Connection, target: Target) -> Lexicon:
        """Return the vocabulary lookups of ``target`` on ``connection``."""

    @abstractmethod
    def _match(
        self, connection: Connection, target: Target, plan: QueryPlan, limit: int
    ) -> list[Match]:
        """Return up to ``limit`` matching documents of ``target``, best first."""


def _current(stored: ScopeState, source: str, revision: int) -> bool:
    """Return whether stored documents are at least as new as the ones ``source`` would give.

    A release's source is its catalogue version, which only equality can compare. A
    municipality's documents are current when their revision is the same or newer.
    """
    if revision == 0:
        return stored.source == source
    return stored.revision >= revision


def strengths_of(encoded: str | None, groups: int) -> tuple[int, ...]:
    """Decode "group:strength" pairs, comma-separated, into a strength per group."""
    strengths = [0] * groups
    for pair in (encoded or "").split(","):
        if not pair:
            continue
        group, _, strength = pair.partition(":")
        strengths[int(group)] = max(strengths[int(group)], int(strength))
    return tuple(strengths)
