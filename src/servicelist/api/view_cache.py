"""Built responses of a municipality's read views, reused until the municipality changes.

Every write to a municipality's catalogue bumps its ``revision`` (see
``municipalities.repository.lock_municipality``), and the release a municipality adopted never
changes its content. A view built for one request URL, revision and release is therefore the
same for every later request with the same three, so a worker keeps it and serves repeated
requests, and revalidations with 304, without rebuilding it. A key with an older revision is
never requested again once the write is committed, and least recently used entries go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from starlette.applications import Starlette

from servicelist.api.state import Representation

# Per worker. The largest views (an HSDS page of full services, a whole organization) are
# 1-2 MB plus their gzip copy; larger ones are not kept.
MAX_BYTES = 64 * 1024 * 1024
MAX_ENTRY_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CachedView:
    """A built response body with the headers that belong to it (such as ``Link``)."""

    representation: Representation
    headers: tuple[tuple[str, str], ...]

    @property
    def size(self) -> int:
        gzip_size = len(self.representation.gzip_body or b"")
        return len(self.representation.body) + gzip_size


class ViewCache:
    """A thread-safe LRU of ``CachedView`` bounded by the bytes of the bodies it keeps."""

    def __init__(self, max_bytes: int = MAX_BYTES, max_entry_bytes: int = MAX_ENTRY_BYTES) -> None:
        self._entries: OrderedDict[Hashable, CachedView] = OrderedDict()
        self._bytes = 0
        self._max_bytes = max_bytes
        self._max_entry_bytes = max_entry_bytes
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> CachedView | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, view: CachedView) -> None:
        if view.size > self._max_entry_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= previous.size
            self._entries[key] = view
            self._bytes += view.size
            while self._bytes > self._max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size

    @property
    def bytes(self) -> int:
        return self._bytes


_CREATE_LOCK = threading.Lock()


def view_cache(app: Starlette) -> ViewCache:
    """Return the view cache of ``app``, created on first use."""
    with _CREATE_LOCK:
        cache: ViewCache | None = getattr(app.state, "municipal_view_cache", None)
        if cache is None:
            cache = ViewCache()
            app.state.municipal_view_cache = cache
        return cache
