"""Dialogue summaries: verbatim key sentences, corrections, German and English."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from conversations.engine import Context
from conversations.state import GENERAL_NOTE
from needfinder.insights.summary import (
    NOTE_KEY,
    key_sentences,
    summarise_answer,
    summarise_dialogue,
)
from tests.conversations.dialogue import Dialogue, builtin

LABELS_DE = {
    "who": "Wer Sie sind",
    "challenges": "Ihre Herausforderungen",
    "needs": "Was Sie brauchen",
}
LABELS_EN = {"who": "Who you are", "challenges": "Your challenges", "needs": "What you need"}


def assert_verbatim(summary_source: str, sentences: tuple) -> None:  # type: ignore[type-arg]
    for sentence in sentences:
        assert summary_source[sentence.start : sentence.end] == sentence.text
        assert sentence.text in summary_source


def test_every_key_sentence_is_verbatim_german() -> None:
    answers = {
        "who": "Ich führe eine Bäckerei mit zwölf Leuten in Kassel.",
        "challenges": (
            "Puh, gute Frage. Wir finden seit Monaten keine Verkäuferin. "
            "Außerdem sind die Energiekosten explodiert!"
        ),
        "needs": "Hilfe bei der Personalsuche wäre super.",
    }
    summary = summarise_dialogue(answers, LABELS_DE, language="de")
    assert [p.step_id for p in summary.points] == ["who", "challenges", "needs"]
    for point in summary.points:
        assert point.label == LABELS_DE[point.step_id]
        assert point.source == answers[point.step_id]
        assert_verbatim(point.source, point.sentences)
    challenges = summary.point("challenges")
    assert challenges is not None
    # Filler is left out; the two sentences with content stay, in their order.
    assert [s.text for s in challenges.sentences] == [
        "Wir finden seit Monaten keine Verkäuferin.",
        "Außerdem sind die Energiekosten explodiert!",
    ]


def test_english_answers_and_chat_style() -> None:
    answers = {
        "challenges": "hmm.\nwe cant find staff\nand the hotline never answers",
        "needs": "honestly: a contact person who knows us",
    }
    summary = summarise_dialogue(answers, LABELS_EN, language="en")
    challenges = summary.point("challenges")
    assert challenges is not None
    assert [s.text for s in challenges.sentences] == [
        "we cant find staff",
        "and the hotline never answers",
    ]
    assert challenges.label == "Your challenges"
    needs = summary.point("needs")
    assert needs is not None and needs.text == "honestly: a contact person who knows us"


def test_a_correction_replaces_the_point_it_corrects() -> None:
    answers = {"who": "Ich bin Bäcker.", "needs": "Mehr Personal."}
    corrections = {"who": "Ich bin Konditor und führe zwei Filialen."}
    summary = summarise_dialogue(answers, LABELS_DE, corrections, language="de")
    who = summary.point("who")
    assert who is not None
    assert who.corrected and who.source == corrections["who"]
    assert who.text == "Ich bin Konditor und führe zwei Filialen."
    assert "Bäcker" not in who.text
    needs = summary.point("needs")
    assert needs is not None and not needs.corrected


def test_a_general_correction_becomes_its_own_last_point() -> None:
    assert NOTE_KEY == GENERAL_NOTE
    summary = summarise_dialogue(
        {"who": "I run a shop."},
        LABELS_EN,
        {GENERAL_NOTE: "Also, we are moving to a bigger place next year."},
        language="en",
    )
    assert [p.step_id for p in summary.points] == ["who", GENERAL_NOTE]
    assert summary.points[-1].label == "Also"
    assert summary.points[-1].corrected


def test_a_correction_for_an_unanswered_step_and_order() -> None:
    summary = summarise_dialogue(
        {"needs": "Faster delivery.", "who": "A plumber."},
        LABELS_EN,
        {"challenges": "Late deliveries, every week."},
        language="en",
        order=["who", "needs"],
    )
    assert [p.step_id for p in summary.points] == ["who", "needs", "challenges"]


def test_empty_answers_give_no_point() -> None:
    summary = summarise_dialogue({"who": "  ", "needs": "Zeit."}, LABELS_DE)
    assert [p.step_id for p in summary.points] == ["needs"]
    assert summary.to_dict()["points"][0]["text"] == "Zeit."


def test_long_sentences_are_cut_at_a_word_boundary_and_stay_verbatim() -> None:
    text = "Wir " + "warten sehr lange auf Ersatzteile und " * 12 + "das nervt."
    chosen = key_sentences(text, language="de", max_chars=120)
    assert len(chosen) == 1
    assert chosen[0].shortened
    assert len(chosen[0].text) <= 120
    assert text.startswith(chosen[0].text)
    assert text[len(chosen[0].text)] == " "  # cut between words


def test_selection_keeps_within_the_budget_and_order() -> None:
    text = (
        "Also. Die Lieferzeiten sind unberechenbar. Ich mag Blumen. "
        "Die Spedition hält keine Zeitfenster ein und Ware kommt zu spät."
    )
    chosen = key_sentences(text, language="de", max_sentences=2)
    assert [c.text for c in chosen] == [
        "Die Lieferzeiten sind unberechenbar.",
        "Die Spedition hält keine Zeitfenster ein und Ware kommt zu spät.",
    ]
    assert chosen[0].start < chosen[1].start


def test_summarise_answer_drops_filler() -> None:
    answer = "Puh. Wir finden keine Fahrer. Die Preise steigen."
    assert summarise_answer(answer, "de") == "Wir finden keine Fahrer. Die Preise steigen."


@dataclass
class _SummarisingDialogue(Dialogue):
    def context(self) -> Context:
        return dataclasses.replace(super().context(), summarise=summarise_answer)


def test_summarise_answer_serves_as_the_engines_mirror_hook() -> None:
    d = _SummarisingDialogue(builtin("discovery"), "en")
    for message in (
        "/start",
        "[Yes, I agree]",
        "I run a bakery with twelve employees in Kassel.",
        "Good question. We cannot find bakers and the early shifts scare young people away.",
        "Better planning tools and more flexible shift models for the team.",
    ):
        d.says(message)
    mirror = d.replies[-1].text
    assert "understood you correctly" in mirror
    assert "We cannot find bakers and the early shifts scare young people away." in mirror
    assert "Good question" not in mirror


def test_only_filler_still_says_something() -> None:
    assert summarise_answer("Hmm.", "de") == "Hmm."
