"""Bar geometry for the funnel chart; the template draws the bars as SVG."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.staff import Funnel


@dataclass(frozen=True)
class Bar:
    """One bar: a label, a count, its length (0–100) and its share of the first bar."""

    label: str
    value: int
    width: float
    share: str
    #: Extra count shown next to the bar (e.g. dialogues still live at a step).
    note: str = ""


def _share(value: int, whole: int) -> str:
    return f"{round(100 * value / whole)} %" if whole else "–"


def funnel_bars(funnel: Funnel) -> list[Bar]:
    """Return the started → consented → finished bars, as shares of started."""
    steps = [
        ("started", funnel.started),
        ("consented", funnel.consented),
        ("finished", funnel.finished),
    ]
    return [
        Bar(
            label,
            value,
            100 * value / funnel.started if funnel.started else 0.0,
            _share(value, funnel.started),
        )
        for label, value in steps
    ]


def drop_off_bars(funnel: Funnel, step_order: Sequence[str] = ()) -> list[Bar]:
    """Return one bar per step where unfinished dialogues stopped or wait, in script order.

    Bars are shares of all started dialogues, on the same scale as the funnel above them.

    Steps the script does not know (renamed or removed since) come last, largest first.
    """
    position = {step: index for index, step in enumerate(step_order)}
    drop_offs = sorted(
        funnel.drop_offs,
        key=lambda d: (position.get(d.step_id or "", len(position)), -d.total, d.step_id or ""),
    )
    return [
        Bar(
            d.step_id or "(no step)",
            d.total,
            100 * d.total / funnel.started if funnel.started else 0.0,
            _share(d.total, funnel.started),
            f"{d.ended} ended, {d.live} still open",
        )
        for d in drop_offs
    ]
