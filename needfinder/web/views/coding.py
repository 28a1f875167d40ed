"""Coding answers: tags and notes on customer entries, the tag overview and its excerpts."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from needfinder.web.auditing import record
from needfinder.web.context import current_staff, web_context
from needfinder.web.query import page_param
from needfinder.web.templating import render
from needfinder.web.views.transcript import view_param

EXCERPTS_PER_PAGE = 50
EXCERPTS_IN_OVERVIEW = 3


async def add_tag(request: Request) -> Response:
    """Put a tag on a customer's answer."""
    web = web_context(request)
    staff = current_staff(request)
    entry_id = int(request.path_params["entry_id"])
    form = await request.form()
    name = str(form.get("tag", ""))
    async with web.database.write() as uow:
        entry = await uow.staff.entry(entry_id)
        tag = await uow.staff.tag_entry(entry_id, name, staff.telegram_user_id, web.clock())
        if entry is None or tag is None:
            raise HTTPException(400, "only a customer's answer can be tagged, with a name")
        await uow.staff.record_audit(
            staff.telegram_user_id,
            "tag",
            web.clock(),
            dialogue_id=entry.dialogue_id,
            detail=f"entry {entry_id}, tag {tag.id}",
        )
    return _back_to_entry(entry.dialogue_id, entry_id, form.get("view"))


async def remove_tag(request: Request) -> Response:
    """Take a tag off an answer."""
    web = web_context(request)
    staff = current_staff(request)
    entry_id = int(request.path_params["entry_id"])
    tag_id = int(request.path_params["tag_id"])
    form = await request.form()
    async with web.database.write() as uow:
        entry = await uow.staff.entry(entry_id)
        if entry is None:
            raise HTTPException(404)
        if await uow.staff.untag_entry(entry_id, tag_id):
            await uow.staff.record_audit(
                staff.telegram_user_id,
                "untag",
                web.clock(),
                dialogue_id=entry.dialogue_id,
                detail=f"entry {entry_id}, tag {tag_id}",
            )
    return _back_to_entry(entry.dialogue_id, entry_id, form.get("view"))


async def add_note(request: Request) -> Response:
    """Add a note to a customer's answer."""
    web = web_context(request)
    staff = current_staff(request)
    entry_id = int(request.path_params["entry_id"])
    form = await request.form()
    async with web.database.write() as uow:
        entry = await uow.staff.entry(entry_id)
        note = await uow.staff.add_note(
            entry_id, str(form.get("note", "")), staff.telegram_user_id, web.clock()
        )
        if entry is None or note is None:
            raise HTTPException(400, "only a customer's answer can get a note, with some text")
        await uow.staff.record_audit(
            staff.telegram_user_id,
            "note",
            web.clock(),
            dialogue_id=entry.dialogue_id,
            detail=f"entry {entry_id}, note {note.id}",
        )
    return _back_to_entry(entry.dialogue_id, entry_id, form.get("view"))


async def delete_note(request: Request) -> Response:
    """Delete a note."""
    web = web_context(request)
    staff = current_staff(request)
    entry_id = int(request.path_params["entry_id"])
    note_id = int(request.path_params["note_id"])
    form = await request.form()
    async with web.database.write() as uow:
        entry = await uow.staff.entry(entry_id)
        if entry is None:
            raise HTTPException(404)
        if await uow.staff.delete_note(note_id, entry_id):
            await uow.staff.record_audit(
                staff.telegram_user_id,
                "delete_note",
                web.clock(),
                dialogue_id=entry.dialogue_id,
                detail=f"entry {entry_id}, note {note_id}",
            )
    return _back_to_entry(entry.dialogue_id, entry_id, form.get("view"))


async def tag_overview(request: Request) -> Response:
    """Show every tag with its counts and its most recently tagged excerpts."""
    web = web_context(request)
    async with web.database.read() as uow:
        counts = await uow.staff.tag_overview()
        excerpts = await uow.staff.recent_excerpts(EXCERPTS_IN_OVERVIEW)
    if any(excerpts.values()):
        await record(web, current_staff(request).telegram_user_id, "view_excerpts")
    return render(
        request,
        "tags.html",
        {
            "counts": counts,
            "excerpts": excerpts,
            "most": max((c.entries for c in counts), default=0),
        },
    )


async def tag_excerpts(request: Request) -> Response:
    """Show every answer carrying one tag, a page at a time."""
    web = web_context(request)
    tag_id = int(request.path_params["tag_id"])
    page = page_param(request.query_params)
    async with web.database.read() as uow:
        found = await uow.staff.excerpts(
            tag_id, limit=EXCERPTS_PER_PAGE, offset=(page - 1) * EXCERPTS_PER_PAGE
        )
    if found is None:
        raise HTTPException(404)
    await record(
        web, current_staff(request).telegram_user_id, "view_excerpts", detail=f"tag {tag_id}"
    )
    pages = max(1, -(-found.total // EXCERPTS_PER_PAGE))
    return render(
        request,
        "tag.html",
        {
            "found": found,
            "page": page,
            "pages": pages,
            "previous_url": f"/tags/{tag_id}?page={page - 1}",
            "next_url": f"/tags/{tag_id}?page={page + 1}",
        },
    )


def _back_to_entry(dialogue_id: str, entry_id: int, view: object) -> Response:
    query = urlencode({"view": view_param(view)})
    return RedirectResponse(
        f"/dialogues/{quote(dialogue_id, safe='')}?{query}#entry-{entry_id}", status_code=303
    )
