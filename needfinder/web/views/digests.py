"""Digests: build a draft from finished dialogues, edit its themes, approve it, hand it to the bot.

The workflow and every guarantee (anonymised verbatim quotes, consent checked again, nothing
published unapproved) live in :mod:`..app.digests`; these pages only collect staff's decisions and
show the outcome. Each change is written to the audit log in the transaction that makes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from needfinder.app import digests as workflow
from needfinder.app.llm import LlmConfig
from needfinder.insights.publication import (
    Format,
    Language,
    quote_text,
    visible_struggles,
    visible_themes,
)
from needfinder.insights.publication import render as render_publication
from needfinder.web.context import current_staff, web_context
from needfinder.web.templating import render
from storage.digests import StoredDigest
from storage.unit_of_work import UnitOfWork

DigestAuditAction = Literal[
    "digest_build", "digest_edit", "digest_approve", "digest_publish", "digest_download"
]

LIST_LIMIT = 50
MAX_LABEL_CHARS = 120
MAX_NOTE_CHARS = 2000
LANGUAGES: tuple[Language, ...] = ("de", "en")
LANGUAGE_CODES: dict[str, Language] = {"de": "de", "en": "en"}
DOWNLOAD_FORMATS: dict[str, Format] = {"md": "md", "html": "html"}
MEDIA_TYPES: dict[Format, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
#: Digest ids as :func:`needfinder.app.digests.build` makes them; anything else cannot exist.
_DIGEST_ID = re.compile(r"^g_[0-9a-f]{4,16}$")
#: The only markup the HTML renderer writes (besides the page around it), without attributes.
_PREVIEW_TAG = re.compile(r"</?(?:h1|h2|p|blockquote)>")

#: What a redirect after a successful step says; the query names one of these, never free text.
DONE: dict[str, str] = {
    "built": "Draft built. Check the themes, labels and quotes, add the team's note, then approve.",
    "saved": "Changes saved. An edited digest is a draft: it needs approval before publication.",
    "unchanged": "Nothing to save: nothing was changed.",
    "approved": "Approved: it passed the checks. Publish it when you are ready.",
    "publishing": "Handed to the running bot for publication; it marks the digest published.",
}
STALE = (
    "This digest changed after you opened it (someone else edited it, or an erasure removed "
    "quotes). Reload the page and make your changes again."
)


@dataclass(frozen=True)
class QuoteView:
    """One quote of a theme as staff see it."""

    #: ``theme:position`` (from 1), what the drop checkbox sends and :class:`Edit` expects.
    key: str
    text: str
    dialogue_id: str
    step_id: str
    language: str
    #: Its author no longer allows quotes: it stays out of anything published.
    withheld: bool


@dataclass(frozen=True)
class ThemeView:
    """One theme as staff edit it."""

    id: str
    #: Its number in the published text; None when dropped or no dialogue is left.
    number: int | None
    label: dict[str, str]
    dialogue_ids: tuple[str, ...]
    languages: dict[str, int]
    concepts: tuple[str, ...]
    quotes: tuple[QuoteView, ...]
    dropped: bool
    #: "need", "other" (a need none of the known ones is) or "struggle".
    kind: str = "need"
    #: Imported dialogues' ids in their source (a call, a workshop), by dialogue id.
    source_ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FormEdit:
    """Staff's changes read from the digest form."""

    change: workflow.Edit | None
    problems: tuple[str, ...] = ()
    #: What changed, as counts, for the audit log (never the text itself).
    detail: str = ""


@dataclass(frozen=True)
class DigestRow:
    """One line of the digest list."""

    digest: StoredDigest
    themes: int
    dialogues: int


# --- pages ---------------------------------------------------------------------------------


async def digest_list(request: Request) -> Response:
    """List digests, newest first, with the form that builds a new draft."""
    return await _list_page(request)


async def build_digest(request: Request) -> Response:
    """Build a draft from the finished dialogues matching the form, then show it."""
    web = web_context(request)
    staff = current_staff(request)
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    problems: list[str] = []
    started_from = _date(fields, "from", problems)
    started_to = _date(fields, "to", problems)
    if started_from and started_to and started_from > started_to:
        problems.append("'from' is after 'to'")
    if problems:
        return await _list_page(request, problems=problems, entered=fields, status_code=400)
    digest_filter = workflow.DigestFilter(
        since=datetime.combine(started_from, time(), UTC) if started_from else None,
        # The form's "to" day is included: dialogues started before the next midnight.
        until=datetime.combine(started_to + timedelta(days=1), time(), UTC) if started_to else None,
        script_id=_text(fields, "script"),
        campaign=_text(fields, "campaign"),
    )
    now = web.clock()
    stored = await workflow.build_in(
        web.database,
        digest_filter,
        now=now,
        created_by=staff.telegram_user_id,
        staff_names=web.settings.staff_names,
        llm=LlmConfig.from_settings(web.settings),
    )
    async with web.database.write() as uow:
        themes = len(visible_themes(stored.content))
        dialogues = int(stored.content.get("dialogue_count", 0))
        await _audit(
            uow,
            staff.telegram_user_id,
            "digest_build",
            now,
            f"{stored.id}: {themes} themes from {dialogues} dialogues",
        )
    return _show(stored.id, "built")


async def digest_page(request: Request) -> Response:
    """Show one digest: its themes to edit, the checks, the previews and the next step."""
    return await _digest_page(request, _digest_id(request), done=request.query_params.get("done"))


async def edit_digest(request: Request) -> Response:
    """Save staff's edits (labels, dropped themes and quotes, the note); the digest is a draft
    again afterwards."""
    web = web_context(request)
    staff = current_staff(request)
    digest_id = _digest_id(request)
    form = await request.form()
    async with web.database.write() as uow:
        digest = await _existing(uow, digest_id)
        problem, changed = await _save_edits(uow, digest, form, staff.telegram_user_id, web.clock())
    if problem is not None:
        return await _digest_page(request, digest_id, problem=problem, status_code=409)
    return _show(digest_id, "saved" if changed else "unchanged")


async def approve_digest(request: Request) -> Response:
    """Save any edits in the form, then approve the digest if the checks pass."""
    web = web_context(request)
    staff = current_staff(request)
    digest_id = _digest_id(request)
    form = await request.form()
    now = web.clock()
    async with web.database.write() as uow:
        digest = await _existing(uow, digest_id)
        problem, changed = await _save_edits(uow, digest, form, staff.telegram_user_id, now)
        if problem is None:
            try:
                await workflow.approve(uow, digest_id, staff.telegram_user_id, now)
            except workflow.DigestProblem as refused:
                # The edits above still count: staff fix what the check found and try again.
                problem = _sentence(str(refused))
                if changed:
                    problem += " Your changes were saved."
            else:
                await _audit(uow, staff.telegram_user_id, "digest_approve", now, digest_id)
    if problem is not None:
        return await _digest_page(request, digest_id, problem=problem, status_code=409)
    return _show(digest_id, "approved")


async def publish_digest(request: Request) -> Response:
    """Mark an approved digest for publication; the running bot sends it."""
    web = web_context(request)
    staff = current_staff(request)
    digest_id = _digest_id(request)
    form = await request.form()
    now = web.clock()
    problem: str | None = None
    async with web.database.write() as uow:
        digest = await _existing(uow, digest_id)
        if not _current_version(digest, form):
            problem = STALE
        else:
            try:
                await workflow.request_publication(uow, digest_id, staff.telegram_user_id, now)
            except workflow.DigestProblem as refused:
                problem = _sentence(str(refused))
            else:
                await _audit(uow, staff.telegram_user_id, "digest_publish", now, digest_id)
    if problem is not None:
        return await _digest_page(request, digest_id, problem=problem, status_code=409)
    return _show(digest_id, "publishing")


async def download_digest(request: Request) -> Response:
    """Download the digest as Markdown or a standalone HTML page, as it would be published now."""
    web = web_context(request)
    digest_id = _digest_id(request)
    fmt = DOWNLOAD_FORMATS.get(request.query_params.get("format", "md"))
    language = LANGUAGE_CODES.get(request.query_params.get("lang", "de"))
    if fmt is None or language is None:
        raise HTTPException(400, "Download as format md or html, in lang de or en.")
    async with web.database.read() as uow:
        digest = await _existing(uow, digest_id)
        content = await workflow.current_content(uow, digest)
    text = render_publication(content, language=language, fmt=fmt)[0]
    async with web.database.write() as uow:
        await _audit(
            uow,
            current_staff(request).telegram_user_id,
            "digest_download",
            web.clock(),
            f"{digest_id}, {fmt}, {language}",
        )
    return Response(
        text,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "content-disposition": (
                f'attachment; filename="needfinder-digest-{digest_id}-{language}.{fmt}"'
            )
        },
    )


# --- what the pages show -------------------------------------------------------------------


def theme_views(
    stored: dict[str, Any], current: dict[str, Any], section: str = "themes"
) -> list[ThemeView]:
    """Return the stored need themes (or, with ``section="struggles"``, the struggles) for
    editing, marked with what would be published now.

    Quotes keep their stored positions (what an edit refers to); ``current`` is the content
    after erasures and changed consents, which decides numbers and withheld quotes.
    """
    visible = visible_struggles if section == "struggles" else visible_themes
    numbers = {theme["id"]: number for number, theme in visible(current)}
    current_themes = {theme["id"]: theme for theme in current.get(section, [])}
    views = []
    for theme in stored.get(section, []):
        now_theme = current_themes.get(theme["id"], theme)
        kept = {(q["dialogue_id"], q["step_id"], q["text"]) for q in now_theme.get("quotes", [])}
        quotes = tuple(
            QuoteView(
                key=f"{theme['id']}:{position}",
                text=quote_text(quote),
                dialogue_id=quote["dialogue_id"],
                step_id=quote["step_id"],
                language=quote["language"],
                withheld=(quote["dialogue_id"], quote["step_id"], quote["text"]) not in kept,
            )
            for position, quote in enumerate(theme.get("quotes", []), start=1)
        )
        views.append(
            ThemeView(
                id=theme["id"],
                number=numbers.get(theme["id"]),
                label=dict(theme["label"]),
                dialogue_ids=tuple(now_theme.get("dialogue_ids", [])),
                languages=dict(theme.get("languages", {})),
                concepts=tuple(theme.get("concepts", [])),
                quotes=quotes,
                dropped=bool(theme.get("dropped")),
                kind=str(theme.get("kind", "need")),
                source_ids=dict(now_theme.get("source_ids", {})),
            )
        )
    return views


def preview(content: dict[str, Any], language: Language) -> Markup:
    """Return the digest as its HTML download shows it, to place inside a page.

    The renderer escapes every text it writes; on top of that only the plain tags it is known
    to write pass through as markup, and anything unexpected is shown as escaped text instead.
    """
    page = render_publication(content, language=language, fmt="html")[0]
    _, opened, rest = page.partition("<body>\n")
    body, closed, _ = rest.rpartition("\n</body>")
    if opened and closed and "<" not in _PREVIEW_TAG.sub("", body):
        return Markup(body)
    text = "\n\n".join(render_publication(content, language=language, fmt="text"))
    return Markup('<p class="text">{}</p>').format(text)


def edit_from_form(content: dict[str, Any], form: FormData) -> FormEdit:
    """Return what staff changed in the digest form (labels, drops, note), ignoring the rest.

    Only real differences count, so saving an untouched approved digest keeps its approval.
    """
    # Struggles are edited like need themes (their ids start with "struggle-").
    themes = {
        theme["id"]: theme for theme in [*content.get("themes", []), *content.get("struggles", [])]
    }
    problems: list[str] = []
    labels: dict[str, tuple[str, str]] = {}
    for theme_id, theme in themes.items():
        if theme.get("dropped"):
            continue
        old = (theme["label"]["de"], theme["label"]["en"])
        new = (
            _label(_field(form, f"label_de_{theme_id}"), old[0]),
            _label(_field(form, f"label_en_{theme_id}"), old[1]),
        )
        if any(len(label) > MAX_LABEL_CHARS for label in new):
            problems.append(f"theme {theme_id}: a label has at most {MAX_LABEL_CHARS} characters")
        elif new != old:
            labels[theme_id] = new
    drop_themes = frozenset(
        value
        for value in _values(form, "drop_theme")
        if value in themes and not themes[value].get("dropped")
    )
    restore_themes = frozenset(
        value for value in _values(form, "restore_theme") if themes.get(value, {}).get("dropped")
    )
    drop_quotes: set[tuple[str, int]] = set()
    for value in _values(form, "drop_quote"):
        theme_id, _, position = value.partition(":")
        quotes = themes.get(theme_id, {}).get("quotes", [])
        if position.isdigit() and 1 <= int(position) <= len(quotes):
            drop_quotes.add((theme_id, int(position)))
    note: dict[str, str] | None = None
    if "note_de" in form or "note_en" in form:
        old_note: dict[str, str] = {
            lang: _note(str((content.get("note") or {}).get(lang, ""))) for lang in LANGUAGES
        }
        new_note: dict[str, str] = {
            lang: _note(_field(form, f"note_{lang}") or "")
            if f"note_{lang}" in form
            else old_note[lang]
            for lang in LANGUAGES
        }
        if any(len(text) > MAX_NOTE_CHARS for text in new_note.values()):
            problems.append(f"the note has at most {MAX_NOTE_CHARS} characters per language")
        elif new_note != old_note:
            note = new_note
    if problems:
        return FormEdit(None, tuple(problems))
    if not (labels or drop_themes or restore_themes or drop_quotes or note is not None):
        return FormEdit(None)
    detail = (
        f"{len(labels)} labels, {len(drop_themes)} themes dropped, "
        f"{len(restore_themes)} restored, {len(drop_quotes)} quotes dropped, "
        f"note {'changed' if note is not None else 'kept'}"
    )
    change = workflow.Edit(
        labels=labels,
        drop_themes=drop_themes,
        restore_themes=restore_themes,
        drop_quotes=frozenset(drop_quotes),
        note=note,
    )
    return FormEdit(change, detail=detail)


# --- helpers -------------------------------------------------------------------------------


async def _list_page(
    request: Request,
    *,
    problems: list[str] | None = None,
    entered: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    web = web_context(request)
    async with web.database.read() as uow:
        digests = await uow.digests.recent(LIST_LIMIT)
        choices = await uow.staff.filter_choices()
        names = await uow.staff.display_names(d.created_by for d in digests)
    rows = [
        DigestRow(d, len(visible_themes(d.content)), int(d.content.get("dialogue_count", 0)))
        for d in digests
    ]
    return render(
        request,
        "digests.html",
        {
            "rows": rows,
            "names": names,
            "choices": choices,
            "problems": problems or [],
            "entered": entered or {},
            "limit": LIST_LIMIT,
            "llm": LlmConfig.from_settings(web.settings) is not None,
        },
        status_code=status_code,
    )


async def _digest_page(
    request: Request,
    digest_id: str,
    *,
    done: str | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    web = web_context(request)
    async with web.database.read() as uow:
        digest = await _existing(uow, digest_id)
        current = await workflow.current_content(uow, digest)
        subscribers = len(await uow.digests.subscribers()) if digest.status == "approved" else None
        people = [digest.created_by, digest.approved_by, digest.published_by]
        names = await uow.staff.display_names(p for p in people if p)
    # The same checks approval runs, shown before anyone presses the button.
    checks = await run_in_threadpool(workflow.check, current) if digest.status == "draft" else []
    return render(
        request,
        "digest.html",
        {
            "digest": digest,
            "themes": theme_views(digest.content, current),
            "struggles": theme_views(digest.content, current, "struggles"),
            "note": {lang: (digest.content.get("note") or {}).get(lang, "") for lang in LANGUAGES},
            "unthemed": current.get("unthemed_dialogue_ids", []),
            "dialogue_count": int(digest.content.get("dialogue_count", 0)),
            "previews": {lang: preview(current, lang) for lang in LANGUAGES},
            "checks": checks,
            "returned": workflow.returned_problems(digest),
            "subscribers": subscribers,
            "community": web.settings.community_chat_id is not None,
            "community_language": web.settings.community_language,
            "names": names,
            "editable": digest.status in ("draft", "approved"),
            "version": _version(digest),
            "done": DONE.get(done or ""),
            "problem": problem,
            "max_label": MAX_LABEL_CHARS,
            "max_note": MAX_NOTE_CHARS,
        },
        status_code=status_code,
    )


async def _save_edits(
    uow: UnitOfWork, digest: StoredDigest, form: FormData, staff_user_id: str, now: datetime
) -> tuple[str | None, bool]:
    """Apply the form's edits; return a problem to show (or None) and whether anything changed."""
    if not _current_version(digest, form):
        # Quotes are dropped by position: against a changed digest they would hit other ones.
        return STALE, False
    edit = edit_from_form(digest.content, form)
    if edit.problems:
        return _sentence("; ".join(edit.problems)), False
    if edit.change is None:
        return None, False
    try:
        await workflow.edit(uow, digest.id, edit.change, now)
    except workflow.DigestProblem as refused:
        return _sentence(str(refused)), False
    await _audit(uow, staff_user_id, "digest_edit", now, f"{digest.id}: {edit.detail}")
    return None, True


async def _existing(uow: UnitOfWork, digest_id: str) -> StoredDigest:
    # Exactly this id: the workflow would also accept a prefix, links must not.
    digest = await uow.digests.get(digest_id)
    if digest is None:
        raise HTTPException(404, "There is no such digest.")
    return digest


async def _audit(
    uow: UnitOfWork, staff_user_id: str, action: DigestAuditAction, now: datetime, detail: str
) -> None:
    await uow.staff.record_audit(staff_user_id, action, now, detail=detail)


def _digest_id(request: Request) -> str:
    digest_id = str(request.path_params["digest_id"])
    if not _DIGEST_ID.match(digest_id):
        raise HTTPException(404, "There is no such digest.")
    return digest_id


def _version(digest: StoredDigest) -> str:
    return digest.updated_at.isoformat()


def _current_version(digest: StoredDigest, form: FormData) -> bool:
    return _field(form, "version") == _version(digest)


def _show(digest_id: str, done: str) -> Response:
    return RedirectResponse(f"/digests/{digest_id}?done={done}", status_code=303)


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _values(form: FormData, name: str) -> list[str]:
    return [value for value in form.getlist(name) if isinstance(value, str)]


def _label(entered: str | None, previous: str) -> str:
    # A missing or emptied label keeps the old one, as the workflow does; spacing is tidied.
    return " ".join((entered or "").split()) or previous


def _note(text: str) -> str:
    # Browsers send CRLF from textareas; store what the renderer expects.
    return text.replace("\r\n", "\n").strip()


def _text(fields: dict[str, str], name: str) -> str | None:
    return fields.get(name, "").strip() or None


def _date(fields: dict[str, str], name: str, problems: list[str]) -> date | None:
    value = fields.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"'{name}' is not a date (YYYY-MM-DD)")
        return None


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."
