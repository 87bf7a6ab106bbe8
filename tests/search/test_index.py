"""The index itself: built once per release, synced per municipality revision, and the
PostgreSQL extensions it relies on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from servicelist import migrations
from servicelist.api.state import CatalogueState
from servicelist.municipalities.effective import StandardFieldCache
from servicelist.municipalities.operations import Reader
from servicelist.search.service import index_for
from tests.conftest import drop_engine, make_engine


def scope_row(engine: Engine, scope: str) -> tuple[str, int, int, object]:
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT source, revision, documents, built_at FROM search_scope WHERE scope = :s"),
            {"s": scope},
        ).one()
    return row.source, row.revision, row.documents, row.built_at


def test_release_indexed_once(engine: Engine) -> None:
    catalogue = CatalogueState(engine, 3600).release_catalogue_sync(2)
    first = index_for(engine)
    target = first.rebuild_release(catalogue)
    assert target.release_scope == "release:2"
    assert target.languages == ("en",)
    assert target.documents == 1567
    before = scope_row(engine, "release:2")
    assert before[0] == catalogue.version
    assert before[2] == 1567

    # A second worker finds the stored documents current and builds nothing.
    index_for(engine).rebuild_release(catalogue)
    assert scope_row(engine, "release:2") == before
    with engine.connect() as connection:
        count = connection.execute(
            text("SELECT COUNT(*) FROM search_document WHERE scope = 'release:2'")
        ).scalar_one()
        words = connection.execute(
            text(
                "SELECT frequency FROM search_vocabulary WHERE scope = 'release:2'"
                " AND word = 'flytipping'"
            )
        ).scalar_one()
    assert count == 1567
    assert words == 1


def test_municipality_synced_per_revision(engine: Engine, seeded: object) -> None:
    state = CatalogueState(engine, 3600)
    reader = Reader(engine, state.release_catalogue_sync, StandardFieldCache(), "http://x/")
    index = index_for(engine)
    with engine.connect() as connection:
        municipality = reader.municipality(connection, "leicester")
        local = reader.local_catalogue(connection, municipality)
    target = index.sync_municipality(local)
    assert target.scopes == ("release:1", "municipality:leicester")
    source, revision, documents, _ = scope_row(engine, "municipality:leicester")
    assert source == f"1:{municipality.revision}"
    assert revision == municipality.revision
    # The seeded links change web addresses only, which are not searched.
    assert documents == 0

    stale = local.municipality.model_copy(update={"revision": municipality.revision - 1})
    local.municipality = stale
    index_for(engine).sync_municipality(local)
    assert scope_row(engine, "municipality:leicester")[1] == municipality.revision


def test_unsupported_database_rejected() -> None:
    class Dialect:
        name = "oracle"

    class FakeEngine:
        dialect = Dialect()

    with pytest.raises(ValueError, match="oracle"):
        index_for(FakeEngine())  # type: ignore[arg-type]


def test_extensions_survive_schema_drop(backend: str, tmp_path: Path) -> None:
    if backend != "postgresql":
        pytest.skip("the extensions exist on PostgreSQL only")
    first, _ = make_engine(backend, tmp_path)
    migrations.upgrade(first)
    drop_engine(first, backend)

    second, _ = make_engine(backend, tmp_path)
    try:
        with second.connect() as connection:
            schemas = dict(
                connection.execute(
                    text(
                        "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n"
                        " ON n.oid = e.extnamespace WHERE e.extname IN ('pg_trgm', 'unaccent')"
                    )
                ).all()
            )
            assert schemas == {"pg_trgm": "public", "unaccent": "public"}
            assert connection.execute(text("SELECT current_schema()")).scalar_one() != "public"
            similarity = connection.execute(
                text("SELECT public.similarity('recyling', 'recycling')")
            ).scalar_one()
            assert round(similarity, 4) == 0.5833
            assert connection.execute(text("SELECT public.unaccent('Café')")).scalar_one() == "Cafe"
        migrations.upgrade(second)
        migrations.downgrade(second, "0004")
        with second.connect() as connection:
            assert (
                connection.execute(
                    text("SELECT COUNT(*) FROM pg_extension WHERE extname = 'pg_trgm'")
                ).scalar_one()
                == 1
            )
    finally:
        drop_engine(second, backend)
