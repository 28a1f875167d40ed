"""``needfinder erase``: erase a person on request, as /forget does."""

from __future__ import annotations

import click

from needfinder.cli.common import Failure, run_async, settings_from
from needfinder.cli.runtime import open_runtime


@click.command()
@click.option("--participant", "participant_id", required=True, help="Pseudonymous id (p_…).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
@run_async
async def erase(ctx: click.Context, participant_id: str, yes: bool) -> None:
    """Erase everything about one participant: identity, dialogues, transcripts, consents and
    their queued or received messages (a data subject's erasure request)."""
    settings = settings_from(ctx)
    async with open_runtime(settings) as runtime:
        async with runtime.database.read() as uow:
            participant = await uow.participants.get(participant_id)
            dialogues = await uow.dialogues.recent(participant_id=participant_id, limit=10_000)
        if participant is None:
            raise Failure(f"no participant {participant_id!r}")
        if not yes:
            click.confirm(
                f"Erase participant {participant_id} and {len(dialogues)} dialogue(s)? "
                "This cannot be undone",
                abort=True,
            )
        async with runtime.database.write() as uow:
            await uow.participants.erase(participant_id)
    click.echo(f"erased participant {participant_id} ({len(dialogues)} dialogue(s))")
