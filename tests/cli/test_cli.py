"""The real ``needfinder`` command, as a user runs it: scripted terminal dialogues and errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

NEEDFINDER = [sys.executable, "-m", "needfinder.cli"]


def run(
    args: list[str], tmp_path: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NEEDFINDER_") and k != "TELEGRAM_BOT_TOKEN"
    }
    environment.update({"NEEDFINDER_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run(
        [*NEEDFINDER, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=60,
    )


ENGLISH = """\
Yes, I agree
I run a bakery with twelve employees in Kassel.
Staff shortage
We cannot find bakers and the early shifts scare young people away.
Better planning tools and more flexible shift models.
Correct something
2
Mostly the night shifts, not the early ones.
1
Yes, fine
2
"""

GERMAN = """\
Ja, einverstanden
Ich führe eine Bäckerei mit zwölf Leuten in Kassel.
Uns fehlen Fachkräfte, vor allem Bäcker für die frühen Schichten am Morgen.
Bessere Planung und flexiblere Schichtmodelle für das ganze Team.
Ja, das stimmt so
Lieber nicht
Ja, bitte
"""


def dialogue_id(output: str) -> str:
    match = re.search(r"needfinder transcripts show (d_[0-9a-f]+)", output)
    assert match, output
    return match.group(1)


def test_scripted_english_dialogue_is_stored(tmp_path: Path) -> None:
    chat = run(["chat", "--lang", "en"], tmp_path, ENGLISH)
    assert chat.returncode == 0, chat.stderr
    assert "Tell me about yourself first" in chat.stdout
    assert "Could you tell me about a concrete example" in chat.stdout  # probe for "Staff shortage"
    assert "Thank you for being so open!" in chat.stdout
    shown = run(["transcripts", "show", dialogue_id(chat.stdout)], tmp_path)
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "discovery v1 · en · finished" in out
    assert "Customer: I run a bakery with twelve employees in Kassel." in out
    assert "Bot (probe): Could you tell me about a concrete example" in out
    assert (
        "Customer (correction of challenges): Mostly the night shifts, not the early ones." in out
    )
    assert "consent quotes: yes" in out and "consent updates: no" in out
    listed = run(["transcripts", "list"], tmp_path)
    assert dialogue_id(chat.stdout) in listed.stdout and "finished" in listed.stdout


def test_scripted_german_dialogue_is_stored(tmp_path: Path) -> None:
    chat = run(["chat", "--lang", "de"], tmp_path, GERMAN)
    assert chat.returncode == 0, chat.stderr
    shown = run(["transcripts", "show", dialogue_id(chat.stdout)], tmp_path)
    assert "discovery v1 · de · finished" in shown.stdout
    assert "Customer: Ich führe eine Bäckerei mit zwölf Leuten in Kassel." in shown.stdout
    assert "consent quotes: no" in shown.stdout and "consent updates: yes" in shown.stdout


def test_other_scripts_and_resuming_as_the_same_customer(tmp_path: Path) -> None:
    first = run(
        ["chat", "--script", "contact", "--customer", "kim"],
        tmp_path,
        "1\nWhen invoices are wrong and deliveries are late.\n/pause\n",
    )
    assert "How often would you like to hear from us?" in first.stdout and "Paused." in first.stdout
    second = run(["chat", "--customer", "kim"], tmp_path, "3\n")
    assert "Good to have you back" in second.stdout
    assert "Which ways of reaching you work best?" in second.stdout
    assert dialogue_id(first.stdout) == dialogue_id(second.stdout)


def test_unknown_script_is_refused(tmp_path: Path) -> None:
    result = run(["chat", "--script", "nope"], tmp_path)
    assert result.returncode != 0 and "unknown script 'nope'" in result.stderr


def test_scripts_check_locates_errors(tmp_path: Path) -> None:
    good = run(["scripts", "check"], tmp_path)
    assert good.returncode == 0 and "discovery v1" in good.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\nversion: 1\ntitle: {de: B, en: B}\nsteps:\n  - id: x\n    kind: interview\n"
    )
    result = run(["scripts", "check", str(bad)], tmp_path)
    assert result.returncode == 1
    assert f"{bad}:6 (field 'steps[0].kind'): unknown step kind 'interview'" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_scripts_dir_stops_start_with_a_located_error(tmp_path: Path) -> None:
    folder = tmp_path / "scripts"
    folder.mkdir()
    (folder / "oops.yaml").write_text("id: oops\nversion: [1\n")
    result = run(["chat"], tmp_path, "", NEEDFINDER_SCRIPTS_DIR=str(folder))
    assert result.returncode == 2
    assert result.stderr.startswith(f"needfinder: error: {folder / 'oops.yaml'}:")
    assert "invalid YAML" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unwritable_data_folder_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run(["transcripts", "list"], tmp_path, NEEDFINDER_DATA_DIR=str(blocker / "data"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"needfinder: error: cannot create the data folder {blocker / 'data'}: Not a directory"
    ]


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    result = run(
        ["transcripts", "list"],
        tmp_path,
        NEEDFINDER_DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/test",
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is unavailable" in lines[0] and "127.0.0.1:1" in lines[0]


def test_malformed_setting_names_the_variable(tmp_path: Path) -> None:
    result = run(["transcripts", "list"], tmp_path, NEEDFINDER_ANSWER_SETTLE_SECONDS="soon")
    assert result.returncode == 2
    assert "NEEDFINDER_ANSWER_SETTLE_SECONDS" in result.stderr and "Traceback" not in result.stderr


def test_settings_come_from_dot_env(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("NEEDFINDER_ORG_NAME=Bäckerei-Netzwerk Nord\n")
    result = run(["chat"], tmp_path, "")
    assert "This is Bäckerei-Netzwerk Nord." in result.stdout


def test_run_without_token_points_to_chat(tmp_path: Path) -> None:
    result = run(["run"], tmp_path)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "needfinder chat" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["chat"],
        ["run"],
        ["scripts", "check"],
        ["transcripts", "show"],
        ["db", "upgrade"],
        ["db", "backup"],
        ["status"],
    ],
)
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    result = run([*command, "--help"], tmp_path)
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_export_import_and_erase_from_the_command_line(tmp_path: Path) -> None:
    chat = run(["chat", "--lang", "en"], tmp_path, ENGLISH)
    exported = tmp_path / "all.jsonl"
    result = run(["transcripts", "export", "--output", str(exported)], tmp_path)
    assert result.returncode == 0, result.stderr
    record = json.loads(exported.read_text())
    assert record["id"] == dialogue_id(chat.stdout) and record["status"] == "finished"
    markdown = run(["transcripts", "export", "--format", "md", "--anonymised"], tmp_path)
    assert "## Dialogue" in markdown.stdout and "Kassel" in markdown.stdout

    other = tmp_path / "other"
    other.mkdir()
    imported = run(["transcripts", "import", str(exported)], other)
    assert imported.stdout.strip() == "imported 1 dialogues, 0 already there"
    again = run(["transcripts", "import", str(exported)], other)
    assert again.stdout.strip() == "imported 0 dialogues, 1 already there"
    assert run(["transcripts", "export"], other).stdout == exported.read_text()

    broken = tmp_path / "broken.jsonl"
    broken.write_text(
        exported.read_text() + '{"id": "x", "language": "de", "script": "discovery"}\n'
    )
    failed = run(["transcripts", "import", str(broken)], other)
    assert failed.returncode == 2
    assert f"{broken}:2: give either 'answers'" in failed.stderr

    participant = record["participant"]
    erased = run(["erase", "--participant", participant, "--yes"], tmp_path)
    assert erased.returncode == 0 and participant in erased.stdout
    assert "no dialogues yet" in run(["transcripts", "list"], tmp_path).stdout
    assert run(["erase", "--participant", participant, "--yes"], tmp_path).returncode == 2


def test_backup_is_a_consistent_usable_copy(tmp_path: Path) -> None:
    chat = run(["chat", "--lang", "en"], tmp_path, ENGLISH)
    assert chat.returncode == 0, chat.stderr
    target = tmp_path / "backup.db"
    made = run(["db", "backup", str(target)], tmp_path)
    assert made.returncode == 0, made.stderr
    assert "integrity ok" in made.stdout
    # The copy is one self-contained file that Needfinder can run on.
    assert not (tmp_path / "backup.db-wal").exists()
    listed = run(
        ["transcripts", "list"],
        tmp_path,
        NEEDFINDER_DATABASE_URL=f"sqlite+aiosqlite:///{target}",
    )
    assert listed.returncode == 0 and dialogue_id(chat.stdout) in listed.stdout
    again = run(["db", "backup", str(target)], tmp_path)
    assert again.returncode == 2
    assert (
        again.stderr.strip() == f"needfinder: error: {target} exists; use --force to overwrite it"
    )
    assert run(["db", "backup", str(target), "--force"], tmp_path).returncode == 0


def test_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    from tests.conftest import POSTGRES_URL

    result = run(
        ["db", "backup", str(tmp_path / "x.db")], tmp_path, NEEDFINDER_DATABASE_URL=POSTGRES_URL
    )
    assert result.returncode == 2 and "pg_dump" in result.stderr
    assert not (tmp_path / "x.db").exists()
