"""The ``needfinder`` command."""

from __future__ import annotations

import click

from needfinder.cli.anonymise_commands import anonymise_group
from needfinder.cli.chat import chat
from needfinder.cli.db import db
from needfinder.cli.digest import digest
from needfinder.cli.erase import erase
from needfinder.cli.purge import purge
from needfinder.cli.run import run, status
from needfinder.cli.scripts import scripts
from needfinder.cli.transcripts import transcripts
from needfinder.cli.web_commands import staff, web


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="needfinder")
def main() -> None:
    """Needfinder: open dialogues with customers on Telegram, transcripts for staff, and
    anonymised digests for the community.

    Settings come from environment variables (NEEDFINDER_*, TELEGRAM_BOT_TOKEN) and a .env
    file in the current folder; see the README for every setting.
    """


for _command in (
    anonymise_group,
    chat,
    db,
    digest,
    erase,
    purge,
    run,
    scripts,
    staff,
    status,
    transcripts,
    web,
):
    main.add_command(_command)
