"""The search index on PostgreSQL: tsvector with ts_rank_cd for words, pg_trgm for slips.

Each document's ``document`` column contains the label (weight A), keywords (B) and description
(C), with accents removed by ``public.unaccent``. The text search configuration of the
document's language stems it: ``english`` for English, ``simple`` where PostgreSQL has no
stemmer for the language. A query is run against every configuration of the languages in the
scope, because a Welsh document must be matched with the Welsh words as typed. The vocabulary
has a pg_trgm GIN index, which serves the similarity search for corrections and the LIKE
'prefix%' for completions.

The extensions live in schema ``public`` and are called schema-qualified, so the queries work
with any ``search_path``. The SQL is put together from fixed fragments and configuration
names from ``CONFIGURATIONS``; every value from a request goes in as a bind parameter.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, text

from servicelist.search import documents as d
from servicelist.search.index import STRONG, WEAK, Match, SearchIndex, Target
from servicelist.search.query import Alternative, Group, Lexicon, QueryPlan

# Text search configurations of PostgreSQL 15 by primary language subtag. Other languages use
# "simple", which removes accents and folds case but does not stem.
CONFIGURATIONS = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nb": "norwegian",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "tr": "turkish",
}
SIMPLE = "simple"
# ts_rank_cd weights of D, C, B and A: description C, keywords B, label A.
RANK_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'::float4[]"
# ts_rank_cd normalisation 1 divides by 1 + log(document length), so long descriptions that
# repeat a word do not outrank a label that names it.
RANK_NORMALISATION = 1
CORRECTION_CANDIDATES = 64
# A build of at least this many documents (a release, not a municipality) updates the
# planner's statistics.
ANALYZE_AFTER_DOCUMENTS = 500


def configuration(language: str) -> str:
    """Return the text search configuration of a BCP 47 language tag."""
    return CONFIGURATIONS.get(language.split("-")[0].lower(), SIMPLE)


def _configurations(target: Target) -> list[str]:
    """Return the configurations of the target's languages, each of which a query runs in.

    An English-only scope is queried with ``english`` alone: a ``simple`` query of the same
    words would double the tsquery, and so the ranking cost, without matching more.
    """
    return sorted({configuration(language) for language in target.languages})


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


def _scope_parameters(target: Target) -> dict[str, object]:
    parameters: dict[str, object] = {"release": target.release_scope}
    if target.local_scope is not None:
        parameters["local"] = target.local_scope
    return parameters


class _Queries:
    """Builds the tsquery of each alternative, with numbered bind parameters.

    ``alternative`` returns a placeholder ``CAST(:t<n> AS tsquery)``, and ``compute`` runs the
    expressions once and binds their results. The statement then contains constant tsqueries,
    so PostgreSQL can use the GIN index and does not recompute a tsquery for every
    document.
    """

    def __init__(self, configurations: Sequence[str]) -> None:
        self.configurations = configurations
        self.parameters: dict[str, object] = {}
        self.expressions: list[str] = []
        self.computed: dict[str, object] = {}

    def _bind(self, value: str) -> str:
        name = f"p{len(self.parameters)}"
        self.parameters[name] = value
        return f":{name}"

    def alternative(self, alternative: Alternative) -> str:
        """Return the tsquery of one alternative in every configuration, OR-ed."""
        parameter = self._bind(" ".join(alternative.words))
        if alternative.prefix:
            parts = [
                f"to_tsquery('{config}', public.unaccent({parameter}) || ':*')"
                for config in self.configurations
            ]
        else:
            parts = [
                f"phraseto_tsquery('{config}', public.unaccent({parameter}))"
                for config in self.configurations
            ]
        self.expressions.append("(" + " || ".join(parts) + ")")
        return f"CAST(:t{len(self.expressions) - 1} AS tsquery)"

    def compute(self, connection: Connection) -> dict[str, object]:
        """Run every registered tsquery expression; return the parameters of the results."""
        if not self.expressions:
            return {}
        selected = ", ".join(
            f"CAST({expression} AS text) AS t{number}"
            for number, expression in enumerate(self.expressions)
        )
        row = connection.execute(text(f"SELECT {selected}"), self.parameters).one()
        return dict(row._mapping)


class PostgresLexicon:
    """Vocabulary lookups of one target on one PostgreSQL connection."""

    def __init__(self, index: PostgresSearchIndex, connection: Connection, target: Target) -> None:
        self.index = index
        self.connection = connection
        self.target = target

    def known(self, words: Iterable[str]) -> set[str]:
        return self.index.known_words(self.connection, self.target, words)

    def matches(self, word: str) -> bool:
        queries = _Queries(_configurations(self.target))
        condition = queries.alternative(Alternative((word,)))
        sql = (
            f"SELECT 1 FROM search_document d WHERE {_scope_condition(self.target)}"  # noqa: S608
            f" AND d.document @@ {condition} LIMIT 1"
        )
        parameters = {**queries.compute(self.connection), **_scope_parameters(self.target)}
        return self.connection.execute(text(sql), parameters).first() is not None

    def corrections(self, word: str) -> list[tuple[str, int]]:
        rows = self.connection.execute(
            text(
                "SELECT word, SUM(frequency) AS frequency FROM search_vocabulary"
                " WHERE scope = ANY(:scopes) AND word OPERATOR(public.%) :word"
                " GROUP BY word ORDER BY MAX(public.similarity(word, :word)) DESC, word"
                " LIMIT :limit"
            ),
            {"scopes": list(self.target.scopes), "word": word, "limit": CORRECTION_CANDIDATES},
        )
        return sorted((row.word, int(row.frequency)) for row in rows)

    def completions(self, prefix: str, limit: int) -> list[str]:
        rows = self.connection.execute(
            text(
                "SELECT word FROM search_vocabulary"
                " WHERE scope = ANY(:scopes) AND word LIKE :pattern"
                " GROUP BY word ORDER BY SUM(frequency) DESC, word LIMIT :limit"
            ),
            {"scopes": list(self.target.scopes), "pattern": prefix + "%", "limit": limit},
        )
        return [row.word for row in rows]


class PostgresSearchIndex(SearchIndex):
    """The index on PostgreSQL with the pg_trgm and unaccent extensions in schema public."""

    def _insert_documents(
        self, connection: Connection, scope: str, documents: Sequence[d.Document]
    ) -> None:
        if not documents:
            return
        # Each text is cast to text in both places it is used, so psycopg deduces one type.
        vector = " || ".join(
            f"setweight(to_tsvector(CAST(:config AS regconfig), public.unaccent(:{field})),"
            f" '{weight}')"
            for field, weight in (("label", "A"), ("keywords", "B"), ("description", "C"))
        )
        statement = text(
            "INSERT INTO search_document"  # noqa: S608
            " (scope, service_id, language, label, keywords, description, document)"
            " VALUES (:scope, :service_id, :language, CAST(:label AS text),"
            " CAST(:keywords AS text), CAST(:description AS text),"
            f" {vector})"
        )
        connection.execute(
            statement,
            [
                {
                    "scope": scope,
                    "service_id": document.service_id,
                    "language": document.language,
                    "label": document.label,
                    "keywords": document.keywords,
                    "description": document.description,
                    "config": configuration(document.language),
                }
                for document in documents
            ],
        )

    def _after_insert(self, connection: Connection, documents: int) -> None:
        # Fresh statistics after a release's bulk insert; with the old ones the planner
        # misjudges how many documents a scope has.
        if documents >= ANALYZE_AFTER_DOCUMENTS:
            connection.execute(text("ANALYZE search_document"))
            connection.execute(text("ANALYZE search_vocabulary"))

    def _lexicon(self, connection: Connection, target: Target) -> Lexicon:
        return PostgresLexicon(self, connection, target)

    def _match(
        self, connection: Connection, target: Target, plan: QueryPlan, limit: int
    ) -> list[Match]:
        queries = _Queries(_configurations(target))
        alternatives = [item for group in plan.groups for item in [*group.strong, *group.weak]]
        frequencies = self.word_frequencies(
            connection, target, [word for item in alternatives for word in item.words]
        )
        weights = alternative_weights(alternatives, frequencies, target.documents)
        cases = [_group_cases(queries, group, weights) for group in plan.groups]

        strengths = [
            "CASE "
            + " ".join(f"WHEN d.document @@ {query} THEN {value}" for query, value, _ in group)
            + " ELSE 0 END"
            for group in cases
        ]
        scores = [
            "CASE "
            + " ".join(
                f"WHEN d.document @@ {query} THEN {value} * ({rank})"
                for query, value, rank in group
            )
            + " ELSE 0 END"
            for group in cases
        ]
        any_group = " || ".join(query for group in cases for query, _, _ in group)
        sql = (
            "SELECT m.service_id, m.language, m.scope, m.strengths, m.score,"  # noqa: S608
            " (SELECT SUM(s) FROM unnest(m.strengths) AS s) AS coverage"
            " FROM (SELECT d.service_id, d.language, d.scope,"
            f" ARRAY[{', '.join(strengths)}] AS strengths,"
            f" {' + '.join(scores)} AS score"
            " FROM search_document d"
            f" WHERE {_scope_condition(target)} AND d.document @@ ({any_group})"
            ") AS m"
            " ORDER BY coverage DESC, m.score DESC, m.service_id, m.language LIMIT :limit"
        )

        parameters = {
            **queries.compute(connection),
            **_scope_parameters(target),
            "limit": limit,
        }
        rows = connection.execute(text(sql), parameters)
        return [
            Match(
                service_id=row.service_id,
                language=row.language,
                scope=row.scope,
                coverage=int(row.coverage),
                score=float(row.score),
                strengths=tuple(int(value) for value in row.strengths),
            )
            for row in rows
        ]


def _group_cases(
    queries: _Queries, group: Group, weights: dict[Alternative, float]
) -> list[tuple[str, int, str]]:
    """Return (tsquery, strength, rank) of a group: strong first, then weak if it has any."""
    strong_parts = [(queries.alternative(item), item) for item in group.strong]
    strong = "(" + " || ".join(part for part, _ in strong_parts) + ")"
    cases = [(strong, STRONG, _rank_sum(strong_parts, weights))]
    if group.weak:
        completions = "(" + " || ".join(queries.alternative(item) for item in group.weak) + ")"
        # One rank over all completions, because they are guesses at the same unfinished
        # word. The rank uses their mean weight.
        weight = sum(weights[item] for item in group.weak) / len(group.weak)
        cases.append((f"({completions} && !!{strong})", WEAK, _rank(completions, weight)))
    return cases


def _rank(query: str, weight: float) -> str:
    return f"{weight:.4f} * ts_rank_cd({RANK_WEIGHTS}, d.document, {query}, {RANK_NORMALISATION})"


def _rank_sum(parts: Sequence[tuple[str, Alternative]], weights: dict[Alternative, float]) -> str:
    """Return the SQL sum of each alternative's rank times its weight."""
    return " + ".join(_rank(query, weights[alternative]) for query, alternative in parts)


def alternative_weights(
    alternatives: Iterable[Alternative], frequencies: dict[str, int], documents: int
) -> dict[Alternative, float]:
    """Weigh each alternative by the inverse document frequency of its words, summed.

    ts_rank_cd has no notion of how rare a word is. Without weights a label with a common word
    of the query ("Road maintenance" for "fly tipping on my road") outranks the one naming
    its rare word ("Flytipping"), and a bare "bin" outranks the synonym phrase "household
    waste collection". bm25 weighs both on SQLite. A word missing from the vocabulary counts
    as if one document contained it.
    """
    return {
        alternative: sum(
            math.log(1 + documents / (frequencies.get(word, 1) + 1)) for word in alternative.words
        )
        for alternative in alternatives
    }
