"""Known identities, learned names, staff names, placeholder consistency and the final check."""

from __future__ import annotations

import json

from needfinder.insights.anonymise import Anonymiser, EntityType, KnownIdentities, detect_language


def test_known_names_are_removed_case_insensitively_with_possessives() -> None:
    anonymiser = Anonymiser()
    ctx = anonymiser.new_context(KnownIdentities(names=("Anna Berger",), usernames=("anna_b",)))
    texts = [
        "Ich bin Anna, mail: anna@x.de",
        "bei uns macht anna alles",
        "Annas Laden läuft gut, Anna's Laden auch",
        "Familie Berger seit 1990, auf Telegram @anna_b",
    ]
    out = [anonymiser.anonymise(t, "de", ctx).text for t in texts]
    assert out == [
        "Ich bin [PERSON_1], mail: [EMAIL_1]",
        "bei uns macht [PERSON_1] alles",
        "[PERSON_1] Laden läuft gut, [PERSON_1]'s Laden auch",
        "Familie [PERSON_2] seit 1990, auf Telegram [HANDLE_1]",
    ]


def test_known_name_that_is_a_word_only_when_capitalised() -> None:
    anonymiser = Anonymiser()
    ctx = anonymiser.new_context(KnownIdentities(names=("Hope Adeyemi",)))
    out = anonymiser.anonymise("Hope again - I hope you can help.", "en", ctx).text
    assert out == "[PERSON_1] again - I hope you can help."


def test_names_learned_from_an_earlier_answer() -> None:
    anonymiser = Anonymiser()
    ctx = anonymiser.new_context()
    learned = anonymiser.learn_names_from("Hallo, ich heiße Lisa Meinhardt.", ctx, "de")
    assert learned == ("Lisa Meinhardt",)
    later = anonymiser.anonymise("unterschreibe immer mit meinhardt hundeschule", "de", ctx)
    assert later.text == "unterschreibe immer mit [PERSON_1] hundeschule"


def test_staff_names_are_always_removed() -> None:
    anonymiser = Anonymiser(staff_names=("Maria Schulz",))
    out = anonymiser.anonymise("Die maria war nett, marias Tipp half, Frau Schulz auch.", "de")
    assert out.text == "Die [PERSON_1] war nett, [PERSON_1] Tipp half, Frau [PERSON_2] auch."


def test_placeholders_are_consistent_across_texts_of_one_context() -> None:
    anonymiser = Anonymiser()
    ctx = anonymiser.new_context()
    first = anonymiser.anonymise(
        "Mail an jens@web.de oder Herrn Vogel, Tel. 0171 2345678", "de", ctx
    )
    second = anonymiser.anonymise("Herr VOGEL sagt: JENS@WEB.DE und +49 171 2345678", "de", ctx)
    assert first.text == "Mail an [EMAIL_1] oder Herrn [PERSON_1], Tel. [PHONE_1]"
    assert second.text == "Herr [PERSON_1] sagt: [EMAIL_1] und [PHONE_1]"
    other = anonymiser.anonymise("Herr Keller und Herr Vogel", "de", ctx).text
    assert other == "Herr [PERSON_2] und Herr [PERSON_1]"


def test_first_name_shares_the_placeholder_of_the_full_name() -> None:
    anonymiser = Anonymiser()
    ctx = anonymiser.new_context()
    assert (
        anonymiser.anonymise("Ich heiße Gisela Berger.", "de", ctx).text == "Ich heiße [PERSON_1]."
    )
    assert anonymiser.anonymise("Frau Berger war da.", "de", ctx).text == "Frau [PERSON_1] war da."


def test_findings_point_into_the_original_text() -> None:
    anonymiser = Anonymiser()
    text = "Ruf Herrn Klein an: 0171 2345678"
    result = anonymiser.anonymise(text, "de")
    assert [(f.type, text[f.start : f.end], f.placeholder) for f in result.findings] == [
        (EntityType.PERSON, "Klein", "[PERSON_1]"),
        (EntityType.PHONE, "0171 2345678", "[PHONE_1]"),
    ]
    assert "Klein" not in repr(result.findings)  # a logged finding leaks no text


def test_check_ignores_placeholders_and_reports_residue() -> None:
    anonymiser = Anonymiser()
    clean = anonymiser.anonymise("Herr Klein, anna@web.de, Kundennummer 48213", "de").text
    assert anonymiser.check(clean, "de") == []
    residue = anonymiser.check("[PERSON_1] schreibt an anna@web.de", "de")
    assert [(f.type, f.text) for f in residue] == [(EntityType.EMAIL, "anna@web.de")]


def test_language_detection() -> None:
    assert detect_language("Ich habe mit dem Support gesprochen und es ist gut") == "de"
    assert detect_language("I talked to the support team and it was fine") == "en"
    assert detect_language("Excel SAP Zoom") == "de"  # no clue: the default


def test_optional_ner_hook_adds_recall_without_a_model() -> None:
    from dataclasses import dataclass

    from needfinder.insights.anonymise.ner import ner_recogniser

    @dataclass
    class Entity:
        start_char: int
        end_char: int
        label_: str

    @dataclass
    class Doc:
        ents: list[Entity]

    def fake_nlp(text: str) -> Doc:
        start = text.index("Zqwertz")
        brand = text.index("SAP")
        return Doc([Entity(start, start + 7, "PER"), Entity(brand, brand + 3, "ORG")])

    text = "Zqwertz hat SAP eingeführt."
    # Rules alone (the shipped tagger switched off) cannot know a name without context.
    plain = Anonymiser(tagger=None)
    assert plain.anonymise(text, "de").text == text
    with_ner = Anonymiser(extra_recognisers=[ner_recogniser(fake_nlp)])
    assert with_ner.anonymise(text, "de").text == "[PERSON_1] hat SAP eingeführt."


def test_a_learned_word_name_stays_in_its_dialogue() -> None:
    anonymiser = Anonymiser()
    ctx = anonymiser.new_context()
    ctx.set_dialogue("a")
    assert anonymiser.learn_names_from("Ich heiße Jonas Klein.", ctx, "de") == ("Jonas Klein",)
    # Same dialogue: removed wherever it recurs, even as a bare word.
    same = anonymiser.anonymise("Klein hier, nochmal wegen der Rechnung.", "de", ctx)
    assert same.text == "[PERSON_1] hier, nochmal wegen der Rechnung."
    # Another dialogue: "Klein" as an adjective stays, an unambiguous part is still removed.
    ctx.set_dialogue("b")
    other = anonymiser.anonymise("Klein aber fein, sagt Jonas immer.", "de", ctx)
    assert other.text.startswith("Klein aber fein, sagt [PERSON_")
    assert "Jonas" not in other.text
    # ... and in name context the word is a name again.
    titled = anonymiser.anonymise("Ich habe mit Herrn Klein gesprochen.", "de", ctx)
    assert titled.text == "Ich habe mit Herrn [PERSON_1] gesprochen."


def test_given_identities_are_removed_in_every_dialogue() -> None:
    anonymiser = Anonymiser()
    ctx = anonymiser.new_context(KnownIdentities(names=("Rosa Klein",)))
    ctx.set_dialogue("z")
    assert anonymiser.anonymise("Klein hat angerufen.", "de", ctx).text == (
        "[PERSON_1] hat angerufen."
    )


def test_cli_keeps_learned_word_names_to_their_dialogue() -> None:
    from click.testing import CliRunner

    from needfinder.cli.anonymise_commands import anonymise_group

    lines = [
        {"id": 1, "dialogue": "d1", "text": "my name's Jo Frost"},
        {"id": 2, "dialogue": "d1", "text": "Frost again, any news?"},
        {"id": 3, "dialogue": "d2", "text": "Frost damage to the pipes, Jo says."},
        {"id": 4, "text": "Frost damage again."},
    ]
    stdin = "".join(json.dumps(line) + "\n" for line in lines)
    result = CliRunner().invoke(anonymise_group, [], input=stdin)
    assert result.exit_code == 0, result.output
    out = [json.loads(line)["text"] for line in result.output.splitlines()]
    assert out == [
        "my name's [PERSON_1]",
        "[PERSON_1] again, any news?",
        "Frost damage to the pipes, [PERSON_1] says.",
        "Frost damage again.",
    ]
