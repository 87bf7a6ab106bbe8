"""Synonyms: the words callers use, mapped to the words of the service labels and descriptions.

The authored file ``data/authored/synonyms.csv`` (columns ``term``, ``expansion``, ``note``)
applies to every search. A municipality adds its own pairs through the API, and they apply
to its searches only. A term matches whole words of the query. Matching ignores case and
accents and applies a rough singular (``text.singular``), so the term "bin" also matches
"bins". An expansion is searched as a phrase, so "household waste collection" needs those
words in that order (each one stemmed by the database).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from servicelist.errors import ImportRejected, RowError
from servicelist.search import text

AUTHORED_FILE = Path("authored") / "synonyms.csv"
AUTHORED_COLUMNS = ("term", "expansion", "note")
MAX_TERM_CHARACTERS = 100
MAX_TERM_WORDS = 6
MAX_EXPANSION_CHARACTERS = 200
MAX_EXPANSION_WORDS = 10
# A municipality's list is replaced as a whole, so this bounds the body and the table.
MAX_MUNICIPAL_ENTRIES = 1000


@dataclass(frozen=True, slots=True)
class Synonym:
    """One term and one expansion, with their normalised words."""

    term: str
    expansion: str
    term_key: tuple[str, ...]
    expansion_words: tuple[str, ...]
    source: str


def make_synonym(term: str, expansion: str, source: str) -> Synonym:
    """Return the synonym of two texts. Check them with ``check_pair`` first."""
    return Synonym(
        term=term,
        expansion=expansion,
        term_key=tuple(text.singular(word) for word in text.words(term)),
        expansion_words=tuple(text.words(expansion)),
        source=source,
    )


def check_pair(term: str, expansion: str) -> list[tuple[str, str]]:
    """Return (column, reason) for each problem of one pair; empty when it is acceptable."""
    problems: list[tuple[str, str]] = []
    for column, value, max_characters, max_words in (
        ("term", term, MAX_TERM_CHARACTERS, MAX_TERM_WORDS),
        ("expansion", expansion, MAX_EXPANSION_CHARACTERS, MAX_EXPANSION_WORDS),
    ):
        found = text.words(value)
        if len(value) > max_characters:
            problems.append((column, f"longer than {max_characters} characters"))
        elif not found:
            problems.append((column, "contains no letters or digits"))
        elif len(found) > max_words:
            problems.append((column, f"has {len(found)} words; at most {max_words} are allowed"))
    if not problems and _singular_words(term) == _singular_words(expansion):
        problems.append(("expansion", "is the same words as the term"))
    return problems


def _singular_words(value: str) -> list[str]:
    return [text.singular(word) for word in text.words(value)]


def check_entries(
    entries: Sequence[tuple[str, str]], *, first_row: int = 1, source: str
) -> tuple[list[Synonym], list[RowError]]:
    """Check pairs of (term, expansion); return the synonyms and an error per bad value.

    ``first_row`` is the row number of the first pair in error reports. A pair that repeats
    an earlier one after normalisation is an error, so every pair counts once.
    """
    synonyms: list[Synonym] = []
    errors: list[RowError] = []
    seen: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
    for offset, (term, expansion) in enumerate(entries):
        row = first_row + offset
        problems = check_pair(term, expansion)
        for column, reason in problems:
            value = term if column == "term" else expansion
            errors.append(RowError(row, column, value[:200], reason))
        if problems:
            continue
        synonym = make_synonym(term, expansion, source)
        key = (synonym.term_key, synonym.expansion_words)
        if key in seen:
            errors.append(
                RowError(row, "expansion", expansion[:200], f"repeats the pair of row {seen[key]}")
            )
            continue
        seen[key] = row
        synonyms.append(synonym)
    return synonyms, errors


def parse_authored(data: bytes, *, name: str = str(AUTHORED_FILE)) -> list[Synonym]:
    """Read the authored synonyms CSV; raise ``ImportRejected`` listing every bad row.

    Rows are numbered as a spreadsheet numbers them: the header is row 1.
    """
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            f"{name} is not UTF-8", [RowError(0, None, None, str(error))]
        ) from None
    reader = csv.DictReader(io.StringIO(content, newline=""))
    missing = [column for column in AUTHORED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected(
            f"{name} lacks the columns {', '.join(missing)}",
            [RowError(1, column, None, "missing column") for column in missing],
        )
    rows = list(reader)
    errors = [
        RowError(number, "note", None, "empty; say why callers use the term")
        for number, row in enumerate(rows, start=2)
        if not (row.get("note") or "").strip()
    ]
    synonyms, pair_errors = check_entries(
        [(row["term"] or "", row["expansion"] or "") for row in rows],
        first_row=2,
        source="authored",
    )
    errors.extend(pair_errors)
    if errors:
        raise ImportRejected(f"{name} has {len(errors)} invalid values", errors)
    return synonyms


def read_authored(data_dir: Path) -> list[Synonym]:
    """Read ``authored/synonyms.csv`` from the data folder."""
    path = data_dir / AUTHORED_FILE
    return parse_authored(path.read_bytes(), name=path.name)


class SynonymTable:
    """Synonyms indexed by the first word of their term, for matching query words."""

    def __init__(self, synonyms: Iterable[Synonym] = ()) -> None:
        self._by_first: dict[str, list[Synonym]] = {}
        self._longest = 0
        for synonym in synonyms:
            self._add(synonym)

    def _add(self, synonym: Synonym) -> None:
        self._by_first.setdefault(synonym.term_key[0], []).append(synonym)
        self._longest = max(self._longest, len(synonym.term_key))

    def extended(self, synonyms: Iterable[Synonym]) -> SynonymTable:
        """Return a table with these synonyms besides the ones of this table."""
        table = SynonymTable()
        table._by_first = {first: list(found) for first, found in self._by_first.items()}
        table._longest = self._longest
        for synonym in synonyms:
            table._add(synonym)
        return table

    def __len__(self) -> int:
        return sum(len(found) for found in self._by_first.values())

    def longest_match(self, keys: Sequence[str], start: int) -> tuple[int, list[Synonym]]:
        """Return the number of words of the longest term at ``keys[start:]`` and its synonyms.

        ``keys`` are the singular forms of the query words. Returns (0, []) without a match.
        """
        candidates = self._by_first.get(keys[start], [])
        best = 0
        found: list[Synonym] = []
        for synonym in candidates:
            length = len(synonym.term_key)
            if tuple(keys[start : start + length]) != synonym.term_key or length < best:
                continue
            if length > best:
                best, found = length, []
            found.append(synonym)
        return best, found
