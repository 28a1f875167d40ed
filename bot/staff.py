"""Staff in Telegram: commands, the staff group, and a note when a dialogue finishes.

Authorisation is checked on every command. To anyone who is not staff, staff commands are
unknown commands (the dialogue engine answers them like any other unknown command).
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.mapping import CustomerMessage, GroupActivity
from bot.render import Call, text_calls
from conversations.events import Command
from conversations.keypoints import key_points
from conversations.transcript import Transcript
from needfinder.app import digests as workflow
from needfinder.app import staff as access
from needfinder.app.anonymising import anonymise_entries
from needfinder.app.dialogues import Handled
from needfinder.app.rendering import render_transcript
from needfinder.app.settings import Settings
from needfinder.insights.publication import (
    Language,
    render,
    visible_struggles,
    visible_themes,
)
from storage.staff import DialogueFilter
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

DIGEST_COMMANDS = frozenset(
    {"digests", "digest", "droptheme", "restoretheme", "dropquote", "approve", "publish"}
)
STAFF_COMMANDS = (
    frozenset({"dialogues", "transcript", "find", "stats", "dashboard", "staffhelp"})
    | DIGEST_COMMANDS
)
HELP = (
    "Staff commands:\n"
    "/dialogues [status] – the latest dialogues\n"
    "/transcript ID – one dialogue (ID may be a unique prefix)\n"
    "/find TEXT – search the customers' answers\n"
    "/stats – how many started, consented, finished; where people drop off\n"
    "/dashboard – a one-time login link for the web dashboard (sent privately)\n"
    "/digests – the latest digests; /digest ID [de|en] – preview one\n"
    "/droptheme ID THEME – leave a theme out; /restoretheme ID THEME – take it back in\n"
    "/dropquote ID THEME:N – leave a quote out\n"
    "/approve ID – approve a draft; /publish ID – publish an approved digest"
)


class StaffDesk:
    """Answers staff commands and writes staff notifications (as outbox calls)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.staff_chat = str(settings.staff_chat_id) if settings.staff_chat_id else None

    def is_staff_chat(self, chat_id: str) -> bool:
        """Return whether ``chat_id`` is the configured staff group."""
        return self.staff_chat is not None and chat_id == self.staff_chat

    async def private_command(
        self, uow: UnitOfWork, message: CustomerMessage, now: datetime
    ) -> list[tuple[str, list[Call]]] | None:
        """Answer a staff command from a staff member's private chat; None if it is not one."""
        event = message.event
        if not isinstance(event, Command) or event.name not in STAFF_COMMANDS:
            return None
        user = message.identity.external_id
        if not await access.is_staff(uow, self.settings, user, now=now):
            return None
        return await self._answer(uow, event, user, message.identity.chat_id, now)

    async def group_activity(
        self, uow: UnitOfWork, group: GroupActivity, now: datetime
    ) -> list[tuple[str, list[Call]]]:
        """In the staff group: note who is a member and answer staff commands."""
        if group.user_id is None:
            return []
        await access.confirm_member(uow, group.user_id, group.user_name, now)
        if group.command is None or group.command.name not in STAFF_COMMANDS:
            return []
        # The dashboard link goes to the member's private chat: in the group, someone else
        # could use it first.
        return await self._answer(uow, group.command, group.user_id, group.chat_id, now)

    async def _answer(
        self, uow: UnitOfWork, command: Command, user: str, chat_id: str, now: datetime
    ) -> list[tuple[str, list[Call]]]:
        name, argument = command.name, command.argument.strip()
        log.info("staff command", extra={"staff_user_id": user, "command": name})
        if name == "dashboard":
            link = await access.create_login_link(uow, self.settings, user, now)
            text = (
                f"Your dashboard login link (works once, for "
                f"{self.settings.login_link_minutes} minutes):\n{link}"
            )
            replies = [(user, text_calls(user, text))]
            if chat_id != user:
                replies.append((chat_id, text_calls(chat_id, "I sent you the link privately.")))
            return replies
        if name == "dialogues":
            text = await self._dialogues(uow, argument)
        elif name == "transcript":
            text = await self._transcript(uow, argument, user, now)
        elif name == "find":
            text = await self._find(uow, argument, user, now)
        elif name == "stats":
            text = await self._stats(uow, now)
        elif name in DIGEST_COMMANDS:
            text = await self._digest_command(uow, name, argument, user, now)
        else:
            text = HELP
        return [(chat_id, text_calls(chat_id, text))]

    async def _dialogues(self, uow: UnitOfWork, status: str) -> str:
        dialogue_filter = DialogueFilter(status=status or None)
        page = await uow.staff.list_dialogues(dialogue_filter, page=1, per_page=10)
        if not page.dialogues:
            return "No dialogues yet."
        lines = [f"Latest dialogues ({page.total} in all):"]
        for d in page.dialogues:
            lines.append(
                f"{d.id} · {d.script_id} · {d.language} · {d.status} · "
                f"{d.started_at:%Y-%m-%d %H:%M} · {d.entry_count} entries"
                + (f" · {d.campaign}" if d.campaign else "")
            )
        lines.append("Read one with /transcript ID")
        return "\n".join(lines)

    async def _transcript(self, uow: UnitOfWork, argument: str, user: str, now: datetime) -> str:
        if not argument:
            return "Which one? /transcript ID (see /dialogues)"
        dialogue_id = await uow.dialogues.find_id(argument.split()[0])
        loaded = await uow.dialogues.get(dialogue_id) if dialogue_id else None
        if loaded is None:
            return f"No dialogue {argument!r}."
        entries = await uow.transcripts.for_dialogue(loaded.info.id)
        await uow.staff.record_audit(user, "view_transcript", now, dialogue_id=loaded.info.id)
        return render_transcript(Transcript(loaded.info, tuple(entries)))

    async def _find(self, uow: UnitOfWork, text: str, user: str, now: datetime) -> str:
        if not text:
            return "Search for what? /find TEXT"
        hits = await uow.staff.search(text, limit=10)
        # Only the count is audited: search words may name people and must not outlive /forget.
        await uow.staff.record_audit(user, "search", now, detail=f"{len(hits)} hits")
        if not hits:
            return "Nothing found."
        lines = [f"{len(hits)} answers found (newest first):"]
        for hit in hits:
            lines.append(f"{hit.dialogue_id} ({hit.step_id or '-'}): {hit.snippet_text}")
        return "\n".join(lines)

    async def _stats(self, uow: UnitOfWork, now: datetime) -> str:
        stats = await uow.staff.stats(now)
        funnel = (await uow.staff.funnel()).overall
        lines = [
            f"Dialogues: {stats.dialogues} ({stats.started_last_7_days} in the last 7 days)",
            f"Started → consented → finished: {funnel.started} → {funnel.consented} → "
            f"{funnel.finished}",
            "By status: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.by_status.items())),
            f"Answers: {stats.answers}",
        ]
        drop_offs = sorted(funnel.drop_offs, key=lambda d: d.total, reverse=True)[:3]
        if drop_offs:
            lines.append(
                "Most stop at: "
                + ", ".join(
                    f"{d.step_id or '-'} ({d.ended} ended, {d.live} waiting)" for d in drop_offs
                )
            )
        return "\n".join(lines)

    async def _digest_command(
        self, uow: UnitOfWork, name: str, argument: str, user: str, now: datetime
    ) -> str:
        words = argument.split()
        if name == "digests":
            items = await uow.digests.recent(10)
            if not items:
                return "No digests yet (needfinder digest build, or the dashboard)."
            return "\n".join(
                f"{d.id} · {d.created_at:%Y-%m-%d} · {d.status} · "
                f"{len(visible_themes(d.content))} themes"
                for d in items
            )
        if not words:
            return f"Which digest? /{name} ID (see /digests)"
        try:
            if name == "digest":
                digest = await workflow.get(uow, words[0])
                language: Language = "en" if words[1:] == ["en"] else "de"
                preview = render(digest.content, language=language, fmt="text")[0]
                themes = "\n".join(
                    f"{theme['id']}: {theme['label'][language]} ({len(theme['quotes'])} quotes)"
                    for _n, theme in visible_themes(digest.content)
                )
                struggles = visible_struggles(digest.content)
                if struggles:
                    # Struggles are no needs of ours; /droptheme and /dropquote take their ids.
                    themes += "\nStruggles: " + "; ".join(
                        f"{t['id']}: {t['label'][language]}" for _n, t in struggles
                    )
                sections = [*digest.content.get("themes", []), *digest.content.get("struggles", [])]
                dropped = [t["id"] for t in sections if t.get("dropped")]
                if dropped:
                    themes += "\nDropped (/restoretheme): " + ", ".join(dropped)
                returned = workflow.returned_problems(digest)
                if returned:
                    themes += "\nNot published, back to draft:\n- " + "\n- ".join(returned)
                return f"{digest.id} · {digest.status}\n{themes}\n\n{preview}"
            if name in ("droptheme", "restoretheme") and len(words) == 2:
                theme_ids = frozenset({words[1]})
                change = (
                    workflow.Edit(drop_themes=theme_ids)
                    if name == "droptheme"
                    else workflow.Edit(restore_themes=theme_ids)
                )
                digest = await workflow.edit(uow, words[0], change, now)
            elif name == "dropquote" and len(words) == 2 and ":" in words[1]:
                theme, _, number = words[1].partition(":")
                if not number.isdigit():
                    return "Usage: /dropquote ID THEME:N (e.g. recruiting:1)"
                change = workflow.Edit(drop_quotes=frozenset({(theme, int(number))}))
                digest = await workflow.edit(uow, words[0], change, now)
            elif name == "approve":
                digest = await workflow.approve(uow, words[0], user, now)
            elif name == "publish":
                digest = await workflow.request_publication(uow, words[0], user, now)
            else:
                return HELP
        except workflow.DigestProblem as problem:
            return str(problem)
        await uow.staff.record_audit(user, f"digest_{name}", now, detail=digest.id)
        if name in ("droptheme", "restoretheme"):
            done = "dropped" if name == "droptheme" else "taken back in"
            return f"Digest {digest.id}: theme {words[1]} {done}; {digest.status}."
        return f"Digest {digest.id}: {digest.status}."

    async def finished_note(
        self, uow: UnitOfWork, handled: Handled
    ) -> tuple[str, list[Call]] | None:
        """Return the staff group's note about a dialogue that just finished (anonymised gist)."""
        if self.staff_chat is None or handled.dialogue_id is None:
            return None
        loaded = await uow.dialogues.get(handled.dialogue_id)
        if loaded is None:
            return None
        info = loaded.info
        entries = await uow.transcripts.for_dialogue(info.id)
        identities = await uow.participants.identities(info.participant_id)
        anonymised = anonymise_entries(
            entries, identities, self.settings.staff_names, info.language
        )
        answers = [e.text for e in anonymised if e.speaker == "customer" and e.kind == "answer"]
        gist = [key_points(a, 110) for a in sorted(answers, key=len, reverse=True)[:2]]
        lines = [
            f"✅ Dialogue finished: {info.id} · {info.script_id} · {info.language}"
            + (f" · campaign {info.campaign}" if info.campaign else "")
            + f" · {info.participant_id}",
            *[f"„{line}“" for line in gist],
            f"{self.settings.web_base_url.rstrip('/')}/dialogues/{info.id}",
        ]
        return self.staff_chat, text_calls(self.staff_chat, "\n".join(lines))
