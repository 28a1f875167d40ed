"""Theme building: the concept lexicon, cross-lingual grouping, two topics, determinism."""

from __future__ import annotations

import pytest

from needfinder.insights.themes.lexicon import Lexicon, fold, lexicon
from needfinder.insights.themes.segments import Span, sentences, shorten


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Der Fachkräftemangel trifft uns", "de", {"staff", "shortage"}),
        ("Fachkraeftemangel", "de", {"staff", "shortage"}),
        ("Die Lieferzeiten sind zu lang", "de", {"lead_time"}),
        ("Unsere Energiekosten", "de", {"energy", "costs"}),
        ("Stellenanzeigen bringen nichts", "de", {"recruiting"}),
        ("insgesamt", "de", set()),
        ("Lead times are unpredictable", "en", {"lead_time", "planning"}),
        ("We can't hire anyone", "en", {"recruiting", "people"}),
        ("Our energy bills have tripled", "en", {"energy", "increase"}),
    ],
)
def test_words_map_to_shared_concepts(text: str, language: str, expected: set[str]) -> None:
    assert set(lexicon().concepts_in(text, language)) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # Typing slips: swapped, dropped or doubled letters in longer words.
        ("Mitrabeiter", "de", {"staff"}),
        ("Rechnugnen", "de", {"invoices"}),
        ("invocies", "en", {"invoices"}),
        ("Lieferzieten", "de", {"delivery"}),
        # … but short or everyday words do not turn into lexicon terms.
        ("Tür", "de", set()),
        ("Mittelstand", "de", set()),
        ("director", "en", set()),
        ("adding", "en", set()),
        # English inflections and German participles.
        ("We are hiring", "en", {"recruiting"}),
        ("It was shipped", "en", {"delivery"}),
        ("Sie hat gekündigt", "de", {"staff"}),
        ("Die Ware wurde angeliefert", "de", {"delivery", "stock"}),
        # Compounds need a real first part: "Vertrag" holds no "Ertrag", "ankündigen" no
        # "kündigen"; "kriegen" (to get) is no war, "auffällig" nothing due.
        ("Der Vertrag läuft", "de", set()),
        ("Angekündigt war Montag", "de", {"information"}),
        ("Das krieg ich nie hin", "de", set()),
        ("auffällig", "de", set()),
        ("Die Baustelle steht still", "de", set()),
        # Indirect, colloquial wording the broadened lexicon knows.
        ("Keiner geht ans Telefon, die Hotline ist ein Witz", "de", {"people", "reachability"}),
        ("My emails get ignored", "en", {"messaging", "replies"}),
        ("Wir haben eine Zettelwirtschaft", "de", {"data"}),
        ("Customers want to book appointments online", "en", {"booking", "digital"}),
    ],
)
def test_slips_inflections_and_compounds(text: str, language: str, expected: set[str]) -> None:
    assert set(lexicon().concepts_in(text, language)) == expected  # type: ignore[arg-type]


def test_exceptions_and_folding() -> None:
    # "lohnt sich" (is worth it) is no wage; "Förderung" (funding) is no "Forderung" (claim).
    assert "wages" not in lexicon().concepts_in("Das lohnt sich nicht", "de")
    assert "funding" in lexicon().concepts_in("Förderung", "de")
    assert "funding" not in lexicon().concepts_in("Forderung", "de")
    assert fold("Größe") == "groesse"


def test_sentences_are_verbatim_spans() -> None:
    text = "  Erstens: Preise!  Zweitens die Fahrer…\nDrittens ?? 😅\n\nok"
    spans = sentences(text)
    assert [s.text for s in spans] == [
        "Erstens: Preise!",
        "Zweitens die Fahrer…",
        "Drittens ??",
        "ok",
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)
    cut, shortened = shorten(Span(0, 30, "eins zwei drei vier fünf sechs"), 12)
    assert shortened and cut.text == "eins zwei"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # "Stock" and "Lager" next to a till or software are data kept by a system …
        ("A till that talks to the stockroom.", "en", {"till", "data"}),
        ("Eine Kasse, die mit dem Lager spricht.", "de", {"till", "data"}),
        # … and alone they are goods on the shelf.
        ("Spare parts are out of stock.", "en", {"stock", "lead_time"}),
        # Paying by card is going digital; paying more for gas is a price, not cash flow.
        ("Customers want to pay by card.", "en", {"digital"}),
        ("We pay twice as much for gas now.", "en", {"prices", "energy"}),
        # Apprentices one cannot find are recruiting; apprentices being taught are training.
        ("Wir finden keinen Azubi, niemand bewirbt sich.", "de", {"people", "recruiting"}),
        ("Unsere Azubis brauchen bessere Schulungen.", "de", {"training"}),
        # Waiting is for money, for goods or for an answer, as the sentence says.
        ("We wait months for our money.", "en", {"liquidity", "payment"}),
        ("We wait months for the parts.", "en", {"stock", "lead_time"}),
        ("We wait weeks for a reply.", "en", {"replies"}),
    ],
)
def test_ambiguous_words_follow_the_sentence(text: str, language: str, expected: set[str]) -> None:
    assert set(lexicon().concepts_in(text, language)) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # Indirect wording and compounds that name no topic word outright.
        ("It feels like talking to a brick wall.", "en", {"replies"}),
        ("Die Zahlungsmoral ist schlecht, die Außenstände wachsen.", "de", {"invoices"}),
        ("Wir sind unterbesetzt, die Stelle bleibt unbesetzt.", "de", {"staff", "recruiting"}),
        ("Ich müsste selber mal wieder auf die Schulbank.", "de", {"training"}),
    ],
)
def test_indirect_wording_and_compounds(text: str, language: str, expected: set[str]) -> None:
    assert set(lexicon().concepts_in(text, language)) == expected  # type: ignore[arg-type]


def test_context_rules_only_fire_next_to_their_trigger() -> None:
    data = {
        "concepts": {
            "stock": {"label": {"de": "Lager", "en": "Stock"}, "en": ["stock"]},
            "software": {"label": {"de": "Software", "en": "Software"}, "en": ["system"]},
            "data": {"label": {"de": "Daten", "en": "Data"}, "en": ["data"]},
        },
        "context": [{"concept": "stock", "near": ["software"], "becomes": "data"}],
    }
    small = Lexicon(data)
    assert small.concepts_in("stock", "en") == {"stock": 1}
    assert small.concepts_in("the stock system", "en") == {"data": 1, "software": 1}
