"""Every route refuses everyone but current staff with a valid session (and, on POST, the
session's CSRF token) — and leaks nothing while refusing."""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from itsdangerous import Signer, URLSafeTimedSerializer
from starlette.routing import Mount, Route

from needfinder.app import digests as workflow
from needfinder.app.staff import confirm_member, create_login_link, open_session, secret_key
from needfinder.web.app import PUBLIC_PATHS, STAFF_ROUTES, create_app
from needfinder.web.context import WebContext
from needfinder.web.security import csrf_token, session_cookie_name
from tests.web.conftest import BASE_URL, CUSTOMER_ID, STAFF_ID, Clock, LoggedIn, csrf_of, log_in

MEMBER_ID = "5555"
#: Customer text and ids that no refused response may contain.
SECRETS = ("bakery", "Kassel", "Anna", "Hacker", "Florist", "d_00000000000", "p_00000000000")


@dataclass(frozen=True)
class Call:
    """One route with its path parameters filled in."""

    method: str
    path: str


async def every_staff_call(web: WebContext, seeded: dict[str, list[int]]) -> list[Call]:
    """Return a request for every guarded route, aimed at real rows."""
    entry_id = seeded["d_000000000001"][0]
    async with web.database.write() as uow:
        tag = await uow.staff.tag_entry(entry_id, "existing", STAFF_ID, web.clock())
        note = await uow.staff.add_note(entry_id, "existing note", STAFF_ID, web.clock())
        digest = await workflow.build(
            uow, workflow.DigestFilter(), now=web.clock(), created_by=STAFF_ID
        )
    assert tag is not None and note is not None
    values = {
        "dialogue_id": "d_000000000001",
        "entry_id": str(entry_id),
        "tag_id": str(tag.id),
        "note_id": str(note.id),
        "digest_id": digest.id,
    }
    calls = []
    for route in create_app(web).routes:
        if isinstance(route, Mount):
            continue
        assert isinstance(route, Route)
        if route.path in PUBLIC_PATHS:
            continue
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], route.path)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            calls.append(Call(method, path))
    return calls


def test_only_login_static_and_health_are_public(web: WebContext) -> None:
    # Any new route is guarded unless it is deliberately added to PUBLIC_PATHS.
    assert set(PUBLIC_PATHS) == {"/login", "/login/{token}", "/static", "/healthz"}
    app_paths = set()
    for route in create_app(web).routes:
        assert isinstance(route, Route | Mount)
        app_paths.add(route.path)
        if route.path not in PUBLIC_PATHS:
            assert isinstance(route, Route) and hasattr(route.endpoint, "__wrapped__")
    assert {path for path, _, _ in STAFF_ROUTES} | set(PUBLIC_PATHS) == app_paths


async def check_refused(
    http: httpx.AsyncClient, calls: list[Call], *, csrf: str | None = None
) -> None:
    """Every call is refused (GET: to the login page; POST: 403) and shows nothing."""
    for call in calls:
        data = (
            {"csrf": csrf, "tag": "leak", "note": "leak", "fmt": "csv", "note_en": "leak"}
            if csrf
            else {}
        )
        if call.method == "POST":
            response = await http.post(call.path, data=data)
            assert response.status_code == 403, call
            assert "log in" in response.text.lower()
        else:
            response = await http.get(call.path)
            assert response.status_code == 303, call
            assert response.headers["location"] == "/login"
        assert not any(s in response.text for s in SECRETS), call
        assert "set-cookie" not in response.headers, call


async def assert_nothing_changed(web: WebContext) -> None:
    async with web.database.read() as uow:
        assert [t.name for t in await uow.staff.tag_overview()] == ["existing"]
        coding = await uow.staff.coding_for_dialogue("d_000000000001")
        assert [n.text for c in coding.values() for n in c.notes] == ["existing note"]
        audit = await uow.staff.audit()
        digests = await uow.digests.recent()
    assert [e.action for e in audit.entries if e.action not in {"login", "logout"}] == []
    assert [(d.status, d.content["note"]) for d in digests] == [("draft", {"de": "", "en": ""})]


Scenario = Callable[[httpx.AsyncClient, WebContext, Clock], Awaitable[None]]


async def no_cookie(http: httpx.AsyncClient, web: WebContext, clock: Clock) -> None:
    http.cookies.clear()


async def garbage_cookie(http: httpx.AsyncClient, web: WebContext, clock: Clock) -> None:
    http.cookies.set(session_cookie_name(web), "garbage")


async def cookie_signed_with_another_key(
    http: httpx.AsyncClient, web: WebContext, clock: Clock
) -> None:
    forged = Signer("not our key at all", salt="needfinder.session-cookie").sign("abc")
    http.cookies.set(session_cookie_name(web), forged.decode())


async def made_up_session(http: httpx.AsyncClient, web: WebContext, clock: Clock) -> None:
    # Correctly signed, but no such session was ever opened.
    forged = Signer(secret_key(web.settings), salt="needfinder.session-cookie").sign(
        secrets.token_urlsafe(32)
    )
    http.cookies.set(session_cookie_name(web), forged.decode())


async def expired_session(http: httpx.AsyncClient, web: WebContext, clock: Clock) -> None:
    await log_in(http, web)
    clock.advance(timedelta(hours=web.settings.session_hours, minutes=1))


async def logged_out_session(http: httpx.AsyncClient, web: WebContext, clock: Clock) -> None:
    staff = await log_in(http, web)
    cookie = http.cookies[session_cookie_name(web)]
    assert (await http.post("/logout", data={"csrf": staff.csrf})).status_code == 303
    http.cookies.set(session_cookie_name(web), cookie)  # replay the old cookie


async def customer_session(http: httpx.AsyncClient, web: WebContext, clock: Clock) -> None:
    # Even a session row for a customer (however it got there) opens nothing.
    async with web.database.write() as uow:
        session = await open_session(uow, web.settings, CUSTOMER_ID, clock())
    signed = Signer(secret_key(web.settings), salt="needfinder.session-cookie").sign(session.token)
    http.cookies.set(session_cookie_name(web), signed.decode())


async def membership_lapsed(http: httpx.AsyncClient, web: WebContext, clock: Clock) -> None:
    async with web.database.write() as uow:
        await confirm_member(uow, MEMBER_ID, "Former", clock())
    await log_in(http, web, MEMBER_ID)
    clock.advance(timedelta(hours=1))
    async with web.database.write() as uow:
        await uow.staff.remove_member(MEMBER_ID)  # left the staff group


@pytest.mark.parametrize(
    "scenario",
    [
        no_cookie,
        garbage_cookie,
        cookie_signed_with_another_key,
        made_up_session,
        expired_session,
        logged_out_session,
        customer_session,
        membership_lapsed,
    ],
)
async def test_every_route_refuses(
    client: httpx.AsyncClient,
    web: WebContext,
    clock: Clock,
    seeded: dict[str, list[int]],
    scenario: Scenario,
) -> None:
    calls = await every_staff_call(web, seeded)
    assert len(calls) == len(STAFF_ROUTES)
    await scenario(client, web, clock)
    token = client.cookies.get(session_cookie_name(web))
    # Offer the right CSRF token for the presented cookie: refusal must come from the session.
    await check_refused(client, calls, csrf=csrf_token(web, token) if token else None)
    await assert_nothing_changed(web)


async def test_posts_without_the_sessions_csrf_token_are_refused(
    staff: LoggedIn, web: WebContext, seeded: dict[str, list[int]]
) -> None:
    calls = [c for c in await every_staff_call(web, seeded) if c.method == "POST"]
    other = csrf_token(web, "another session")
    for call in calls:
        for data in ({}, {"csrf": ""}, {"csrf": other}, {"csrf": staff.csrf[:-1]}):
            response = await staff.http.post(call.path, data={**data, "tag": "x", "note": "x"})
            assert response.status_code == 403, (call, data)
            assert "form" in response.text
        # A token in the query string or a header does not count either.
        response = await staff.http.post(
            f"{call.path}?csrf={staff.csrf}", headers={"x-csrf-token": staff.csrf}
        )
        assert response.status_code == 403
        response = await staff.http.post(call.path, json={"csrf": staff.csrf})
        assert response.status_code == 403
    await assert_nothing_changed(web)
    # The session itself still works.
    assert (await staff.http.get("/tags")).status_code == 200


async def test_staff_reach_every_page(
    staff: LoggedIn, web: WebContext, seeded: dict[str, list[int]]
) -> None:
    for call in await every_staff_call(web, seeded):
        if call.method == "GET":
            response = await staff.http.get(call.path)
            assert response.status_code in {200, 303}, call
            assert response.status_code == 200 or call.path == "/"


# --- login links --------------------------------------------------------------------------


async def open_link(http: httpx.AsyncClient, link: str) -> tuple[str, str]:
    path = link.removeprefix(BASE_URL)
    page = await http.get(path)
    assert page.status_code == 200
    return path, csrf_of(page.text)


async def new_link(web: WebContext, user: str = STAFF_ID) -> str:
    async with web.database.write() as uow:
        return await create_login_link(uow, web.settings, user, web.clock())


async def test_used_login_link_is_refused(client: httpx.AsyncClient, web: WebContext) -> None:
    path, csrf = await open_link(client, await new_link(web))
    assert (await client.post(path, data={"csrf": csrf})).status_code == 303
    client.cookies.delete(session_cookie_name(web))
    _, csrf = await open_link(client, f"{BASE_URL}{path}")  # the link opens again…
    again = await client.post(path, data={"csrf": csrf})  # …but does not log in twice
    assert again.status_code == 403 and "used already" in again.text
    assert session_cookie_name(web) not in again.headers.get("set-cookie", "")


async def test_expired_login_link_is_refused(
    client: httpx.AsyncClient, web: WebContext, clock: Clock
) -> None:
    path, csrf = await open_link(client, await new_link(web))
    clock.advance(timedelta(minutes=web.settings.login_link_minutes, seconds=1))
    response = await client.post(path, data={"csrf": csrf})
    assert response.status_code == 403 and "expired" in response.text
    assert (await client.get("/dialogues")).status_code == 303


async def test_login_link_for_a_customer_is_refused(
    client: httpx.AsyncClient, web: WebContext, clock: Clock
) -> None:
    # The code makes no links for customers; one forged with the real key and a stored nonce
    # (the worst case) still opens nothing.
    async with web.database.write() as uow:
        await uow.staff.add_login_token(
            "n-customer", CUSTOMER_ID, clock(), clock() + timedelta(hours=1)
        )
    serializer = URLSafeTimedSerializer(secret_key(web.settings), salt="needfinder.login-link")
    token = serializer.dumps({"n": "n-customer", "u": CUSTOMER_ID})
    path, csrf = await open_link(client, f"{BASE_URL}/login/{token}")
    response = await client.post(path, data={"csrf": csrf})
    assert response.status_code == 403 and "not (or no longer) staff" in response.text
    assert (await client.get("/dialogues")).status_code == 303


@pytest.mark.parametrize("token", ["nonsense", "eyJuIjoiYSIsInUiOiIxIn0.aaaa.bbbb"])
async def test_invalid_login_links_are_refused(
    client: httpx.AsyncClient, web: WebContext, token: str
) -> None:
    page = await client.get(f"/login/{token}")
    assert page.status_code == 403 and "not a valid login link" in page.text
    posted = await client.post(f"/login/{token}", data={"csrf": "x"})
    assert posted.status_code == 403
    assert (
        "set-cookie" not in posted.headers
        or "needfinder_session=" not in posted.headers["set-cookie"]
    )


async def test_login_form_needs_its_csrf_token(client: httpx.AsyncClient, web: WebContext) -> None:
    path, csrf = await open_link(client, await new_link(web))
    assert (await client.post(path, data={})).status_code == 403
    assert (await client.post(path, data={"csrf": csrf + "x"})).status_code == 403
    client.cookies.clear()  # the double-submit cookie is gone: a cross-site post
    assert (await client.post(path, data={"csrf": csrf})).status_code == 403
    # None of these used up the link.
    _, fresh = await open_link(client, f"{BASE_URL}{path}")
    assert (await client.post(path, data={"csrf": fresh})).status_code == 303
