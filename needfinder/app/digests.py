"""The digest workflow: build a draft from finished dialogues, edit, approve, ask to publish.

Publishing itself is the Telegram adapter's job (``bot/publish.py``): this module only marks an
approved digest as ``publishing``; the running bot posts it and broadcasts it via the outbox.
Every step re-checks the guarantees: quotes verbatim from anonymised answers, only from people
who allowed quotes (still), nothing published without approval, no participant ids.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conversations.transcript import DialogueInfo, Identity, StoredEntry
from needfinder.app.anonymising import anonymise_entries, anonymiser_for
from needfinder.app.llm import LlmClient, LlmConfig, polish_draft
from needfinder.insights.digest import build_digest
from needfinder.insights.publication import quote_text, visible_struggles, visible_themes
from needfinder.insights.themes.model import DigestDialogue
from needfinder.insights.themes.needs import shipped_label
from storage.database import Database
from storage.digests import StoredDigest, scrub_content
from storage.unit_of_work import UnitOfWork

FOLLOW_UP_PAYLOAD = re.compile(r"^t-(g_[0-9a-f]{4,16})-(\d{1,2})$")
_PARTICIPANT_ID = re.compile(r"\bp_[0-9a-f]{6,32}\b")


class DigestProblem(Exception):
    """A digest cannot take this step (not found, wrong status, a check failed)."""


@dataclass(frozen=True)
class DigestFilter:
    """Which finished dialogues a digest draws on."""

    since: datetime | None = None
    until: datetime | None = None
    script_id: str | None = None
    campaign: str | None = None


@dataclass(frozen=True)
class Edit:
    """Staff's changes to a draft."""

    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    drop_themes: frozenset[str] = frozenset()
    restore_themes: frozenset[str] = frozenset()
    drop_quotes: frozenset[tuple[str, int]] = frozenset()
    note: dict[str, str] | None = None


async def build(
    uow: UnitOfWork,
    digest_filter: DigestFilter,
    *,
    now: datetime,
    created_by: str,
    staff_names: Sequence[str] = (),
    llm: LlmConfig | None = None,
) -> StoredDigest:
    """Build a draft and store it in one unit of work (see :func:`build_in` for servers)."""
    content = await draft_content(uow, digest_filter, staff_names=staff_names, llm=llm)
    return await store_draft(uow, content, digest_filter, now=now, created_by=created_by)


async def build_in(
    database: Database,
    digest_filter: DigestFilter,
    *,
    now: datetime,
    created_by: str,
    staff_names: Sequence[str] = (),
    llm: LlmConfig | None = None,
) -> StoredDigest:
    """Build a draft reading in one transaction and storing in a short second one, so the
    bot's writes are not held up while dialogues are anonymised and grouped."""
    async with database.read() as uow:
        content = await draft_content(uow, digest_filter, staff_names=staff_names, llm=llm)
    async with database.write() as uow:
        return await store_draft(uow, content, digest_filter, now=now, created_by=created_by)


async def draft_content(
    uow: UnitOfWork,
    digest_filter: DigestFilter,
    *,
    staff_names: Sequence[str] = (),
    llm: LlmConfig | None = None,
) -> dict[str, Any]:
    """Return a draft's content from the finished dialogues matching ``digest_filter``."""
    infos = [
        info
        for info in await uow.dialogues.for_export(
            since=digest_filter.since, script_id=digest_filter.script_id
        )
        if info.status == "finished"
        and info.consented_at is not None
        and (digest_filter.until is None or info.started_at < digest_filter.until)
        and (digest_filter.campaign is None or info.campaign == digest_filter.campaign)
    ]
    quotable = await uow.digests.quotable([i.id for i in infos])
    dialogues: list[DigestDialogue] = []
    for start in range(0, len(infos), 200):
        batch = infos[start : start + 200]
        entries = await uow.transcripts.for_dialogues([i.id for i in batch])
        identities = await uow.participants.identities_of(sorted({i.participant_id for i in batch}))
        # CPU work in a thread: a server's event loop keeps answering meanwhile.
        dialogues.extend(
            await asyncio.to_thread(
                _digest_dialogues, batch, entries, identities, staff_names, quotable
            )
        )
    draft = await asyncio.to_thread(build_digest, dialogues)
    if llm is not None:
        draft = await polish_draft(draft, LlmClient(llm))
    content = draft.to_dict()
    # Imported dialogues keep the id they have in their source (a call, a workshop), so staff
    # can trace a theme back to where it was heard.
    sources = await uow.digests.source_ids([i.id for i in infos])
    for section in ("themes", "struggles"):
        for theme in content.get(section, []):
            theme["source_ids"] = {
                d: sources[d] for d in theme.get("dialogue_ids", []) if d in sources
            }
    return {
        **content,
        "note": {"de": "", "en": ""},
        "period": {
            "since": digest_filter.since.isoformat() if digest_filter.since else None,
            "until": digest_filter.until.isoformat() if digest_filter.until else None,
        },
    }


def _digest_dialogues(
    infos: Sequence[DialogueInfo],
    entries: dict[str, list[StoredEntry]],
    identities: dict[str, list[Identity]],
    staff_names: Sequence[str],
    quotable: set[str],
) -> list[DigestDialogue]:
    result = []
    for info in infos:
        anonymised = anonymise_entries(
            entries[info.id], identities.get(info.participant_id, ()), staff_names, info.language
        )
        result.append(
            DigestDialogue(
                id=info.id,
                language=info.language,
                answers=_answers(anonymised),
                quotes_allowed=info.id in quotable,
            )
        )
    return result


async def store_draft(
    uow: UnitOfWork,
    content: dict[str, Any],
    digest_filter: DigestFilter,
    *,
    now: datetime,
    created_by: str,
) -> StoredDigest:
    """Store built content as a new draft."""
    digest_id = "g_" + secrets.token_hex(4)
    await uow.digests.create(
        digest_id,
        content,
        now,
        created_by,
        since=digest_filter.since,
        until=digest_filter.until,
        script_id=digest_filter.script_id,
        campaign=digest_filter.campaign,
    )
    stored = await uow.digests.get(digest_id)
    assert stored is not None
    return stored


def _answers(entries: Sequence[StoredEntry]) -> dict[str, str]:
    """Answer text per step; a correction from the mirror step replaces what it corrects.

    Several correction messages in a row are one correction (as the engine joins them); a
    later, separate correction of the same point replaces the earlier one.
    """
    answers: dict[str, list[str]] = {}
    corrections: dict[str, str] = {}
    previous: StoredEntry | None = None
    for entry in entries:
        if entry.speaker == "customer" and entry.step_id and entry.kind == "answer":
            answers.setdefault(entry.step_id, []).append(entry.text)
        elif entry.speaker == "customer" and entry.kind == "correction" and entry.corrects:
            continued = (
                previous is not None
                and previous.kind == "correction"
                and previous.corrects == entry.corrects
            )
            corrections[entry.corrects] = (
                f"{corrections[entry.corrects]}\n{entry.text}" if continued else entry.text
            )
        previous = entry
    joined = {step: "\n".join(parts) for step, parts in answers.items()}
    return {**joined, **corrections}


async def get(uow: UnitOfWork, digest_id: str) -> StoredDigest:
    """Return a digest (an unambiguous id prefix is enough) or raise DigestProblem."""
    resolved = await uow.digests.find_id(digest_id)
    digest = await uow.digests.get(resolved) if resolved else None
    if digest is None:
        raise DigestProblem(f"no digest {digest_id!r}")
    return digest


async def edit(uow: UnitOfWork, digest_id: str, change: Edit, now: datetime) -> StoredDigest:
    """Apply staff's edit; an edited digest is a draft again (it needs a new approval)."""
    digest = await get(uow, digest_id)
    if digest.status in ("publishing", "published"):
        raise DigestProblem(f"digest {digest.id} is {digest.status}; it can no longer change")
    content = dict(digest.content)
    content["themes"] = _edited(content.get("themes", []), change)
    if "struggles" in content:
        content["struggles"] = _edited(content.get("struggles", []), change)
    if change.note is not None:
        content["note"] = {"de": change.note.get("de", ""), "en": change.note.get("en", "")}
    await uow.digests.save(digest.id, content, "draft", now)
    return await get(uow, digest.id)


def _edited(sections: list[dict[str, Any]], change: Edit) -> list[dict[str, Any]]:
    """Apply an edit to need themes or struggles (ids never clash: struggles start with
    "struggle-")."""
    themes = []
    for theme in sections:
        theme = dict(theme)
        if theme["id"] in change.labels:
            de, en = change.labels[theme["id"]]
            theme["label"] = {
                "de": de.strip() or theme["label"]["de"],
                "en": en.strip() or theme["label"]["en"],
            }
        if theme["id"] in change.drop_themes:
            theme["dropped"] = True
        elif theme["id"] in change.restore_themes:
            theme.pop("dropped", None)
        theme["quotes"] = [
            quote
            for index, quote in enumerate(theme.get("quotes", []), start=1)
            if (theme["id"], index) not in change.drop_quotes
        ]
        themes.append(theme)
    return themes


async def approve(uow: UnitOfWork, digest_id: str, by: str, now: datetime) -> StoredDigest:
    """Approve a draft after the checks pass (raises DigestProblem listing what fails)."""
    digest = await get(uow, digest_id)
    if digest.status != "draft":
        raise DigestProblem(f"digest {digest.id} is {digest.status}, not a draft")
    content = await current_content(uow, digest)
    problems = check(content)
    if problems:
        raise DigestProblem("not approved: " + "; ".join(problems))
    # Approval answers why the bot once sent it back (see return_to_draft).
    content.pop("returned", None)
    await uow.digests.save(digest.id, content, "approved", now, approved_by=by)
    return await get(uow, digest.id)


async def request_publication(
    uow: UnitOfWork, digest_id: str, by: str, now: datetime
) -> StoredDigest:
    """Ask the running bot to publish an approved digest (nothing unapproved is published)."""
    digest = await get(uow, digest_id)
    if digest.status != "approved":
        raise DigestProblem(
            f"digest {digest.id} is {digest.status}; only an approved digest can be published"
        )
    await uow.digests.save(digest.id, digest.content, "publishing", now, published_by=by)
    return await get(uow, digest.id)


async def current_content(uow: UnitOfWork, digest: StoredDigest) -> dict[str, Any]:
    """Return the content as it may be published now: erased dialogues and quotes whose
    authors no longer allow quoting are taken out."""
    content = digest.content
    sections = [*content.get("themes", []), *content.get("struggles", [])]
    ids = [d for t in sections for d in t.get("dialogue_ids", [])]
    quoted = [q["dialogue_id"] for t in sections for q in t.get("quotes", [])]
    existing = await uow.digests.existing_dialogues(ids)
    gone = set(ids) - existing
    content = scrub_content(content, gone)
    allowed = await uow.digests.quotable(quoted)

    def allowed_quotes(themes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**t, "quotes": [q for q in t.get("quotes", []) if q["dialogue_id"] in allowed]}
            for t in themes
        ]

    result = {**content, "themes": allowed_quotes(content.get("themes", []))}
    if "struggles" in content:
        result["struggles"] = allowed_quotes(content.get("struggles", []))
    return result


async def return_to_draft(
    uow: UnitOfWork,
    digest: StoredDigest,
    content: dict[str, Any],
    problems: list[str],
    now: datetime,
) -> None:
    """Make a digest that failed its last check a draft again, keeping why for staff to see."""
    returned = {"at": now.isoformat(), "problems": list(problems)}
    await uow.digests.save(digest.id, {**content, "returned": returned}, "draft", now)


def returned_problems(digest: StoredDigest) -> list[str]:
    """Why the bot sent this draft back instead of publishing it (empty: it did not)."""
    if digest.status != "draft":
        return []
    return [str(p) for p in (digest.content.get("returned") or {}).get("problems", [])]


def check(content: dict[str, Any]) -> list[str]:
    """Return why ``content`` must not be published (empty: fine).

    The anonymiser looks once more at every text that would be published, and no participant
    id may appear anywhere.
    """
    problems: list[str] = []
    anonymiser = anonymiser_for(())
    texts: list[tuple[str, str]] = []
    for number, theme in visible_themes(content):
        texts.append((f"theme {number} label", theme["label"]["de"]))
        texts.append((f"theme {number} label", theme["label"]["en"]))
        for index, quote in enumerate(theme.get("quotes", []), start=1):
            texts.append((f"theme {number} quote {index}", quote_text(quote)))
    # Struggles are published too, so they pass the very same checks.
    for number, struggle in visible_struggles(content):
        texts.append((f"struggle {number} label", struggle["label"]["de"]))
        texts.append((f"struggle {number} label", struggle["label"]["en"]))
        for index, quote in enumerate(struggle.get("quotes", []), start=1):
            texts.append((f"struggle {number} quote {index}", quote_text(quote)))
    for language, note in (content.get("note") or {}).items():
        texts.append((f"note ({language})", note))
    for where, value in texts:
        # A shipped label is our own text; a label staff or a language model wrote is checked.
        findings = (
            [] if where.endswith("label") and shipped_label(value) else anonymiser.check(value)
        )
        if findings:
            kinds = ", ".join(sorted({str(f.type) for f in findings}))
            problems.append(f"{where} may contain personal data ({kinds})")
        if _PARTICIPANT_ID.search(value):
            problems.append(f"{where} names a participant id")
    if not visible_themes(content):
        problems.append("no theme left to publish")
    return problems


def theme_label(digest: StoredDigest, number: int) -> dict[str, str] | None:
    """Return the label (de/en) of published theme ``number``, for a follow-up dialogue."""
    for index, theme in visible_themes(digest.content):
        if index == number:
            return dict(theme["label"])
    return None
