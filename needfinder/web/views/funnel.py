"""The funnel: started → consented → finished, and where the others stopped, as bar charts."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response

from needfinder.web.charts import drop_off_bars, funnel_bars
from needfinder.web.context import web_context
from needfinder.web.query import date_param
from needfinder.web.templating import render
from storage.staff import Funnel


async def funnel_page(request: Request) -> Response:
    """Show the funnel overall, per script and per campaign (optionally for a date range)."""
    web = web_context(request)
    problems: list[str] = []
    started_from = date_param(request.query_params, "from", problems)
    started_to = date_param(request.query_params, "to", problems)
    async with web.database.read() as uow:
        report = await uow.staff.funnel(started_from=started_from, started_to=started_to)
    sections: list[tuple[str, Funnel, Sequence[str]]] = [("All dialogues", report.overall, ())]
    sections += [
        (f"Script {f.key}", f, web.step_order.get(f.key or "", ())) for f in report.by_script
    ]
    sections += [
        (f"Campaign {f.key}" if f.key else "No campaign", f, ()) for f in report.by_campaign
    ]
    return render(
        request,
        "funnel.html",
        {
            "problems": problems,
            "started_from": started_from,
            "started_to": started_to,
            "charts": [
                {
                    "title": title,
                    "funnel": funnel,
                    "bars": funnel_bars(funnel),
                    "drop_offs": drop_off_bars(funnel, order),
                }
                for title, funnel, order in sections
            ],
        },
    )
