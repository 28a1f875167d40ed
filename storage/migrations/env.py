"""Alembic environment: runs on the connection that ``storage.database.Database`` passes in."""

from __future__ import annotations

from alembic import context

from storage.schema import metadata
from storage.search import is_search_object

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through 'needfinder db upgrade' (storage.database.Database), "
        "which passes the connection in"
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things; batch mode recreates tables instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=lambda obj, name, kind, reflected, other: not is_search_object(name),
)
with context.begin_transaction():
    context.run_migrations()
