"""The check in front of every staff page: a valid session of a current staff member, and on
every POST the session's CSRF token.

It runs on each request, so an ended session, a revoked one, or someone no longer staff is
turned away at once, not when a cookie expires.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from needfinder.app.staff import session_user
from needfinder.web.context import web_context
from needfinder.web.security import csrf_token, session_token, tokens_match
from needfinder.web.templating import render

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]
LOGIN_PATH = "/login"


def staff_only(endpoint: Endpoint) -> Endpoint:
    """Wrap a page so that only staff with a valid session (and form token) reach it."""

    @wraps(endpoint)
    async def guarded(request: Request) -> Response:
        web = web_context(request)
        token = session_token(request, web)
        user = None
        names: dict[str, str] = {}
        if token is not None:
            async with web.database.read() as uow:
                user = await session_user(uow, web.settings, token, web.clock())
                if user is not None:
                    names = await uow.staff.display_names([user.telegram_user_id])
        if token is None or user is None:
            return refuse(request)
        expected = csrf_token(web, token)
        if request.method == "POST":
            form = await request.form()
            if not tokens_match(expected, form.get("csrf")):
                log.warning(
                    "web.csrf_refused",
                    extra={"staff_user_id": user.telegram_user_id, "path": request.url.path},
                )
                return render(request, "refused.html", {"reason": "form"}, status_code=403)
        request.state.staff = user
        request.state.csrf_token = expected
        request.state.session_token = token
        request.state.staff_name = names.get(user.telegram_user_id)
        return await endpoint(request)

    return guarded


def refuse(request: Request) -> Response:
    """Turn away a request without a valid session: pages go to the login page, forms get 403."""
    if request.method in {"GET", "HEAD"}:
        return RedirectResponse(LOGIN_PATH, status_code=303)
    return render(request, "refused.html", {"reason": "login"}, status_code=403)
