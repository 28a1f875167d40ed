"""``needfinder db``: schema migrations and backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from needfinder.cli.common import Failure, run_async, settings_from
from storage.database import Database


@click.group()
def db() -> None:
    """Database: upgrade, downgrade, show the revision, back up."""


@db.command()
@click.pass_context
@run_async
async def upgrade(ctx: click.Context) -> None:
    """Apply all migrations (also done automatically when Needfinder starts)."""
    database = Database(settings_from(ctx).effective_database_url)
    try:
        await database.upgrade()
        click.echo(f"database at revision {await database.current_revision()}")
    finally:
        await database.dispose()


@db.command()
@click.argument("revision")
@click.pass_context
@run_async
async def downgrade(ctx: click.Context, revision: str) -> None:
    """Revert migrations down to REVISION ('base' drops every table: all data is lost)."""
    database = Database(settings_from(ctx).effective_database_url)
    try:
        await database.downgrade(revision)
        click.echo(f"database at revision {await database.current_revision() or 'base'}")
    finally:
        await database.dispose()


@db.command()
@click.pass_context
@run_async
async def current(ctx: click.Context) -> None:
    """Show the database's revision and the newest one this version knows."""
    database = Database(settings_from(ctx).effective_database_url)
    try:
        revision = await database.current_revision()
        click.echo(f"current: {revision or 'none (not migrated)'}")
        click.echo(f"newest:  {Database.head_revision()}")
    finally:
        await database.dispose()


@db.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite TARGET if it exists.")
@click.pass_context
def backup(ctx: click.Context, target: Path, force: bool) -> None:
    """Copy the SQLite database to TARGET, consistently, while the bot may be running.

    Uses SQLite's online backup (a snapshot of one moment, including what is still in the
    write-ahead log). A backup holds everything customers said: keep it as safe as the
    database, and no longer than the retention period (erasures cannot reach it).
    For PostgreSQL, use pg_dump.
    """
    url = make_url(settings_from(ctx).effective_database_url)
    if url.get_backend_name() != "sqlite":
        raise Failure("the database is PostgreSQL: back it up with pg_dump (see the README)")
    source = Path(url.database or "")
    if not source.exists():
        raise Failure(f"no database at {source} yet: nothing to back up")
    if target.exists() and not force:
        raise Failure(f"{target} exists; use --force to overwrite it")
    try:
        pages = _backup_sqlite(source, target)
    except (OSError, sqlite3.Error) as error:
        raise Failure(f"backup to {target} failed: {error}") from None
    click.echo(f"backed up {source} to {target} ({pages} pages, integrity ok)")


def _backup_sqlite(source: Path, target: Path) -> int:
    """Copy ``source`` to ``target`` with SQLite's backup API; check the copy's integrity."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    original = sqlite3.connect(source, timeout=10)
    copy = sqlite3.connect(partial)
    try:
        # In one step: one read snapshot, which in WAL mode never holds the bot up (a copy in
        # small steps would restart whenever the bot writes, and might never finish).
        original.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        (status,) = copy.execute("PRAGMA integrity_check").fetchone()
        if status != "ok":
            raise sqlite3.DatabaseError(f"the copy fails its integrity check: {status}")
        (pages,) = copy.execute("PRAGMA page_count").fetchone()
    finally:
        copy.close()
        original.close()
    partial.replace(target)  # the target is never a half-written file
    return int(pages)
