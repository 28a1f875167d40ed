"""``needfinder web`` (the staff dashboard) and ``needfinder staff`` (dashboard access)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from needfinder.app.staff import NotStaff, create_login_link, staff_access
from needfinder.cli.common import Failure, run_async, settings_from
from needfinder.cli.runtime import open_runtime
from needfinder.web.app import step_order
from needfinder.web.context import WebContext
from needfinder.web.server import bind_socket, serve


@click.command()
@click.option("--host", help="Address to listen on (default: NEEDFINDER_WEB_HOST).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port (default: NEEDFINDER_WEB_PORT).")
@click.pass_context
@run_async
async def web(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run the staff dashboard (log in with a link from the bot's /dashboard)."""
    settings = settings_from(ctx)
    host = host or settings.web_host
    port = settings.web_port if port is None else port
    try:
        sock = bind_socket(host, port)
    except OSError as error:
        raise Failure(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    async with open_runtime(settings) as runtime:
        context = WebContext(settings, runtime.database, step_order(runtime.library))
        bound = sock.getsockname()
        click.echo(
            f"staff dashboard listening on {bound[0]}:{bound[1]}, public URL "
            f"{settings.web_base_url} (Ctrl-C stops it)",
            err=True,
        )
        await serve(context, sock)


@click.group()
def staff() -> None:
    """Dashboard access for staff: login links, who counts as staff, sessions."""


@staff.command("link")
@click.argument("telegram_user_id")
@click.pass_context
@run_async
async def link(ctx: click.Context, telegram_user_id: str) -> None:
    """Print a one-time dashboard login link for a staff member."""
    settings = settings_from(ctx)
    async with open_runtime(settings) as runtime, runtime.database.write() as uow:
        try:
            url = await create_login_link(uow, settings, telegram_user_id, datetime.now(UTC))
        except NotStaff:
            raise Failure(
                f"Telegram user {telegram_user_id} is not staff: add the id to "
                "NEEDFINDER_STAFF_USER_IDS, or they write in the staff group"
            ) from None
    click.echo(url)
    click.echo(f"works once, for {settings.login_link_minutes} minutes", err=True)


@staff.command("list")
@click.pass_context
@run_async
async def list_staff(ctx: click.Context) -> None:
    """List configured staff ids and confirmed staff-group members."""
    settings = settings_from(ctx)
    now = datetime.now(UTC)
    async with open_runtime(settings) as runtime, runtime.database.read() as uow:
        people = await staff_access(uow, settings, now)
    if not people:
        click.echo("no staff: set NEEDFINDER_STAFF_USER_IDS or NEEDFINDER_STAFF_CHAT_ID")
        return
    click.echo(f"{'TELEGRAM ID':<14} {'STAFF':<6} {'CONFIGURED':<11} {'GROUP SEEN (UTC)':<17} NAME")
    for person in people:
        member = person.member
        seen = f"{member.confirmed_at:%Y-%m-%d %H:%M}" if member else "-"
        click.echo(
            f"{person.telegram_user_id:<14} {'yes' if person.is_staff else 'no':<6} "
            f"{'yes' if person.configured else 'no':<11} {seen:<17} "
            f"{(member.display_name if member else None) or '-'}"
        )


@staff.command("revoke")
@click.argument("telegram_user_id")
@click.pass_context
@run_async
async def revoke(ctx: click.Context, telegram_user_id: str) -> None:
    """End every open dashboard session of a user at once."""
    settings = settings_from(ctx)
    async with open_runtime(settings) as runtime, runtime.database.write() as uow:
        ended = await uow.staff.revoke_sessions_of(telegram_user_id.strip(), datetime.now(UTC))
    click.echo(f"ended {ended} session(s) of {telegram_user_id}")
