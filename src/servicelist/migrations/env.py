"""Alembic environment: runs the migrations against the engine the caller configured."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import servicelist.benchmarks.models
import servicelist.feed.models
import servicelist.lists.models
import servicelist.municipalities.models
import servicelist.open311.models  # noqa: F401
from servicelist.database import create_database_engine, metadata
from servicelist.search.models import include_in_comparison
from servicelist.settings import get_settings


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_in_comparison,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = create_database_engine(url)
    with engine.connect() as new_connection:
        _run(new_connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `servicelist db upgrade`")
run_migrations_online()
