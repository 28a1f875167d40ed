"""The ``needfinder`` command."""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

import click


class LazyCommand(NamedTuple):
    """Where a subcommand lives ("module:attribute") and its one-line help for the listing."""

    target: str
    short_help: str


#: Every subcommand, imported only when invoked: importing them all (SQLAlchemy, telegram,
#: Starlette, uvicorn, alembic) cost about a second on every call, even ``--help``. The short
#: help texts let ``needfinder --help`` list them without importing anything;
#: tests/cli/test_cli_lazy.py checks that they still match the commands' own help.
LAZY_COMMANDS: dict[str, LazyCommand] = {
    "anonymise": LazyCommand(
        "needfinder.cli.anonymise_commands:anonymise_group",
        'Anonymise text from stdin: JSONL {"id", "text"} or plain lines in, JSONL out.',
    ),
    "chat": LazyCommand("needfinder.cli.chat:chat", "Hold a dialogue in the terminal."),
    "db": LazyCommand(
        "needfinder.cli.db:db", "Database: upgrade, downgrade, show the revision, back up."
    ),
    "digest": LazyCommand(
        "needfinder.cli.digest:digest",
        "Digests: themes of many dialogues with anonymised quotes, approved, then published.",
    ),
    "erase": LazyCommand(
        "needfinder.cli.erase:erase",
        "Erase everything about one participant: identity, dialogues, transcripts, consents "
        "and their queued or received messages (a data subject's erasure request).",
    ),
    "purge": LazyCommand(
        "needfinder.cli.purge:purge",
        "Anonymise in place, or delete, transcripts of dialogues that ended more than "
        "NEEDFINDER_RETENTION_DAYS ago (NEEDFINDER_RETENTION_ACTION says which).",
    ),
    "run": LazyCommand(
        "needfinder.cli.run:run",
        "Start the Telegram bot (long polling, or --webhook) on the configured database.",
    ),
    "scripts": LazyCommand(
        "needfinder.cli.scripts:scripts", "Dialogue scripts: check them, list them."
    ),
    "staff": LazyCommand(
        "needfinder.cli.web_commands:staff",
        "Dashboard access for staff: login links, who counts as staff, sessions.",
    ),
    "status": LazyCommand(
        "needfinder.cli.run:status",
        "Show whether the bot runs, queue lengths and the last update handled.",
    ),
    "transcripts": LazyCommand(
        "needfinder.cli.transcripts:transcripts", "Read what customers said."
    ),
    "web": LazyCommand(
        "needfinder.cli.web_commands:web",
        "Run the staff dashboard (log in with a link from the bot's /dashboard).",
    ),
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand is looked up.

    Click's documented lazy-loading pattern, plus a listing (``--help``) built from the
    stored short help texts instead of the imported commands.
    """

    def __init__(self, *args: Any, lazy_commands: dict[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return the eager and the lazy subcommands' names, sorted."""
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the subcommand, importing its module on first use."""
        if cmd_name in self.commands or cmd_name not in self.lazy_commands:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = self.lazy_commands[cmd_name].target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module_name}.{attribute} is not a click command")
        # Cached, so a second lookup (help, then invoke) does not repeat the import.
        self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the subcommands with their short help, as click does, without importing them."""
        names = self.list_commands(ctx)
        if not names:
            return
        # The same width rule as click.Group.format_commands, so the listing reads the same.
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is None:
                # A stand-in carrying only the help text: click shortens it as for the real one.
                command = click.Command(name, help=self.lazy_commands[name].short_help)
            if not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    lazy_commands=LAZY_COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="needfinder")
def main() -> None:
    """Needfinder: open dialogues with customers on Telegram, transcripts for staff, and
    anonymised digests for the community.

    Settings come from environment variables (NEEDFINDER_*, TELEGRAM_BOT_TOKEN) and a .env
    file in the current folder; see the README for every setting.
    """
