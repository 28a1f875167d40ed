"""The dashboard's pages through the ASGI app: list, search, transcript, coding, funnel,
exports, audit log, logout, cookies and headers."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import httpx
import pytest

from needfinder.app.staff import create_login_link
from needfinder.web.app import create_app
from needfinder.web.context import WebContext
from needfinder.web.security import CONTENT_SECURITY_POLICY
from tests.web.conftest import BASE_URL, STAFF_ID, LoggedIn, csrf_of, log_in, make_settings
from tests.web.seeding import BASE_TIME, Seed, seed

D1, D2, D3 = "d_000000000001", "d_000000000002", "d_000000000003"


async def audit_actions(web: WebContext) -> list[tuple[str, str | None, str | None]]:
    async with web.database.read() as uow:
        page = await uow.staff.audit()
    return [(e.action, e.dialogue_id, e.detail) for e in reversed(page.entries)]


def listed_ids(html: str) -> list[str]:
    return re.findall(r'<td><a href="/dialogues/(d_\w+)">', html)


async def test_list_filters(staff: LoggedIn) -> None:
    page = await staff.http.get("/dialogues", params={"campaign": "spring"})
    assert listed_ids(page.text) == [D2, D1] and "2 found" in page.text
    page = await staff.http.get("/dialogues", params={"status": "active", "language": "de"})
    assert listed_ids(page.text) == [D3]
    page = await staff.http.get("/dialogues", params={"from": "2026-11-21", "to": "2026-11-21"})
    assert listed_ids(page.text) == [D3]
    page = await staff.http.get("/dialogues", params={"script": "contact"})
    assert listed_ids(page.text) == [D3]
    assert '<option value="contact" selected>' in page.text


async def test_bad_parameters_are_reported_not_fatal(staff: LoggedIn) -> None:
    page = await staff.http.get(
        "/dialogues", params={"from": "yesterday", "status": "lost", "page": "-3"}
    )
    assert page.status_code == 200
    assert "&#39;from&#39; is not a date" in page.text and "unknown status" in page.text
    assert len(listed_ids(page.text)) == 5


async def test_search_shows_marked_snippets_and_is_audited(
    staff: LoggedIn, web: WebContext
) -> None:
    page = await staff.http.get("/dialogues", params={"q": "bakery"})
    assert listed_ids(page.text) == [D2, D1]
    assert page.text.count("<mark>bakery</mark>") == 2
    assert f'href="/dialogues/{D1}#entry-' in page.text
    assert ("search", None, "2 dialogues matched") in await audit_actions(web)
    assert all("bakery" not in (detail or "") for _, _, detail in await audit_actions(web))


async def test_pagination(staff: LoggedIn, web: WebContext) -> None:
    await seed(
        web.database,
        [
            Seed(f"d_1{n:011d}", f"p_1{n:011d}", started_at=BASE_TIME - timedelta(days=n + 1))
            for n in range(50)
        ],
    )
    first = await staff.http.get("/dialogues")
    assert len(listed_ids(first.text)) == 50 and "Page 1 of 2" in first.text
    assert 'href="/dialogues?page=2"' in first.text
    second = await staff.http.get("/dialogues", params={"page": "2"})
    assert len(listed_ids(second.text)) == 5 and "Page 2 of 2" in second.text
    filtered = await staff.http.get("/dialogues", params={"status": "finished", "page": "2"})
    assert 'href="/dialogues?status=finished"' in filtered.text  # back to page 1, filter kept


async def test_transcript_raw_and_anonymised_views_are_audited(
    staff: LoggedIn, web: WebContext
) -> None:
    raw = await staff.http.get(f"/dialogues/{D1}")
    assert raw.status_code == 200
    assert "Anna Berger here" in raw.text and "quotes: yes" in raw.text
    assert 'aria-current="page">Raw' in raw.text
    anonymised = await staff.http.get(f"/dialogues/{D1}", params={"view": "anonymised"})
    chat = anonymised.text.split('class="chat"')[1]
    assert "Anna" not in chat and "Berger" not in chat and "[PERSON_1]" in chat
    assert 'aria-current="page">Anonymised' in anonymised.text
    assert [a for a in await audit_actions(web) if a[0] == "view_transcript"] == [
        ("view_transcript", D1, "raw"),
        ("view_transcript", D1, "anonymised"),
    ]


async def test_notes_are_anonymised_in_the_anonymised_view(
    staff: LoggedIn, seeded: dict[str, list[int]]
) -> None:
    who, _, _ = seeded[D1]
    await staff.http.post(
        f"/entries/{who}/notes",
        data={"csrf": staff.csrf, "note": "Anna Berger wants a call: +49 561 123456"},
    )
    raw = await staff.http.get(f"/dialogues/{D1}")
    assert "Anna Berger wants a call: +49 561 123456" in raw.text
    anonymised = await staff.http.get(f"/dialogues/{D1}", params={"view": "anonymised"})
    chat = anonymised.text.split('class="chat"')[1]
    assert "Anna" not in chat and "123456" not in chat
    # The same placeholder as in her answers: staff can still tell whom the note is about.
    assert "[PERSON_1] wants a call: [PHONE_1]" in chat


async def test_unknown_dialogue_is_404(staff: LoggedIn, web: WebContext) -> None:
    response = await staff.http.get("/dialogues/d_nope")
    assert response.status_code == 404 and "Back to the dialogues" in response.text
    assert not [a for a in await audit_actions(web) if a[0] == "view_transcript"]


async def test_tagging_and_notes(
    staff: LoggedIn, web: WebContext, seeded: dict[str, list[int]]
) -> None:
    who, challenges, _ = seeded[D1]
    added = await staff.http.post(
        f"/entries/{challenges}/tags",
        data={"csrf": staff.csrf, "tag": "Staffing", "view": "anonymised"},
    )
    assert added.status_code == 303
    assert added.headers["location"] == f"/dialogues/{D1}?view=anonymised#entry-{challenges}"
    note = await staff.http.post(
        f"/entries/{who}/notes", data={"csrf": staff.csrf, "note": "Call back in spring"}
    )
    assert note.headers["location"] == f"/dialogues/{D1}?view=raw#entry-{who}"

    transcript = await staff.http.get(f"/dialogues/{D1}")
    assert ">staffing</a>" in transcript.text and "Call back in spring" in transcript.text
    assert '<option value="staffing">' in transcript.text  # offered for the next answer
    tags = await staff.http.get("/tags")
    assert re.search(r">staffing</a></td>\s*<td class=\"num\">1</td>", tags.text)
    assert "We cannot find bakers" in tags.text  # the tagged excerpt
    async with web.database.read() as uow:
        (tag,) = await uow.staff.tag_overview()
        (note_row,) = (await uow.staff.coding_for_dialogue(D1))[who].notes
    one = await staff.http.get(f"/tags/{tag.id}")
    assert "We cannot find bakers" in one.text and "1 answers" in one.text
    listed = await staff.http.get("/dialogues", params={"tag": "staffing"})
    assert listed_ids(listed.text) == [D1]

    removed = await staff.http.post(
        f"/entries/{challenges}/tags/{tag.id}/remove", data={"csrf": staff.csrf}
    )
    deleted = await staff.http.post(
        f"/entries/{who}/notes/{note_row.id}/delete", data={"csrf": staff.csrf}
    )
    assert removed.status_code == deleted.status_code == 303
    transcript = await staff.http.get(f"/dialogues/{D1}")
    assert ">staffing</a>" not in transcript.text and "Call back" not in transcript.text
    actions = [(a, d) for a, d, _ in await audit_actions(web)]
    for action in ("tag", "note", "untag", "delete_note"):
        assert (action, D1) in actions
    assert ("view_excerpts", None) in actions


async def test_only_customer_answers_can_be_coded(
    staff: LoggedIn, seeded: dict[str, list[int]]
) -> None:
    question = seeded[D1][0] - 1
    for path, data in (
        (f"/entries/{question}/tags", {"tag": "x"}),
        (f"/entries/{question}/notes", {"note": "x"}),
        (f"/entries/{seeded[D1][0]}/tags", {"tag": "   "}),
        ("/entries/999999/tags", {"tag": "x"}),
    ):
        response = await staff.http.post(path, data={"csrf": staff.csrf, **data})
        assert response.status_code == 400, path
    missing = await staff.http.get("/tags/999999")
    assert missing.status_code == 404


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "md"])
@pytest.mark.parametrize("anonymised", ["0", "1"])
async def test_exports_stream_and_are_audited(
    staff: LoggedIn, web: WebContext, fmt: str, anonymised: str
) -> None:
    response = await staff.http.post(
        "/export", data={"csrf": staff.csrf, "fmt": fmt, "anonymised": anonymised}
    )
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="needfinder-')
    assert disposition.endswith(f'.{fmt}"') and ("anonymised" in disposition) == (anonymised == "1")
    body = response.text
    assert ("Anna Berger" in body) == (anonymised == "0")
    if fmt == "jsonl":
        records = [json.loads(line) for line in body.splitlines()]
        assert [r["id"] for r in records][:2] == [D1, D2] and len(records) == 5
        assert all(r.get("anonymised", False) == (anonymised == "1") for r in records)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0][0] == "dialogue_id" and len(rows) == 1 + 14
    else:
        assert body.count("## Dialogue ") == 5
    kind = "anonymised" if anonymised == "1" else "raw"
    assert ("export", None, f"{fmt}, {kind}") in await audit_actions(web)


async def test_export_of_one_script_since_a_day(staff: LoggedIn, web: WebContext) -> None:
    response = await staff.http.post(
        "/export",
        data={"csrf": staff.csrf, "fmt": "jsonl", "script": "discovery", "from": "2026-11-22"},
    )
    records = [json.loads(line) for line in response.text.splitlines()]
    assert [r["id"] for r in records] == ["d_000000000004", "d_000000000005"]
    assert ("export", None, "jsonl, raw, script discovery, since 2026-11-22") in (
        await audit_actions(web)
    )
    bad = await staff.http.post("/export", data={"csrf": staff.csrf, "fmt": "xlsx"})
    assert bad.status_code == 400


async def test_export_buttons_carry_the_filter(staff: LoggedIn) -> None:
    page = await staff.http.get("/dialogues", params={"script": "contact", "from": "2026-11-21"})
    assert page.text.count('<input type="hidden" name="script" value="contact">') == 2
    for fmt in ("jsonl", "csv", "md"):
        assert page.text.count(f'name="fmt" value="{fmt}"') == 2


async def test_funnel_page(staff: LoggedIn) -> None:
    page = await staff.http.get("/funnel")
    assert page.status_code == 200
    for title in ("All dialogues", "Script contact", "Script discovery", "Campaign spring"):
        assert title in page.text
    assert "No campaign" in page.text
    assert 'aria-label="started: 5 (100 %)"' in page.text
    assert 'aria-label="consented: 4 (80 %)"' in page.text
    assert 'aria-label="finished: 1 (20 %)"' in page.text
    assert '<rect width="80.0" height="10"/>' in page.text
    discovery = page.text.split("Script discovery")[1].split("<section")[0]
    # Drop-offs follow the script's step order: consent, challenges, needs.
    assert re.findall(r'aria-label="(\w+): \d+"', discovery) == ["consent", "challenges", "needs"]
    dated = await staff.http.get("/funnel", params={"from": "2026-11-22", "to": "bad"})
    assert 'aria-label="started: 2 (100 %)"' in dated.text and "is not a date" in dated.text


async def test_audit_page(staff: LoggedIn, web: WebContext) -> None:
    async with web.database.write() as uow:
        await uow.staff.confirm_member(STAFF_ID, "Maria Schulz", web.clock())
    await staff.http.get(f"/dialogues/{D1}")
    await staff.http.get(f"/dialogues/{D2}")
    page = await staff.http.get("/audit")
    assert "view transcript" in page.text and "Maria Schulz" in page.text
    assert page.text.count(f"<code>{STAFF_ID}</code>") == 3  # login and two views
    one = await staff.http.get("/audit", params={"dialogue": D2})
    assert "1 entries" in one.text and f">{D2}</a>" in one.text


async def test_logout_ends_the_session(staff: LoggedIn, web: WebContext) -> None:
    response = await staff.http.post("/logout", data={"csrf": staff.csrf})
    assert response.status_code == 303 and response.headers["location"] == "/login?logged_out=1"
    assert 'needfinder_session=""' in response.headers["set-cookie"]
    assert (await staff.http.get("/dialogues")).status_code == 303
    assert "You are logged out" in (await staff.http.get("/login?logged_out=1")).text
    assert [a for a, _, _ in await audit_actions(web)] == ["login", "logout"]


async def test_session_cookie_flags(client: httpx.AsyncClient, web: WebContext) -> None:
    await log_in(client, web)
    # httpx keeps the Set-Cookie of the login redirect; read it from the jar's raw header.
    cookie = next(iter(client.cookies.jar))
    assert cookie.name == "needfinder_session" and cookie.path == "/"
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert (cookie.get_nonstandard_attr("SameSite") or "").lower() == "lax"
    assert not cookie.secure


async def test_https_base_url_makes_secure_host_only_cookies(
    web: WebContext, seeded: dict[str, list[int]]
) -> None:
    secure_web = WebContext(
        make_settings(web.settings.data_dir, web_base_url="https://staff.example"),
        web.database,
        clock=web.clock,
    )
    transport = httpx.ASGITransport(app=create_app(secure_web))
    async with httpx.AsyncClient(transport=transport, base_url="https://staff.example") as http:
        async with secure_web.database.write() as uow:
            link = await create_login_link(uow, secure_web.settings, STAFF_ID, web.clock())
        path = link.removeprefix("https://staff.example")
        confirm = await http.get(path)
        done = await http.post(path, data={"csrf": csrf_of(confirm.text)})
    set_cookie = done.headers["set-cookie"]
    assert set_cookie.startswith("__Host-needfinder_session=")
    assert "Secure" in set_cookie and "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie


async def test_security_headers_everywhere(staff: LoggedIn) -> None:
    for path in ("/dialogues", f"/dialogues/{D1}", "/login", "/static/style.css", "/nowhere"):
        response = await staff.http.get(path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"


async def test_static_stylesheet_and_login_page_are_public(client: httpx.AsyncClient) -> None:
    css = await client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    login = await client.get("/login")
    assert login.status_code == 200 and "/dashboard" in login.text
    assert "Log out" not in login.text  # no navigation without a session
    assert BASE_URL not in login.text


async def test_oversized_forms_are_refused(
    staff: LoggedIn, web: WebContext, seeded: dict[str, list[int]]
) -> None:
    response = await staff.http.post(
        f"/entries/{seeded[D1][0]}/notes", data={"csrf": staff.csrf, "note": "x" * 100_000}
    )
    assert response.status_code == 413
    async with web.database.read() as uow:
        assert await uow.staff.coding_for_dialogue(D1) == {}


async def test_retention_anonymised_transcripts_are_marked(
    staff: LoggedIn, web: WebContext
) -> None:
    async with web.database.write() as uow:
        await uow.dialogues.mark_anonymised(D1, BASE_TIME + timedelta(days=30))
    transcript = await staff.http.get(f"/dialogues/{D1}")
    assert "Anonymised in place on 2026-12-20 09:00 UTC" in transcript.text
    listed = await staff.http.get("/dialogues", params={"campaign": "spring"})
    assert listed.text.count(">anonymised</span>") == 1
    assert "Anonymised in place" not in (await staff.http.get(f"/dialogues/{D2}")).text
