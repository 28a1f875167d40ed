"""``needfinder transcripts``: list and read dialogues."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import click

from conversations.transcript import DialogueInfo, Transcript
from needfinder.app.exports import ExportFormat, ExportOptions, export_dialogues
from needfinder.app.imports import ImportFileError, import_dialogues, parse_lines
from needfinder.app.rendering import render_transcript
from needfinder.cli.common import Failure, run_async, settings_from
from needfinder.cli.runtime import open_runtime


@click.group()
def transcripts() -> None:
    """Read what customers said."""


@transcripts.command("list")
@click.option(
    "--status",
    type=click.Choice(["active", "paused", "finished", "stopped", "declined"]),
    help="Only dialogues with this status.",
)
@click.option("--script", "script_id", help="Only dialogues of this script.")
@click.option("--limit", default=50, show_default=True, help="How many, newest first.")
@click.pass_context
@run_async
async def list_transcripts(
    ctx: click.Context, status: str | None, script_id: str | None, limit: int
) -> None:
    """List dialogues, newest first."""
    async with open_runtime(settings_from(ctx)) as runtime, runtime.database.read() as uow:
        dialogues = await uow.dialogues.recent(status=status, script_id=script_id, limit=limit)
    if not dialogues:
        click.echo("no dialogues yet – start one with: needfinder chat")
        return
    click.echo(
        f"{'ID':<16} {'STARTED (UTC)':<17} {'STATUS':<9} {'SCRIPT':<10} LANG ENTRIES CAMPAIGN"
    )
    for info in dialogues:
        click.echo(_row(info))


@transcripts.command()
@click.argument("dialogue_id")
@click.pass_context
@run_async
async def show(ctx: click.Context, dialogue_id: str) -> None:
    """Show one dialogue as a chat (DIALOGUE_ID may be an unambiguous prefix)."""
    async with open_runtime(settings_from(ctx)) as runtime, runtime.database.read() as uow:
        resolved = await uow.dialogues.find_id(dialogue_id)
        loaded = await uow.dialogues.get(resolved) if resolved else None
        if loaded is None:
            raise Failure(f"no dialogue {dialogue_id!r} (see: needfinder transcripts list)")
        entries = await uow.transcripts.for_dialogue(loaded.info.id)
    click.echo(render_transcript(Transcript(loaded.info, tuple(entries))))


def _row(info: DialogueInfo) -> str:
    return (
        f"{info.id:<16} {info.started_at:%Y-%m-%d %H:%M} {info.status:<9} {info.script_id:<10} "
        f"{info.language:<4} {info.entry_count:>7} {info.campaign or '-'}"
    )


@transcripts.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "md"]),
    default="jsonl",
    show_default=True,
    help="JSONL: one dialogue per line; CSV: one entry per row; Markdown.",
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Only dialogues started on or after this date (UTC).",
)
@click.option("--script", "script_id", help="Only dialogues of this script.")
@click.option("--anonymised", is_flag=True, help="Replace personal data with placeholders.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.pass_context
@run_async
async def export(
    ctx: click.Context,
    fmt: ExportFormat,
    since: datetime | None,
    script_id: str | None,
    anonymised: bool,
    output: Path | None,
) -> None:
    """Export dialogues with all their entries (to stdout, or a file with --output)."""
    settings = settings_from(ctx)
    options = ExportOptions(
        fmt=fmt,
        since=since.replace(tzinfo=UTC) if since else None,
        script_id=script_id,
        anonymised=anonymised,
        staff_names=tuple(settings.staff_names),
    )
    async with open_runtime(settings) as runtime, runtime.database.read() as uow:
        with output.open("w", encoding="utf-8", newline="") if output else _stdout() as stream:
            async for piece in export_dialogues(uow, options):
                stream.write(piece)


@transcripts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
@run_async
async def import_(ctx: click.Context, file: Path) -> None:
    """Import dialogues held elsewhere (calls, workshops, e-mail) from a JSONL FILE.

    One dialogue per line: {"id", "language", "script", "answers": {step id: text}} or
    "entries" instead of "answers" (the JSONL export's shape). Importing the same file again
    changes nothing (by "id"). A bad line stops the import before anything is stored; the
    message names the line and the field.
    """
    settings = settings_from(ctx)
    with file.open(encoding="utf-8") as handle:
        try:
            dialogues = parse_lines(handle, str(file))
        except ImportFileError as error:
            raise Failure(str(error)) from None
    async with open_runtime(settings) as runtime, runtime.database.write() as uow:
        try:
            result = await import_dialogues(uow, dialogues, runtime.library, str(file))
        except ImportFileError as error:
            raise Failure(str(error)) from None
    click.echo(f"imported {result.imported} dialogues, {result.skipped} already there")


class _stdout:
    """Standard output as a context manager that is not closed afterwards."""

    def __enter__(self) -> TextIO:
        return sys.stdout

    def __exit__(self, *_exc: object) -> None:
        sys.stdout.flush()
