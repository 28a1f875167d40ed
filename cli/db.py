"""``needfinder db``: schema migrations."""

from __future__ import annotations

import click

from cli.common import run_async, settings_from
from storage.database import Database


@click.group()
def db() -> None:
    """Database schema: upgrade, downgrade, show the revision."""


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
