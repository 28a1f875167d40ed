"""``needfinder digest``: build, edit, approve and publish what we heard."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from needfinder.app import digests as workflow
from needfinder.app.llm import LlmConfig
from needfinder.cli.common import Failure, run_async, settings_from
from needfinder.cli.digest_eval import evaluate_command
from needfinder.cli.runtime import open_runtime
from needfinder.insights.publication import render, visible_themes
from storage.digests import StoredDigest

OPERATOR = "cli"
F = TypeVar("F", bound=Callable[..., Any])


@click.group()
def digest() -> None:
    """Digests: themes of many dialogues with anonymised quotes, approved, then published."""


digest.add_command(evaluate_command)


def _output_options(command: F) -> F:
    """Add --format and --lang, shared by the commands that print a digest."""
    command = click.option(
        "--lang",
        "language",
        type=click.Choice(["de", "en"]),
        default="de",
        show_default=True,
        help="Language of the text formats.",
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["json", "md", "html", "telegram"]),
        default="md",
        show_default=True,
        help="json (themes, labels, counts, quotes, dialogue ids), md, html or telegram.",
    )(command)


@digest.command()
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), help="Dialogues started on or after (UTC)."
)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Dialogues started before (UTC).")
@click.option("--script", "script_id", help="Only dialogues of this script.")
@click.option("--campaign", help="Only dialogues of this campaign.")
@click.option(
    "--dry-run", is_flag=True, help="Print the draft without storing it (nothing is written)."
)
@_output_options
@click.pass_context
@run_async
async def build(
    ctx: click.Context,
    since: datetime | None,
    until: datetime | None,
    script_id: str | None,
    campaign: str | None,
    dry_run: bool,
    fmt: str,
    language: str,
) -> None:
    """Build a draft from finished dialogues (anonymised) and store it; print it."""
    settings = settings_from(ctx)
    filters = workflow.DigestFilter(
        since=since.replace(tzinfo=UTC) if since else None,
        until=until.replace(tzinfo=UTC) if until else None,
        script_id=script_id,
        campaign=campaign,
    )
    if dry_run:
        async with open_runtime(settings) as runtime, runtime.database.read() as uow:
            content = await workflow.draft_content(
                uow,
                filters,
                staff_names=settings.staff_names,
                llm=LlmConfig.from_settings(settings),
            )
        click.echo(_print_content("(not stored)", "dry run", content, fmt, language))
        click.echo("\ndry run: nothing was stored", err=True)
        return
    async with open_runtime(settings) as runtime, runtime.database.write() as uow:
        stored = await workflow.build(
            uow,
            filters,
            now=datetime.now(UTC),
            created_by=OPERATOR,
            staff_names=settings.staff_names,
            llm=LlmConfig.from_settings(settings),
        )
    click.echo(_print(stored, fmt, language))
    click.echo(
        f"\ndraft {stored.id} stored – edit with: needfinder digest edit {stored.id} …", err=True
    )


@digest.command("list")
@click.pass_context
@run_async
async def list_digests(ctx: click.Context) -> None:
    """List digests, newest first."""
    async with open_runtime(settings_from(ctx)) as runtime, runtime.database.read() as uow:
        digests = await uow.digests.recent(50)
    if not digests:
        click.echo("no digests yet – build one with: needfinder digest build")
    for item in digests:
        themes = len(visible_themes(item.content))
        click.echo(
            f"{item.id}  {item.created_at:%Y-%m-%d %H:%M}  {item.status:<10}  {themes} themes"
        )


@digest.command()
@click.argument("digest_id")
@_output_options
@click.pass_context
@run_async
async def show(ctx: click.Context, digest_id: str, fmt: str, language: str) -> None:
    """Print a digest (Markdown and HTML are ready for newsletters and intranets)."""
    async with open_runtime(settings_from(ctx)) as runtime, runtime.database.read() as uow:
        stored = await _get(uow, digest_id)
    returned = workflow.returned_problems(stored)
    if returned:
        click.echo("not published, back to draft: " + "; ".join(returned), err=True)
    click.echo(_print(stored, fmt, language))


@digest.command()
@click.argument("digest_id")
@click.option(
    "--label",
    nargs=3,
    multiple=True,
    metavar="THEME DE EN",
    help="New German and English label for a theme (its id, e.g. recruiting).",
)
@click.option("--drop-theme", multiple=True, metavar="THEME", help="Leave a theme out.")
@click.option(
    "--restore-theme", multiple=True, metavar="THEME", help="Take a dropped theme back in."
)
@click.option(
    "--drop-quote", multiple=True, metavar="THEME:N", help="Leave out quote N (from 1) of a theme."
)
@click.option("--note-de", help="The team's section in German: what we will do about it.")
@click.option("--note-en", help="The team's section in English.")
@click.pass_context
@run_async
async def edit(
    ctx: click.Context,
    digest_id: str,
    label: tuple[tuple[str, str, str], ...],
    drop_theme: tuple[str, ...],
    restore_theme: tuple[str, ...],
    drop_quote: tuple[str, ...],
    note_de: str | None,
    note_en: str | None,
) -> None:
    """Edit a draft: labels, dropped or restored themes, dropped quotes, the team's note.

    Any edit makes the digest a draft that needs approval again.
    """
    quotes = set()
    for item in drop_quote:
        theme, _, number = item.partition(":")
        if not number.isdigit():
            raise click.BadParameter(
                f"{item!r}: expected THEME:N, e.g. recruiting:1", param_hint="--drop-quote"
            )
        quotes.add((theme, int(number)))
    async with open_runtime(settings_from(ctx)) as runtime, runtime.database.write() as uow:
        stored = await _get(uow, digest_id)
        note = None
        if note_de is not None or note_en is not None:
            previous = stored.content.get("note") or {}
            note = {
                "de": note_de if note_de is not None else previous.get("de", ""),
                "en": note_en if note_en is not None else previous.get("en", ""),
            }
        change = workflow.Edit(
            labels={theme: (de, en) for theme, de, en in label},
            drop_themes=frozenset(drop_theme),
            restore_themes=frozenset(restore_theme),
            drop_quotes=frozenset(quotes),
            note=note,
        )
        stored = await _run(workflow.edit(uow, stored.id, change, datetime.now(UTC)))
    click.echo(f"digest {stored.id} edited; status {stored.status}")


@digest.command()
@click.argument("digest_id")
@click.pass_context
@run_async
async def approve(ctx: click.Context, digest_id: str) -> None:
    """Approve a draft after a last check for personal data (nothing else gets published)."""
    async with open_runtime(settings_from(ctx)) as runtime, runtime.database.write() as uow:
        stored = await _run(workflow.approve(uow, digest_id, OPERATOR, datetime.now(UTC)))
    click.echo(f"digest {stored.id} approved")


@digest.command()
@click.argument("digest_id")
@click.pass_context
@run_async
async def publish(ctx: click.Context, digest_id: str) -> None:
    """Publish an approved digest: the running bot posts it to the community chat and sends it
    to everyone who asked for it (each message says how to unsubscribe)."""
    async with open_runtime(settings_from(ctx)) as runtime, runtime.database.write() as uow:
        stored = await _run(
            workflow.request_publication(uow, digest_id, OPERATOR, datetime.now(UTC))
        )
        subscribers = len(await uow.digests.subscribers())
    click.echo(
        f"digest {stored.id} queued for publication to the community chat and {subscribers} "
        "subscriber(s); the running bot sends it (needfinder run)"
    )


async def _get(uow: Any, digest_id: str) -> StoredDigest:
    return await _run(workflow.get(uow, digest_id))


async def _run(step: Any) -> Any:
    try:
        return await step
    except workflow.DigestProblem as error:
        raise Failure(str(error)) from None


def _print(stored: StoredDigest, fmt: str, language: str) -> str:
    return _print_content(stored.id, stored.status, stored.content, fmt, language)


def _print_content(
    digest_id: str, status: str, content: dict[str, Any], fmt: str, language: str
) -> str:
    if fmt == "json":
        return json.dumps(
            {"id": digest_id, "status": status, **content},
            ensure_ascii=False,
            indent=2,
        )
    lang = "en" if language == "en" else "de"
    pieces = render(content, language=lang, fmt=fmt, link_for=None)  # type: ignore[arg-type]
    return ("\n\n— next message —\n\n" if fmt == "telegram" else "\n").join(pieces)
