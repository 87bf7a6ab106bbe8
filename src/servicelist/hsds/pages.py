"""HSDS pages: numbered pages with the fields of the HSDS ``Page`` schema, and text search."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

PER_PAGE_DEFAULT = 100
PER_PAGE_MAX = 1000
# Fully nested services carry every schedule and attribute, about 15 KB each for a seeded
# council, so a full page is limited further.
PER_PAGE_FULL_MAX = 100


def page_of(
    items: Sequence[T], page_number: int, per_page: int
) -> tuple[Sequence[T], dict[str, Any]]:
    """Return the items of page ``page_number`` (from 1) and the HSDS paging fields.

    A page after the last is empty: ``contents`` is [] and ``empty`` is true.
    """
    total = len(items)
    total_pages = -(-total // per_page)
    start = (page_number - 1) * per_page
    chosen = items[start : start + per_page]
    fields = {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(chosen),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not chosen,
    }
    return chosen, fields


def search_words(search: str | None) -> list[str]:
    """Return the case-folded words of a ``search`` parameter; every word must match."""
    return search.casefold().split() if search else []


def matches(words: list[str], texts: Iterable[str | None]) -> bool:
    """Return whether every word occurs in one of ``texts``, ignoring case."""
    if not words:
        return True
    haystack = " ".join(text for text in texts if text).casefold()
    return all(word in haystack for word in words)
