"""The catalogue being served, refreshed when another process loads new lists.

Each worker keeps one ``Catalogue`` and a cache of built representations. At most every
``refresh_interval_seconds`` it reads the hash of the newest load. When the hash changed, it
rebuilds the snapshot from the database and drops the cache.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

from anyio import to_thread
from sqlalchemy import Engine

from servicelist.catalogue.snapshot import Catalogue
from servicelist.errors import ServicelistError
from servicelist.lists import repository

log = logging.getLogger(__name__)

T = TypeVar("T")

# Representations of a version are cached without limit for fixed resources (a few per item)
# and up to this many for query results, least recently used first out.
MAX_QUERY_ENTRIES = 2048


class CatalogueNotLoaded(ServicelistError):
    status = 503
    code = "catalogue-not-loaded"
    title = "Catalogue not loaded"


# Bodies at least this long are also stored gzip-compressed, once, when they are built.
GZIP_MIN_BYTES = 1024
GZIP_LEVEL = 6
# Responses the fast path serves before routing, per snapshot, least recently used out.
MAX_RESPONSE_ENTRIES = 4096


@dataclass(frozen=True, slots=True)
class Representation:
    """Response bytes built once, with their strong entity tags.

    ``gzip_body`` is the same content gzip-compressed, or None for short bodies. It has its own
    strong ETag because it is a different representation (RFC 9110 section 8.8.1).
    """

    body: bytes
    media_type: str
    etag: str
    gzip_body: bytes | None = None
    gzip_etag: str | None = None

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Representation:
        digest = hashlib.blake2b(body, digest_size=16).hexdigest()
        gzip_body = None
        gzip_etag = None
        if len(body) >= GZIP_MIN_BYTES:
            gzip_body = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
            gzip_etag = f'"{digest}-gzip"'
        return cls(body, media_type, f'"{digest}"', gzip_body, gzip_etag)


# Path, query string, Accept and Host: everything a cached response depends on.
ResponseKey = tuple[str, bytes, str, str]


@dataclass(frozen=True, slots=True)
class CachedResponse:
    """A representation and the extra headers (such as Link) of one request target."""

    representation: Representation
    headers: tuple[tuple[str, str], ...]


class RepresentationCache:
    """Built responses of one catalogue version, keyed by resource and format."""

    def __init__(self) -> None:
        self._fixed: dict[tuple[str, ...], Representation] = {}
        self._queries: OrderedDict[tuple[str, ...], Representation] = OrderedDict()
        self._responses: OrderedDict[ResponseKey, CachedResponse] = OrderedDict()
        self._lock = threading.Lock()
        self._memos: dict[tuple[str, ...], object] = {}
        self._memo_lock = threading.Lock()

    def memo(self, key: tuple[str, ...], build: Callable[[], T]) -> T:
        """Return a value computed once per snapshot, such as the triples of the catalogue.

        The RDF formats of one resource share its triples, so each format only serialises.
        """
        with self._memo_lock:
            if key not in self._memos:
                self._memos[key] = build()
            return cast(T, self._memos[key])

    def peek(self, key: tuple[str, ...], *, query: bool = False) -> Representation | None:
        """Return the cached representation for ``key`` without building it."""
        return (self._queries if query else self._fixed).get(key)

    def remember_response(self, key: ResponseKey, response: CachedResponse) -> None:
        """Record the response to a request target, so the fast path can serve it next time."""
        with self._lock:
            self._responses[key] = response
            self._responses.move_to_end(key)
            if len(self._responses) > MAX_RESPONSE_ENTRIES:
                self._responses.popitem(last=False)

    def response(self, key: ResponseKey) -> CachedResponse | None:
        """Return the remembered response of a request target, if any."""
        return self._responses.get(key)

    def get(
        self, key: tuple[str, ...], build: Callable[[], Representation], *, query: bool = False
    ) -> Representation:
        """Return the cached representation for ``key``, building it on first use."""
        store = self._queries if query else self._fixed
        found = store.get(key)
        if found is not None:
            if query:
                with self._lock:
                    if key in self._queries:
                        self._queries.move_to_end(key)
            return found
        built = build()
        with self._lock:
            store[key] = built
            if query and len(self._queries) > MAX_QUERY_ENTRIES:
                self._queries.popitem(last=False)
        return built


class CatalogueState:
    """The served catalogue of one worker process."""

    def __init__(self, engine: Engine, refresh_interval: float) -> None:
        self.engine = engine
        self.refresh_interval = refresh_interval
        self._catalogue: Catalogue | None = None
        self._hash: str | None = None
        self._checked_at = 0.0
        self.cache = RepresentationCache()
        self._lock = threading.Lock()

    def fresh_cache(self) -> RepresentationCache | None:
        """Return the cache when the snapshot was checked within the refresh interval."""
        if self._catalogue is None:
            return None
        if time.monotonic() - self._checked_at >= self.refresh_interval:
            return None
        return self.cache

    async def current(self) -> tuple[Catalogue, RepresentationCache]:
        """Return the catalogue to serve and its cache, reloading it when a new load exists."""
        now = time.monotonic()
        if self._catalogue is None or now - self._checked_at >= self.refresh_interval:
            await to_thread.run_sync(self.refresh)
        if self._catalogue is None:
            raise CatalogueNotLoaded(
                "No lists are loaded in this database. Run `servicelist load`, or start the "
                "server with `servicelist serve`, which loads the bundled lists."
            )
        return self._catalogue, self.cache

    def refresh(self) -> None:
        """Reload the snapshot if the newest load differs from the one being served."""
        with self._lock:
            self._checked_at = time.monotonic()
            with self.engine.connect() as connection:
                load = repository.latest_load(connection)
                if load is None or load.content_hash == self._hash:
                    return
                bundle = repository.read_all(connection)
            started = time.perf_counter()
            catalogue = Catalogue.build(
                bundle, version=load.content_hash[:16], loaded_at=load.loaded_at.isoformat()
            )
            self._catalogue, self._hash, self.cache = (
                catalogue,
                load.content_hash,
                RepresentationCache(),
            )
            log.info(
                "catalogue snapshot built",
                extra={
                    "version": catalogue.version,
                    "items": len(bundle.items),
                    "seconds": round(time.perf_counter() - started, 3),
                },
            )
