"""The catalogue being served, refreshed when another process loads new lists.

Each worker keeps one ``Catalogue`` and a cache of built representations. At most every
``refresh_interval_seconds`` it reads the hash of the newest load. When the hash changed, it
rebuilds the snapshot from the database and drops the cache.

Older releases are immutable, so their catalogues and the diffs between them are kept for the
life of the worker, a few at a time.
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
from servicelist.lists import releases, repository
from servicelist.lists.release_diff import ReleaseDiff, diff_bundles

log = logging.getLogger(__name__)

T = TypeVar("T")

# Representations of a version are cached without limit for fixed resources (a few per item)
# and up to this many for query results, least recently used first out.
MAX_QUERY_ENTRIES = 2048
# Catalogues of releases other than the served one, and diffs between releases, kept per
# worker, least recently used first out. A catalogue of the bundled lists takes about 60 MB
# (tracemalloc, CPython 3.11).
MAX_RELEASE_CATALOGUES = 4
MAX_RELEASE_DIFFS = 8


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
        self._release_catalogues: OrderedDict[int, Catalogue] = OrderedDict()
        self._release_diffs: OrderedDict[tuple[int, int], ReleaseDiff] = OrderedDict()
        self._release_lock = threading.Lock()

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
                release = releases.find_release_by_hash(connection, load.content_hash)
            started = time.perf_counter()
            catalogue = Catalogue.build(
                bundle,
                version=load.content_hash[:16],
                loaded_at=load.loaded_at.isoformat(),
                release=release.number if release is not None else None,
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
                    "release": catalogue.release,
                    "items": len(bundle.items),
                    "seconds": round(time.perf_counter() - started, 3),
                },
            )

    def release_catalogue_sync(self, number: int) -> Catalogue:
        """Return the catalogue of release ``number``, or raise ``NotFound``.

        The served catalogue is returned for its own release. Other releases are read from their
        stored content and indexed on first use, which blocks for a few hundred milliseconds,
        so async code calls ``release_catalogue`` instead.
        """
        served = self._catalogue
        if served is not None and served.release == number:
            return served
        with self._release_lock:
            found = self._release_catalogues.get(number)
            if found is not None:
                self._release_catalogues.move_to_end(number)
                return found
            started = time.perf_counter()
            with self.engine.connect() as connection:
                release = releases.get_release(connection, number)
                bundle = releases.read_release_bundle(connection, number)
            catalogue = Catalogue.build(
                bundle,
                version=release.content_hash[:16],
                loaded_at=release.created_at.isoformat(),
                release=number,
            )
            self._release_catalogues[number] = catalogue
            if len(self._release_catalogues) > MAX_RELEASE_CATALOGUES:
                self._release_catalogues.popitem(last=False)
        log.info(
            "release catalogue built",
            extra={"release": number, "seconds": round(time.perf_counter() - started, 3)},
        )
        return catalogue

    async def release_catalogue(self, number: int) -> Catalogue:
        """Return the catalogue of release ``number``, or raise ``NotFound``."""
        served = self._catalogue
        if served is not None and served.release == number:
            return served
        found = self._release_catalogues.get(number)
        if found is not None:
            return found
        return await to_thread.run_sync(self.release_catalogue_sync, number)

    def release_diff_sync(self, before: int, after: int) -> ReleaseDiff:
        """Return the changes from release ``before`` to ``after``, or raise ``NotFound``."""
        key = (before, after)
        found = self._release_diffs.get(key)
        if found is not None:
            return found
        diff = diff_bundles(
            self.release_catalogue_sync(before).to_bundle(),
            self.release_catalogue_sync(after).to_bundle(),
        )
        with self._release_lock:
            self._release_diffs[key] = diff
            if len(self._release_diffs) > MAX_RELEASE_DIFFS:
                self._release_diffs.popitem(last=False)
        return diff

    async def release_diff(self, before: int, after: int) -> ReleaseDiff:
        """Return the changes from release ``before`` to ``after``, or raise ``NotFound``."""
        found = self._release_diffs.get((before, after))
        if found is not None:
            return found
        return await to_thread.run_sync(self.release_diff_sync, before, after)
