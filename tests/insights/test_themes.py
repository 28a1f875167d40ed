"""Theme building: the concept lexicon, cross-lingual grouping, two topics, determinism."""

from __future__ import annotations

import random

import pytest

from needfinder.insights.digest import DigestSettings, build_digest
from needfinder.insights.themes.features import extract
from needfinder.insights.themes.lexicon import Lexicon, fold, lexicon
from needfinder.insights.themes.model import DigestDialogue
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


STAFF = [
    ("s1", "de", "Wir finden keine Mitarbeiter, auf Stellenanzeigen meldet sich niemand."),
    ("s2", "en", "We can't hire staff, nobody answers our job ads."),
    ("s3", "de", "Personal fehlt an allen Ecken, wir sind dauernd unterbesetzt."),
    ("s4", "en", "Recruiting new employees is impossible, we are understaffed."),
]
PRICES = [
    ("p1", "de", "Die Energiekosten und Preise steigen ständig."),
    ("p2", "en", "Energy prices keep rising and our costs explode."),
    ("p3", "de", "Material ist teurer geworden, die Einkaufspreise sind gestiegen."),
    ("p4", "en", "Raw material prices went up and the margins are gone."),
]
DELIVERY = [
    ("l1", "de", "Die Lieferzeiten sind lang und die Spedition kommt zu spät."),
    ("l2", "en", "Deliveries arrive late and there is no tracking of the shipment."),
    ("l3", "de", "Ersatzteile sind nicht lieferbar, das Lager ist leer."),
    ("l4", "en", "Spare parts are out of stock and delivery dates slip."),
]


def _dialogues(rows: list[tuple[str, str, str]]) -> list[DigestDialogue]:
    return [DigestDialogue(i, lang, {"challenges": text}, True) for i, lang, text in rows]  # type: ignore[arg-type]


def _theme_of(draft_themes: tuple, dialogue_id: str) -> set[str]:  # type: ignore[type-arg]
    return {t.id for t in draft_themes if dialogue_id in t.dialogue_ids}


def test_german_and_english_answers_on_one_topic_share_a_theme() -> None:
    draft = build_digest(_dialogues(STAFF + PRICES + DELIVERY))
    assert len(draft.themes) == 3
    groups = sorted(sorted(t.dialogue_ids) for t in draft.themes)
    assert groups == [["l1", "l2", "l3", "l4"], ["p1", "p2", "p3", "p4"], ["s1", "s2", "s3", "s4"]]
    for theme in draft.themes:
        assert theme.languages == {"de": 2, "en": 2}
        assert theme.label.de and theme.label.en


def test_a_dialogue_with_two_topics_belongs_to_two_themes() -> None:
    rows = [*STAFF, *PRICES]
    both = DigestDialogue(
        "both",
        "en",
        {
            "challenges": "We cannot hire staff for the counter.",
            "needs": "And electricity prices doubled, we need stable energy costs.",
        },
        True,
    )
    draft = build_digest([*_dialogues(rows), both])
    staff = _theme_of(draft.themes, "s1")
    prices = _theme_of(draft.themes, "p1")
    assert staff != prices
    assert _theme_of(draft.themes, "both") == staff | prices


def test_unrelated_answers_stay_unthemed() -> None:
    dialogues = [
        *_dialogues(STAFF),
        DigestDialogue("x", "de", {"challenges": "Eigentlich läuft alles gut."}, True),
    ]
    draft = build_digest(dialogues)
    assert draft.unthemed_dialogue_ids == ("x",)


def test_the_draft_is_deterministic_whatever_the_input_order() -> None:
    dialogues = _dialogues(STAFF + PRICES + DELIVERY)
    first = build_digest(dialogues).to_dict()
    for seed in range(5):
        shuffled = list(dialogues)
        random.Random(seed).shuffle(shuffled)
        assert build_digest(shuffled).to_dict() == first


def test_only_the_theme_steps_count_and_limits_apply() -> None:
    dialogues = [
        DigestDialogue(i, lang, {"who": text, "challenges": "nichts"}, True)  # type: ignore[arg-type]
        for i, lang, text in STAFF
    ]
    assert build_digest(dialogues).themes == ()
    draft = build_digest(_dialogues(STAFF + PRICES + DELIVERY), max_themes=2, quotes_per_theme=1)
    assert draft.themes
    assert all(len(t.quotes) == 1 for t in draft.themes)
    assert build_digest([]).themes == ()


def test_theme_building_makes_no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    for name in ("create_connection", "getaddrinfo"):
        monkeypatch.setattr(socket, name, refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    lexicon.cache_clear()  # load the lexicon afresh under the guard
    draft = build_digest(_dialogues(STAFF + PRICES))
    assert draft.themes


def test_placeholders_are_not_topics() -> None:
    # "[EMAIL_1]" is the anonymiser's placeholder, not a complaint about e-mail.
    dialogue = DigestDialogue("x", "en", {"needs": "Details: [EMAIL_1], [PHONE_2]."})
    (features,) = extract([dialogue], ("needs",), lexicon())
    assert features.concepts == frozenset()


def test_unknown_words_are_learned_from_the_digest_itself() -> None:
    # "Servicewüste" and "Bandansage" are not in the lexicon. Customers whose other words
    # are clearly about reaching someone use them, so a dialogue that says nothing but these
    # two words joins their theme, together with the English answers on the same topic.
    known = [
        ("r1", "de", "Die Hotline ist nie erreichbar. Servicewüste, Bandansage."),
        ("r2", "de", "Telefonisch erreicht man niemanden, echte Servicewüste."),
        ("r3", "de", "Rückruf versprochen, nie angerufen. Eine Bandansage."),
        ("r4", "en", "Nobody answers the phone, nobody calls back."),
        ("r5", "en", "The hotline is always busy and nobody calls back."),
    ]
    only_unknown = DigestDialogue(
        "u", "de", {"challenges": "Bei euch ist Servicewüste und Bandansage."}, True
    )
    dialogues = [*_dialogues(STAFF + known), only_unknown]
    draft = build_digest(dialogues)
    reach = _theme_of(draft.themes, "r1")
    assert reach and _theme_of(draft.themes, "u") == reach
    assert _theme_of(draft.themes, "r4") == reach
    # Without learning the dialogue has nothing the lexicon knows and stays unthemed.
    plain = build_digest(dialogues, settings=DigestSettings(learning=None))
    assert "u" in plain.unthemed_dialogue_ids
    assert build_digest(list(reversed(dialogues))).to_dict() == draft.to_dict()


def test_a_word_never_vouches_for_its_own_dialogue() -> None:
    # Leave-one-out: a word only one dialogue uses teaches nothing, however on-topic the
    # dialogue's other sentences are.
    lonely = DigestDialogue("u", "de", {"challenges": "Bei euch ist Servicewüste."}, True)
    draft = build_digest([*_dialogues(STAFF + PRICES), lonely])
    assert "u" in draft.unthemed_dialogue_ids


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
