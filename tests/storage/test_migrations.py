"""Migrations: up, down, up again on both databases, and the schema matches the code."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage.database import Database
from storage.schema import metadata
from storage.search import is_search_object

TABLES = {table.name for table in metadata.sorted_tables}


async def _tables(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return {n for n in names if not is_search_object(n)} - {"alembic_version"}


async def test_up_down_up(empty_database: Database) -> None:
    database = empty_database
    assert await database.current_revision() is None
    await database.upgrade()
    assert await _tables(database) == TABLES
    assert await database.current_revision() == Database.head_revision()
    await database.downgrade("base")
    assert await _tables(database) == set()
    assert await database.current_revision() is None
    await database.upgrade()
    assert await _tables(database) == TABLES


async def test_migrated_schema_matches_the_code(database: Database) -> None:
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(
                    sync,
                    opts={"include_object": lambda o, name, *_: not is_search_object(name)},
                ),
                metadata,
            )
        )
    assert differences == []


async def test_upgrade_twice_is_harmless(database: Database) -> None:
    await database.upgrade()
    assert await database.current_revision() == Database.head_revision()


async def test_upgrades_keep_existing_data(empty_database: Database) -> None:
    """Rows written under the first schema survive every later migration (no cascades)."""
    database = empty_database
    await database.upgrade("0001")
    now = "2026-11-23 09:00:00"
    statements = [
        f"INSERT INTO participants (id, created_at) VALUES ('p_1', '{now}')",
        "INSERT INTO script_versions (checksum, script_id, version, source, first_used_at)"
        f" VALUES ('c1', 'discovery', 1, 'id: discovery', '{now}')",
        "INSERT INTO dialogues (id, participant_id, script_id, script_version, script_checksum,"
        " status, language, state, started_at, updated_at) VALUES ('d_1', 'p_1', 'discovery', 1,"
        f" 'c1', 'finished', 'en', '{{}}', '{now}', '{now}')",
        "INSERT INTO transcript_entries (dialogue_id, at, speaker, kind, text)"
        f" VALUES ('d_1', '{now}', 'customer', 'answer', 'I run a bakery in Kassel.')",
    ]
    async with database.engine.begin() as connection:
        for statement in statements:
            await connection.exec_driver_sql(statement)
    await database.upgrade()
    async with database.read() as uow:
        entries = await uow.transcripts.for_dialogue("d_1")
    assert [e.text for e in entries] == ["I run a bakery in Kassel."]


def test_the_search_index_folds_accents_as_the_queries_do() -> None:
    # Migration 0006 froze the accent map into the index; queries must use the same one.
    from importlib import import_module

    from storage.search import accent_map

    migration = import_module("storage.migrations.versions.0006_accent_insensitive_search")
    assert accent_map() == (migration.ACCENTED, migration.PLAIN)
    assert len(migration.ACCENTED) == len(migration.PLAIN)
    assert "über".translate(str.maketrans(*accent_map())) == "uber"
