"""The engine, tested as dialogues: what the customer says, what the bot says back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conversations.events import (
    Action,
    ButtonsChanged,
    Command,
    ConsentGiven,
    Entry,
    EntryEdited,
    Notice,
    Press,
    Text,
)
from tests.conversations.dialogue import Dialogue, builtin, edited, nontext, script_from_yaml

WHO = "I run a bakery with twelve employees in Kassel."
CHALLENGES = "We cannot find bakers and the early shifts scare young people away."
NEEDS = "Better planning tools and more flexible shift models for the team."


def test_full_discovery_in_english() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run(
        [
            ("/start", ["Hello! This is Beispiel GmbH.", "May I store your answers"]),
            ("[Yes, I agree]", ["who are you and what do you do?"]),
            (WHO, ["here is something about us", "what challenges are you facing"]),
            (CHALLENGES, ["What would you need"]),
            (NEEDS, ["understood you correctly"]),
            ("[Yes, that's right]", ["anonymous quotes"]),
            ("[Yes, fine]", ["receive the summary"]),
            ("[No, thanks]", ["Thank you for being so open!"]),
        ]
    )
    assert d.state is not None and d.state.status == "finished"
    mirror = next(r.text for r in d.replies if "understood you correctly" in r.text)
    # The mirror reflects the customer's own words.
    assert WHO in mirror and CHALLENGES in mirror and NEEDS in mirror
    answers = [(step, text) for who, kind, step, text in d.transcript() if kind == "answer"]
    assert answers == [("who", WHO), ("challenges", CHALLENGES), ("needs", NEEDS)]
    consents = [(r.topic, r.granted) for r in d.records if isinstance(r, ConsentGiven)]
    assert consents == [("storage", True), ("quotes", True), ("updates", False)]
    # Content is gone from the state once the transcript has it.
    assert d.state.parts == {} and d.state.consents["updates"] is False


def test_full_discovery_in_german() -> None:
    d = Dialogue(builtin("discovery"), "de")
    d.run(
        [
            ("/start", ["Hallo! Hier schreibt Beispiel GmbH.", "Darf ich Ihre Antworten"]),
            ("[Ja, einverstanden]", ["wer sind Sie und was tun Sie?"]),
            (
                "Ich führe eine Bäckerei mit zwölf Leuten in Kassel.",
                ["erzählen wir auch", "Herausforderungen"],
            ),
            (
                "Wir finden keine Bäcker, und die frühen Schichten schrecken junge Leute ab.",
                ["Was bräuchten Sie"],
            ),
            (
                "Bessere Planung und flexiblere Schichtmodelle für das ganze Team.",
                ["richtig verstanden"],
            ),
            ("[Ja, das stimmt so]", ["anonymes Zitat"]),
            ("[Lieber nicht]", ["Zusammenfassung hier bekommen"]),
            ("[Ja, bitte]", ["Vielen Dank für Ihre Offenheit"]),
        ]
    )
    assert d.state is not None and d.state.status == "finished"
    assert d.state.consents == {"storage": True, "quotes": False, "updates": True}


def test_nothing_is_recorded_before_consent_and_refusal_keeps_only_the_event() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run(
        [
            ("/start", ["Hello!", "May I store"]),
            (
                "my name is Anna and I have a question",
                ["please tap one of the buttons", "May I store"],
            ),
            ("[No, thanks]", ["I will not keep anything you write"]),
        ]
    )
    assert d.state is not None and d.state.status == "declined"
    assert [r for r in d.records if isinstance(r, Entry)] == []
    assert [(r.topic, r.granted) for r in d.records if isinstance(r, ConsentGiven)] == [
        ("storage", False)
    ]
    d.run([("hello again?", ["There is no conversation going on"])])
    assert [r for r in d.records if isinstance(r, Entry)] == []


def test_typed_yes_counts_as_consent() -> None:
    d = Dialogue(builtin("discovery"), "de")
    d.run([("/start", ["Hallo", "Darf ich"]), ("Ja", ["wer sind Sie"])])
    assert d.state is not None and d.state.consented


def test_short_answer_gets_at_most_max_probes() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run(
        [
            ("/start", ["Hello", "May I"]),
            ("[Yes, I agree]", ["who are you"]),
            ("baker", ["Tell me a bit more"]),  # short → probe
            ("yes", ["here is something about us", "challenges"]),  # max_probes 1 → move on
        ]
    )
    probes = [t for s, k, step, t in d.transcript() if k == "probe"]
    assert probes == ["Tell me a bit more – what are you responsible for, and who do you work for?"]


def test_vague_answer_is_probed_even_when_long_enough() -> None:
    script = script_from_yaml(
        """
id: t
version: 1
title: {de: T, en: T}
steps:
  - {id: consent, kind: consent, topic: storage, text: {de: "Ok?", en: "Ok?"}}
  - id: q
    kind: ask
    text: {de: "Frage?", en: "Question?"}
    min_words: 1
    max_probes: 2
    vague: ["it depends on the day"]
    probes:
      - {de: "Wie genau?", en: "How exactly?"}
      - {de: "Ein Beispiel?", en: "An example?"}
  - {id: end, kind: end, text: {de: Danke, en: Thanks}}
"""
    )
    d = Dialogue(script, "en")
    d.run(
        [
            ("/start", ["Ok?"]),
            ("[Yes, I agree]", ["Question?"]),
            ("I don't know", ["How exactly?"]),
            ("It depends on the day.", ["An example?"]),
            ("nothing", ["Thanks"]),
        ]
    )
    assert d.state is not None and d.state.answer("q") == ""  # content left the state at the end
    answers = [t for s, k, step, t in d.transcript() if k == "answer"]
    assert answers == ["I don't know", "It depends on the day.", "nothing"]


def test_several_messages_in_a_row_are_one_answer() -> None:
    d = Dialogue(builtin("discovery"), "en", settle_after=timedelta(seconds=3))
    d.run([("/start", ["Hello", "May I"]), ("[Yes, I agree]", ["who are you"])])
    d.run([("I am Jo.", []), ("I run a bakery", []), ("with twelve people.", [])])
    assert d.state is not None and d.state.settle_at == d.now + timedelta(seconds=3)
    d.run([("~tick", [])])  # not yet due
    d.later(timedelta(seconds=3))
    d.run([("~tick", ["here is something about us", "challenges"])])  # no probe: 9 words in all
    answers = [(step, t) for s, k, step, t in d.transcript() if k == "answer"]
    assert answers == [
        ("who", "I am Jo."),
        ("who", "I run a bakery"),
        ("who", "with twelve people."),
    ]


def test_empty_answer_is_gently_reasked_and_not_stored() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run([("/start", ["Hello", "May I"]), ("[Yes, I agree]", ["who are you"])])
    before = len(d.records)
    d.run([("   \n\t ", ["Nothing came through"])])
    assert len(d.records) == before
    assert d.state is not None and d.state.step_id == "who"


@pytest.mark.parametrize(
    "text",
    [
        "x" * 20_000,
        "tab\there\x00nul\x1bescape\u200bzero-width",
        "😀🎉 emoji 👩‍👩‍👧 family",
        "שלום, אני אופה בקסל",  # right-to-left
    ],
)
def test_unusual_answers_are_recorded_verbatim(text: str) -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run([("/start", ["Hello", "May I"]), ("[Yes, I agree]", ["who are you"])])
    d.says(text)
    answers = [t for s, k, step, t in d.transcript() if k == "answer"]
    assert answers == [text]


def test_pause_and_resume_at_the_same_step() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run(
        [
            ("/start", ["Hello", "May I"]),
            ("[Yes, I agree]", ["who are you"]),
            (WHO, ["about us", "challenges"]),
            ("/pause", ["Paused"]),
        ]
    )
    assert d.state is not None and d.state.status == "paused" and d.state.nudge_at is None
    d.later(timedelta(days=3))
    d.run([("~tick", [])])  # no reminder while paused
    d.run([("/resume", ["Good to have you back", "challenges"])])
    assert d.state.status == "active" and d.state.step_id == "challenges"
    d.run([("/pause", ["Paused"]), (CHALLENGES, ["What would you need"])])  # writing resumes
    assert d.state.status == "active"


def test_start_while_paused_resumes() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run([("/start", ["Hello", "May I"]), ("/pause", ["Paused"])])
    d.run([("/start", ["Good to have you back", "May I store"])])
    assert d.state is not None and d.state.status == "active" and d.state.step_id == "consent"


def test_skip_moves_on_but_not_past_storage_consent() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run([("/start", ["Hello", "May I"]), ("/skip", ["can't skip this question"])])
    d.run(
        [
            ("[Yes, I agree]", ["who are you"]),
            ("/skip", ["skip that question", "about us", "challenges"]),
        ]
    )
    assert d.state is not None and d.state.skipped == ("who",)
    assert ("system", "system", "who", "skipped by customer") in d.transcript()


def test_stop_ends_and_later_text_is_added_to_the_dialogue() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run(
        [
            ("/start", ["Hello", "May I"]),
            ("[Yes, I agree]", ["who are you"]),
            ("/stop", ["Conversation ended – thank you! What you wrote so far is kept; /forget"]),
            ("one more thing", ["added that to our conversation"]),
            ("/pause", ["no conversation going on"]),
        ]
    )
    assert d.state is not None and d.state.status == "stopped"
    assert ("customer", "answer", "_after", "one more thing") in d.transcript()


def test_stop_before_consent_stores_nothing() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run([("/start", ["Hello", "May I"]), ("/stop", ["Nothing was stored"]), ("hi", ["/start"])])
    assert [r for r in d.records if isinstance(r, Entry)] == []


def test_language_switch_reasks_the_current_step_in_the_new_language() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run(
        [
            ("/start", ["Hello", "May I"]),
            ("[Yes, I agree]", ["who are you"]),
            ("/language", ["Which language"]),
            ("[Deutsch]", ["ab jetzt auf Deutsch", "wer sind Sie"]),
        ]
    )
    assert d.state is not None and d.state.language == "de"
    assert Action("set_language", "de") in (d.last.outputs if d.last else ())
    d.run([("/language en", ["English from now on", "who are you"])])
    assert d.state.language == "en"


def test_choice_steps_buttons_numbers_multiple_and_branching() -> None:
    d = Dialogue(builtin("contact"), "en")
    d.run(
        [
            ("/start", ["Hello", "May I"]),
            ("[Yes, I agree]", ["On which occasions"]),
            ("When an invoice is wrong or a delivery is late.", ["How often"]),
            ("maybe daily?", ["Please pick one of the answers", "How often"]),  # kept, re-asked
            ("[Once a month]", ["Which ways of reaching you"]),
            ("[E-mail]", []),
            ("[Another way]", []),
        ]
    )
    assert d.state is not None and d.state.choices["channels"] == ("email", "other")
    toggled = [o for o in (d.last.outputs if d.last else ()) if isinstance(o, ButtonsChanged)]
    labels = [b.label for row in toggled[0].buttons for b in row]
    assert "✓ E-mail" in labels and "✓ Another way" in labels and "Phone" in labels
    # "other" chosen → the conditional follow-up is asked.
    d.run([("[Done]", ["Which other way would that be?"])])
    d.run([("Carrier pigeon", ["Which tasks would you rather do digitally"])])
    d.run([("Ordering and invoices digitally, but never complaints.", ["Did I get this right?"])])
    mirror = d.replies[-1].text
    assert "Once a month" in mirror and "E-mail, Another way" in mirror
    answers = [(step, t) for s, k, step, t in d.transcript() if k in {"answer", "choice"}]
    assert ("frequency", "maybe daily?") in answers
    assert ("frequency", "Once a month") in answers
    assert ("channels", "E-mail, Another way") in answers


def test_branch_is_skipped_when_condition_does_not_hold_and_numbers_work() -> None:
    d = Dialogue(builtin("contact"), "en")
    d.run(
        [
            ("/start", ["Hello", "May I"]),
            ("1", ["please tap one of the buttons", "May I"]),  # numbers are for choice steps
            ("[Yes, I agree]", ["On which occasions"]),
            ("Ordering spare parts and questions about invoices.", ["How often"]),
            ("2", ["Which ways"]),
            ("1, 3", ["Which tasks would you rather do digitally"]),  # no "other" → no follow-up
        ]
    )
    assert d.state is not None
    assert d.state.choices == {"frequency": ("monthly",), "channels": ("messenger", "phone")}


def test_multiple_choice_done_without_selection_is_refused() -> None:
    d = Dialogue(builtin("contact"), "en")
    d.run([("/start", ["Hello", "May I"]), ("[Yes, I agree]", ["occasions"])])
    d.run(
        [
            ("Ordering spare parts and questions about invoices.", ["How often"]),
            ("[Every week]", ["Which ways"]),
        ]
    )
    d.says("[Done]")
    assert any(isinstance(o, Notice) for o in (d.last.outputs if d.last else ()))
    assert d.state is not None and d.state.step_id == "channels"


def test_mirror_correction_of_one_point_is_stored_as_correction() -> None:
    d = _at_mirror("en")
    d.run(
        [
            ("[Correct something]", ["What would you like to correct?"]),
            ("[Your challenges]", ["What is right?"]),
            (
                "Mainly the night shifts, not the early ones.",
                ["I have corrected it", "understood you correctly"],
            ),
        ]
    )
    mirror = d.replies[-1].text
    assert "Mainly the night shifts, not the early ones." in mirror
    assert CHALLENGES not in mirror
    corrections = [r for r in d.records if isinstance(r, Entry) and r.kind == "correction"]
    assert [(c.step_id, c.corrects, c.text) for c in corrections] == [
        ("mirror", "challenges", "Mainly the night shifts, not the early ones.")
    ]
    d.run([("[Yes, that's right]", ["anonymous quotes"])])


def test_mirror_typed_text_is_a_general_correction() -> None:
    d = _at_mirror("de")
    d.run([("Eigentlich sind wir zu zehnt.", ["Ergänzung notiert", "richtig verstanden"])])
    assert "Etwas anderes: Eigentlich sind wir zu zehnt." in d.replies[-1].text
    corrections = [r for r in d.records if isinstance(r, Entry) and r.kind == "correction"]
    assert [(c.corrects, c.text) for c in corrections] == [(None, "Eigentlich sind wir zu zehnt.")]


def test_stale_and_foreign_buttons_are_answered_harmlessly() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run([("/start", ["Hello", "May I"]), ("[Yes, I agree]", ["who are you"])])
    old = d.button("Yes, I agree")
    for data in (old.data, "zzz|consent|yes", "garbage", "t0|who|x"):
        result = d.event(Press(data))
        assert result.replies() == []
        assert any(isinstance(o, Notice) for o in result.outputs)
    assert d.state is not None and d.state.step_id == "who"


def test_nudge_once_after_silence_and_never_again() -> None:
    d = Dialogue(builtin("discovery"), "en", nudge_after=timedelta(hours=24))
    d.run([("/start", ["Hello", "May I"]), ("[Yes, I agree]", ["who are you"])])
    d.later(timedelta(hours=23))
    d.run([("~tick", [])])
    d.later(timedelta(hours=1))
    d.run([("~tick", ["gentle reminder", "who are you"])])
    d.later(timedelta(days=5))
    d.run([("~tick", [])])
    d.run([(WHO, ["about us", "challenges"])])
    d.later(timedelta(days=5))
    d.run([("~tick", [])])
    assert d.state is not None and d.state.nudged and d.state.nudge_at is None


def test_reminders_can_be_switched_off() -> None:
    d = Dialogue(builtin("discovery"), "en", nudge_after=None)
    d.run([("/start", ["Hello", "May I"])])
    assert d.state is not None and d.state.nudge_at is None


def test_non_text_gets_a_friendly_reply_and_a_typed_entry_and_caption_counts() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run([("/start", ["Hello", "May I"]), ("[Yes, I agree]", ["who are you"])])
    result = d.event(nontext("voice"))
    assert result.replies()[0].text.startswith("Thank you! I can't take voice messages")
    result = d.event(nontext("photo", caption=WHO))
    assert [r.text for r in result.replies()][-1].startswith("And you")
    kinds = [(k, step, t) for s, k, step, t in d.transcript() if s == "customer"]
    assert kinds == [
        ("non_text", "who", "[voice]"),
        ("non_text", "who", "[photo]"),
        ("answer", "who", WHO),
    ]
    attachments = [r.attachment for r in d.records if isinstance(r, Entry) and r.kind == "non_text"]
    assert attachments == [{"kind": "voice", "file_id": "F1"}, {"kind": "photo", "file_id": "F1"}]


def test_edit_updates_the_answer_and_is_recorded() -> None:
    d = Dialogue(builtin("discovery"), "en", settle_after=timedelta(seconds=5))
    d.run([("/start", ["Hello", "May I"]), ("[Yes, I agree]", ["who are you"])])
    d.event(Text("I am a bakr", ref="42"))
    d.event(edited("42", "I am a baker with a shop of twelve people."))
    assert (
        d.state is not None
        and d.state.answer("who") == "I am a baker with a shop of twelve people."
    )
    assert any(isinstance(r, EntryEdited) and r.ref == "42" for r in d.records)
    d.later(timedelta(seconds=5))
    d.run([("~tick", ["about us", "challenges"])])  # the edited, longer text needs no probe


def test_commands_help_privacy_unknown_forget_mydata() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run(
        [
            ("/help", ["/pause"]),
            ("/privacy", ["Privacy at Beispiel GmbH"]),
            ("/frobnicate", ["I don't know that command"]),
            ("/forget", ["really erase everything"]),
            ("[Cancel]", ["erased nothing"]),
            ("/forget", ["really erase everything"]),
            ("[Yes, erase everything]", ["everything I had stored about you is erased"]),
        ]
    )
    assert Action("erase_participant") in (d.last.outputs if d.last else ())
    result = d.event(Command("mydata"))
    assert result.outputs == (Action("export_data"),)


def test_start_during_a_dialogue_continues_it() -> None:
    d = Dialogue(builtin("discovery"), "en")
    d.run([("/start", ["Hello", "May I"]), ("[Yes, I agree]", ["who are you"])])
    tag = d.state.tag if d.state else None
    d.run([("/start other", ["already talking", "who are you"])])
    assert d.state is not None and d.state.tag == tag


def test_new_dialogue_after_the_end_gets_a_new_tag_and_campaign() -> None:
    d = _at_mirror("en")
    d.run(
        [
            ("[Yes, that's right]", ["quotes"]),
            ("[Yes, fine]", ["summary"]),
            ("[Yes, please]", ["Thank you"]),
        ]
    )
    old = d.state
    d.run([("/start spring", ["Hello", "May I"])])
    assert d.state is not None and old is not None
    assert d.state.tag != old.tag and d.state.campaign == "spring" and not d.state.consented


def _at_mirror(language: str) -> Dialogue:
    d = Dialogue(builtin("discovery"), language)  # type: ignore[arg-type]
    yes = "[Yes, I agree]" if language == "en" else "[Ja, einverstanden]"
    d.says("/start")
    d.says(yes)
    d.says(WHO)
    d.says(CHALLENGES)
    d.says(NEEDS)
    assert d.state is not None and d.state.phase == "mirror"
    return d


def test_typed_yes_confirms_the_mirror() -> None:
    d = _at_mirror("de")
    d.run([("Stimmt!", ["anonymes Zitat"])])
    assert ("system", "system", "mirror", "summary confirmed by customer") in d.transcript()
