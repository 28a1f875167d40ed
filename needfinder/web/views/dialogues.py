"""The dialogue list: filters, full-text search with snippets, pagination, export buttons."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from needfinder.web.auditing import record
from needfinder.web.context import current_staff, web_context
from needfinder.web.query import STATUSES, parse_list_query
from needfinder.web.templating import render

PER_PAGE = 50


async def home(request: Request) -> Response:
    """Send staff to the dialogue list."""
    return RedirectResponse("/dialogues", status_code=303)


async def dialogue_list(request: Request) -> Response:
    """List dialogues, newest first, narrowed by the filters and the search."""
    web = web_context(request)
    query = parse_list_query(request.query_params)
    search = query.dialogue_filter.text
    async with web.database.read() as uow:
        page = await uow.staff.list_dialogues(
            query.dialogue_filter, page=query.page, per_page=PER_PAGE
        )
        hits = (
            await uow.staff.search_in_dialogues(search, [d.id for d in page.dialogues])
            if search
            else {}
        )
        choices = await uow.staff.filter_choices()
    if search:
        # Snippets show customer text; the search words themselves may name people and
        # would outlive an erasure, so only the count is recorded.
        await record(
            web,
            current_staff(request).telegram_user_id,
            "search",
            detail=f"{page.total} dialogues matched",
        )
    return render(
        request,
        "dialogues.html",
        {
            "query": query,
            "page": page,
            "hits": hits,
            "choices": choices,
            "statuses": STATUSES,
            "previous_url": query.url("/dialogues", page=page.page - 1),
            "next_url": query.url("/dialogues", page=page.page + 1),
        },
    )
