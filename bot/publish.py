"""Publish approved digests: the community chat and every subscriber, through the outbox.

Web and CLI only mark a digest ``publishing``; the running bot (which owns Telegram) picks it
up here, checks it once more, and queues the messages. Each subscriber is claimed in
``digest_deliveries`` in the same transaction, so nobody gets a digest twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.render import PARSE_MODE, Call, text_calls
from needfinder.app import digests as workflow
from needfinder.app.settings import Settings
from needfinder.insights.publication import Language, render
from storage.digests import StoredDigest
from storage.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from bot.worker import Replies

log = logging.getLogger(__name__)


class Publisher:
    """Turns digests marked for publication into queued Telegram messages."""

    def __init__(self, settings: Settings, bot_username: str | None) -> None:
        self.settings = settings
        self.bot_username = bot_username

    async def publish_requested(self, uow: UnitOfWork, replies: Replies, now: datetime) -> int:
        """Queue every digest waiting for publication; return how many were published."""
        published = 0
        for digest in await uow.digests.with_status("publishing"):
            content = await workflow.current_content(uow, digest)
            problems = workflow.check(content)
            if problems:
                # Consent can change between approval and now; never publish what fails.
                await workflow.return_to_draft(uow, digest, content, problems, now)
                log.error(
                    "digest not published; back to draft",
                    extra={"digest_id": digest.id, "problems": len(problems)},
                )
                self._tell_staff(digest, problems, replies)
                continue
            await self._queue(uow, digest, content, replies, now)
            await uow.digests.save(digest.id, content, "published", now)
            published += 1
        return published

    def _tell_staff(self, digest: StoredDigest, problems: list[str], replies: Replies) -> None:
        """Tell the staff chat (if there is one) why a digest went back to draft."""
        chat_id = self.settings.staff_chat_id
        if chat_id is None:
            return
        # The problems name places ("theme 2 quote 1"), never the text or a person.
        text = (
            f"Digest {digest.id} was not published and is a draft again:\n- "
            + "\n- ".join(problems)
            + f"\nFix it and approve again: /digest {digest.id}"
        )
        replies.add(str(chat_id), text_calls(str(chat_id), text))

    async def _queue(
        self,
        uow: UnitOfWork,
        digest: StoredDigest,
        content: dict[str, Any],
        replies: Replies,
        now: datetime,
    ) -> None:
        cache: dict[tuple[Language, bool], list[str]] = {}

        def messages(language: Language, unsubscribe: bool) -> list[str]:
            if (language, unsubscribe) not in cache:
                cache[(language, unsubscribe)] = render(
                    content,
                    language=language,
                    fmt="telegram",
                    link_for=lambda n: self.link(digest.id, n),
                    unsubscribe=unsubscribe,
                )
            return cache[(language, unsubscribe)]

        community = self.settings.community_chat_id
        if community is not None:
            chat = str(community)
            replies.add(chat, _calls(chat, messages(self.settings.community_language, False)))
        subscribers = await uow.digests.subscribers()
        claimed = await uow.digests.claim_deliveries(
            digest.id, [s.participant_id for s in subscribers], now
        )
        for subscriber in subscribers:
            if subscriber.participant_id not in claimed:
                continue
            language: Language = "en" if subscriber.language == "en" else "de"
            replies.add(
                subscriber.chat_id,
                _calls(subscriber.chat_id, messages(language, True)),
                participant_id=subscriber.participant_id,
            )
        log.info(
            "digest published",
            extra={
                "digest_id": digest.id,
                "subscribers": len(claimed),
                "community": community is not None,
            },
        )

    def link(self, digest_id: str, theme_number: int) -> str:
        """Return the deep link that starts a follow-up dialogue on one theme."""
        payload = f"t-{digest_id}-{theme_number}"
        return f"https://t.me/{self.bot_username or 'your_bot'}?start={payload}"


def _calls(chat_id: str, messages: list[str]) -> list[Call]:
    return [
        Call(
            "sendMessage",
            {
                "chat_id": chat_id,
                "text": message,
                "parse_mode": PARSE_MODE,
                "link_preview_options": {"is_disabled": True},
            },
        )
        for message in messages
    ]
