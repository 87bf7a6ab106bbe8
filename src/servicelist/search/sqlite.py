"""The search index on SQLite: FTS5 with Porter stemming for words, trigrams for slips.

``search_document_fts`` indexes label, keywords and description with the tokenizer
``porter unicode61 remove_diacritics 2``, and bm25 weighs a label match 10, a keyword match 5
and a description match 1. ``search_vocabulary_fts`` indexes every vocabulary word by its
trigrams. That gives the candidates for spelling corrections (ranked by bm25 over shared
trigrams, then rescored in Python) and the completions of a prefix (LIKE 'prefix%', which the
trigram index serves). Triggers created by migration 0005 fill both FTS tables from their
content tables, so writing the rows is enough.

The SQL is put together from fixed fragments. Every value from a request, including the FTS5
query strings, goes in as a bind parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, bindparam, insert, text

from servicelist.search import documents as d
from servicelist.search.index import (
    STRONG,
    WEAK,
    Match,
    SearchIndex,
    Target,
    strengths_of,
)
from servicelist.search.models import SearchDocument
from servicelist.search.query import Alternative, Lexicon, QueryPlan

# bm25 weights of the FTS5 columns label, keywords and description.
BM25_WEIGHTS = "10.0, 5.0, 1.0"
# Vocabulary words read as candidates for one correction, the most similar by bm25 first.
CORRECTION_CANDIDATES = 64


def _phrase(alternative: Alternative) -> str:
    """Return an FTS5 phrase. Words contain only letters and digits, so quoting is safe."""
    return '"' + " ".join(alternative.words) + '"' + ("*" if alternative.prefix else "")


def _any(alternatives: Iterable[Alternative]) -> str:
    return "(" + " OR ".join(_phrase(alternative) for alternative in alternatives) + ")"


def _scope_condition(target: Target) -> str:
    """Return the SQL condition on documents ``d`` of the target's scopes.

    A municipality's own document of a service replaces the release's documents of it.
    """
    if target.local_scope is None:
        return "d.scope = :release"
    return (
        "(d.scope = :local OR (d.scope = :release AND NOT EXISTS ("
        "SELECT 1 FROM search_document l WHERE l.scope = :local"
        " AND l.service_id = d.service_id)))"
    )


def _scope_parameters(target: Target) -> dict[str, str]:
    parameters = {"release": target.release_scope}
    if target.local_scope is not None:
        parameters["local"] = target.local_scope
    return parameters


class SqliteLexicon:
    """Vocabulary lookups of one target on one SQLite connection."""

    def __init__(self, index: SqliteSearchIndex, connection: Connection, target: Target) -> None:
        self.index = index
        self.connection = connection
        self.target = target

    def known(self, words: Iterable[str]) -> set[str]:
        return self.index.known_words(self.connection, self.target, words)

    def matches(self, word: str) -> bool:
        # As a join, SQLite would run the FTS5 query once per document of the scope.
        query = text(
            "SELECT 1 FROM search_document d WHERE d.id IN"  # noqa: S608
            " (SELECT rowid FROM search_document_fts WHERE search_document_fts MATCH :query)"
            f" AND {_scope_condition(self.target)} LIMIT 1"
        )
        parameters = {"query": _phrase(Alternative((word,))), **_scope_parameters(self.target)}
        return self.connection.execute(query, parameters).first() is not None

    def corrections(self, word: str) -> list[tuple[str, int]]:
        grams = sorted({word[index : index + 3] for index in range(len(word) - 2)})
        if not grams:
            return []
        query = text(
            "SELECT v.word, v.frequency FROM search_vocabulary_fts t"
            " JOIN search_vocabulary v ON v.id = t.rowid"
            " WHERE search_vocabulary_fts MATCH :query AND v.scope IN :scopes"
            " ORDER BY t.rank LIMIT :limit"
        ).bindparams(bindparam("scopes", expanding=True))
        rows = self.connection.execute(
            query,
            {
                "query": " OR ".join(f'"{gram}"' for gram in grams),
                "scopes": list(self.target.scopes),
                "limit": CORRECTION_CANDIDATES,
            },
        )
        found: dict[str, int] = {}
        for candidate, frequency in rows:
            found[candidate] = found.get(candidate, 0) + frequency
        return sorted(found.items())

    def completions(self, prefix: str, limit: int) -> list[str]:
        # The subquery runs the LIKE on the trigram index once. As a join, SQLite would run it
        # again for every vocabulary row of the scopes.
        query = text(
            "SELECT v.word FROM search_vocabulary v WHERE v.id IN"
            " (SELECT rowid FROM search_vocabulary_fts WHERE word LIKE :pattern)"
            " AND v.scope IN :scopes"
            " GROUP BY v.word ORDER BY SUM(v.frequency) DESC, v.word LIMIT :limit"
        ).bindparams(bindparam("scopes", expanding=True))
        rows = self.connection.execute(
            query,
            {"pattern": prefix + "%", "scopes": list(self.target.scopes), "limit": limit},
        )
        # LIKE ignores ASCII case only; the vocabulary is case-folded already.
        return [row[0] for row in rows if row[0].startswith(prefix)]


class SqliteSearchIndex(SearchIndex):
    """The index on SQLite 3.35 or newer: FTS5 with the trigram tokenizer (3.34) and
    MATERIALIZED common table expressions (3.35), which keep bm25() in its FTS5 query."""

    def _insert_documents(
        self, connection: Connection, scope: str, documents: Sequence[d.Document]
    ) -> None:
        if not documents:
            return
        connection.execute(
            insert(SearchDocument),
            [
                {
                    "scope": scope,
                    "service_id": document.service_id,
                    "language": document.language,
                    "label": document.label,
                    "keywords": document.keywords,
                    "description": document.description,
                }
                for document in documents
            ],
        )

    def _after_insert(self, connection: Connection, documents: int) -> None:
        """Do nothing: the FTS5 tables keep their own statistics for bm25."""

    def _lexicon(self, connection: Connection, target: Target) -> Lexicon:
        return SqliteLexicon(self, connection, target)

    def _match(
        self, connection: Connection, target: Target, plan: QueryPlan, limit: int
    ) -> list[Match]:
        selects: list[str] = []
        parameters: dict[str, object] = {**_scope_parameters(target), "limit": limit}
        for number, group in enumerate(plan.groups):
            strong = _any(group.strong)
            queries = [(f"s{number}", strong, STRONG)]
            if group.weak:
                queries.append((f"w{number}", f"{_any(group.weak)} NOT {strong}", WEAK))
            for name, match, strength in queries:
                parameters[name] = match
                selects.append(
                    f"SELECT rowid AS id, {number} AS grp, {strength} AS strength,"  # noqa: S608
                    f" -bm25(search_document_fts, {BM25_WEIGHTS}) AS score"
                    f" FROM search_document_fts WHERE search_document_fts MATCH :{name}"
                )
        sql = (
            f"WITH m AS MATERIALIZED ({' UNION ALL '.join(selects)})"  # noqa: S608
            " SELECT d.service_id, d.language, d.scope, SUM(m.strength) AS coverage,"
            " SUM(m.score * m.strength) AS score,"
            " group_concat(m.grp || ':' || m.strength) AS groups"
            " FROM m JOIN search_document d ON d.id = m.id"
            f" WHERE {_scope_condition(target)}"
            " GROUP BY d.id ORDER BY coverage DESC, score DESC, d.service_id, d.language"
            " LIMIT :limit"
        )
        rows = connection.execute(text(sql), parameters)
        return [
            Match(
                service_id=row.service_id,
                language=row.language,
                scope=row.scope,
                coverage=int(row.coverage),
                score=float(row.score),
                strengths=strengths_of(row.groups, len(plan.groups)),
            )
            for row in rows
        ]
