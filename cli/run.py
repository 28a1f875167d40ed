"""``needfinder run`` and ``needfinder status``: the Telegram bot."""

from __future__ import annotations

import click

from cli.main import Failure, run_async, settings_from
from cli.runtime import open_runtime


@click.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Start the Telegram bot (long polling) on the configured database."""
    settings = settings_from(ctx)
    if settings.telegram_bot_token is None:
        raise Failure(
            "TELEGRAM_BOT_TOKEN is not set – get a token from @BotFather and put it in .env, "
            "or try Needfinder without Telegram: needfinder chat"
        )
    raise Failure("the Telegram adapter is not built yet – use: needfinder chat")


@click.command()
@click.pass_context
@run_async
async def status(ctx: click.Context) -> None:
    """Show queue lengths and the last update handled."""
    async with open_runtime(settings_from(ctx)) as runtime, runtime.database.read() as uow:
        inbox = await uow.inbox.counts()
        outbox = await uow.outbox.counts()
        last = await uow.inbox.last_handled()
    click.echo(f"inbox:  {inbox.get('pending', 0)} pending, {inbox.get('failed', 0)} failed")
    click.echo(f"outbox: {outbox.get('pending', 0)} pending, {outbox.get('failed', 0)} failed")
    click.echo(
        "last update handled: "
        + (f"{last[0]} at {last[1]:%Y-%m-%d %H:%M:%S} UTC" if last else "none")
    )
