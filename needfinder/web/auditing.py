"""Recording what staff looked at and changed in the audit log."""

from __future__ import annotations

from typing import Literal

from needfinder.web.context import WebContext

AuditAction = Literal[
    "login",
    "logout",
    "view_transcript",
    "view_excerpts",
    "search",
    "export",
    "tag",
    "untag",
    "note",
    "delete_note",
]


async def record(
    web: WebContext,
    staff_user_id: str,
    action: AuditAction,
    *,
    dialogue_id: str | None = None,
    detail: str | None = None,
) -> None:
    """Write one audit entry in its own transaction (ids and counts only, never customer text)."""
    async with web.database.write() as uow:
        await uow.staff.record_audit(
            staff_user_id, action, web.clock(), dialogue_id=dialogue_id, detail=detail
        )
