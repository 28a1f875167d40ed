"""Cookies, CSRF tokens and the security headers on every response."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from itsdangerous import BadSignature, Signer
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from needfinder.web.context import WebContext

_SESSION_SALT = "needfinder.session-cookie"
LOGIN_CSRF_COOKIE = "needfinder_login_csrf"

#: No script at all, styles only from our own stylesheet, forms only to ourselves: even if
#: escaping failed somewhere, injected markup could not run or send data elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # Login links carry their token in the path; no page may pass its URL on.
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    # Transcripts must not linger in shared browser caches.
    "cache-control": "no-store",
}


def session_cookie_name(web: WebContext) -> str:
    """Return the session cookie's name (``__Host-`` bound to our origin under https)."""
    return "__Host-needfinder_session" if web.secure_cookies else "needfinder_session"


def session_token(request: Request, web: WebContext) -> str | None:
    """Return the session token from the request's cookie, if it carries a valid signature."""
    value = request.cookies.get(session_cookie_name(web))
    if not value:
        return None
    try:
        return Signer(web.secret, salt=_SESSION_SALT).unsign(value).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


def set_session_cookie(
    response: Response, web: WebContext, token: str, expires_at: datetime, now: datetime
) -> None:
    """Put the (signed) session token into an HttpOnly, SameSite=Lax cookie."""
    response.set_cookie(
        session_cookie_name(web),
        Signer(web.secret, salt=_SESSION_SALT).sign(token).decode(),
        max_age=max(0, int((expires_at - now).total_seconds())),
        path="/",
        secure=web.secure_cookies,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, web: WebContext) -> None:
    """Remove the session cookie."""
    response.delete_cookie(
        session_cookie_name(web), path="/", secure=web.secure_cookies, httponly=True, samesite="lax"
    )


def csrf_token(web: WebContext, session: str) -> str:
    """Return the CSRF token of a session (derived, so nothing more is stored)."""
    digest = hmac.new(web.secret.encode(), b"csrf|" + session.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def tokens_match(expected: str, given: object) -> bool:
    """Compare a token in constant time; anything that is not a string fails."""
    return isinstance(given, str) and hmac.compare_digest(expected.encode(), given.encode())


def new_login_csrf() -> str:
    """Return a fresh token for the login form (there is no session yet to derive one from)."""
    return secrets.token_urlsafe(24)


def set_login_csrf_cookie(response: Response, web: WebContext, token: str) -> None:
    """Keep the login form's CSRF token in a short-lived cookie for the double-submit check."""
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=web.settings.login_link_minutes * 60,
        path="/login",
        secure=web.secure_cookies,
        httponly=True,
        samesite="strict",
    )


def clear_login_csrf_cookie(response: Response, web: WebContext) -> None:
    """Remove the login form's CSRF cookie."""
    response.delete_cookie(
        LOGIN_CSRF_COOKIE, path="/login", secure=web.secure_cookies, httponly=True
    )


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and add the headers to the response's start message."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
