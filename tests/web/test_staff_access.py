"""Who is staff, login links (signed, single use, expiring) and sessions (app/staff.py)."""

from __future__ import annotations

import stat
import time
from datetime import timedelta
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from pydantic import SecretStr

from needfinder.app.settings import Settings
from needfinder.app.staff import (
    SECRET_FILE_NAME,
    NotStaff,
    close_session,
    confirm_member,
    create_login_link,
    forget_member,
    is_staff,
    open_session,
    redeem_login_link,
    secret_key,
    session_id,
    session_user,
    staff_access,
)
from storage.database import Database
from tests.web.conftest import BASE_URL, CUSTOMER_ID, STAFF_ID, Clock, make_settings
from tests.web.seeding import BASE_TIME

MEMBER_ID = "5555"


class HourAgoSigner(TimestampSigner):
    """Signs as if it were an hour ago."""

    def get_timestamp(self) -> int:
        return int(time.time()) - 3600


def token_of(link: str) -> str:
    assert link.startswith(f"{BASE_URL}/login/")
    return link.rsplit("/", 1)[1]


async def test_configured_ids_and_fresh_group_members_are_staff(
    database: Database, settings: Settings
) -> None:
    async with database.write() as uow:
        await confirm_member(uow, MEMBER_ID, "Maria", BASE_TIME)
    async with database.read() as uow:
        assert await is_staff(uow, settings, STAFF_ID)
        assert await is_staff(uow, settings, f" {STAFF_ID} ")
        assert not await is_staff(uow, settings, CUSTOMER_ID)
        assert await is_staff(uow, settings, MEMBER_ID, now=BASE_TIME + timedelta(hours=23))
        # A membership older than 24 hours no longer counts unless the bot confirms it again.
        assert not await is_staff(uow, settings, MEMBER_ID, now=BASE_TIME + timedelta(hours=25))
    async with database.write() as uow:
        await confirm_member(uow, MEMBER_ID, "Maria", BASE_TIME + timedelta(hours=24))
    async with database.read() as uow:
        assert await is_staff(uow, settings, MEMBER_ID, now=BASE_TIME + timedelta(hours=25))
        without_group = make_settings(settings.data_dir, staff_chat_id=None)
        assert not await is_staff(
            uow, without_group, MEMBER_ID, now=BASE_TIME + timedelta(hours=25)
        )
        people = await staff_access(uow, settings, BASE_TIME + timedelta(hours=25))
    assert [(p.telegram_user_id, p.configured, p.is_staff) for p in people] == [
        (STAFF_ID, True, True),
        (MEMBER_ID, False, True),
    ]


async def test_login_link_is_signed_and_works_once(
    database: Database, settings: Settings, clock: Clock
) -> None:
    async with database.write() as uow:
        link = await create_login_link(uow, settings, STAFF_ID, clock())
    token = token_of(link)
    async with database.write() as uow:
        first = await redeem_login_link(uow, settings, token, clock())
    async with database.write() as uow:
        second = await redeem_login_link(uow, settings, token, clock())
    assert (first.telegram_user_id, first.problem) == (STAFF_ID, None)
    assert second.problem == "used"


async def test_login_link_expires(database: Database, settings: Settings, clock: Clock) -> None:
    async with database.write() as uow:
        link = await create_login_link(uow, settings, STAFF_ID, clock())
    clock.advance(timedelta(minutes=settings.login_link_minutes, seconds=1))
    async with database.write() as uow:
        attempt = await redeem_login_link(uow, settings, token_of(link), clock())
    assert attempt.problem == "expired"


async def test_login_link_signature_expires_too(
    database: Database, settings: Settings, clock: Clock
) -> None:
    # A token signed long ago fails on its signed timestamp, before the database is asked.
    old = URLSafeTimedSerializer(
        secret_key(settings), salt="needfinder.login-link", signer=HourAgoSigner
    )
    token = old.dumps({"n": "whatever", "u": STAFF_ID})
    async with database.write() as uow:
        attempt = await redeem_login_link(uow, settings, token, clock())
    assert attempt.problem == "expired"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "x" + t,
        lambda t: "",
        lambda t: "not-a-token",
    ],
)
async def test_tampered_login_links_are_invalid(
    database: Database, settings: Settings, clock: Clock, tamper: object
) -> None:
    async with database.write() as uow:
        link = await create_login_link(uow, settings, STAFF_ID, clock())
        attempt = await redeem_login_link(uow, settings, tamper(token_of(link)), clock())  # type: ignore[operator]
    assert attempt.problem == "invalid"


async def test_signed_with_another_key_or_for_someone_else_is_invalid(
    database: Database, settings: Settings, clock: Clock
) -> None:
    async with database.write() as uow:
        link = await create_login_link(uow, settings, STAFF_ID, clock())
    nonce = URLSafeTimedSerializer(secret_key(settings), salt="needfinder.login-link").loads(
        token_of(link)
    )["n"]
    foreign = URLSafeTimedSerializer("another key" * 4, salt="needfinder.login-link")
    swapped = URLSafeTimedSerializer(secret_key(settings), salt="needfinder.login-link")
    async with database.write() as uow:
        other_key = await redeem_login_link(
            uow, settings, foreign.dumps({"n": nonce, "u": STAFF_ID}), clock()
        )
        other_user = await redeem_login_link(
            uow, settings, swapped.dumps({"n": nonce, "u": MEMBER_ID}), clock()
        )
    assert other_key.problem == "invalid" and other_user.problem == "invalid"


async def test_no_links_for_customers(database: Database, settings: Settings, clock: Clock) -> None:
    async with database.write() as uow:
        with pytest.raises(NotStaff):
            await create_login_link(uow, settings, CUSTOMER_ID, clock())


async def test_link_of_someone_no_longer_staff_is_refused(
    database: Database, settings: Settings, clock: Clock
) -> None:
    async with database.write() as uow:
        await confirm_member(uow, MEMBER_ID, None, clock())
        link = await create_login_link(uow, settings, MEMBER_ID, clock())
        await forget_member(uow, MEMBER_ID, clock())
    async with database.write() as uow:
        attempt = await redeem_login_link(uow, settings, token_of(link), clock())
    assert (attempt.telegram_user_id, attempt.problem) == (MEMBER_ID, "not_staff")


async def test_sessions_end_on_expiry_logout_and_loss_of_staff_status(
    database: Database, settings: Settings, clock: Clock
) -> None:
    async with database.write() as uow:
        await confirm_member(uow, MEMBER_ID, None, clock())
        own = await open_session(uow, settings, STAFF_ID, clock())
        member = await open_session(uow, settings, MEMBER_ID, clock())
        closed = await open_session(uow, settings, STAFF_ID, clock())
        await close_session(uow, closed.token, clock())
    async with database.read() as uow:
        user = await session_user(uow, settings, own.token, clock())
        assert user is not None and user.telegram_user_id == STAFF_ID
        assert await session_user(uow, settings, member.token, clock()) is not None
        assert await session_user(uow, settings, closed.token, clock()) is None
        assert await session_user(uow, settings, "made-up", clock()) is None
        # The membership lapses after 24 hours: the session stops working with it.
        later = clock() + timedelta(hours=24, minutes=1)
        assert await session_user(uow, settings, member.token, later) is None
        assert await session_user(uow, settings, own.token, later) is None  # 12 h sessions
        stored = await uow.staff.session(session_id(own.token))
    assert stored is not None and own.token not in stored.id  # only a hash is stored


def test_secret_key_is_created_once_with_private_permissions(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    key = secret_key(settings)
    path = tmp_path / "data" / SECRET_FILE_NAME
    assert len(key) >= 32 and path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(make_settings(tmp_path / "data")) == key
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]


def test_existing_secret_file_is_used_and_tightened(tmp_path: Path) -> None:
    path = tmp_path / SECRET_FILE_NAME
    path.write_text("k" * 40 + "\n")
    path.chmod(0o644)
    assert secret_key(make_settings(tmp_path)) == "k" * 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_configured_secret_wins(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, web_secret_key=SecretStr("s" * 40))
    assert secret_key(settings) == "s" * 40
    assert not (tmp_path / SECRET_FILE_NAME).exists()
