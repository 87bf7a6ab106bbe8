"""Keyset pagination with opaque cursors and RFC 8288 ``Link`` headers.

A cursor encodes the sort key (position, identifier) of the last item of a page; the next page
starts after it, so pages stay stable while earlier items are read. Cursors are base64url text
that clients must pass back unchanged.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.datastructures import URL

from servicelist.errors import InvalidCursor
from servicelist.lists.records import ItemRecord

_PREFIX = "k1:"


def encode_cursor(item: ItemRecord) -> str:
    """Return the cursor that starts the page after ``item``."""
    raw = f"{_PREFIX}{item.position}:{item.identifier}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    """Return the (position, identifier) key in ``cursor`` or raise ``InvalidCursor``."""
    problem = InvalidCursor(
        f"The cursor {cursor[:80]!r} is not one this API issued. Pass back the "
        "'next_cursor' of the previous page unchanged, or omit 'cursor' to start again.",
        parameter="cursor",
        value=cursor[:200],
    )
    if len(cursor) > 200:
        raise problem
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise problem from None
    if not raw.startswith(_PREFIX):
        raise problem
    position, separator, identifier = raw[len(_PREFIX) :].partition(":")
    if not separator or not identifier or not position.lstrip("-").isdigit():
        raise problem
    return int(position), identifier


@dataclass(frozen=True, slots=True)
class Page:
    """The items of one page and the cursor of the next, if any."""

    items: Sequence[ItemRecord]
    next_cursor: str | None


def paginate(items: Sequence[ItemRecord], cursor: str | None, limit: int) -> Page:
    """Return the page of ``limit`` items after ``cursor``; ``items`` are in key order."""
    start = 0
    if cursor is not None:
        key = decode_cursor(cursor)
        start = _first_after(items, key)
    page = items[start : start + limit]
    has_more = start + limit < len(items)
    return Page(items=page, next_cursor=encode_cursor(page[-1]) if has_more and page else None)


def _first_after(items: Sequence[ItemRecord], key: tuple[int, str]) -> int:
    low, high = 0, len(items)
    while low < high:
        middle = (low + high) // 2
        item = items[middle]
        if (item.position, item.identifier) <= key:
            low = middle + 1
        else:
            high = middle
    return low


def next_link(url: URL, cursor: str | None) -> tuple[str | None, str | None]:
    """Return the URL of the next page and its ``Link`` header value, or (None, None)."""
    if cursor is None:
        return None, None
    target = str(url.include_query_params(cursor=cursor))
    return target, f'<{target}>; rel="next"'
