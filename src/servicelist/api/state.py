"""The catalogue being served, refreshed when another process loads new lists.

Each worker keeps one ``Catalogue`` and a cache of built representations. At most every
``refresh_interval_seconds`` it reads the hash of the newest load. When the hash changed, it
rebuilds the snapshot from the database and drops the cache.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from anyio import to_thread
from sqlalchemy import Engine

from servicelist.catalogue.snapshot import Catalogue
from servicelist.errors import ServicelistError
from servicelist.lists import repository

log = logging.getLogger(__name__)

# Representations of a version are cached without limit for fixed resources (a few per item)
# and up to this many for query results, least recently used first out.
MAX_QUERY_ENTRIES = 2048


class CatalogueNotLoaded(ServicelistError):
    status = 503
    code = "catalogue-not-loaded"
    title = "Catalogue not loaded"


@dataclass(frozen=True, slots=True)
class Representation:
    """Response bytes built once, with their strong entity tag."""

    body: bytes
    media_type: str
    etag: str

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Representation:
        digest = hashlib.blake2b(body, digest_size=16).hexdigest()
        return cls(body=body, media_type=media_type, etag=f'"{digest}"')


class RepresentationCache:
    """Built responses of one catalogue version, keyed by resource and format."""

    def __init__(self) -> None:
        self._fixed: dict[tuple[str, ...], Representation] = {}
        self._queries: OrderedDict[tuple[str, ...], Representation] = OrderedDict()
        self._lock = threading.Lock()

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
