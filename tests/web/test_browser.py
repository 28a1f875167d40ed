"""A staff member's journey in a real browser (Debian's Chromium through Playwright) against a
real uvicorn on a loopback port: login link → list → filter → transcript → tag → tag overview
→ export; then a digest: build → edit → refused and accepted approval → trace a theme to a
transcript's summary → download → publish. Hostile transcripts and labels stay inert.
Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, expect, sync_playwright

from needfinder.app.scripts import ScriptLibrary
from needfinder.app.settings import Settings
from needfinder.app.staff import create_login_link
from needfinder.web.app import step_order
from needfinder.web.context import WebContext
from storage.database import Database
from tests.web.conftest import STAFF_ID, make_settings
from tests.web.live_server import LiveServer
from tests.web.seeding import TELEGRAM_HTML, XSS_IMG, XSS_SCRIPT, Seed, seed, standard_seeds
from tests.web.test_digests import digest_seeds

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
D1, D2 = "d_000000000001", "d_000000000002"


@dataclass
class Dashboard:
    """The running dashboard, its settings, and the seeded customer entry ids."""

    server: LiveServer
    settings: Settings
    database_url: str
    entries: dict[str, list[int]]

    def login_link(self) -> str:
        async def make() -> str:
            database = Database(self.database_url)
            try:
                async with database.write() as uow:
                    return await create_login_link(uow, self.settings, STAFF_ID, datetime.now(UTC))
            finally:
                await database.dispose()

        # Playwright's sync API runs an event loop in this thread; use another one.
        with ThreadPoolExecutor(max_workers=1) as worker:
            return worker.submit(asyncio.run, make()).result()


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[Dashboard]:
    yield from serve(tmp_path, standard_seeds())


@pytest.fixture
def digest_dashboard(tmp_path: Path) -> Iterator[Dashboard]:
    """The dashboard with enough finished dialogues for a digest with themes."""
    yield from serve(tmp_path, standard_seeds() + digest_seeds())


def serve(tmp_path: Path, seeds: list[Seed]) -> Iterator[Dashboard]:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'needfinder.db'}"

    async def prepare() -> dict[str, list[int]]:
        database = Database(database_url)
        try:
            await database.upgrade()
            return await seed(database, seeds)
        finally:
            await database.dispose()

    entries = asyncio.run(prepare())
    holder: dict[str, Settings] = {}
    server = LiveServer(
        database_url,
        lambda database: WebContext(holder["settings"], database, step_order(ScriptLibrary.load())),
    )
    holder["settings"] = make_settings(tmp_path, web_base_url=server.url)
    with server:
        yield Dashboard(server, holder["settings"], database_url, entries)


@pytest.fixture
def browser() -> Iterator[Browser]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


class Watch:
    """Collects dialogs (alert, confirm…) and console errors (e.g. CSP violations) of a page."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", self._console)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_staff_journey(dashboard: Dashboard, browser: Browser, tmp_path: Path) -> None:
    page = browser.new_page(accept_downloads=True)
    watch = Watch(page)
    base = dashboard.server.url

    # Without a session every page sends the browser to "please log in".
    page.goto(f"{base}/dialogues")
    expect(page).to_have_url(f"{base}/login")
    expect(page.get_by_role("heading", name="Please log in")).to_be_visible()
    shot(page, "01-please-log-in")

    # The login link shows a button; pressing it opens the session.
    link = dashboard.login_link()
    page.goto(link)
    shot(page, "02-login-link")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/dialogues")
    expect(page.get_by_role("heading", name=re.compile("Dialogues"))).to_contain_text("5 found")
    shot(page, "03-dialogues")

    # Filter: search words and a campaign.
    page.get_by_label("Search answers").fill("bakery")
    page.get_by_label("Campaign").select_option("spring")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"q=bakery.*campaign=spring"))
    rows = page.locator("table.list tbody tr:not(.hit) td:nth-child(2) a")
    expect(rows).to_have_text([D2, D1])
    expect(page.locator("mark").first).to_have_text(re.compile("bakery", re.I))
    shot(page, "04-filtered")

    # The transcript, raw and anonymised.
    page.get_by_role("link", name=D1, exact=True).click()
    expect(page).to_have_url(f"{base}/dialogues/{D1}")
    expect(page.locator(".msg.customer").first).to_contain_text("Anna Berger")
    shot(page, "05-transcript")
    page.get_by_role("link", name="Anonymised").click()
    expect(page.locator(".msg.customer").first).to_contain_text("[PERSON_1]")
    expect(page.locator(".chat")).not_to_contain_text("Anna")
    shot(page, "06-anonymised")

    # Tag an answer; the page comes back to that answer with the tag on it.
    challenges = dashboard.entries[D1][1]
    entry = page.locator(f"#entry-{challenges}")
    entry.get_by_label(f"Tag for answer {challenges}").fill("Staffing")
    entry.get_by_role("button", name="Add tag").click()
    expect(page).to_have_url(re.compile(rf"view=anonymised#entry-{challenges}$"))
    expect(page.locator(f"#entry-{challenges} ul.tags")).to_contain_text("staffing")
    shot(page, "07-tagged")

    # The tag overview: counts and the tagged excerpt.
    page.get_by_role("link", name="Tags", exact=True).click()
    expect(page.locator("table.list tbody tr").first).to_contain_text("staffing")
    expect(page.locator("table.list tbody tr td.num").first).to_have_text("1")
    expect(page.locator(".excerpt")).to_contain_text("We cannot find bakers")
    shot(page, "08-tags")

    # Export: the CSV button downloads a file.
    page.get_by_role("link", name="Dialogues", exact=True).click()
    raw_form = page.locator("form.export").filter(has_text="Raw")
    with page.expect_download() as download_info:
        raw_form.get_by_role("button", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("dialogue_id,participant,script")
    assert any("Anna Berger" in line for line in lines)
    anonymised_form = page.locator("form.export").filter(has_text="Anonymised")
    with page.expect_download() as download_info:
        anonymised_form.get_by_role("button", name="JSONL").click()
    saved = tmp_path / "anonymised.jsonl"
    download_info.value.save_as(saved)
    records = [json.loads(line) for line in saved.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 5 and "Anna" not in saved.read_text(encoding="utf-8")

    # The funnel and the audit log (which shows the views and exports just made).
    page.get_by_role("link", name="Funnel").click()
    expect(page.get_by_role("img", name="started: 5 (100 %)").first).to_be_visible()
    shot(page, "09-funnel")
    page.get_by_role("link", name="Audit log").click()
    audit = page.locator("table.list tbody")
    expect(audit).to_contain_text("view transcript")
    expect(audit).to_contain_text("export")
    expect(audit).to_contain_text("csv, raw")
    shot(page, "10-audit")

    # Logging out ends the session.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base}/login?logged_out=1")
    page.goto(f"{base}/dialogues/{D1}")
    expect(page).to_have_url(f"{base}/login")

    assert watch.dialogs == []
    assert watch.errors == []  # no CSP violations from our own markup either


def test_hostile_transcript_is_inert(dashboard: Dashboard, browser: Browser) -> None:
    # Bypass the Content-Security-Policy: escaping alone must keep the payloads inert.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    watch = Watch(page)
    page.goto(dashboard.login_link())
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile("/dialogues$"))

    for view in ("raw", "anonymised"):
        page.goto(f"{dashboard.server.url}/dialogues/{D2}?view={view}")
        answer = page.locator(".msg.customer p.text").first
        expect(answer).to_contain_text(XSS_SCRIPT)
        expect(answer).to_contain_text(XSS_IMG)
        expect(answer).to_contain_text(TELEGRAM_HTML)
        assert page.locator("main script, main img, main b").count() == 0
        shot(page, f"11-hostile-{view}")
    page.goto(f"{dashboard.server.url}/dialogues?q=hacker")
    expect(page.locator("tr.hit").first).to_contain_text(XSS_SCRIPT)
    assert page.locator("main script, main img").count() == 0
    shot(page, "12-hostile-search")
    assert watch.dialogs == []
    context.close()


def log_in(page: Page, dashboard: Dashboard) -> None:
    page.goto(dashboard.login_link())
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile("/dialogues$"))


def test_digest_journey(digest_dashboard: Dashboard, browser: Browser, tmp_path: Path) -> None:
    page = browser.new_page(accept_downloads=True)
    watch = Watch(page)
    log_in(page, digest_dashboard)

    page.get_by_role("link", name="Digests", exact=True).click()
    expect(page.get_by_role("heading", name="Digests", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("No digests yet")
    shot(page, "13-digests")

    # Build a draft from every finished dialogue.
    page.get_by_role("button", name="Build draft").click()
    expect(page).to_have_url(re.compile(r"/digests/g_[0-9a-f]+\?done=built$"))
    expect(page.get_by_role("status").first).to_contain_text("Draft built.")
    theme = page.locator("fieldset.theme").first
    expect(theme.locator("legend")).to_contain_text("Theme 1")
    first_quote = theme.locator("figure.quote blockquote").first.inner_text()
    shot(page, "14-digest-draft")

    # Edit: a clearer label, one quote dropped, a note that names an e-mail address.
    theme.get_by_label("English label").fill("Finding people to hire")
    theme.get_by_label("Drop quote 1").check()
    page.get_by_label("Note in German").fill("Schreiben Sie an chef@beispiel.de")
    page.get_by_label("Note in English").fill("Write to us.")
    page.get_by_role("button", name="Approve").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Not approved: note (de) may contain personal data (EMAIL)")
    expect(alert).to_contain_text("Your changes were saved.")
    expect(page.locator("h1 .status")).to_have_text("draft")
    expect(page.locator("#preview-en")).to_contain_text("Finding people to hire")
    expect(page.locator("#preview-en")).not_to_contain_text(first_quote)
    shot(page, "15-approval-refused")

    # Fix the note and approve.
    page.get_by_label("Note in German").fill("Wir stellen zwei Leute für den Support ein.")
    page.get_by_label("Note in English").fill("We are hiring two people for support.")
    page.get_by_role("button", name="Approve").click()
    expect(page).to_have_url(re.compile(r"\?done=approved$"))
    expect(page.locator("h1 .status")).to_have_text("approved")
    expect(page.locator("#preview-de")).to_contain_text("Wir stellen zwei Leute")
    expect(page.locator("section.exports")).to_contain_text("sends it to 7 subscribers")
    shot(page, "16-approved")
    digest_url = page.url.split("?")[0]

    # Trace the theme to a dialogue it draws on: the transcript with its summary.
    theme = page.locator("fieldset.theme").first
    theme.locator("details.sources summary").click()
    theme.locator("details.sources a").first.click()
    expect(page).to_have_url(re.compile(r"/dialogues/d_\w+\?view=anonymised$"))
    summary = page.get_by_role("region", name=re.compile("Summary"))
    expect(summary).to_contain_text("Your challenges")
    expect(summary).to_contain_text("anonymised")
    shot(page, "17-traced-summary")
    page.goto(digest_url)

    # Downloads: Markdown and a standalone HTML page.
    with page.expect_download() as download_info:
        page.locator("#preview-de").get_by_role("link", name="Markdown").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-de.md")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("## Was wir gehört haben") and "Wir stellen zwei Leute" in text

    # Publish: the running bot sends it; the page says so and nothing can change any more.
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"\?done=publishing$"))
    expect(page.locator("h1 .status")).to_have_text("publishing")
    expect(page.locator("p.notice")).to_contain_text("the running bot")
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    shot(page, "18-publishing")

    page.get_by_role("link", name="Digests", exact=True).click()
    expect(page.locator("table.list tbody tr").first).to_contain_text("publishing")
    page.get_by_role("link", name="Audit log").click()
    audit = page.locator("table.list tbody")
    for action in ("digest build", "digest edit", "digest approve", "digest publish"):
        expect(audit).to_contain_text(action)
    shot(page, "19-digest-audit")

    assert watch.dialogs == []
    # The refused approval answers 409, which Chromium logs; nothing else (no CSP violation).
    assert len(watch.errors) == 1 and "409 (Conflict)" in watch.errors[0], watch.errors


def test_hostile_digest_label_is_inert(digest_dashboard: Dashboard, browser: Browser) -> None:
    # Bypass the Content-Security-Policy: escaping alone must keep the payloads inert.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    watch = Watch(page)
    log_in(page, digest_dashboard)
    page.goto(f"{digest_dashboard.server.url}/digests")
    page.get_by_role("button", name="Build draft").click()
    theme = page.locator("fieldset.theme").first
    theme.get_by_label("German label").fill(XSS_SCRIPT)
    theme.get_by_label("English label").fill(XSS_IMG)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"\?done=saved$"))
    expect(page.locator("#preview-de")).to_contain_text(XSS_SCRIPT)
    expect(page.locator("#preview-en")).to_contain_text(XSS_IMG)
    expect(page.locator("fieldset.theme").first.get_by_label("English label")).to_have_value(
        XSS_IMG
    )
    assert page.locator("main script, main img").count() == 0
    shot(page, "20-hostile-digest")
    assert watch.dialogs == []
    context.close()
