"""``needfinder chat``: hold a dialogue in the terminal, over the same engine and database."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Iterable
from datetime import timedelta
from typing import TextIO

import click

from conversations.events import (
    Action,
    Button,
    ButtonsChanged,
    Command,
    Event,
    Notice,
    Press,
    Reply,
    Start,
    Text,
)
from conversations.model import Language
from conversations.transcript import Identity
from needfinder.app.dialogues import DialogueService, Handled, Inbound
from needfinder.cli.common import run_async, settings_from
from needfinder.cli.runtime import open_runtime
from storage.database import Database


@click.command()
@click.option("--script", "script_id", help="Script to run (default: the configured default).")
@click.option(
    "--lang",
    "language",
    type=click.Choice(["de", "en"]),
    default="en",
    show_default=True,
    help="Language to talk in (switch any time with /language).",
)
@click.option("--campaign", help="Campaign to record, as a t.me start link would.")
@click.option(
    "--customer",
    help="Talk as this terminal customer again (to resume a paused dialogue); "
    "default: a new customer each time.",
)
@click.pass_context
@run_async
async def chat(
    ctx: click.Context,
    script_id: str | None,
    language: Language,
    campaign: str | None,
    customer: str | None,
) -> None:
    """Hold a dialogue in the terminal.

    Type one message per line; answer a button by typing its label or its number. Commands
    such as /pause, /skip, /stop, /language, /help work as in Telegram. With stdin piped,
    each line is one customer message, so a dialogue can be scripted:

        printf 'Yes, I agree\\nI run a bakery…\\n' | needfinder chat --lang en
    """
    settings = settings_from(ctx)
    async with open_runtime(settings) as runtime:
        if script_id is not None and runtime.library.get(script_id) is None:
            known = ", ".join(runtime.library.ids())
            raise click.BadParameter(f"unknown script {script_id!r}; known: {known}")
        # A terminal delivers whole lines: each one is a complete answer, no settling wait.
        service = runtime.dialogue_service(settle_after=timedelta(0))
        key = customer or f"terminal-{secrets.token_hex(4)}"
        session = TerminalSession(
            runtime.database, service, Identity("terminal", key, key), sys.stdout
        )
        interactive = sys.stdin.isatty()
        first = Inbound(session.identity, Start(campaign), language, script_id)
        await session.send(first)
        await session.loop(sys.stdin, interactive=interactive)
        session.say_goodbye(customer is None)


class TerminalSession:
    """One customer at the terminal: renders outputs, maps typed lines to events."""

    def __init__(
        self, database: Database, service: DialogueService, identity: Identity, out: TextIO
    ) -> None:
        self.database = database
        self.service = service
        self.identity = identity
        self.out = out
        self.buttons: list[Button] = []
        self.dialogue_id: str | None = None

    async def loop(self, lines: Iterable[str], *, interactive: bool) -> None:
        """Read customer messages until end of input."""
        if interactive:
            self.out.write("you> ")
            self.out.flush()
        for raw in lines:
            line = raw.rstrip("\r\n")
            if not interactive:
                self.out.write(f"you> {line}\n")
            await self.send(Inbound(self.identity, self.event_for(line)))
            if interactive:
                self.out.write("you> ")
                self.out.flush()

    def event_for(self, line: str) -> Event:
        """Map a typed line to an event: a command, a button (label or number) or text."""
        stripped = line.strip()
        if stripped.startswith("/") and len(stripped) > 1:
            name, _, argument = stripped[1:].partition(" ")
            return Command(name.lower(), argument)
        if self.buttons:
            if stripped.isdigit() and 1 <= int(stripped) <= len(self.buttons):
                return Press(self.buttons[int(stripped) - 1].data)
            wanted = stripped.casefold()
            for button in self.buttons:
                if button.label.removeprefix("✓ ").casefold() == wanted:
                    return Press(button.data)
        return Text(line, ref=None)

    async def send(self, inbound: Inbound) -> None:
        """Handle one event in its own transaction and show what comes back."""
        async with self.database.write() as uow:
            handled = await self.service.handle(uow, inbound)
        self.dialogue_id = handled.dialogue_id or self.dialogue_id
        self.render(handled)

    def render(self, handled: Handled) -> None:
        """Print replies, buttons and notices."""
        for output in handled.outputs:
            if isinstance(output, Reply):
                self.out.write(f"\nbot> {output.text.replace(chr(10), chr(10) + '     ')}\n")
                self.show_buttons([b for row in output.buttons for b in row])
            elif isinstance(output, ButtonsChanged):
                if output.buttons:
                    self.show_buttons([b for row in output.buttons for b in row])
                else:
                    self.buttons = []
                    if output.chosen:
                        self.out.write(f"     ✓ {output.chosen}\n")
            elif isinstance(output, Notice):
                self.out.write(f"     ({output.text})\n")
            elif isinstance(output, Action) and output.kind == "export_data" and handled.export:
                self.out.write("\n" + json.dumps(handled.export.data, indent=2, ensure_ascii=False))
                self.out.write("\n")
        self.out.write("\n")
        self.out.flush()

    def show_buttons(self, buttons: list[Button]) -> None:
        """Print numbered buttons and remember them for the next typed line."""
        self.buttons = buttons
        for number, button in enumerate(buttons, start=1):
            self.out.write(f"     [{number}] {button.label}\n")

    def say_goodbye(self, anonymous: bool) -> None:
        """Tell where the dialogue is stored once input ends."""
        if self.dialogue_id:
            self.out.write(
                f"(dialogue {self.dialogue_id} is stored; "
                f"show it with: needfinder transcripts show {self.dialogue_id})\n"
            )
        if not anonymous:
            return
        self.out.write(
            f"(to go on later: needfinder chat --customer {self.identity.external_id})\n"
        )
