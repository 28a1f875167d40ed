"""Digests in the dashboard (build, edit, approve, publish, downloads) and the transcript's
summary panel, through the ASGI app over both databases."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from conversations.events import Entry
from needfinder.web.context import WebContext
from needfinder.web.views import digests as digest_views
from needfinder.web.views.digests import STALE
from storage.database import Database
from storage.digests import StoredDigest
from tests.web.conftest import STAFF_ID, Clock, LoggedIn
from tests.web.seeding import BASE_TIME, XSS_IMG, XSS_SCRIPT, Seed, seed
from tests.web.test_xss import assert_inert

D1, D2 = "d_000000000001", "d_000000000002"
STAFFING = [
    ("en", "We cannot find skilled staff, nobody applies for our open positions."),
    ("de", "Wir finden keine Fachkräfte, auf unsere Stellen bewirbt sich niemand."),
    ("en", "Hiring is impossible, applicants never show up and our staff leave."),
    ("de", "Personalmangel: uns fehlen Mitarbeiter und Bewerber bleiben aus."),
]
PRICES = [
    ("en", "Energy prices and material costs keep rising every month."),
    ("de", "Die Energiepreise und Materialkosten steigen jeden Monat weiter."),
    ("en", "Our costs for energy went up again, prices are crushing us."),
]
# What they need, in two topics (delivery, a contact person): the need themes of the digest;
# the challenges above (staff, energy) are struggles, shown in a section of their own.
NEEDS = [
    {
        "de": "Wir bräuchten schnellere Lieferungen und Ware, die wirklich vorrätig ist.",
        "en": "We need faster deliveries and goods that are actually in stock.",
    },
    {
        "de": "Einen festen Ansprechpartner, der unseren Betrieb kennt.",
        "en": "One fixed contact person who knows our business.",
    },
]
EMAIL_NOTE = "Schreiben Sie an chef@beispiel.de"


def digest_seeds() -> list[Seed]:
    """Finished dialogues needing two things (delivery, a contact person) and struggling with
    staff and energy costs, German and English; the second customer did not allow quotes."""
    seeds = []
    for n, (language, challenge) in enumerate(STAFFING + PRICES):
        seeds.append(
            Seed(
                f"d_0000000001{n:02d}",
                f"p_0000000001{n:02d}",
                language=language,  # type: ignore[arg-type]
                campaign="autumn" if n % 2 else "fair",
                started_at=BASE_TIME + timedelta(days=n % 3, hours=n),
                answers=(
                    ("who", f"I run a small workshop with {n + 3} people in town."),
                    ("challenges", challenge),
                    ("needs", NEEDS[n // 2 % 2][language]),
                ),
                consents={"quotes": n != 1, "updates": True},
            )
        )
    return seeds


@pytest.fixture
async def digest_ready(staff: LoggedIn, database: Database) -> LoggedIn:
    """A staff client over the standard dialogues plus the digest dialogues."""
    await seed(database, digest_seeds())
    return staff


async def build(staff: LoggedIn, **fields: str) -> str:
    response = await staff.http.post("/digests", data={"csrf": staff.csrf, **fields})
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/digests/(g_[0-9a-f]+)\?done=built", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


async def stored(web: WebContext, digest_id: str) -> StoredDigest:
    async with web.database.read() as uow:
        digest = await uow.digests.get(digest_id)
    assert digest is not None
    return digest


def version_of(html: str) -> str:
    found = re.search(r'name="version" value="([^"]+)"', html)
    assert found, "no version field on the page"
    return found.group(1)


async def page_and_version(staff: LoggedIn, digest_id: str) -> tuple[str, str]:
    page = await staff.http.get(f"/digests/{digest_id}")
    assert page.status_code == 200
    return page.text, version_of(page.text)


def quoted_theme(digest: StoredDigest) -> dict[str, Any]:
    return next(t for t in digest.content["themes"] if t["quotes"])


async def audit_actions(web: WebContext) -> list[tuple[str, str | None]]:
    async with web.database.read() as uow:
        page = await uow.staff.audit()
    return [(e.action, e.detail) for e in reversed(page.entries)]


# --- the workflow --------------------------------------------------------------------------


async def test_build_edit_approve_and_request_publication(
    digest_ready: LoggedIn, web: WebContext
) -> None:
    staff = digest_ready
    empty = await staff.http.get("/digests")
    assert empty.status_code == 200 and "No digests yet" in empty.text
    assert '<option value="autumn">' in empty.text  # campaigns to choose from

    digest_id = await build(staff)
    digest = await stored(web, digest_id)
    assert digest.status == "draft" and digest.created_by == STAFF_ID
    assert len(digest.content["themes"]) >= 2

    listing = await staff.http.get("/digests")
    assert f'<a href="/digests/{digest_id}">{digest_id}</a>' in listing.text
    html, version = await page_and_version(staff, digest_id)
    assert "Draft built." not in html  # said once, after building
    assert "Draft built." in (await staff.http.get(f"/digests/{digest_id}?done=built")).text
    theme = quoted_theme(digest)
    # Staff can trace a theme to every dialogue it draws on.
    for dialogue_id in theme["dialogue_ids"]:
        assert f'href="/dialogues/{dialogue_id}?view=anonymised"' in html
    assert f'name="label_de_{theme["id"]}" value="{theme["label"]["de"]}"' in html
    assert f'value="{theme["id"]}:1"' in html  # the first quote's drop checkbox
    assert "Was wir gehört haben" in html and "What we heard" in html  # both previews
    assert f"/digests/{digest_id}/download?format=md&amp;lang=de" in html

    # Edit: a new label and one quote dropped.
    first_quote = theme["quotes"][0]["text"]
    edited = await staff.http.post(
        f"/digests/{digest_id}/edit",
        data={
            "csrf": staff.csrf,
            "version": version,
            f"label_de_{theme['id']}": "Leute finden",
            f"label_en_{theme['id']}": "  Finding   people ",
            "drop_quote": [f"{theme['id']}:1"],
            "note_de": "Wir stellen zwei Leute für den Support ein.",
            "note_en": "We are hiring two people for support.",
        },
    )
    assert edited.status_code == 303
    assert edited.headers["location"] == f"/digests/{digest_id}?done=saved"
    assert "Changes saved." in (await staff.http.get(edited.headers["location"])).text
    digest = await stored(web, digest_id)
    changed = next(t for t in digest.content["themes"] if t["id"] == theme["id"])
    assert changed["label"] == {"de": "Leute finden", "en": "Finding people"}
    assert first_quote not in [q["text"] for q in changed["quotes"]]
    assert len(changed["quotes"]) == len(theme["quotes"]) - 1
    html, version = await page_and_version(staff, digest_id)
    assert "Finding people" in html

    # Approve (nothing changed in the form: the approval alone).
    approved = await staff.http.post(
        f"/digests/{digest_id}/approve", data={"csrf": staff.csrf, "version": version}
    )
    assert approved.status_code == 303, approved.text
    assert "Approved: it passed" in (await staff.http.get(approved.headers["location"])).text
    digest = await stored(web, digest_id)
    assert digest.status == "approved" and digest.approved_by == STAFF_ID
    html, version = await page_and_version(staff, digest_id)
    assert "sends it to 7 subscribers" in html and "the running bot" in html

    published = await staff.http.post(
        f"/digests/{digest_id}/publish", data={"csrf": staff.csrf, "version": version}
    )
    assert published.status_code == 303
    assert (await stored(web, digest_id)).status == "publishing"
    html = (await staff.http.get(published.headers["location"])).text
    assert "Handed to the running bot" in html and "Handed over for publication" in html
    assert ">Save</button>" not in html and ">Publish</button>" not in html

    actions = await audit_actions(web)
    digest_actions = [(a, d) for a, d in actions if a.startswith("digest_")]
    assert [a for a, _ in digest_actions] == [
        "digest_build",
        "digest_edit",
        "digest_approve",
        "digest_publish",
    ]
    assert digest_actions[1][1] == (
        f"{digest_id}: 1 labels, 0 themes dropped, 0 restored, 1 quotes dropped, note changed"
    )
    # Ids and counts only: no label, quote or note text in the audit log.
    assert not any("Leute" in (d or "") or "Support" in (d or "") for _, d in actions)


async def test_a_dropped_theme_is_taken_back_in_from_the_page(
    digest_ready: LoggedIn, web: WebContext
) -> None:
    staff = digest_ready
    digest_id = await build(staff)
    theme = quoted_theme(await stored(web, digest_id))
    _, version = await page_and_version(staff, digest_id)
    await staff.http.post(
        f"/digests/{digest_id}/edit",
        data={"csrf": staff.csrf, "version": version, "drop_theme": [theme["id"]]},
    )
    html, version = await page_and_version(staff, digest_id)
    assert "Dropped theme" in html
    assert f'name="restore_theme" value="{theme["id"]}"' in html
    restored = await staff.http.post(
        f"/digests/{digest_id}/edit",
        data={"csrf": staff.csrf, "version": version, "restore_theme": [theme["id"]]},
    )
    assert restored.status_code == 303
    digest = await stored(web, digest_id)
    assert not next(t for t in digest.content["themes"] if t["id"] == theme["id"]).get("dropped")
    html, _ = await page_and_version(staff, digest_id)
    assert f'name="drop_theme" value="{theme["id"]}"' in html  # editable as before


async def test_needs_and_struggles_are_apart_and_a_struggle_can_be_dropped(
    digest_ready: LoggedIn, web: WebContext
) -> None:
    staff = digest_ready
    digest_id = await build(staff)
    digest = await stored(web, digest_id)
    assert {t["id"] for t in digest.content["themes"]} == {"delivery", "contact"}
    struggles = {t["id"]: t for t in digest.content["struggles"]}
    assert "struggle-staff" in struggles
    html, version = await page_and_version(staff, digest_id)
    needs_at = html.index('id="needs-heading"')
    struggles_at = html.index('id="struggles-heading"')
    assert needs_at < html.index('id="theme-delivery"') < struggles_at
    assert html.index('id="theme-struggle-staff"') > struggles_at
    # Both previews show the struggles in a section of their own.
    assert "What customers are struggling with" in html and "Womit Kundinnen" in html
    dropped = await staff.http.post(
        f"/digests/{digest_id}/edit",
        data={"csrf": staff.csrf, "version": version, "drop_theme": ["struggle-staff"]},
    )
    assert dropped.status_code == 303
    digest = await stored(web, digest_id)
    staff_struggle = next(t for t in digest.content["struggles"] if t["id"] == "struggle-staff")
    assert staff_struggle.get("dropped") is True
    html, _ = await page_and_version(staff, digest_id)
    assert "Dropped struggle" in html
    assert 'name="restore_theme" value="struggle-staff"' in html


async def test_a_draft_sent_back_by_the_bot_says_why(
    digest_ready: LoggedIn, web: WebContext
) -> None:
    staff = digest_ready
    digest_id = await build(staff)
    digest = await stored(web, digest_id)
    returned = {
        "at": "2026-12-05T12:00:00+00:00",
        "problems": ["theme 2 quote 1 names a participant id"],
    }
    async with web.database.write() as uow:
        await uow.digests.save(
            digest_id, {**digest.content, "returned": returned}, "draft", web.clock()
        )
    html, _ = await page_and_version(staff, digest_id)
    assert "Not published." in html and "theme 2 quote 1 names a participant id" in html


async def test_approval_is_refused_with_a_readable_reason_for_an_email_in_the_note(
    digest_ready: LoggedIn, web: WebContext
) -> None:
    staff = digest_ready
    digest_id = await build(staff)
    _, version = await page_and_version(staff, digest_id)
    refused = await staff.http.post(
        f"/digests/{digest_id}/approve",
        data={"csrf": staff.csrf, "version": version, "note_de": EMAIL_NOTE, "note_en": ""},
    )
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text
    assert "Not approved: note (de) may contain personal data (EMAIL)." in refused.text
    assert "Your changes were saved." in refused.text
    digest = await stored(web, digest_id)
    assert digest.status == "draft" and digest.content["note"]["de"] == EMAIL_NOTE
    # The draft page lists the same problem before anyone presses Approve again.
    html, _ = await page_and_version(staff, digest_id)
    assert "Approval will be refused until this is fixed" in html
    assert "note (de) may contain personal data (EMAIL)" in html
    assert "digest_approve" not in [a for a, _ in await audit_actions(web)]


async def test_only_an_approved_digest_can_be_published(
    digest_ready: LoggedIn, web: WebContext
) -> None:
    staff = digest_ready
    digest_id = await build(staff)
    _, version = await page_and_version(staff, digest_id)
    refused = await staff.http.post(
        f"/digests/{digest_id}/publish", data={"csrf": staff.csrf, "version": version}
    )
    assert refused.status_code == 409
    assert "only an approved digest can be published" in refused.text
    assert (await stored(web, digest_id)).status == "draft"


async def test_a_stale_form_changes_nothing(
    digest_ready: LoggedIn, web: WebContext, clock: Clock
) -> None:
    staff = digest_ready
    digest_id = await build(staff)
    theme = quoted_theme(await stored(web, digest_id))
    _, version = await page_and_version(staff, digest_id)
    clock.advance(timedelta(seconds=5))
    first = await staff.http.post(
        f"/digests/{digest_id}/edit",
        data={"csrf": staff.csrf, "version": version, "drop_quote": f"{theme['id']}:1"},
    )
    assert first.status_code == 303
    before = await stored(web, digest_id)
    # A second tab still shows the old quotes: its "drop quote 1" would hit another quote.
    second = await staff.http.post(
        f"/digests/{digest_id}/edit",
        data={"csrf": staff.csrf, "version": version, "drop_quote": f"{theme['id']}:1"},
    )
    assert second.status_code == 409 and STALE[:40] in second.text
    for path in ("approve", "publish"):
        response = await staff.http.post(
            f"/digests/{digest_id}/{path}", data={"csrf": staff.csrf, "version": version}
        )
        assert response.status_code == 409 and STALE[:40] in response.text
    assert await stored(web, digest_id) == before


async def test_saving_an_untouched_approved_digest_keeps_the_approval(
    digest_ready: LoggedIn, web: WebContext
) -> None:
    staff = digest_ready
    digest_id = await build(staff)
    digest = await stored(web, digest_id)
    _, version = await page_and_version(staff, digest_id)
    await staff.http.post(
        f"/digests/{digest_id}/approve", data={"csrf": staff.csrf, "version": version}
    )
    _, version = await page_and_version(staff, digest_id)
    # The browser sends every field back as shown.
    untouched: dict[str, Any] = {
        "csrf": staff.csrf,
        "version": version,
        "note_de": "",
        "note_en": "",
    }
    for theme in digest.content["themes"]:
        untouched[f"label_de_{theme['id']}"] = theme["label"]["de"]
        untouched[f"label_en_{theme['id']}"] = theme["label"]["en"]
    response = await staff.http.post(f"/digests/{digest_id}/edit", data=untouched)
    assert response.headers["location"] == f"/digests/{digest_id}?done=unchanged"
    assert (await stored(web, digest_id)).status == "approved"
    # A real change makes it a draft again.
    response = await staff.http.post(
        f"/digests/{digest_id}/edit", data={**untouched, "note_en": "We listen."}
    )
    assert response.headers["location"] == f"/digests/{digest_id}?done=saved"
    assert (await stored(web, digest_id)).status == "draft"


async def test_a_digest_handed_to_the_bot_can_no_longer_change(
    digest_ready: LoggedIn, web: WebContext
) -> None:
    staff = digest_ready
    digest_id = await build(staff)
    for step in ("approve", "publish"):
        _, version = await page_and_version(staff, digest_id)
        await staff.http.post(
            f"/digests/{digest_id}/{step}", data={"csrf": staff.csrf, "version": version}
        )
    html, version = await page_and_version(staff, digest_id)
    assert "disabled" in html and 'formaction="' not in html
    response = await staff.http.post(
        f"/digests/{digest_id}/edit",
        data={"csrf": staff.csrf, "version": version, "note_en": "Too late."},
    )
    assert response.status_code == 409 and "it can no longer change" in response.text
    assert (await stored(web, digest_id)).content["note"]["en"] == ""


async def test_build_form_problems_are_shown_and_the_scope_is_kept(
    digest_ready: LoggedIn, web: WebContext
) -> None:
    staff = digest_ready
    bad = await staff.http.post(
        "/digests", data={"csrf": staff.csrf, "from": "last week", "to": "2026-11-01"}
    )
    assert bad.status_code == 400 and "&#39;from&#39; is not a date" in bad.text
    backwards = await staff.http.post(
        "/digests", data={"csrf": staff.csrf, "from": "2026-11-22", "to": "2026-11-21"}
    )
    assert backwards.status_code == 400 and "&#39;from&#39; is after &#39;to&#39;" in backwards.text
    async with web.database.read() as uow:
        assert await uow.digests.recent() == []

    # "to" is inclusive: dialogues started on 2026-11-21 count, later ones do not.
    digest_id = await build(staff, **{"from": "2026-11-21", "to": "2026-11-21", "campaign": "fair"})
    digest = await stored(web, digest_id)
    assert digest.campaign == "fair"
    used = {d for t in digest.content["themes"] for d in t["dialogue_ids"]}
    used |= set(digest.content["unthemed_dialogue_ids"])
    expected = {
        s.id
        for s in digest_seeds()
        if s.campaign == "fair" and s.started_at.date().isoformat() == "2026-11-21"
    }
    assert used <= expected and digest.content["dialogue_count"] == len(expected)
    listing = await staff.http.get("/digests")
    assert "started since 2026-11-21 00:00, before 2026-11-22 00:00, campaign fair" in listing.text


async def test_downloads_are_attachments_and_audited(
    digest_ready: LoggedIn, web: WebContext
) -> None:
    staff = digest_ready
    digest_id = await build(staff)
    markdown = await staff.http.get(
        f"/digests/{digest_id}/download", params={"format": "md", "lang": "de"}
    )
    assert markdown.status_code == 200
    assert markdown.headers["content-disposition"] == (
        f'attachment; filename="needfinder-digest-{digest_id}-de.md"'
    )
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("## Was wir gehört haben")
    page = await staff.http.get(
        f"/digests/{digest_id}/download", params={"format": "html", "lang": "en"}
    )
    assert page.headers["content-disposition"].startswith("attachment;")
    assert page.text.startswith("<!doctype html>") and "<h1>What we heard</h1>" in page.text
    assert not re.search(r"\b[dp]_[0-9a-f]{6}", markdown.text + page.text)  # no ids published
    bad = await staff.http.get(f"/digests/{digest_id}/download", params={"format": "exe"})
    assert bad.status_code == 400
    downloads = [d for a, d in await audit_actions(web) if a == "digest_download"]
    assert downloads == [f"{digest_id}, md, de", f"{digest_id}, html, en"]


async def test_unknown_digests_are_not_found(staff: LoggedIn) -> None:
    for path in ("/digests/g_00000000", "/digests/nonsense", "/digests/g_0000/download"):
        response = await staff.http.get(path)
        assert response.status_code == 404 and "There is no such digest." in response.text
    response = await staff.http.post(
        "/digests/g_00000000/approve", data={"csrf": staff.csrf, "version": "x"}
    )
    assert response.status_code == 404


async def test_posts_without_the_csrf_token_change_nothing(
    digest_ready: LoggedIn, web: WebContext
) -> None:
    staff = digest_ready
    digest_id = await build(staff)
    before = await stored(web, digest_id)
    _, version = await page_and_version(staff, digest_id)
    for path in (
        "/digests",
        f"/digests/{digest_id}/edit",
        f"/digests/{digest_id}/approve",
        f"/digests/{digest_id}/publish",
    ):
        response = await staff.http.post(path, data={"version": version, "note_de": "x"})
        assert response.status_code == 403 and "This form has expired" in response.text
    assert await stored(web, digest_id) == before
    async with web.database.read() as uow:
        assert len(await uow.digests.recent()) == 1


async def test_hostile_labels_and_quotes_are_inert(digest_ready: LoggedIn, web: WebContext) -> None:
    staff = digest_ready
    digest_id = await build(staff)
    theme = quoted_theme(await stored(web, digest_id))
    _, version = await page_and_version(staff, digest_id)
    await staff.http.post(
        f"/digests/{digest_id}/edit",
        data={
            "csrf": staff.csrf,
            "version": version,
            f"label_de_{theme['id']}": XSS_SCRIPT,
            f"label_en_{theme['id']}": XSS_IMG,
            "note_en": XSS_SCRIPT,
        },
    )
    # A quote is verbatim customer text; make one hostile (as an answer could be).
    digest = await stored(web, digest_id)
    content = digest.content
    hostile = next(t for t in content["themes"] if t["id"] == theme["id"])
    hostile["quotes"][0]["text"] = f"Staff {XSS_IMG} leave"
    async with web.database.write() as uow:
        await uow.digests.save(digest_id, content, "draft", web.clock())
    page = await staff.http.get(f"/digests/{digest_id}")
    assert page.status_code == 200
    assert_inert(page.text, XSS_SCRIPT, XSS_IMG)
    assert "Staff &#34;&gt;&lt;img" in page.text  # the quote, in the form and in the previews
    html = await staff.http.get(
        f"/digests/{digest_id}/download", params={"format": "html", "lang": "en"}
    )
    assert "<img" not in html.text and "<script" not in html.text


def test_preview_shows_anything_unexpected_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    content = {"themes": [], "note": {"de": "", "en": ""}}
    assert str(digest_views.preview(content, "en")).startswith("<h1>What we heard</h1>")

    def rendered(content: dict[str, Any], *, language: str, fmt: str) -> list[str]:
        if fmt == "html":
            return ["<!doctype html><body>\n<p>ok</p><img src=x onerror=alert(1)>\n</body>"]
        return ["What we heard <img src=x>"]

    monkeypatch.setattr(digest_views, "render_publication", rendered)
    shown = str(digest_views.preview(content, "en"))
    assert "<img" not in shown and "&lt;img src=x&gt;" in shown


# --- the transcript's summary panel --------------------------------------------------------


def summary_section(html: str) -> str:
    found = re.search(r'<section class="exports summary".*?</section>', html, re.S)
    assert found, "no summary panel"
    return found.group(0)


async def test_summary_panel_shows_the_customers_words(staff: LoggedIn) -> None:
    page = await staff.http.get(f"/dialogues/{D1}")
    panel = summary_section(page.text)
    assert "raw" in panel
    for label in ("Who you are", "Your challenges", "What you need"):
        assert f"<dt>{label}</dt>" in panel
    assert "We cannot find bakers; the early shifts scare young people." in panel
    assert "Anna Berger" in panel
    assert panel.index("Who you are") < panel.index("Your challenges") < panel.index("What you")


async def test_anonymised_summary_names_nobody(staff: LoggedIn) -> None:
    page = await staff.http.get(f"/dialogues/{D1}", params={"view": "anonymised"})
    panel = summary_section(page.text)
    assert "anonymised" in panel and "[PERSON_1]" in panel
    assert "Anna" not in page.text and "Berger" not in page.text
    assert "We cannot find bakers" in panel


async def test_no_summary_for_an_unfinished_dialogue(staff: LoggedIn) -> None:
    page = await staff.http.get(f"/dialogues/{D2}")
    assert page.status_code == 200 and 'class="exports summary"' not in page.text


async def test_summary_follows_corrections_from_the_mirror_step(
    staff: LoggedIn, database: Database
) -> None:
    dialogue_id = "d_000000000077"
    await seed(
        database,
        [
            Seed(
                dialogue_id,
                "p_000000000077",
                language="de",
                answers=(
                    ("who", "Ich führe eine Bäckerei."),
                    ("challenges", "Uns fehlen Bäcker."),
                ),
            )
        ],
    )
    at = BASE_TIME + timedelta(minutes=20)
    async with database.write() as uow:
        await uow.transcripts.append(
            dialogue_id,
            [
                Entry(
                    "customer",
                    "correction",
                    "mirror",
                    "Ich führe zwei Bäckereien",
                    at,
                    corrects="who",
                ),
                Entry("customer", "correction", "mirror", "in Kassel.", at, corrects="who"),
                Entry("bot", "say", "mirror", "Danke, korrigiert.", at),
                Entry("customer", "correction", "mirror", "Und wir liefern aus.", at),
            ],
        )
    page = await staff.http.get(f"/dialogues/{dialogue_id}")
    panel = summary_section(page.text)
    assert "<dt>Wer Sie sind (corrected in the mirror step)</dt>" in panel
    assert "Ich führe zwei Bäckereien in Kassel." in panel  # both messages of the correction
    assert "Ich führe eine Bäckerei." not in panel
    assert "<dt>Außerdem" in panel and "Und wir liefern aus." in panel
    assert "Uns fehlen Bäcker." in panel
