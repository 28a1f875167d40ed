"""The audit log: who viewed, exported or coded which dialogue, and when."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from needfinder.web.context import web_context
from needfinder.web.query import page_param, text_param
from needfinder.web.templating import render

PER_PAGE = 100


async def audit_page(request: Request) -> Response:
    """Show the audit log, newest first (optionally for one dialogue)."""
    web = web_context(request)
    dialogue_id = text_param(request.query_params, "dialogue")
    page = page_param(request.query_params)
    async with web.database.read() as uow:
        found = await uow.staff.audit(
            dialogue_id=dialogue_id, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
        )
        names = await uow.staff.display_names(e.staff_user_id for e in found.entries)
    pages = max(1, -(-found.total // PER_PAGE))

    def page_url(number: int) -> str:
        params = {"dialogue": dialogue_id or "", "page": str(number)}
        return "/audit?" + urlencode({k: v for k, v in params.items() if v})

    return render(
        request,
        "audit.html",
        {
            "found": found,
            "names": names,
            "dialogue_id": dialogue_id,
            "page": page,
            "pages": pages,
            "previous_url": page_url(page - 1),
            "next_url": page_url(page + 1),
        },
    )
