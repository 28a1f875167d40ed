"""Dashboard access: staff group members, login links and sessions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.schema import login_tokens, staff_members, staff_sessions
from storage.staff._common import StaffQueriesBase
from storage.staff.models import LoginOutcome, LoginRedemption, StaffMember, StaffSession


class StaffAccess(StaffQueriesBase):
    """Who is staff, and their login links and dashboard sessions."""

    # --- staff members -----------------------------------------------------------------------

    async def confirm_member(
        self, telegram_user_id: str, display_name: str | None, now: datetime
    ) -> None:
        """Record (or refresh) that someone is a member of the staff group."""
        values = {
            "telegram_user_id": telegram_user_id,
            "display_name": display_name[:256] if display_name else None,
            "confirmed_at": now,
        }
        changes = {"display_name": values["display_name"], "confirmed_at": now}
        if self._dialect == "postgresql":
            pg = postgresql.insert(staff_members).values(values)
            await self.connection.execute(
                pg.on_conflict_do_update(index_elements=["telegram_user_id"], set_=changes)
            )
        else:
            lite = sqlite.insert(staff_members).values(values)
            await self.connection.execute(
                lite.on_conflict_do_update(index_elements=["telegram_user_id"], set_=changes)
            )

    async def member(self, telegram_user_id: str) -> StaffMember | None:
        """Return the confirmed membership of a user, if any."""
        row = (
            await self.connection.execute(
                select(staff_members).where(staff_members.c.telegram_user_id == telegram_user_id)
            )
        ).first()
        return (
            StaffMember(row.telegram_user_id, row.display_name, row.confirmed_at) if row else None
        )

    async def members(self) -> list[StaffMember]:
        """Return every confirmed membership, most recently confirmed first."""
        rows = await self.connection.execute(
            select(staff_members).order_by(staff_members.c.confirmed_at.desc())
        )
        return [StaffMember(r.telegram_user_id, r.display_name, r.confirmed_at) for r in rows]

    async def remove_member(self, telegram_user_id: str) -> None:
        """Forget a membership (the person left the staff group)."""
        await self.connection.execute(
            delete(staff_members).where(staff_members.c.telegram_user_id == telegram_user_id)
        )

    async def display_names(self, telegram_user_ids: Iterable[str]) -> dict[str, str]:
        """Return the known display names of staff members."""
        ids = sorted(set(telegram_user_ids))
        if not ids:
            return {}
        rows = await self.connection.execute(
            select(staff_members.c.telegram_user_id, staff_members.c.display_name).where(
                staff_members.c.telegram_user_id.in_(ids),
                staff_members.c.display_name.is_not(None),
            )
        )
        return {r.telegram_user_id: r.display_name for r in rows}

    # --- login links and sessions ------------------------------------------------------------

    async def add_login_token(
        self, nonce: str, telegram_user_id: str, now: datetime, expires_at: datetime
    ) -> None:
        """Remember a login link's nonce until it is used or expires."""
        await self.connection.execute(
            insert(login_tokens).values(
                nonce=nonce,
                telegram_user_id=telegram_user_id,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def redeem_login_token(self, nonce: str, now: datetime) -> LoginRedemption:
        """Use a login link's nonce: it works once, before it expires."""
        # One conditional UPDATE: of two simultaneous uses exactly one changes the row.
        result = await self.connection.execute(
            update(login_tokens)
            .where(
                login_tokens.c.nonce == nonce,
                login_tokens.c.used_at.is_(None),
                login_tokens.c.expires_at > now,
            )
            .values(used_at=now)
        )
        row = (
            await self.connection.execute(
                select(login_tokens.c.telegram_user_id, login_tokens.c.used_at).where(
                    login_tokens.c.nonce == nonce
                )
            )
        ).first()
        if row is None:
            return LoginRedemption("unknown")
        if result.rowcount == 1:
            return LoginRedemption("ok", row.telegram_user_id)
        outcome: LoginOutcome = "used" if row.used_at is not None else "expired"
        return LoginRedemption(outcome, row.telegram_user_id)

    async def create_session(
        self, session_id: str, telegram_user_id: str, now: datetime, expires_at: datetime
    ) -> None:
        """Store a new dashboard session."""
        await self.connection.execute(
            insert(staff_sessions).values(
                id=session_id,
                telegram_user_id=telegram_user_id,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def session(self, session_id: str) -> StaffSession | None:
        """Return a session by id, whatever its state."""
        row = (
            await self.connection.execute(
                select(staff_sessions).where(staff_sessions.c.id == session_id)
            )
        ).first()
        if row is None:
            return None
        return StaffSession(
            row.id, row.telegram_user_id, row.created_at, row.expires_at, row.revoked_at
        )

    async def revoke_session(self, session_id: str, now: datetime) -> None:
        """End a session (logout)."""
        await self.connection.execute(
            update(staff_sessions)
            .where(staff_sessions.c.id == session_id, staff_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_sessions_of(self, telegram_user_id: str, now: datetime) -> int:
        """End every open session of a user; return how many there were."""
        result = await self.connection.execute(
            update(staff_sessions)
            .where(
                staff_sessions.c.telegram_user_id == telegram_user_id,
                staff_sessions.c.revoked_at.is_(None),
                staff_sessions.c.expires_at > now,
            )
            .values(revoked_at=now)
        )
        return int(result.rowcount or 0)

    async def purge_expired_access(
        self, now: datetime, keep: timedelta = timedelta(days=7)
    ) -> None:
        """Delete login links and sessions that ended more than ``keep`` ago."""
        cutoff = now - keep
        await self.connection.execute(
            delete(login_tokens).where(login_tokens.c.expires_at < cutoff)
        )
        await self.connection.execute(
            delete(staff_sessions).where(staff_sessions.c.expires_at < cutoff)
        )
