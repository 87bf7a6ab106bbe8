"""Turn what a caller typed into groups of alternatives for the index to match.

Each group stands for one query word, or for several words that form a synonym term or a
compound. A document matches a group strongly when it contains one of the group's strong
alternatives: the words themselves, a synonym's expansion, a spelling correction, the words
joined into one ("fly tipping" to "flytipping") or one word split in two ("streetlight" to
"street light"). It matches weakly when it only contains a completion of the last word, which
the caller may still be typing. Documents are ranked by how many groups they match, strong
before weak, and then by the database's relevance score.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from servicelist.search import text
from servicelist.search.synonyms import SynonymTable

# Query words beyond this many (after dropping stopwords) are ignored, which bounds the SQL.
MAX_GROUPS = 8
# Alternatives kept per group, counting synonyms first.
MAX_ALTERNATIVES = 16
# Completions of the last word, the most frequent first.
MAX_COMPLETIONS = 12
# Shortest word that is completed as a prefix or corrected for spelling.
MIN_PREFIX_LENGTH = 2
MIN_CORRECTION_LENGTH = 3
# Shortest part when one unknown word is split into two known words.
MIN_SPLIT_PART = 3
# Trigram similarity a correction needs; "recyling" and "recycling" have 0.58.
MIN_SIMILARITY = 0.4


class Lexicon(Protocol):
    """Vocabulary lookups that the planner needs from the index of the searched scopes."""

    def known(self, words: Iterable[str]) -> set[str]:
        """Return those of ``words`` that occur in the vocabulary."""
        ...

    def matches(self, word: str) -> bool:
        """Return whether some document matches ``word`` after stemming."""
        ...

    def corrections(self, word: str) -> list[tuple[str, int]]:
        """Return vocabulary words similar to ``word`` with their document frequencies."""
        ...

    def completions(self, prefix: str, limit: int) -> list[str]:
        """Return vocabulary words that start with ``prefix``, the most frequent first."""
        ...


@dataclass(frozen=True, slots=True)
class Alternative:
    """Words searched as a phrase; with ``prefix`` the last word may continue."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(slots=True)
class Group:
    """One or more query words and the alternatives a document may match them with."""

    words: tuple[str, ...]
    strong: list[Alternative]
    weak: list[Alternative] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    correction: str | None = None
    joined: str | None = None
    split: tuple[str, str] | None = None
    completions: list[str] = field(default_factory=list)

    def add_strong(self, alternative: Alternative) -> None:
        if alternative not in self.strong and len(self.strong) < MAX_ALTERNATIVES:
            self.strong.append(alternative)

    def view(self) -> dict[str, Any]:
        """Return how the group was read, for the response."""
        return {
            "words": " ".join(self.words),
            "synonyms": self.synonyms,
            "corrected_to": self.correction,
            "joined": self.joined,
            "split": " ".join(self.split) if self.split else None,
            "completions": self.completions,
        }


@dataclass(slots=True)
class QueryPlan:
    """The groups of a query, the words left out and the words after spelling corrections."""

    query: str
    groups: list[Group]
    ignored: list[str]
    corrected_words: list[str] | None = None

    @property
    def did_you_mean(self) -> str | None:
        """Return the query with its corrections, or None when nothing was corrected."""
        return " ".join(self.corrected_words) if self.corrected_words else None

    def words_view(self) -> list[dict[str, Any]]:
        return [group.view() for group in self.groups]


# A run of query words [start, end) and the expansions of the synonym term it is, if any.
Span = tuple[int, int, list[str]]


def _spans(words: Sequence[str], synonyms: SynonymTable) -> list[Span]:
    """Split the words into synonym terms, the longest term first, and single words."""
    keys = [text.singular(word) for word in words]
    spans: list[Span] = []
    start = 0
    while start < len(words):
        length, found = synonyms.longest_match(keys, start)
        if length:
            expansions = [" ".join(synonym.expansion_words) for synonym in found]
            spans.append((start, start + length, expansions))
            start += length
        else:
            spans.append((start, start + 1, []))
            start += 1
    return spans


def _content_spans(words: Sequence[str], spans: list[Span]) -> tuple[list[Span], list[str]]:
    """Drop single stopwords unless nothing else is left, and spans beyond ``MAX_GROUPS``.

    Returns the spans kept and the words left out.
    """
    content = [span for span in spans if span[2] or words[span[0]] not in text.STOPWORDS]
    if not content:
        content = spans
    ignored = [" ".join(words[span[0] : span[1]]) for span in spans if span not in content]
    ignored.extend(" ".join(words[span[0] : span[1]]) for span in content[MAX_GROUPS:])
    return content[:MAX_GROUPS], ignored


@dataclass(slots=True)
class _WordHelp:
    """Completions, split and correction of one query word."""

    completions: list[str] = field(default_factory=list)
    split: tuple[str, str] | None = None
    correction: str | None = None


def plan_query(query: str, synonyms: SynonymTable, lexicon: Lexicon) -> QueryPlan:
    """Read ``query`` into groups of alternatives, asking ``lexicon`` about unknown words.

    Two neighbouring words that the vocabulary contains as one word are joined. The other words
    outside synonym terms that no document contains are corrected, and synonym terms are then
    looked up again in the corrected words, so "recyling bin" finds the synonyms of
    "recycling bin". The caller has checked that the query has a word.
    """
    words = text.words(query)
    spans, ignored = _content_spans(words, _spans(words, synonyms))
    singles = [span[0] for span in spans if not span[2]]
    pairs = {
        (first[0], second[0]): words[first[0]] + words[second[0]]
        for first, second in itertools.pairwise(spans)
        if not first[2] and not second[2]
    }
    known = lexicon.known({words[position] for position in singles} | set(pairs.values()))
    joins: dict[int, int] = {}
    for (first, second), joined in pairs.items():
        if joined in known and first not in joins.values() and first not in joins:
            joins[first] = second
    joined_positions = set(joins) | set(joins.values())

    # The caller may still be typing the last word unless the query ends with a space.
    typing = len(words) - 1 if query and not query[-1].isspace() else None
    helps = {
        position: _help(words[position], lexicon, known, complete=position == typing)
        for position in singles
        if position not in joined_positions
    }
    corrected = list(words)
    for position, found in helps.items():
        if found.correction is not None:
            corrected[position] = found.correction
    if corrected != words:
        spans, ignored = _content_spans(corrected, _spans(corrected, synonyms))

    groups: list[Group] = []
    index = 0
    while index < len(spans):
        start, end, expansions = spans[index]
        following = spans[index + 1] if index + 1 < len(spans) else None
        if expansions:
            groups.append(_synonym_group(words[start:end], corrected[start:end], expansions))
        elif following is not None and not following[2] and joins.get(start) == following[0]:
            pair = (words[start], words[following[0]])
            groups.append(
                Group(
                    words=pair,
                    strong=[Alternative(pair), Alternative(("".join(pair),))],
                    joined="".join(pair),
                )
            )
            index += 1
        else:
            groups.append(_word_group(words[start], helps.get(start, _WordHelp())))
        index += 1
    return QueryPlan(
        query=query,
        groups=groups,
        ignored=ignored,
        corrected_words=corrected if corrected != words else None,
    )


def _synonym_group(
    original: Sequence[str], corrected: Sequence[str], expansions: list[str]
) -> Group:
    group = Group(words=tuple(original), strong=[Alternative(tuple(corrected))])
    if list(corrected) != list(original):
        group.correction = " ".join(corrected)
    for expansion in expansions:
        group.add_strong(Alternative(tuple(expansion.split())))
    group.synonyms = [" ".join(alternative.words) for alternative in group.strong[1:]]
    return group


def _help(word: str, lexicon: Lexicon, known: set[str], *, complete: bool) -> _WordHelp:
    """Look up one word: its completions when the caller may still be typing it, and for a
    word no document contains, a split into two known words or else a correction."""
    found = _WordHelp()
    if complete and len(word) >= MIN_PREFIX_LENGTH:
        found.completions = [
            completion
            for completion in lexicon.completions(word, MAX_COMPLETIONS + 1)
            if completion != word
        ][:MAX_COMPLETIONS]
    if word in known or found.completions or lexicon.matches(word):
        return found
    found.split = _split(word, lexicon)
    if found.split is None:
        found.correction = _correction(word, lexicon)
    return found


def _word_group(word: str, found: _WordHelp) -> Group:
    group = Group(words=(word,), strong=[Alternative((word,))])
    group.completions = found.completions
    if found.completions:
        group.weak = [Alternative((word,), prefix=True)] + [
            Alternative((completion,)) for completion in found.completions
        ]
    if found.split is not None:
        group.split = found.split
        group.add_strong(Alternative(found.split))
    if found.correction is not None:
        group.correction = found.correction
        group.add_strong(Alternative((found.correction,)))
    return group


def _split(word: str, lexicon: Lexicon) -> tuple[str, str] | None:
    """Return two known words that ``word`` is written from, such as "street" "light"."""
    candidates = [
        (word[:cut], word[cut:]) for cut in range(MIN_SPLIT_PART, len(word) - MIN_SPLIT_PART + 1)
    ]
    if not candidates:
        return None
    known = lexicon.known({part for pair in candidates for part in pair})
    found = [pair for pair in candidates if pair[0] in known and pair[1] in known]
    if not found:
        return None
    # The most even split is the likeliest reading ("streetlight": street light, not stre...).
    return min(found, key=lambda pair: abs(len(pair[0]) - len(pair[1])))


def _correction(word: str, lexicon: Lexicon) -> str | None:
    """Return the vocabulary word most similar to ``word``, or None when none is close.

    Ties go to the word more documents contain, then to alphabetical order. Words with digits
    are left as typed, because a slip in a number is no spelling slip.
    """
    if len(word) < MIN_CORRECTION_LENGTH or any(char.isdigit() for char in word):
        return None
    scored = [
        (text.similarity(word, candidate), frequency, candidate)
        for candidate, frequency in lexicon.corrections(word)
    ]
    eligible = [item for item in scored if item[0] >= MIN_SIMILARITY]
    if not eligible:
        return None
    return min(eligible, key=lambda item: (-item[0], -item[1], item[2]))[2]
