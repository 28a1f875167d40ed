"""The audit log: who did what, when, to which dialogue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select

from storage.schema import audit_log
from storage.staff._common import StaffQueriesBase
from storage.staff.models import AuditEntry, AuditPage

AUDIT_DETAIL_LENGTH = 500


class AuditLog(StaffQueriesBase):
    """Recording and reading the audit log."""

    async def record_audit(
        self,
        staff_user_id: str,
        action: str,
        now: datetime,
        *,
        dialogue_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Record that a staff member did something (to a dialogue)."""
        await self.connection.execute(
            insert(audit_log).values(
                at=now,
                staff_user_id=staff_user_id,
                action=action,
                dialogue_id=dialogue_id,
                detail=detail[:AUDIT_DETAIL_LENGTH] if detail else None,
            )
        )

    async def audit(
        self, *, dialogue_id: str | None = None, limit: int = 100, offset: int = 0
    ) -> AuditPage:
        """Return the audit log, newest first (optionally for one dialogue)."""
        conditions = [audit_log.c.dialogue_id == dialogue_id] if dialogue_id else []
        total = await self.connection.scalar(
            select(func.count()).select_from(audit_log).where(*conditions)
        )
        rows = await self.connection.execute(
            select(audit_log)
            .where(*conditions)
            .order_by(audit_log.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        entries = tuple(
            AuditEntry(r.id, r.at, r.staff_user_id, r.action, r.dialogue_id, r.detail) for r in rows
        )
        return AuditPage(entries, int(total or 0))
