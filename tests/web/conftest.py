"""Dashboard fixtures: settings with one configured staff member, a seeded database, a client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from needfinder.app.scripts import ScriptLibrary
from needfinder.app.settings import Settings
from needfinder.app.staff import create_login_link
from needfinder.web.app import create_app, step_order
from needfinder.web.context import WebContext
from storage.database import Database
from tests.web.seeding import seed, standard_seeds

STAFF_ID = "4242"
CUSTOMER_ID = "1001"  # Anna, the customer of d_000000000001
BASE_URL = "http://dashboard.test"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Clock:
    """Real time that a test can move forward."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Return settings for tests (no .env file is read)."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "staff_user_ids": [int(STAFF_ID)],
        "staff_chat_id": -1001,
        "web_base_url": BASE_URL,
        "staff_names": ["Maria Schulz"],
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def csrf_of(html: str) -> str:
    """Return the first CSRF token in a page."""
    found = _CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def seeded(database: Database) -> dict[str, list[int]]:
    """The standard dialogues; returns each dialogue's customer entry ids."""
    return await seed(database, standard_seeds())


@pytest.fixture
def web(settings: Settings, database: Database, clock: Clock) -> WebContext:
    return WebContext(settings, database, step_order(ScriptLibrary.load()), clock)


@pytest.fixture
async def client(web: WebContext) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(web))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


@dataclass
class LoggedIn:
    """A client with a staff session, and the session's CSRF token."""

    http: httpx.AsyncClient
    csrf: str


async def log_in(http: httpx.AsyncClient, web: WebContext, user: str = STAFF_ID) -> LoggedIn:
    """Log ``http`` in through a real login link; return it with the session's CSRF token."""
    async with web.database.write() as uow:
        link = await create_login_link(uow, web.settings, user, web.clock())
    path = link.removeprefix(BASE_URL)
    confirm = await http.get(path)
    assert confirm.status_code == 200
    done = await http.post(path, data={"csrf": csrf_of(confirm.text)})
    assert done.status_code == 303, done.text
    page = await http.get("/dialogues")
    assert page.status_code == 200
    return LoggedIn(http, csrf_of(page.text))


@pytest.fixture
async def staff(
    client: httpx.AsyncClient, web: WebContext, seeded: dict[str, list[int]]
) -> LoggedIn:
    """A logged-in staff client over the seeded database."""
    return await log_in(client, web)
