"""Export buttons: every dialogue as JSONL, CSV or Markdown, raw or anonymised, streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from needfinder.app.exports import ExportFormat, ExportOptions, export_dialogues
from needfinder.web.auditing import record
from needfinder.web.context import WebContext, current_staff, web_context
from needfinder.web.query import date_param, text_param

FORMATS: dict[str, ExportFormat] = {"jsonl": "jsonl", "csv": "csv", "md": "md"}
MEDIA_TYPES: dict[ExportFormat, str] = {
    "jsonl": "application/x-ndjson; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}


async def export(request: Request) -> Response:
    """Stream an export as a download; it is recorded in the audit log before it starts."""
    web = web_context(request)
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    fmt = FORMATS.get(fields.get("fmt", ""))
    problems: list[str] = []
    started_from = date_param(fields, "from", problems)
    if fmt is None or problems:
        raise HTTPException(400, problems[0] if problems else "unknown export format")
    options = ExportOptions(
        fmt=fmt,
        since=datetime.combine(started_from, time(), UTC) if started_from else None,
        script_id=text_param(fields, "script"),
        anonymised=fields.get("anonymised") == "1",
        staff_names=tuple(web.settings.staff_names),
    )
    await record(web, current_staff(request).telegram_user_id, "export", detail=describe(options))
    stamp = web.clock().strftime("%Y%m%d-%H%M")
    suffix = "-anonymised" if options.anonymised else ""
    return StreamingResponse(
        _stream(web, options),
        media_type=MEDIA_TYPES[fmt],
        headers={"content-disposition": f'attachment; filename="needfinder-{stamp}{suffix}.{fmt}"'},
    )


def describe(options: ExportOptions) -> str:
    """Return what an export contains, for the audit log."""
    text = f"{options.fmt}, {'anonymised' if options.anonymised else 'raw'}"
    if options.script_id:
        text += f", script {options.script_id}"
    if options.since:
        text += f", since {options.since:%Y-%m-%d}"
    return text


async def _stream(web: WebContext, options: ExportOptions) -> AsyncIterator[bytes]:
    async with web.database.read() as uow:
        async for piece in export_dialogues(uow, options):
            yield piece.encode("utf-8")
