"""Jinja2 templates with autoescaping everywhere, and one ``render`` for every page."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).parent / "templates"


def _utc(value: datetime | None) -> str:
    return "–" if value is None else value.strftime("%Y-%m-%d %H:%M")


def _page_context(request: Request) -> dict[str, Any]:
    # Guarded routes put the staff member and the form token on the request; public pages
    # have neither, and the layout leaves the navigation out.
    return {
        "staff": getattr(request.state, "staff", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "staff_name": getattr(request.state, "staff_name", None),
    }


def build_templates() -> Jinja2Templates:
    """Return the dashboard's templates: every template autoescaped, unknown names fail."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        # Escape in every template whatever its file name: all customer text is untrusted.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["utc"] = _utc
    return Jinja2Templates(env=environment, context_processors=[_page_context])


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """Render a page with the application's templates."""
    templates = request.app.state.templates
    assert isinstance(templates, Jinja2Templates)
    return templates.TemplateResponse(request, template, context or {}, status_code=status_code)
