"""Hostile text (customer answers, campaigns, tag names, notes) is served escaped and inert."""

from __future__ import annotations

from storage.database import Database
from tests.web.conftest import LoggedIn
from tests.web.seeding import BASE_TIME, TELEGRAM_HTML, XSS_IMG, XSS_SCRIPT, Seed, seed

D2 = "d_000000000002"
CAMPAIGN = '"><script>alert(2)</script>'
ESCAPED = {
    CAMPAIGN: "&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;",
    XSS_SCRIPT: "&lt;script&gt;alert(1)&lt;/script&gt;",
    XSS_IMG: "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;",
    TELEGRAM_HTML: "&lt;b&gt;bold&lt;/b&gt;",
}


def assert_inert(html: str, *payloads: str) -> None:
    """No payload appears as markup; each appears escaped."""
    for payload in payloads:
        assert payload not in html
        assert ESCAPED.get(payload, "") in html
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "<b>" not in html


async def test_transcript_shows_hostile_answers_as_text(staff: LoggedIn) -> None:
    for view in ("raw", "anonymised"):
        page = await staff.http.get(f"/dialogues/{D2}", params={"view": view})
        assert page.status_code == 200
        assert_inert(page.text, XSS_SCRIPT, XSS_IMG, TELEGRAM_HTML)


async def test_search_snippets_are_escaped(staff: LoggedIn) -> None:
    page = await staff.http.get("/dialogues", params={"q": "hacker"})
    assert "<mark>Hacker</mark>" in page.text
    assert_inert(page.text, XSS_SCRIPT)
    # The query itself is echoed back escaped, too.
    echoed = await staff.http.get("/dialogues", params={"q": XSS_IMG})
    assert_inert(echoed.text, XSS_IMG)


async def test_staff_text_and_campaigns_are_escaped(
    staff: LoggedIn, database: Database, seeded: dict[str, list[int]]
) -> None:
    # Imported dialogues may carry any campaign; staff may type anything as a tag or note.
    await seed(
        database,
        [
            Seed(
                "d_000000000009",
                "p_000000000009",
                campaign=CAMPAIGN,
                started_at=BASE_TIME,
                answers=(("who", XSS_IMG),),
            )
        ],
    )
    entry = seeded[D2][0]
    await staff.http.post(f"/entries/{entry}/tags", data={"csrf": staff.csrf, "tag": XSS_SCRIPT})
    await staff.http.post(f"/entries/{entry}/notes", data={"csrf": staff.csrf, "note": XSS_IMG})
    async with database.read() as uow:
        (tag,) = await uow.staff.tag_overview()
    expected = {
        f"/dialogues/{D2}": (XSS_SCRIPT, XSS_IMG, TELEGRAM_HTML),
        "/tags": (XSS_SCRIPT, XSS_IMG),
        f"/tags/{tag.id}": (XSS_SCRIPT, XSS_IMG),
        "/dialogues": (XSS_SCRIPT, CAMPAIGN),
        "/funnel": (CAMPAIGN,),
        "/dialogues/d_000000000009": (CAMPAIGN, XSS_IMG),
    }
    for path, payloads in expected.items():
        page = await staff.http.get(path)
        assert page.status_code == 200
        assert_inert(page.text, *payloads)
