"""Who is staff, one-time login links to the dashboard, and dashboard sessions.

Staff are the Telegram user ids in ``NEEDFINDER_STAFF_USER_IDS`` and the members of the staff
group (``NEEDFINDER_STAFF_CHAT_ID``) whose membership the bot confirmed in the last 24 hours.
A login link carries a nonce signed with the web secret; the nonce is stored and works once.
A session is a random token in a cookie; only its SHA-256 is stored, so a copy of the
database opens no session.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from needfinder.app.settings import Settings
from storage.staff import StaffMember
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

#: A confirmed membership of the staff group counts this long unless the bot confirms it again.
MEMBERSHIP_VALID_FOR = timedelta(hours=24)
SECRET_FILE_NAME = "web-secret.key"
_LOGIN_SALT = "needfinder.login-link"
_secret_cache: dict[Path, str] = {}


class NotStaff(Exception):
    """A login link was asked for someone who is not staff."""


LoginProblem = Literal["invalid", "expired", "used", "not_staff"]


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of using a login link: a user id, or why it did not work."""

    telegram_user_id: str | None
    problem: LoginProblem | None = None


@dataclass(frozen=True)
class NewSession:
    """A session just opened; ``token`` goes into the cookie and is stored nowhere else."""

    token: str
    telegram_user_id: str
    expires_at: datetime


@dataclass(frozen=True)
class StaffUser:
    """The staff member behind a valid session."""

    telegram_user_id: str
    session_id: str
    expires_at: datetime


@dataclass(frozen=True)
class StaffAccess:
    """Why someone counts as staff (for ``needfinder staff list``)."""

    telegram_user_id: str
    configured: bool
    member: StaffMember | None
    is_staff: bool


def secret_key(settings: Settings) -> str:
    """Return the key that signs login links and cookies.

    ``NEEDFINDER_WEB_SECRET_KEY`` when set; otherwise a random key created once in
    ``web-secret.key`` in the data folder (mode 0600), shared by the bot, the dashboard and
    the CLI on this machine.
    """
    if settings.web_secret_key is not None and settings.web_secret_key.get_secret_value():
        return settings.web_secret_key.get_secret_value()
    path = (settings.data_dir / SECRET_FILE_NAME).resolve()
    if path not in _secret_cache:
        _secret_cache[path] = _read_or_create_secret(path)
    return _secret_cache[path]


async def is_staff(
    uow: UnitOfWork, settings: Settings, telegram_user_id: str, *, now: datetime | None = None
) -> bool:
    """Return whether a Telegram user is staff right now."""
    user = telegram_user_id.strip()
    if user in {str(i) for i in settings.staff_user_ids}:
        return True
    if settings.staff_chat_id is None:
        # Without a staff group nobody is staff by membership, whatever rows remain.
        return False
    member = await uow.staff.member(user)
    now = now or datetime.now(UTC)
    return member is not None and member.confirmed_at > now - MEMBERSHIP_VALID_FOR


async def confirm_member(
    uow: UnitOfWork, telegram_user_id: str, display_name: str | None, now: datetime
) -> None:
    """Record that the bot saw ``telegram_user_id`` as a member of the staff group."""
    await uow.staff.confirm_member(telegram_user_id.strip(), display_name, now)


async def forget_member(uow: UnitOfWork, telegram_user_id: str, now: datetime) -> None:
    """Record that someone left the staff group: membership gone, sessions ended."""
    await uow.staff.remove_member(telegram_user_id.strip())
    await uow.staff.revoke_sessions_of(telegram_user_id.strip(), now)


async def staff_access(uow: UnitOfWork, settings: Settings, now: datetime) -> list[StaffAccess]:
    """Return everyone configured or seen in the staff group, and whether they count."""
    members = {m.telegram_user_id: m for m in await uow.staff.members()}
    configured = {str(i) for i in settings.staff_user_ids}
    result = []
    for user in sorted(configured | set(members)):
        result.append(
            StaffAccess(
                user,
                user in configured,
                members.get(user),
                await is_staff(uow, settings, user, now=now),
            )
        )
    return result


async def create_login_link(
    uow: UnitOfWork, settings: Settings, telegram_user_id: str, now: datetime
) -> str:
    """Return a one-time dashboard login link for a staff member (raises NotStaff)."""
    user = telegram_user_id.strip()
    if not await is_staff(uow, settings, user, now=now):
        raise NotStaff(f"Telegram user {user} is not staff")
    nonce = secrets.token_urlsafe(24)
    await uow.staff.add_login_token(
        nonce, user, now, now + timedelta(minutes=settings.login_link_minutes)
    )
    token = _login_serializer(settings).dumps({"n": nonce, "u": user})
    log.info("staff.login_link_created", extra={"staff_user_id": user})
    return f"{settings.web_base_url.rstrip('/')}/login/{token}"


def check_login_link(settings: Settings, token: str) -> LoginProblem | None:
    """Return why a login link's token is unusable from its signature alone (None: looks fine).

    Nothing is used up: the confirmation page calls this before the staff member logs in.
    """
    try:
        _login_serializer(settings).loads(token, max_age=settings.login_link_minutes * 60)
    except SignatureExpired:
        return "expired"
    except BadData:
        return "invalid"
    return None


async def redeem_login_link(
    uow: UnitOfWork, settings: Settings, token: str, now: datetime
) -> LoginAttempt:
    """Use a login link's token (once): return who it is for, or why it does not work."""
    try:
        payload = _login_serializer(settings).loads(token, max_age=settings.login_link_minutes * 60)
    except SignatureExpired:
        return LoginAttempt(None, "expired")
    except BadData:
        return LoginAttempt(None, "invalid")
    if not isinstance(payload, dict) or not all(
        isinstance(payload.get(k), str) for k in ("n", "u")
    ):
        return LoginAttempt(None, "invalid")
    redemption = await uow.staff.redeem_login_token(payload["n"], now)
    if redemption.outcome == "unknown" or redemption.telegram_user_id != payload["u"]:
        return LoginAttempt(None, "invalid")
    if redemption.outcome != "ok":
        return LoginAttempt(redemption.telegram_user_id, redemption.outcome)
    user = payload["u"]
    if not await is_staff(uow, settings, user, now=now):
        return LoginAttempt(user, "not_staff")
    return LoginAttempt(user)


async def open_session(
    uow: UnitOfWork, settings: Settings, telegram_user_id: str, now: datetime
) -> NewSession:
    """Open a dashboard session for a staff member who just logged in."""
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=settings.session_hours)
    await uow.staff.purge_expired_access(now)
    await uow.staff.create_session(session_id(token), telegram_user_id, now, expires_at)
    return NewSession(token, telegram_user_id, expires_at)


async def session_user(
    uow: UnitOfWork, settings: Settings, token: str, now: datetime
) -> StaffUser | None:
    """Return the staff member of a session token, if the session is valid and they are staff."""
    stored = await uow.staff.session(session_id(token))
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        return None
    if not await is_staff(uow, settings, stored.telegram_user_id, now=now):
        return None
    return StaffUser(stored.telegram_user_id, stored.id, stored.expires_at)


async def close_session(uow: UnitOfWork, token: str, now: datetime) -> None:
    """End a session (logout)."""
    await uow.staff.revoke_session(session_id(token), now)


def session_id(token: str) -> str:
    """Return the stored id of a session token (its SHA-256, hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _login_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(settings), salt=_LOGIN_SALT)


def _read_or_create_secret(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write a private temporary file, then link it into place: the link fails if another
        # process (the bot, the dashboard) created the key first, and then we use theirs.
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
                log.info("staff.secret_created", extra={"path": str(path)})
            except FileExistsError:
                pass
        finally:
            temporary.unlink(missing_ok=True)
    if path.stat().st_mode & 0o077:
        log.warning("staff.secret_permissions_tightened", extra={"path": str(path)})
        path.chmod(0o600)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ValueError(f"{path}: the web secret key is too short; delete the file to renew it")
    return key
