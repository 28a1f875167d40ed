"""``needfinder staff …`` and ``needfinder web`` as an operator runs them (real processes)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx

from needfinder.app.settings import Settings
from needfinder.app.staff import redeem_login_link
from storage.database import Database
from tests.web.processes import serving

# The commands as the needfinder group will carry them (registered in needfinder/cli/main.py).
GROUP = (
    "import click; from needfinder.cli.web_commands import staff, web; "
    "click.Group('needfinder', commands={'staff': staff, 'web': web})()"
)
BASE = "http://dashboard.example"


def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEEDFINDER_")}
    env.update(
        NEEDFINDER_DATA_DIR=str(tmp_path / "data"),
        NEEDFINDER_STAFF_USER_IDS="4242",
        NEEDFINDER_WEB_BASE_URL=BASE,
    )
    return env


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", GROUP, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment(tmp_path),
        timeout=60,
    )


async def test_staff_link_prints_a_working_one_time_link(tmp_path: Path) -> None:
    result = run(tmp_path, "staff", "link", "4242")
    assert result.returncode == 0, result.stderr
    link = result.stdout.strip()
    assert re.fullmatch(rf"{BASE}/login/[\w.-]+", link)
    assert "works once, for 15 minutes" in result.stderr
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", staff_user_ids=[4242])
    database = Database(settings.effective_database_url)
    try:
        async with database.write() as uow:
            attempt = await redeem_login_link(
                uow, settings, link.rsplit("/", 1)[1], datetime.now(UTC)
            )
    finally:
        await database.dispose()
    assert (attempt.telegram_user_id, attempt.problem) == ("4242", None)


def test_staff_link_refuses_customers(tmp_path: Path) -> None:
    result = run(tmp_path, "staff", "link", "1001")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("needfinder: error: Telegram user 1001 is not staff")


def test_staff_list_and_revoke(tmp_path: Path) -> None:
    listed = run(tmp_path, "staff", "list")
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"^4242\s+yes\s+yes\s+-\s+-$", listed.stdout, re.M)
    revoked = run(tmp_path, "staff", "revoke", "4242")
    assert revoked.returncode == 0 and revoked.stdout.strip() == "ended 0 session(s) of 4242"


def test_web_serves_until_terminated(tmp_path: Path) -> None:
    command = [sys.executable, "-c", GROUP, "web", "--port", "0"]
    # serving() waits for the line saying where it listens, and checks the clean exit on SIGTERM.
    with (
        serving(command, tmp_path, environment(tmp_path)) as port,
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http,
    ):
        assert http.get("/login").status_code == 200
        refused = http.get("/dialogues")
        assert refused.status_code == 303 and refused.headers["location"] == "/login"
        assert "server" not in refused.headers


def test_web_reports_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run(tmp_path, "web", "--port", str(port))
    assert result.returncode == 2
    assert result.stderr.startswith(f"needfinder: error: cannot listen on 127.0.0.1:{port}")
