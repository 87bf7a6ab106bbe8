"""Alembic environment: runs the migrations against the engine the caller configured."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import servicelist.lists.models
import servicelist.municipalities.models  # noqa: F401
from servicelist.database import create_database_engine, metadata
from servicelist.settings import get_settings


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
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
