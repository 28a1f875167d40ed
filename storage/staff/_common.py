"""What every part of the staff repository shares: the connection and the date filter."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import dialogues


class StaffQueriesBase:
    """The connection the staff queries run on; the mixins of ``StaffRepository`` build on it."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    @property
    def _dialect(self) -> str:
        return self.connection.dialect.name


def date_conditions(
    started_from: date | None, started_to: date | None
) -> list[ColumnElement[bool]]:
    """Return conditions on when dialogues started (``started_to`` is inclusive, UTC days)."""
    conditions: list[ColumnElement[bool]] = []
    if started_from is not None:
        conditions.append(dialogues.c.started_at >= datetime.combine(started_from, time(), UTC))
    if started_to is not None:
        end = datetime.combine(started_to + timedelta(days=1), time(), UTC)
        conditions.append(dialogues.c.started_at < end)
    return conditions
