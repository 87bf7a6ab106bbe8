"""Text normalisation shared by the index and the queries, so both see the same words.

A word is a run of letters and digits after case folding and the removal of combining
accents (NFKD), so "Café" and "cafe" are the same word. Stemming is left to the database:
SQLite's Porter tokenizer and PostgreSQL's text search configurations.
"""

from __future__ import annotations

import re
import unicodedata

WORD = re.compile(r"[^\W_]+")
# Words longer than this are not indexed in the vocabulary and are ignored in queries.
MAX_WORD_LENGTH = 64

# English function words that callers put around what they need ("how do I get a parking
# permit"). A query made only of these keeps them.
STOPWORDS = frozenset(
    """
    a about an and are as at be been by can could do does for from get got had has have how
    i if in into is it its me my need of on or our please should so that the their them then
    there these they this to was we what when where which who why will with would you your
    """.split()  # noqa: SIM905 - a word list reads better as text than as 62 quoted strings
)


def normalise(text: str) -> str:
    """Return ``text`` case-folded and without combining accents."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    """Return the normalised words of ``text`` in order, without the over-long ones."""
    return [word for word in WORD.findall(normalise(text)) if len(word) <= MAX_WORD_LENGTH]


def singular(word: str) -> str:
    """Return a rough English singular of ``word``, used only to match synonym terms.

    "bins" and "bin" or "nappies" and "nappy" then find the same synonym. The rule is applied
    to the terms and to the query alike, so a wrong singular ("news" to "new") only merges
    two spellings.
    """
    if len(word) <= 3:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def trigrams(word: str) -> frozenset[str]:
    """Return the trigrams of one normalised word, padded as pg_trgm pads them.

    pg_trgm puts two spaces before a word and one after it, so "bin" gives "  b", " bi", "bin"
    and "in ".
    """
    padded = f"  {word} "
    return frozenset(padded[index : index + 3] for index in range(len(padded) - 2))


def similarity(first: str, second: str) -> float:
    """Return the trigram similarity of two words: shared trigrams over all trigrams.

    It is the measure of pg_trgm's ``similarity()`` for single words, so both databases pick
    the same corrections from the same candidates.
    """
    a = trigrams(first)
    b = trigrams(second)
    union = len(a | b)
    return len(a & b) / union if union else 0.0
