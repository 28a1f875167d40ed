"""One dialogue as a chat, raw or anonymised, with tags and notes on the customer's answers, and
for a finished dialogue a summary in the customer's own words."""

from __future__ import annotations

from dataclasses import replace

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from conversations.transcript import Transcript
from needfinder.app.anonymising import anonymise_dialogue
from needfinder.web.auditing import record
from needfinder.web.context import current_staff, web_context
from needfinder.web.templating import render
from needfinder.web.views.transcript_summary import pinned_script, summary_panel


def view_param(value: object) -> str:
    """Return the transcript view asked for: ``anonymised`` or (anything else) ``raw``."""
    return "anonymised" if value == "anonymised" else "raw"


async def transcript_page(request: Request) -> Response:
    """Show a transcript; every view is recorded in the audit log."""
    web = web_context(request)
    dialogue_id = request.path_params["dialogue_id"]
    view = view_param(request.query_params.get("view"))
    async with web.database.read() as uow:
        loaded = await uow.dialogues.get(dialogue_id)
        summary = await uow.staff.dialogue(dialogue_id)
        if loaded is None or summary is None:
            raise HTTPException(404)
        entries = await uow.transcripts.for_dialogue(dialogue_id)
        consents = (await uow.dialogues.consents_by_dialogue([dialogue_id]))[dialogue_id]
        coding = await uow.staff.coding_for_dialogue(dialogue_id)
        tag_names = await uow.staff.tag_names()
        identities = (
            await uow.participants.identities(loaded.info.participant_id)
            if view == "anonymised"
            else []
        )
        script = await pinned_script(uow, loaded.info) if loaded.info.status == "finished" else None
    transcript = Transcript(loaded.info, tuple(entries))
    if view == "anonymised":
        # Anonymising is CPU work; keep the event loop free for other requests. Staff notes
        # are anonymised with the answers (they often repeat names the customer gave).
        notes = {n.id: n.text for c in coding.values() for n in c.notes}
        anonymised, anonymised_notes = await run_in_threadpool(
            anonymise_dialogue,
            entries,
            notes,
            identities,
            web.settings.staff_names,
            loaded.info.language,
        )
        transcript = Transcript(loaded.info, tuple(anonymised))
        coding = {
            entry_id: replace(
                c,
                notes=tuple(replace(n, text=anonymised_notes[n.id]) for n in c.notes),
            )
            for entry_id, c in coding.items()
        }
    # Built from the entries shown, so the anonymised view's summary is anonymised too.
    panel = (
        summary_panel(transcript.entries, script, transcript.info.language)
        if transcript.info.status == "finished"
        else None
    )
    await record(
        web,
        current_staff(request).telegram_user_id,
        "view_transcript",
        dialogue_id=dialogue_id,
        detail=view,
    )
    return render(
        request,
        "transcript.html",
        {
            "info": transcript.info,
            "anonymised_at": summary.anonymised_at,
            "entries": transcript.entries,
            "consents": consents,
            "coding": coding,
            "tag_names": tag_names,
            "view": view,
            "summary": panel,
        },
    )
