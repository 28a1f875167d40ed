"""StaffRepository on SQLite and PostgreSQL: lists, search, funnel, stats, coding, audit, access."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from storage.database import Database
from storage.schema import transcript_entries
from storage.staff import (
    DialogueFilter,
    DropOff,
    Funnel,
    SnippetPart,
    make_snippet,
    normalise_tag_name,
)
from tests.web.seeding import BASE_TIME

D1, D2, D3, D4, D5 = (f"d_00000000000{n}" for n in range(1, 6))


async def listed(database: Database, **filters: object) -> list[str]:
    async with database.read() as uow:
        page = await uow.staff.list_dialogues(DialogueFilter(**filters))  # type: ignore[arg-type]
    return [d.id for d in page.dialogues]


async def test_lists_newest_first_with_counts(
    database: Database, seeded: dict[str, list[int]]
) -> None:
    async with database.read() as uow:
        page = await uow.staff.list_dialogues(DialogueFilter())
    assert [d.id for d in page.dialogues] == [D5, D4, D3, D2, D1]
    assert page.total == 5 and page.pages == 1
    first = page.dialogues[-1]
    assert (first.entry_count, first.answer_count, first.campaign) == (6, 3, "spring")
    assert first.started_at == BASE_TIME


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "finished"}, [D1]),
        ({"script_id": "contact"}, [D3]),
        ({"language": "de"}, [D3]),
        ({"campaign": "spring"}, [D2, D1]),
        ({"started_from": date(2026, 11, 21)}, [D5, D4, D3]),
        ({"started_from": date(2026, 11, 21), "started_to": date(2026, 11, 21)}, [D3]),
        ({"started_to": date(2026, 11, 20)}, [D2, D1]),
        ({"text": "bakery"}, [D2, D1]),
        ({"text": "bakery", "status": "finished"}, [D1]),
        ({"text": "BAK"}, [D2, D1]),  # prefix, any case
        ({"text": "bakery weddings"}, []),  # every word must occur in one answer
        ({"text": "Question"}, []),  # the bot's questions are not searched
        ({"text": "!!! ???"}, [D5, D4, D3, D2, D1]),  # no words: no search
        ({"campaign": "nowhere"}, []),
    ],
)
async def test_filters(
    database: Database,
    seeded: dict[str, list[int]],
    filters: dict[str, object],
    expected: list[str],
) -> None:
    assert await listed(database, **filters) == expected


async def test_tag_filter(database: Database, seeded: dict[str, list[int]]) -> None:
    async with database.write() as uow:
        await uow.staff.tag_entry(seeded[D1][1], "Staffing", "4242", BASE_TIME)
    assert await listed(database, tag="staffing") == [D1]
    assert await listed(database, tag="  STAFFING ") == [D1]
    assert await listed(database, tag="pricing") == []


async def test_pagination(database: Database, seeded: dict[str, list[int]]) -> None:
    async with database.read() as uow:
        second = await uow.staff.list_dialogues(DialogueFilter(), page=2, per_page=2)
        third = await uow.staff.list_dialogues(DialogueFilter(), page=3, per_page=2)
        beyond = await uow.staff.list_dialogues(DialogueFilter(), page=9, per_page=2)
    assert [d.id for d in second.dialogues] == [D3, D2]
    assert (second.total, second.pages, second.has_previous, second.has_next) == (5, 3, True, True)
    assert [d.id for d in third.dialogues] == [D1] and not third.has_next
    assert beyond.dialogues == () and beyond.total == 5


async def test_search_hits_with_snippets(database: Database, seeded: dict[str, list[int]]) -> None:
    async with database.read() as uow:
        hits = await uow.staff.search("bakery", limit=10)
        limited = await uow.staff.search("bak", limit=2)
    assert [(h.dialogue_id, h.step_id) for h in hits] == [(D2, "challenges"), (D1, "who")]
    for hit in hits:
        matched = [p.text.lower() for p in hit.snippet if p.matched]
        assert matched == ["bakery"]
        assert "bakery" in hit.snippet_text
    assert "bakery with twelve employees" in hits[1].snippet_text
    assert len(limited) == 2


async def test_search_in_dialogues(database: Database, seeded: dict[str, list[int]]) -> None:
    async with database.read() as uow:
        found = await uow.staff.search_in_dialogues("bak", [D1, D2, D3], per_dialogue=1)
    assert [h.step_id for h in found[D1]] == ["who"]  # the first of two matching answers
    assert [h.step_id for h in found[D2]] == ["challenges"]
    assert found[D3] == []


@pytest.mark.parametrize(
    "query",
    [
        '"bakery',
        "bakery OR",
        "NEAR(bakery",
        "bak*",
        "-bakery",
        "bakery:*",
        "text:bakery",
        "bakery & !software | (x",
        "'); DROP TABLE dialogues; --",
        "((",
        "^bakery",
        "bakery\x00",
    ],
)
async def test_search_is_sanitised(
    database: Database, seeded: dict[str, list[int]], query: str
) -> None:
    async with database.read() as uow:
        hits = await uow.staff.search(query)
        page = await uow.staff.list_dialogues(DialogueFilter(text=query))
    assert all("bak" in h.snippet_text.lower() for h in hits)
    assert page.total <= 5
    assert await listed(database) == [D5, D4, D3, D2, D1]  # nothing was dropped


async def test_search_follows_edits(database: Database, seeded: dict[str, list[int]]) -> None:
    async with database.write() as uow:
        await uow.transcripts.apply_edit("p_000000000005", "0", "Orchid nursery now.", BASE_TIME)
    async with database.read() as uow:
        assert [h.dialogue_id for h in await uow.staff.search("orchid")] == [D5]
        assert await uow.staff.search("weddings") == []


async def test_search_ignores_accents_on_both_databases(
    database: Database, seeded: dict[str, list[int]]
) -> None:
    async with database.write() as uow:
        await uow.transcripts.apply_edit(
            "p_000000000005", "0", "Wir reden über Preise für Geräte.", BASE_TIME
        )
    async with database.read() as uow:
        for query in ("uber preise", "über preise", "ÜBER PREISE", "gerate"):
            hits = await uow.staff.search(query)
            assert [h.dialogue_id for h in hits] == [D5], query
        assert [p.text for p in hits[0].snippet if p.matched] == ["Geräte"]


async def test_search_uses_the_full_text_index(
    database: Database, seeded: dict[str, list[int]]
) -> None:
    async with database.read() as uow:
        match = uow.staff._match("über")
        assert match is not None
        query = select(transcript_entries.c.id).where(match)
        compiled = str(query.compile(uow.connection.engine, compile_kwargs={"literal_binds": True}))
        if database.is_sqlite:
            plan = (await uow.connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")).all()
            assert "entries_fts" in str(plan)
        else:
            # The query's expression must be the index's exactly, or the planner ignores it.
            await uow.connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = (await uow.connection.exec_driver_sql(f"EXPLAIN {compiled}")).all()
            assert "ix_transcript_entries_fts" in str(plan)


async def test_funnel_figures(database: Database, seeded: dict[str, list[int]]) -> None:
    async with database.read() as uow:
        report = await uow.staff.funnel()
    assert report.overall == Funnel(
        None,
        started=5,
        consented=4,
        finished=1,
        drop_offs=(
            DropOff("challenges", ended=0, live=1),
            DropOff("consent", ended=1, live=0),
            DropOff("frequency", ended=0, live=1),
            DropOff("needs", ended=1, live=0),
        ),
    )
    assert [(f.key, f.started, f.consented, f.finished) for f in report.by_script] == [
        ("contact", 1, 1, 0),
        ("discovery", 4, 3, 1),
    ]
    assert report.by_script[0].drop_offs == (DropOff("frequency", 0, 1),)
    assert [(f.key, f.started, f.consented, f.finished) for f in report.by_campaign] == [
        ("fair", 1, 1, 0),
        ("spring", 2, 2, 1),
        (None, 2, 1, 0),
    ]
    assert report.by_campaign[1].drop_offs == (DropOff("needs", 1, 0),)


async def test_funnel_by_date(database: Database, seeded: dict[str, list[int]]) -> None:
    async with database.read() as uow:
        report = await uow.staff.funnel(started_from=date(2026, 11, 22))
        empty = await uow.staff.funnel(started_to=date(2020, 1, 1))
    assert (report.overall.started, report.overall.consented, report.overall.finished) == (2, 1, 0)
    assert empty.overall == Funnel(None, 0, 0, 0, ())
    assert empty.by_script == () and empty.by_campaign == ()


async def test_stats(database: Database, seeded: dict[str, list[int]]) -> None:
    async with database.read() as uow:
        stats = await uow.staff.stats(BASE_TIME + timedelta(days=3))
        later = await uow.staff.stats(BASE_TIME + timedelta(days=8, hours=12))
    assert stats.dialogues == 5 and stats.consented == 4 and stats.finished == 1
    assert stats.by_status == {
        "finished": 1,
        "stopped": 1,
        "active": 1,
        "declined": 1,
        "paused": 1,
    }
    assert stats.answers == 7 and stats.started_last_7_days == 5
    assert stats.last_started_at == BASE_TIME + timedelta(days=2, hours=1)
    assert later.started_last_7_days == 2


async def test_filter_choices(database: Database, seeded: dict[str, list[int]]) -> None:
    async with database.write() as uow:
        await uow.staff.tag_entry(seeded[D1][0], "Bakery", "4242", BASE_TIME)
    async with database.read() as uow:
        choices = await uow.staff.filter_choices()
    assert choices.scripts == ("contact", "discovery")
    assert choices.languages == ("de", "en")
    assert choices.campaigns == ("fair", "spring")
    assert choices.tags == ("bakery",)


async def test_tags_notes_overview_and_excerpts(
    database: Database, seeded: dict[str, list[int]]
) -> None:
    who, challenges, _needs = seeded[D1]
    async with database.write() as uow:
        staffing = await uow.staff.tag_entry(challenges, "  Staffing  Shortage ", "4242", BASE_TIME)
        again = await uow.staff.tag_entry(challenges, "staffing shortage", "777", BASE_TIME)
        other = await uow.staff.tag_entry(
            seeded[D2][1], "staffing shortage", "777", BASE_TIME + timedelta(minutes=1)
        )
        tools = await uow.staff.tag_entry(who, "tools", "4242", BASE_TIME)
        on_bot = await uow.staff.tag_entry(challenges - 1, "tools", "4242", BASE_TIME)
        unknown = await uow.staff.tag_entry(999_999, "tools", "4242", BASE_TIME)
        blank = await uow.staff.tag_entry(who, "   ", "4242", BASE_TIME)
        note = await uow.staff.add_note(who, "  Ask about the shifts.  ", "4242", BASE_TIME)
        no_note = await uow.staff.add_note(challenges - 1, "on a question", "4242", BASE_TIME)
    assert staffing is not None and tools is not None and note is not None
    assert staffing == again == other and staffing.name == "staffing shortage"
    assert (on_bot, unknown, blank, no_note) == (None, None, None, None)

    async with database.read() as uow:
        overview = await uow.staff.tag_overview()
        coding = await uow.staff.coding_for_dialogue(D1)
        page = await uow.staff.excerpts(staffing.id)
        recent = await uow.staff.recent_excerpts(per_tag=1)
        missing = await uow.staff.excerpts(999_999)
    assert [(t.name, t.entries, t.dialogues) for t in overview] == [
        ("staffing shortage", 2, 2),
        ("tools", 1, 1),
    ]
    assert [t.name for t in coding[challenges].tags] == ["staffing shortage"]
    assert coding[who].notes[0].text == "Ask about the shifts."
    assert coding[who].notes[0].created_by == "4242"
    assert page is not None and page.total == 2
    assert [(x.dialogue_id, x.tagged_by) for x in page.excerpts] == [(D2, "777"), (D1, "4242")]
    assert page.excerpts[1].text.startswith("We cannot find bakers")
    assert [x.dialogue_id for x in recent[staffing.id]] == [D2]
    assert missing is None

    async with database.write() as uow:
        assert await uow.staff.untag_entry(challenges, staffing.id)
        assert not await uow.staff.untag_entry(challenges, staffing.id)
        assert await uow.staff.delete_note(note.id, who)
        assert not await uow.staff.delete_note(note.id, who)
    async with database.read() as uow:
        assert challenges not in await uow.staff.coding_for_dialogue(D1)
        assert [t.entries for t in await uow.staff.tag_overview()] == [1, 1]


async def test_audit_log(database: Database, seeded: dict[str, list[int]]) -> None:
    async with database.write() as uow:
        await uow.staff.record_audit("4242", "view_transcript", BASE_TIME, dialogue_id=D1)
        await uow.staff.record_audit("4242", "export", BASE_TIME, detail="csv, raw" + "x" * 900)
        await uow.staff.record_audit("777", "view_transcript", BASE_TIME, dialogue_id=D2)
    async with database.read() as uow:
        everything = await uow.staff.audit()
        one = await uow.staff.audit(dialogue_id=D1)
        second_page = await uow.staff.audit(limit=2, offset=2)
    assert [(e.staff_user_id, e.action) for e in everything.entries] == [
        ("777", "view_transcript"),
        ("4242", "export"),
        ("4242", "view_transcript"),
    ]
    assert everything.total == 3 and len(everything.entries[1].detail or "") == 500
    assert [e.dialogue_id for e in one.entries] == [D1] and one.total == 1
    assert [e.action for e in second_page.entries] == ["view_transcript"]


async def test_login_tokens_work_once_until_they_expire(database: Database) -> None:
    expires = BASE_TIME + timedelta(minutes=15)
    async with database.write() as uow:
        await uow.staff.add_login_token("n1", "4242", BASE_TIME, expires)
        await uow.staff.add_login_token("n2", "4242", BASE_TIME, expires)
    async with database.write() as uow:
        first = await uow.staff.redeem_login_token("n1", BASE_TIME + timedelta(minutes=1))
        second = await uow.staff.redeem_login_token("n1", BASE_TIME + timedelta(minutes=2))
        late = await uow.staff.redeem_login_token("n2", expires)
        unknown = await uow.staff.redeem_login_token("nope", BASE_TIME)
    assert (first.outcome, first.telegram_user_id) == ("ok", "4242")
    assert second.outcome == "used" and late.outcome == "expired"
    assert unknown.outcome == "unknown" and unknown.telegram_user_id is None


async def test_sessions(database: Database) -> None:
    expires = BASE_TIME + timedelta(hours=12)
    async with database.write() as uow:
        await uow.staff.create_session("s1", "4242", BASE_TIME, expires)
        await uow.staff.create_session("s2", "4242", BASE_TIME, expires)
        await uow.staff.create_session("s3", "777", BASE_TIME, expires)
        await uow.staff.revoke_session("s1", BASE_TIME + timedelta(hours=1))
        ended = await uow.staff.revoke_sessions_of("4242", BASE_TIME + timedelta(hours=2))
    async with database.read() as uow:
        s1, s2, s3 = [await uow.staff.session(s) for s in ("s1", "s2", "s3")]
        missing = await uow.staff.session("s4")
    assert ended == 1  # s1 was already revoked
    assert s1 is not None and s1.revoked_at == BASE_TIME + timedelta(hours=1)
    assert s2 is not None and s2.revoked_at == BASE_TIME + timedelta(hours=2)
    assert s3 is not None and s3.revoked_at is None and s3.expires_at == expires
    assert missing is None
    async with database.write() as uow:
        await uow.staff.purge_expired_access(expires + timedelta(days=8))
    async with database.read() as uow:
        assert await uow.staff.session("s3") is None


async def test_staff_members(database: Database) -> None:
    async with database.write() as uow:
        await uow.staff.confirm_member("777", "Maria", BASE_TIME)
        await uow.staff.confirm_member("777", "Maria Schulz", BASE_TIME + timedelta(hours=1))
        await uow.staff.confirm_member("888", None, BASE_TIME)
    async with database.read() as uow:
        member = await uow.staff.member("777")
        members = await uow.staff.members()
        names = await uow.staff.display_names(["777", "888", "999"])
    assert member is not None and member.display_name == "Maria Schulz"
    assert member.confirmed_at == BASE_TIME + timedelta(hours=1)
    assert [m.telegram_user_id for m in members] == ["777", "888"]
    assert names == {"777": "Maria Schulz"}
    async with database.write() as uow:
        await uow.staff.remove_member("777")
    async with database.read() as uow:
        assert await uow.staff.member("777") is None


def test_tag_names_are_normalised() -> None:
    assert normalise_tag_name("  Fachkräfte   Mangel ") == "fachkräfte mangel"
    assert len(normalise_tag_name("x" * 100)) == 64


def test_snippets_mark_every_matching_word() -> None:
    assert make_snippet("…a bakery in Kassel, BAKERY!", ["bak", "kassel"]) == (
        SnippetPart("…a "),
        SnippetPart("bakery", matched=True),
        SnippetPart(" in "),
        SnippetPart("Kassel", matched=True),
        SnippetPart(", "),
        SnippetPart("BAKERY", matched=True),
        SnippetPart("!"),
    )
    assert make_snippet("Wir reden über Preise", ["uber"])[1] == SnippetPart("über", True)
    assert make_snippet("plain", []) == (SnippetPart("plain"),)


def test_snippets_cut_from_exact_text() -> None:
    text = " ".join(f"w{n}" for n in range(40)) + " <b>Bakery</b> end."
    parts = make_snippet(text, ["bak"], size=8)
    assert "".join(p.text for p in parts) == "…w36 w37 w38 w39 <b>Bakery</b> end."
    assert [p.text for p in parts if p.matched] == ["Bakery"]
    short = make_snippet("Hacker <script>alert(1)</script>", ["hack"])
    assert short == (SnippetPart("Hacker", matched=True), SnippetPart(" <script>alert(1)</script>"))
    long_start = make_snippet("bakery " + "x " * 30, ["bakery"], size=4)
    assert "".join(p.text for p in long_start) == "bakery x x x…"
    assert make_snippet("", ["x"]) == ()


async def test_one_dialogue_summary(database: Database, seeded: dict[str, list[int]]) -> None:
    async with database.write() as uow:
        await uow.dialogues.mark_anonymised(D2, BASE_TIME)
    async with database.read() as uow:
        found = await uow.staff.dialogue(D2)
        missing = await uow.staff.dialogue("d_nope")
    assert found is not None and missing is None
    assert (found.status, found.step_id, found.answer_count, found.entry_count) == (
        "stopped",
        "needs",
        2,
        4,
    )
    assert found.anonymised_at == BASE_TIME
