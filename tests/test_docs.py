"""The README documents every setting and every command (a test fails when one is missing)."""

from __future__ import annotations

from pathlib import Path

import click

from needfinder.app.settings import ENV_PREFIX, Settings
from needfinder.cli.main import main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = []
    for name, field in Settings.model_fields.items():
        variable = (
            "TELEGRAM_BOT_TOKEN" if name == "telegram_bot_token" else ENV_PREFIX + name.upper()
        )
        if f"`{variable}`" not in README:
            missing.append(variable)
        assert field.description, f"setting {name} has no description"
    assert missing == []


def _commands(group: click.Group, prefix: str) -> list[str]:
    names = []
    # list_commands/get_command, not .commands: the top-level group loads its commands lazily.
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        full = f"{prefix} {name}"
        if isinstance(command, click.Group):
            names.extend(_commands(command, full))
        else:
            names.append(full)
        assert command.help, f"{full} has no help text"
    return names


def test_every_command_is_documented() -> None:
    missing = [name for name in _commands(main, "needfinder") if f"`{name}" not in README]
    assert missing == []
