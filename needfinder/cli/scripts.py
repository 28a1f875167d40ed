"""``needfinder scripts``: validate and list dialogue scripts."""

from __future__ import annotations

from pathlib import Path

import click

from conversations.loader import ScriptError, builtin_script_paths, load_script
from needfinder.cli.common import Failure, settings_from
from needfinder.cli.runtime import load_content


@click.group()
def scripts() -> None:
    """Dialogue scripts: check them, list them."""


@scripts.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Validate scripts; without PATHS, all configured scripts and the organisation profile.

    Exits with status 1 and a message naming file, line and field when a script is invalid.
    """
    failed = 0
    if not paths:
        settings = settings_from(ctx)
        try:
            library, organisation = load_content(settings)
        except ScriptError as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(1)
        for script_id in library.ids():
            loaded = library.current(script_id)
            click.echo(
                _ok(
                    loaded.source, loaded.script.id, loaded.script.version, len(loaded.script.steps)
                )
            )
        click.echo(f"ok    organisation profile: {organisation.name}")
        return
    for path in paths:
        targets = sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path]
        if not targets:
            click.echo(f"error: {path}: no *.yaml files", err=True)
            failed += 1
        for target in targets:
            try:
                loaded = load_script(target)
            except ScriptError as error:
                click.echo(f"error: {error}", err=True)
                failed += 1
                continue
            click.echo(
                _ok(str(target), loaded.script.id, loaded.script.version, len(loaded.script.steps))
            )
    if failed:
        ctx.exit(1)


@scripts.command("list")
@click.pass_context
def list_scripts(ctx: click.Context) -> None:
    """List the scripts this installation offers, with their start links' payloads."""
    try:
        library, _ = load_content(settings_from(ctx))
    except ScriptError as error:
        raise Failure(str(error)) from None
    for script_id in library.ids():
        script = library.current(script_id).script
        default = "  (default)" if script_id == library.default_id else ""
        click.echo(f"{script_id:<12} v{script.version}  {script.title.en}{default}")
    click.echo("\nStart links: t.me/<bot>?start=<script> or ?start=<script>--<campaign>")


def _ok(source: str, script_id: str, version: int, steps: int) -> str:
    return f"ok    {source}: {script_id} v{version}, {steps} steps"


__all__ = ["builtin_script_paths", "scripts"]
