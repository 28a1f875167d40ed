"""The dashboard's ASGI application: routes, the staff guard on every non-public one, headers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from needfinder.app.scripts import ScriptLibrary
from needfinder.web.context import WebContext
from needfinder.web.guard import Endpoint, staff_only
from needfinder.web.health import healthz
from needfinder.web.security import SecurityHeaders
from needfinder.web.templating import build_templates, render
from needfinder.web.views import (
    audit,
    coding,
    dialogues,
    digests,
    exports,
    funnel,
    login,
    transcript,
)

STATIC_DIR = Path(__file__).parent / "static"
#: Forms are a few fields; nothing legitimate comes close.
MAX_BODY_BYTES = 64 * 1024

#: Everything staff see: each is wrapped in the guard (session, staff, CSRF on POST).
STAFF_ROUTES: tuple[tuple[str, Endpoint, str], ...] = (
    ("/", dialogues.home, "GET"),
    ("/dialogues", dialogues.dialogue_list, "GET"),
    ("/dialogues/{dialogue_id}", transcript.transcript_page, "GET"),
    ("/entries/{entry_id:int}/tags", coding.add_tag, "POST"),
    ("/entries/{entry_id:int}/tags/{tag_id:int}/remove", coding.remove_tag, "POST"),
    ("/entries/{entry_id:int}/notes", coding.add_note, "POST"),
    ("/entries/{entry_id:int}/notes/{note_id:int}/delete", coding.delete_note, "POST"),
    ("/tags", coding.tag_overview, "GET"),
    ("/tags/{tag_id:int}", coding.tag_excerpts, "GET"),
    ("/funnel", funnel.funnel_page, "GET"),
    ("/export", exports.export, "POST"),
    ("/digests", digests.digest_list, "GET"),
    ("/digests", digests.build_digest, "POST"),
    ("/digests/{digest_id}", digests.digest_page, "GET"),
    ("/digests/{digest_id}/edit", digests.edit_digest, "POST"),
    ("/digests/{digest_id}/approve", digests.approve_digest, "POST"),
    ("/digests/{digest_id}/publish", digests.publish_digest, "POST"),
    ("/digests/{digest_id}/download", digests.download_digest, "GET"),
    ("/audit", audit.audit_page, "GET"),
    ("/logout", login.log_out, "POST"),
)

#: The only ways in without a session: the login pages, the stylesheet and the health check
#: (counts only, see needfinder/web/health.py).
PUBLIC_PATHS = ("/login", "/login/{token}", "/static", "/healthz")


def create_app(web: WebContext) -> Starlette:
    """Return the dashboard application for ``web``'s settings and database."""
    routes: list[BaseRoute] = [
        Route("/login", login.please_log_in, methods=["GET"]),
        Route("/login/{token}", login.confirm_login, methods=["GET"]),
        Route("/login/{token}", login.log_in, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    routes += [
        Route(path, staff_only(endpoint), methods=[method])
        for path, endpoint, method in STAFF_ROUTES
    ]
    application = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={HTTPException: _error_page},
        max_body_size=MAX_BODY_BYTES,
    )
    application.state.web = web
    application.state.templates = build_templates()
    return application


def step_order(library: ScriptLibrary) -> Mapping[str, tuple[str, ...]]:
    """Return each current script's step ids in order (for the funnel's drop-off chart)."""
    order: dict[str, tuple[str, ...]] = {}
    for script_id in library.ids():
        script = library.current(script_id).script
        order[script_id] = tuple(step.id for step in script.steps)
    return order


async def _error_page(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return render(
        request,
        "error.html",
        {"status": error.status_code, "detail": error.detail},
        status_code=error.status_code,
    )
