"""Alembic environment: one metadata, constraint naming convention, batch mode on SQLite."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import hms_tracker.models  # noqa: F401  (registers every table)
from hms_tracker.config import get_settings
from hms_tracker.db import UTCDateTime, bump_every_data_version, create_db_engine

config = context.config
MIGRATION_LOCK = 0x484D53  # "HMS": the advisory lock key for migrations on PostgreSQL
target_metadata = SQLModel.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("import sqlalchemy as sa")
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and type(obj).__module__.startswith("sqlmodel"):
        length = getattr(obj, "length", None)
        return f"sa.String(length={length})" if length else "sa.String()"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_db_engine(_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: Any) -> None:
    # The migrations' own writes do not change the data version one by one (the table may
    # not exist yet, or no longer); once they are done, it changes once.
    connection.execution_options(watch_data_version=False)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Several instances may start at once against one database: one migrates at a
            # time (the lock ends with the transaction), the others then find nothing to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()
        if sa.inspect(connection).has_table("data_version"):
            bump_every_data_version(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
