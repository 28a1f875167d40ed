"""Logging in with a one-time link from the bot, and logging out."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from needfinder.app.staff import check_login_link, close_session, open_session, redeem_login_link
from needfinder.web.context import current_staff, web_context
from needfinder.web.security import (
    LOGIN_CSRF_COOKIE,
    clear_login_csrf_cookie,
    clear_session_cookie,
    new_login_csrf,
    set_login_csrf_cookie,
    set_session_cookie,
    tokens_match,
)
from needfinder.web.templating import render

log = logging.getLogger(__name__)


async def please_log_in(request: Request) -> Response:
    """Explain how to log in (ask the bot for a link)."""
    logged_out = request.query_params.get("logged_out") == "1"
    return render(request, "login.html", {"logged_out": logged_out})


async def confirm_login(request: Request) -> Response:
    """Show a "log in" button for a login link; nothing is used up yet.

    The link is only redeemed by the button's POST, so link previews and scanners that fetch
    the URL do not burn it.
    """
    web = web_context(request)
    problem = check_login_link(web.settings, request.path_params["token"])
    if problem is not None:
        log.info("web.login_refused", extra={"reason": problem, "step": "open"})
        return render(request, "login_failed.html", {"problem": problem}, status_code=403)
    form_token = new_login_csrf()
    response = render(request, "login_confirm.html", {"login_csrf": form_token})
    set_login_csrf_cookie(response, web, form_token)
    return response


async def log_in(request: Request) -> Response:
    """Redeem a login link (once) and open a session."""
    web = web_context(request)
    form = await request.form()
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not tokens_match(cookie, form.get("csrf")):
        log.info("web.login_refused", extra={"reason": "form"})
        return render(request, "refused.html", {"reason": "form"}, status_code=403)
    now = web.clock()
    async with web.database.write() as uow:
        attempt = await redeem_login_link(uow, web.settings, request.path_params["token"], now)
        session = None
        if attempt.problem is None and attempt.telegram_user_id is not None:
            session = await open_session(uow, web.settings, attempt.telegram_user_id, now)
            await uow.staff.record_audit(attempt.telegram_user_id, "login", now)
    if session is None:
        log.info(
            "web.login_refused",
            extra={"reason": attempt.problem, "staff_user_id": attempt.telegram_user_id},
        )
        response = render(
            request, "login_failed.html", {"problem": attempt.problem}, status_code=403
        )
        clear_login_csrf_cookie(response, web)
        return response
    log.info("web.login", extra={"staff_user_id": session.telegram_user_id})
    redirect = RedirectResponse("/dialogues", status_code=303)
    set_session_cookie(redirect, web, session.token, session.expires_at, now)
    clear_login_csrf_cookie(redirect, web)
    return redirect


async def log_out(request: Request) -> Response:
    """End the session and forget the cookie."""
    web = web_context(request)
    staff = current_staff(request)
    now = web.clock()
    async with web.database.write() as uow:
        await close_session(uow, request.state.session_token, now)
        await uow.staff.record_audit(staff.telegram_user_id, "logout", now)
    log.info("web.logout", extra={"staff_user_id": staff.telegram_user_id})
    response = RedirectResponse("/login?logged_out=1", status_code=303)
    clear_session_cookie(response, web)
    return response
