"""Deployment files: compose.yaml validates and runs real commands; Dockerfile; systemd units.

The image itself cannot be built here (no registry for base images), so these tests check
what can drift without a build: compose.yaml against Compose's own validator (Debian's
docker-compose, installed by scripts/test), every command line that compose, the Dockerfile
and the systemd units give against the real CLI, the migration and the dashboard they start
against the real PostgreSQL, and the image's HEALTHCHECK against a real /healthz.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import pytest
import yaml

from needfinder.app.settings import ENV_PREFIX, Settings
from needfinder.cli.main import main
from needfinder.web.context import WebContext
from storage.database import Database
from tests.bot.harness import running_bot
from tests.fakes import FakeTelegram
from tests.postgres_databases import scratch_pg_database
from tests.web.conftest import make_settings
from tests.web.live_server import LiveServer
from tests.web.processes import serving

ROOT = Path(__file__).parent.parent
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
UNITS = sorted((ROOT / "deploy").glob("*.service"))
NEEDFINDER_SERVICES = ("migrate", "bot", "bot-webhook", "web")
SETTING_NAMES = {
    "TELEGRAM_BOT_TOKEN" if name == "telegram_bot_token" else ENV_PREFIX + name.upper()
    for name in Settings.model_fields
}


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NEEDFINDER_", "COMPOSE_")) and k != "TELEGRAM_BOT_TOKEN"
    }
    return {**env, **extra}


def parse_command_line(args: Sequence[str]) -> click.Context:
    """Parse ``needfinder …`` as the CLI would, converting every value, without running it."""
    assert args[0] == "needfinder", args
    ctx = click.Context(main, info_name="needfinder")
    group: click.Group = main
    rest = list(args[1:])
    # These command lines pass no group options, so the next word is always a command name.
    while True:
        command = group.get_command(ctx, rest[0])
        assert command is not None, f"no command {rest[0]!r} in {' '.join(args)}"
        if not isinstance(command, click.Group):
            ctx = command.make_context(rest[0], rest[1:], parent=ctx)
            break
        ctx = click.Context(command, info_name=rest[0], parent=ctx)
        group, rest = command, rest[1:]
    assert ctx.args == [], f"unexpected arguments {ctx.args} in {' '.join(args)}"
    return ctx


def run_needfinder(
    args: Sequence[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run a ``needfinder …`` command line with this interpreter's needfinder."""
    assert args[0] == "needfinder"
    return subprocess.run(
        [sys.executable, "-m", "needfinder.cli", *args[1:]],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


# --- compose.yaml -------------------------------------------------------------------------


def compose_tool() -> str:
    found = shutil.which("docker-compose")
    # Not a skip: CI must validate the file. scripts/test installs Debian's docker-compose.
    assert found, "docker-compose is not installed (apt-get install docker-compose)"
    return found


def compose_project(tmp_path: Path, password: str = "example0password") -> Path:
    """A copy of the repository's compose files with .env made from .env.example."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(COMPOSE, project / "compose.yaml")
    shutil.copy(DOCKERFILE, project / "Dockerfile")
    env = ENV_EXAMPLE.read_text(encoding="utf-8")
    (project / ".env").write_text(
        env.replace("\nPOSTGRES_PASSWORD=\n", f"\nPOSTGRES_PASSWORD={password}\n"),
        encoding="utf-8",
    )
    return project


def compose(project: Path, *args: str, profiles: str = "") -> subprocess.CompletedProcess[str]:
    env = clean_env(COMPOSE_PROFILES=profiles) if profiles else clean_env()
    return subprocess.run(
        [compose_tool(), "-f", "compose.yaml", *args],
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        timeout=60,
    )


def resolved_compose(tmp_path: Path) -> dict[str, Any]:
    """compose.yaml as Compose resolves it (anchors merged, .env interpolated)."""
    result = compose(compose_project(tmp_path), "config")
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert isinstance(config, dict)
    return config


@pytest.mark.parametrize("profiles", ["polling", "webhook"])
def test_compose_file_validates(tmp_path: Path, profiles: str) -> None:
    result = compose(compose_project(tmp_path), "config", "--quiet", profiles=profiles)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr


def test_compose_refuses_to_start_without_a_database_password(tmp_path: Path) -> None:
    result = compose(compose_project(tmp_path, password=""), "config", "--quiet")
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in result.stderr


def test_the_validator_rejects_a_broken_compose_file(tmp_path: Path) -> None:
    # The control for the tests above: the validator does look at the file.
    project = compose_project(tmp_path)
    text = COMPOSE.read_text(encoding="utf-8")
    broken = text.replace("service_completed_successfully", "service_finished", 1)
    assert broken != text
    (project / "compose.yaml").write_text(broken, encoding="utf-8")
    assert compose(project, "config", "--quiet").returncode != 0


def test_compose_starts_postgres_then_the_migration_then_the_services(tmp_path: Path) -> None:
    services = resolved_compose(tmp_path)["services"]
    assert set(services) == {"postgres", *NEEDFINDER_SERVICES}
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert any(v.endswith(":/var/lib/postgresql/data:rw") for v in postgres["volumes"])
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("bot", "bot-webhook", "web"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }, name
    assert services["bot"]["profiles"] == ["polling"]
    assert services["bot-webhook"]["profiles"] == ["webhook"]
    for name in NEEDFINDER_SERVICES:
        service = services[name]
        assert service["image"].startswith("needfinder:")
        assert "needfinder-data:/data:rw" in service["volumes"], name
        url = service["environment"]["NEEDFINDER_DATABASE_URL"]
        assert url == "postgresql+asyncpg://needfinder:example0password@postgres:5432/needfinder"
        # Published ports reach this host only; the reverse proxy faces the internet.
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_every_setting_compose_and_env_example_name_exists(tmp_path: Path) -> None:
    named = set(re.findall(r"\b(NEEDFINDER_[A-Z_]+|TELEGRAM_BOT_TOKEN)\b", COMPOSE.read_text()))
    named |= set(re.findall(r"^#? ?([A-Z_]+)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))
    named -= {"POSTGRES_PASSWORD", "COMPOSE_PROFILES"}
    assert named - SETTING_NAMES == set()
    # The main ones an operator must see in the example.
    assert {"TELEGRAM_BOT_TOKEN", "NEEDFINDER_DATABASE_URL", "NEEDFINDER_WEB_BASE_URL"} <= named


def test_env_example_loads_as_it_is_and_with_every_example_filled_in(tmp_path: Path) -> None:
    shipped = ENV_EXAMPLE.read_text(encoding="utf-8")
    # Every commented example whose value needs no file or server of its own, switched on.
    filled = re.sub(
        r"^# ((?:NEEDFINDER_(?!ORG_PROFILE|SCRIPTS_DIR|DATA_DIR|DATABASE_URL)[A-Z_]+|"
        r"TELEGRAM_BOT_TOKEN)=.+)$",
        r"\1",
        shipped,
        flags=re.MULTILINE,
    )
    assert filled.count("\nNEEDFINDER_") > shipped.count("\nNEEDFINDER_") + 10
    for text in (shipped, filled):
        (tmp_path / ".env").write_text(text, encoding="utf-8")
        env = clean_env(NEEDFINDER_DATA_DIR=str(tmp_path / "data"))
        result = run_needfinder(["needfinder", "scripts", "list"], tmp_path, env)
        assert result.returncode == 0, result.stderr


def test_every_command_compose_runs_parses_and_answers_help(tmp_path: Path) -> None:
    services = resolved_compose(tmp_path)["services"]
    commands = {name: services[name]["command"] for name in NEEDFINDER_SERVICES}
    assert commands["migrate"] == ["needfinder", "db", "upgrade"]
    assert commands["bot"][:2] == ["needfinder", "run"]
    assert parse_command_line(commands["bot-webhook"]).params["webhook"] is True
    web = parse_command_line(commands["web"])
    assert web.params == {"host": "0.0.0.0", "port": 8000}
    for args in commands.values():
        parse_command_line(args)
        shown = run_needfinder([*args, "--help"], tmp_path, clean_env())
        assert shown.returncode == 0, (args, shown.stderr)
        assert shown.stdout.startswith("Usage: ")


def test_parse_command_line_catches_a_misspelt_option() -> None:
    with pytest.raises(click.NoSuchOption):
        parse_command_line(["needfinder", "run", "--webhok"])
    with pytest.raises(click.BadParameter):
        parse_command_line(["needfinder", "web", "--port", "eighty"])


@contextmanager
def running(args: Sequence[str], cwd: Path, env: dict[str, str]) -> Iterator[int]:
    """Run ``needfinder web …`` until the block ends; yield the port it listens on."""
    with serving([sys.executable, "-m", "needfinder.cli", *args[1:]], cwd, env) as port:
        yield port


@pytest.mark.postgres
async def test_compose_migration_and_dashboard_run_on_postgresql(tmp_path: Path) -> None:
    services = resolved_compose(tmp_path)["services"]
    async with scratch_pg_database() as url:
        for name in ("migrate", "web"):
            service = services[name]
            env = clean_env(
                **{
                    **service["environment"],
                    "NEEDFINDER_DATABASE_URL": url,
                    "NEEDFINDER_DATA_DIR": str(tmp_path / "data"),
                }
            )
            if name == "migrate":
                result = run_needfinder(service["command"], tmp_path, env)
                assert result.returncode == 0, result.stderr
                database = Database(url)
                try:
                    assert await database.current_revision() == Database.head_revision()
                finally:
                    await database.dispose()
                continue
            # As compose runs it, on a free loopback port instead of 0.0.0.0:8000.
            args = [*service["command"], "--host", "127.0.0.1", "--port", "0"]
            with running(args, tmp_path, env) as port:
                health = f"http://127.0.0.1:{port}/healthz"
                assert healthcheck(health).returncode == 0
            # The dashboard is gone: the image's health check now fails.
            assert healthcheck(health).returncode != 0


# --- Dockerfile ---------------------------------------------------------------------------


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuations joined."""
    lines = [
        line
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            result.append((keyword.upper(), " ".join(rest.split())))
    return result


def final_stage() -> list[tuple[str, str]]:
    found = instructions()
    last_from = max(i for i, (keyword, _) in enumerate(found) if keyword == "FROM")
    return found[last_from:]


def healthcheck(url: str) -> subprocess.CompletedProcess[str]:
    """Run the image's HEALTHCHECK command here, asking ``url``."""
    (arguments,) = [rest for keyword, rest in final_stage() if keyword == "HEALTHCHECK"]
    command = json.loads(arguments[arguments.index("CMD [") + 4 :])
    assert command[0] == "python"
    return subprocess.run(
        [sys.executable, *command[1:]],
        capture_output=True,
        text=True,
        env=clean_env(HEALTHCHECK_URL=url),
        timeout=30,
    )


def test_image_is_slim_python_and_runs_as_a_user_with_data_on_a_volume() -> None:
    found = instructions()
    assert [rest.split()[0] for keyword, rest in found if keyword == "FROM"] == [
        "python:3.12-slim",
        "python:3.12-slim",
    ]
    stage = final_stage()
    users = [rest for keyword, rest in stage if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert any("useradd --system" in rest for keyword, rest in stage if keyword == "RUN")
    assert ("VOLUME", '["/data"]') in stage
    env = " ".join(rest for keyword, rest in stage if keyword == "ENV")
    assert "NEEDFINDER_DATA_DIR=/data" in env
    assert set(re.findall(r"\b(NEEDFINDER_[A-Z_]+)=", env)) <= SETTING_NAMES
    (cmd,) = [rest for keyword, rest in stage if keyword == "CMD"]
    assert json.loads(cmd) == ["needfinder", "run"]
    parse_command_line(json.loads(cmd))


def test_image_installs_a_built_wheel_of_every_package() -> None:
    found = instructions()
    runs = " ".join(rest for keyword, rest in found if keyword == "RUN")
    assert "pip wheel --wheel-dir /wheels ." in runs
    assert "pip install --no-index --find-links=/wheels needfinder" in runs
    assert " -e " not in runs and "--editable" not in runs
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    tops = {name.split(".")[0] for name in project["tool"]["setuptools"]["packages"]}
    copied = {rest.split()[0].rstrip("/") for keyword, rest in found if keyword == "COPY"}
    copied |= {"pyproject.toml", "README.md"}  # COPY pyproject.toml README.md ./
    assert tops | {"pyproject.toml", "README.md"} <= copied
    # .dockerignore keeps only those (no .env, database or virtualenv in the build context).
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    ignore = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert ignore[0] == "*"
    kept = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert kept == tops | {"pyproject.toml", "README.md"}
    assert project["project"]["readme"] == "README.md"


def test_image_health_check_fails_on_503(tmp_path: Path) -> None:
    # A dashboard whose database was never migrated answers 503: unhealthy, not healthy.
    url = f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}"
    settings = make_settings(tmp_path)
    with LiveServer(url, lambda database: WebContext(settings, database)) as server:
        result = healthcheck(f"{server.url}/healthz")
    assert result.returncode != 0
    assert "503" in result.stderr


def image_env() -> dict[str, str]:
    """The ENV values of the final stage."""
    env = {}
    for keyword, rest in final_stage():
        if keyword == "ENV":
            for item in rest.split():
                name, _, value = item.partition("=")
                env[name] = value
    return env


def listen_port(value: str) -> int:
    return int(value.rsplit(":", 1)[1])


def test_every_health_check_asks_the_port_its_service_listens_on(tmp_path: Path) -> None:
    # A mismatch would leave a container "unhealthy" for ever, with nothing wrong in it.
    image = image_env()
    assert urlsplit(image["HEALTHCHECK_URL"]).port == listen_port(image["NEEDFINDER_HEALTH_LISTEN"])
    services = resolved_compose(tmp_path)["services"]
    web = services["web"]
    assert (
        urlsplit(web["environment"]["HEALTHCHECK_URL"]).port
        == (parse_command_line(web["command"]).params["port"])
    )
    hook = services["bot-webhook"]
    listen = listen_port(hook["environment"]["NEEDFINDER_WEBHOOK_LISTEN"])
    assert urlsplit(hook["environment"]["HEALTHCHECK_URL"]).port == listen
    assert [str(port).split("/")[0] for port in hook["ports"]] == [f"127.0.0.1:{listen}:{listen}"]
    assert "HEALTHCHECK_URL" not in services["bot"].get("environment", {})


def free_port() -> int:
    """A loopback port nothing listens on now (the bot binds it next)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("service", ["bot", "bot-webhook"])
def test_compose_bots_pass_the_image_health_check(
    service: str, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    command = resolved_compose(tmp_path)["services"][service]["command"]
    assert command[:2] == ["needfinder", "run"]
    port = free_port()
    if service == "bot":
        # The image's listener, on a free loopback port instead of 8081.
        settings = {"NEEDFINDER_HEALTH_LISTEN": f"127.0.0.1:{port}"}
    else:
        fake_telegram.route_webhook(f"http://127.0.0.1:{port}")
        settings = {
            "NEEDFINDER_WEBHOOK_URL": "https://bot.example.org/telegram",
            "NEEDFINDER_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
            "NEEDFINDER_WEBHOOK_SECRET": "compose-test-secret",
        }
    for _bot in running_bot(fake_telegram, tmp_path, run_args=command[2:], **settings):
        result = healthcheck(f"http://127.0.0.1:{port}/healthz")
        assert result.returncode == 0, result.stderr


# --- systemd units ------------------------------------------------------------------------


def unit_entries(path: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) of a unit file, in order (keys may repeat)."""
    entries = []
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.append((section, key, value))
    return entries


def test_both_units_exist() -> None:
    assert [unit.name for unit in UNITS] == ["needfinder-bot.service", "needfinder-web.service"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_unit_runs_hardened_as_its_user_and_upgrades_first(unit: Path) -> None:
    entries = unit_entries(unit)
    service = {key: value for section, key, value in entries if section == "Service"}
    assert service["User"] == "needfinder"
    assert service["EnvironmentFile"].startswith("/etc/needfinder/")
    assert service["Restart"] == "on-failure"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == "/var/lib/needfinder"
    assert service["Environment"] == "NEEDFINDER_DATA_DIR=/var/lib/needfinder"
    pre = [value for _section, key, value in entries if key == "ExecStartPre"]
    assert [command.split()[1:] for command in pre] == [["db", "upgrade"]]
    expected = {"needfinder-bot.service": ["run"], "needfinder-web.service": ["web"]}[unit.name]
    assert service["ExecStart"].split()[1:2] == expected
    for _section, key, value in entries:
        if key.startswith("Exec"):
            binary, *args = value.split()
            assert binary == "/opt/needfinder/bin/needfinder", value
            parse_command_line(["needfinder", *args])


def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing (Debian package systemd)"
    needfinder = Path(sys.executable).with_name("needfinder")
    copies = []
    for unit in UNITS:
        # verify insists that the binaries exist: point them at this checkout's needfinder.
        copy = tmp_path / unit.name
        text = unit.read_text(encoding="utf-8")
        copy.write_text(text.replace("/opt/needfinder/bin/needfinder", str(needfinder)))
        copies.append(str(copy))
    result = subprocess.run(
        [analyze, "verify", *copies], capture_output=True, text=True, timeout=60
    )
    ours = [line for line in result.stderr.splitlines() if "needfinder" in line]
    assert result.returncode == 0, result.stderr
    assert ours == []
