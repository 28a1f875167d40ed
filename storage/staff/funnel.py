"""Aggregate figures: the started → consented → finished funnel, drop-offs, headline stats."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from storage.schema import dialogues, transcript_entries
from storage.staff._common import StaffQueriesBase, date_conditions
from storage.staff.models import DropOff, Funnel, FunnelReport, Stats

_ENDED = ("stopped", "declined")
_LIVE = ("active", "paused")


class FunnelQueries(StaffQueriesBase):
    """The funnel with its drop-off steps, and the headline figures."""

    async def funnel(
        self, *, started_from: date | None = None, started_to: date | None = None
    ) -> FunnelReport:
        """Return started → consented → finished and the drop-off steps, overall and by group."""
        consented = case((dialogues.c.consented_at.is_(None), 0), else_=1)
        rows = (
            await self.connection.execute(
                select(
                    dialogues.c.script_id,
                    dialogues.c.campaign,
                    dialogues.c.status,
                    dialogues.c.step_id,
                    consented.label("consented"),
                    func.count().label("n"),
                )
                .where(*date_conditions(started_from, started_to))
                .group_by(
                    dialogues.c.script_id,
                    dialogues.c.campaign,
                    dialogues.c.status,
                    dialogues.c.step_id,
                    consented,
                )
            )
        ).all()
        overall: dict[str | None, _Tally] = defaultdict(_Tally)
        by_script: dict[str | None, _Tally] = defaultdict(_Tally)
        by_campaign: dict[str | None, _Tally] = defaultdict(_Tally)
        for r in rows:
            for tallies, key in (
                (overall, None),
                (by_script, r.script_id),
                (by_campaign, r.campaign),
            ):
                tallies[key].add(r.status, r.step_id, bool(r.consented), int(r.n))
        return FunnelReport(
            overall=overall[None].funnel(None),
            by_script=tuple(t.funnel(k) for k, t in sorted(by_script.items(), key=_key_order)),
            by_campaign=tuple(t.funnel(k) for k, t in sorted(by_campaign.items(), key=_key_order)),
        )

    async def stats(self, now: datetime) -> Stats:
        """Return headline figures: dialogues by status, consents, finishes, answers."""
        by_status = {
            str(r.status): int(r.n)
            for r in await self.connection.execute(
                select(dialogues.c.status, func.count().label("n")).group_by(dialogues.c.status)
            )
        }
        row = (
            await self.connection.execute(
                select(
                    func.count(dialogues.c.consented_at).label("consented"),
                    func.max(dialogues.c.started_at).label("last_started"),
                    func.count(case((dialogues.c.started_at >= now - timedelta(days=7), 1))).label(
                        "recent"
                    ),
                )
            )
        ).one()
        answers = await self.connection.scalar(
            select(func.count())
            .select_from(transcript_entries)
            .where(transcript_entries.c.speaker == "customer")
        )
        return Stats(
            dialogues=sum(by_status.values()),
            by_status=by_status,
            consented=int(row.consented or 0),
            finished=by_status.get("finished", 0),
            answers=int(answers or 0),
            started_last_7_days=int(row.recent or 0),
            last_started_at=row.last_started,
        )


class _Tally:
    """Counts for one funnel group while the rows are read."""

    def __init__(self) -> None:
        self.started = 0
        self.consented = 0
        self.finished = 0
        self.ended: dict[str | None, int] = defaultdict(int)
        self.live: dict[str | None, int] = defaultdict(int)

    def add(self, status: str, step_id: str | None, consented: bool, count: int) -> None:
        self.started += count
        self.consented += count if consented else 0
        if status == "finished":
            self.finished += count
        elif status in _ENDED:
            self.ended[step_id] += count
        elif status in _LIVE:
            self.live[step_id] += count

    def funnel(self, key: str | None) -> Funnel:
        steps = {*self.ended, *self.live}
        drop_offs = sorted(
            (DropOff(s, self.ended.get(s, 0), self.live.get(s, 0)) for s in steps),
            key=lambda d: (-d.total, d.step_id or ""),
        )
        return Funnel(key, self.started, self.consented, self.finished, tuple(drop_offs))


def _key_order(item: tuple[str | None, Any]) -> tuple[int, str]:
    # Groups without a key (no campaign) go last.
    return (item[0] is None, item[0] or "")
