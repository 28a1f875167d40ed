"""``needfinder`` loads a command's module only when that command runs (issue 10: fast help)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from needfinder.cli.main import LAZY_COMMANDS, LazyGroup, main

#: Libraries that made every call slow; neither help screen may load any of them.
HEAVY = (
    "aiosqlite",
    "alembic",
    "asyncpg",
    "httpx",
    "jinja2",
    "pydantic_settings",
    "sqlalchemy",
    "starlette",
    "telegram",
    "uvicorn",
)

#: Runs the help screens in a fresh interpreter, then reports which modules got imported.
PROBE = """
import json, sys
from needfinder.cli.main import main
for args in {calls!r}:
    main(args, prog_name="needfinder", standalone_mode=False)
print("\\n@@" + json.dumps(sorted(sys.modules)))
"""


def _help_then_modules(*calls: list[str]) -> tuple[str, set[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEEDFINDER_")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(calls=list(calls))],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "200"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    shown, _, modules = result.stdout.rpartition("\n@@")
    return shown, set(json.loads(modules))


def _roots(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_top_level_help_lists_every_command_without_importing_any() -> None:
    shown, modules = _help_then_modules(["--help"])
    assert _roots(modules).isdisjoint(HEAVY), sorted(_roots(modules) & set(HEAVY))
    # Not even the light command modules: listing them needs only needfinder.cli.main.
    ours = sorted(m for m in modules if m.split(".")[0] in {"needfinder", "bot", "storage"})
    assert ours == ["needfinder", "needfinder.cli", "needfinder.cli.main"]
    for name, lazy in LAZY_COMMANDS.items():
        assert f"  {name}  " in shown
        # Long ones are shortened to the screen width, as click does.
        assert f"  {lazy.short_help[:30]}" in shown, name


def test_anonymise_help_loads_no_database_web_or_telegram_library() -> None:
    shown, modules = _help_then_modules(["anonymise", "--help"], ["anonymise", "evaluate", "-h"])
    assert "Anonymise text from stdin" in shown
    assert "Measure recall" in shown
    assert _roots(modules).isdisjoint(HEAVY), sorted(_roots(modules) & set(HEAVY))
    assert "storage" not in _roots(modules)


def test_the_installed_command_answers_help_and_version() -> None:
    needfinder = Path(sys.executable).with_name("needfinder")
    for args in (["--help"], ["anonymise", "--help"], ["--version"]):
        result = subprocess.run(
            [str(needfinder), *args], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip()


def test_every_lazy_entry_names_a_command_whose_help_it_repeats() -> None:
    for name, lazy in LAZY_COMMANDS.items():
        module_name, attribute = lazy.target.split(":")
        command = getattr(__import__(module_name, fromlist=[attribute]), attribute)
        assert isinstance(command, click.Command), lazy.target
        # When a command's first help sentence changes, change LAZY_COMMANDS in cli/main.py too.
        assert command.get_short_help_str(limit=10_000) == lazy.short_help, name


def test_lazy_listing_reads_exactly_like_click_s_own() -> None:
    lazy = LazyGroup(name="needfinder", lazy_commands=LAZY_COMMANDS)
    lazy_help = lazy.get_help(click.Context(lazy, info_name="needfinder"))
    eager = click.Group(
        name="needfinder",
        commands={
            name: lazy.get_command(click.Context(lazy), name) for name in sorted(LAZY_COMMANDS)
        },
    )
    eager_help = eager.get_help(click.Context(eager, info_name="needfinder"))
    assert lazy_help == eager_help
    assert "Commands:" in lazy_help


def test_a_command_resolves_once_and_an_unknown_one_is_an_error() -> None:
    group = LazyGroup(name="needfinder", lazy_commands=LAZY_COMMANDS)
    ctx = click.Context(group)
    first = group.get_command(ctx, "db")
    assert first is not None
    assert group.get_command(ctx, "db") is first
    assert group.get_command(ctx, "nosuch") is None
    assert main.list_commands(click.Context(main)) == sorted(LAZY_COMMANDS)


def test_an_unknown_command_still_fails_as_usage_error() -> None:
    with pytest.raises(click.UsageError, match="No such command 'nosuch'"):
        main(["nosuch"], standalone_mode=False)
