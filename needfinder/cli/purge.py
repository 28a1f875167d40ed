"""``needfinder purge``: apply the retention period now."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from needfinder.app.retention import purge as run_purge
from needfinder.cli.common import run_async, settings_from
from needfinder.cli.runtime import open_runtime


@click.command()
@click.option("--dry-run", is_flag=True, help="Only count what would be anonymised or deleted.")
@click.pass_context
@run_async
async def purge(ctx: click.Context, dry_run: bool) -> None:
    """Anonymise in place, or delete, transcripts of dialogues that ended more than
    NEEDFINDER_RETENTION_DAYS ago (NEEDFINDER_RETENTION_ACTION says which). The running bot
    does this every hour by itself."""
    settings = settings_from(ctx)
    if settings.retention_days is None:
        click.echo("NEEDFINDER_RETENTION_DAYS is not set: transcripts are kept; nothing to do.")
        return
    async with open_runtime(settings) as runtime:
        result = await run_purge(
            runtime.database,
            days=settings.retention_days,
            action=settings.retention_action,
            now=datetime.now(UTC),
            staff_names=settings.staff_names,
            dry_run=dry_run,
        )
    verb = "would be" if dry_run else "were"
    done = "anonymised" if settings.retention_action == "anonymise" else "deleted"
    click.echo(
        f"{result.total} dialogue(s) that ended more than {settings.retention_days} days ago "
        f"{verb} {done}"
    )
