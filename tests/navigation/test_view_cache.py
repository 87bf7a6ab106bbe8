"""The per-worker cache of built municipal views: bounded by bytes, least recently used out."""

from __future__ import annotations

from servicelist.api.state import Representation
from servicelist.api.view_cache import CachedView, ViewCache


def view(size: int) -> CachedView:
    # Bodies under 1 KiB get no gzip copy, so the cached size is the body size.
    return CachedView(Representation.of(b"x" * size, "application/json"), ())


def test_cache_evicts_least_recent() -> None:
    cache = ViewCache(max_bytes=1000, max_entry_bytes=1000)
    cache.put("a", view(400))
    cache.put("b", view(400))
    assert cache.get("a") is not None
    cache.put("c", view(400))
    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert cache.get("c") is not None
    assert cache.bytes == 800


def test_cache_skips_oversized_view() -> None:
    cache = ViewCache(max_bytes=1000, max_entry_bytes=500)
    cache.put("big", view(600))
    assert cache.get("big") is None
    assert cache.bytes == 0


def test_cache_replaces_same_key() -> None:
    cache = ViewCache(max_bytes=1000, max_entry_bytes=1000)
    cache.put("a", view(300))
    cache.put("a", view(500))
    found = cache.get("a")
    assert found is not None
    assert len(found.representation.body) == 500
    assert cache.bytes == 500
