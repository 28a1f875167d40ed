"""``needfinder run`` and ``needfinder status``: the Telegram bot."""

from __future__ import annotations

import click

from needfinder.cli.common import Failure, run_async, settings_from
from needfinder.cli.runtime import open_runtime


@click.command()
@click.option(
    "--webhook",
    is_flag=True,
    help="Take updates by webhook (NEEDFINDER_WEBHOOK_URL, _LISTEN, _SECRET), not polling.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Start this many worker processes (PostgreSQL only; default NEEDFINDER_WORKERS).",
)
@click.pass_context
def run(ctx: click.Context, webhook: bool, workers: int | None) -> None:
    """Start the Telegram bot (long polling, or --webhook) on the configured database.

    Stops gracefully on SIGTERM or Ctrl-C: messages in flight are finished and recorded;
    anything received but not yet answered is answered after the next start. With --workers N
    (PostgreSQL) a small supervisor starts N workers, restarts one that dies and passes
    SIGTERM on.
    """
    settings = settings_from(ctx)
    count = workers if workers is not None else settings.workers
    if count > 1:
        if not settings.effective_database_url.startswith("postgresql"):
            raise Failure(
                f"--workers {count} needs PostgreSQL (NEEDFINDER_DATABASE_URL="
                "postgresql+asyncpg://…); on SQLite one bot runs, without --workers"
            )
        from bot.supervisor import supervise

        raise SystemExit(supervise(count, webhook=webhook, worker_id=settings.worker_id))
    _run_worker(ctx, webhook)


@run_async
async def _run_worker(ctx: click.Context, webhook: bool) -> None:
    from bot.api import BotApi
    from bot.runner import BotStartError, WebhookConfig, run_bot
    from needfinder.app.retention import RetentionPolicy

    settings = settings_from(ctx)
    if settings.telegram_bot_token is None:
        raise Failure(
            "TELEGRAM_BOT_TOKEN is not set – get a token from @BotFather and put it in .env, "
            "or try Needfinder without Telegram: needfinder chat"
        )
    hook = None
    if webhook:
        if settings.webhook_url is None or settings.webhook_secret is None:
            raise Failure(
                "--webhook needs NEEDFINDER_WEBHOOK_URL (the public https:// URL) and "
                "NEEDFINDER_WEBHOOK_SECRET (1-256 characters A-Z a-z 0-9 _ -)"
            )
        hook = WebhookConfig(
            settings.webhook_url,
            settings.webhook_listen,
            settings.webhook_secret.get_secret_value(),
        )
    # The bot's many short statements run inline on the event loop (storage.inline_sqlite).
    async with open_runtime(settings, inline_sqlite=True) as runtime:
        api = BotApi(
            settings.telegram_bot_token.get_secret_value(),
            settings.telegram_api_url,
            poll_timeout=settings.telegram_poll_timeout,
        )
        try:
            await run_bot(
                runtime.database,
                runtime.dialogue_service(),
                api,
                messages_per_second=settings.telegram_messages_per_second,
                retention=(
                    RetentionPolicy(
                        settings.retention_days,
                        settings.retention_action,
                        tuple(settings.staff_names),
                    )
                    if settings.retention_days
                    else None
                ),
                settings=settings,
                webhook=hook,
                health_listen=settings.health_listen,
                worker_id=settings.worker_id,
            )
        except BotStartError as error:
            raise Failure(str(error)) from None


@click.command()
@click.pass_context
@run_async
async def status(ctx: click.Context) -> None:
    """Show whether the bot runs, queue lengths and the last update handled."""
    from datetime import UTC, datetime

    from needfinder.app.lease import current_holder

    async with open_runtime(settings_from(ctx)) as runtime, runtime.database.read() as uow:
        inbox = await uow.inbox.counts()
        outbox = await uow.outbox.counts()
        last = await uow.inbox.last_handled()
        holder = await current_holder(uow)
        shared = not runtime.database.is_sqlite
        if shared:
            from storage.coordination import leader_present

            leading = await leader_present(uow.connection)
    if shared:
        # Workers on PostgreSQL hold no lease; the leader's lock shows that they run.
        click.echo(f"bot:    {'running (a leader holds its lock)' if leading else 'not running'}")
    elif holder is None:
        click.echo("bot:    not running")
    else:
        now = datetime.now(UTC)
        ago = int((now - holder.renewed_at).total_seconds())
        state = "not responding" if holder.stale(now) else "running"
        click.echo(f"bot:    {state} (process {holder.pid} on {holder.host}, seen {ago} s ago)")
    click.echo(f"inbox:  {inbox.get('pending', 0)} pending, {inbox.get('failed', 0)} failed")
    click.echo(
        f"outbox: {outbox.get('pending', 0)} pending, {outbox.get('failed', 0)} failed, "
        f"{outbox.get('blocked', 0)} to blocked chats"
    )
    handled = f"{last[0]} at {last[1]:%Y-%m-%d %H:%M:%S} UTC" if last else "none"
    click.echo(f"last update handled: {handled}")
