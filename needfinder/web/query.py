"""Reading filters and page numbers from query strings, and writing them back into links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from storage.staff import DialogueFilter

STATUSES = ("active", "paused", "finished", "stopped", "declined")
_MAX_VALUE = 200


@dataclass(frozen=True)
class ListQuery:
    """The dialogue list's filter and page, with what could not be understood."""

    dialogue_filter: DialogueFilter
    page: int
    problems: tuple[str, ...] = ()

    def params(self) -> dict[str, str]:
        """Return the filter as query parameters (empty ones left out)."""
        f = self.dialogue_filter
        values = {
            "q": f.text,
            "status": f.status,
            "script": f.script_id,
            "language": f.language,
            "campaign": f.campaign,
            "tag": f.tag,
            "from": f.started_from.isoformat() if f.started_from else None,
            "to": f.started_to.isoformat() if f.started_to else None,
        }
        return {k: v for k, v in values.items() if v}

    def url(self, path: str, *, page: int | None = None) -> str:
        """Return a link to ``path`` with this filter (and another page, if given)."""
        params = self.params()
        if page is not None and page > 1:
            params["page"] = str(page)
        return f"{path}?{urlencode(params)}" if params else path


def text_param(params: Mapping[str, str], name: str) -> str | None:
    """Return a trimmed, length-limited parameter, or None when empty."""
    value = (params.get(name) or "").strip()[:_MAX_VALUE]
    return value or None


def page_param(params: Mapping[str, str]) -> int:
    """Return the page number asked for (1 when missing or not a positive number)."""
    value = params.get("page", "")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1


def date_param(params: Mapping[str, str], name: str, problems: list[str]) -> date | None:
    """Return a YYYY-MM-DD parameter as a date; note a problem when it is not one."""
    value = text_param(params, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"'{name}' is not a date (YYYY-MM-DD); ignored")
        return None


def parse_list_query(params: Mapping[str, str]) -> ListQuery:
    """Return the dialogue list's filter and page from its query parameters."""
    problems: list[str] = []
    status = text_param(params, "status")
    if status is not None and status not in STATUSES:
        problems.append("unknown status; ignored")
        status = None
    dialogue_filter = DialogueFilter(
        status=status,
        script_id=text_param(params, "script"),
        language=text_param(params, "language"),
        campaign=text_param(params, "campaign"),
        started_from=date_param(params, "from", problems),
        started_to=date_param(params, "to", problems),
        tag=text_param(params, "tag"),
        text=text_param(params, "q"),
    )
    return ListQuery(dialogue_filter, page_param(params), tuple(problems))
