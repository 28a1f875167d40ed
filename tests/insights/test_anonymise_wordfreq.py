"""The common-word table: ships in the package, loads offline, and keeps frequent nouns."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from needfinder.insights.anonymise import Anonymiser
from needfinder.insights.anonymise.wordfreq import buckets, frequency_table, noun_zipf, zipf


def test_table_loads_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table is read from package data with every socket refused."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "socket", refuse)
    frequency_table.cache_clear()
    table = frequency_table()
    assert len(table) > 30_000
    assert buckets("sommer")[0] >= 4  # German
    assert buckets("weekend")[1] >= 4  # English
    assert zipf("gesellen") >= 3
    assert buckets("okonkwo") == (0, 0)


def test_frequent_noun_kept_but_removed_after_a_title() -> None:
    """'Grüß Gott' and a season stay; the same word after Frau/Herr is a name."""
    anonymiser = Anonymiser()
    kept = anonymiser.anonymise("Grüß Gott, wir sind ein Familienbetrieb.", "de").text
    assert kept == "Grüß Gott, wir sind ein Familienbetrieb."
    text = anonymiser.anonymise("Der Winter war hart, sagt Frau Winter.", "de").text
    assert text.startswith("Der Winter war hart")
    assert "Frau [PERSON_1]" in text


def test_nicknames_and_surname_after_old_man_removed() -> None:
    """Nickname frames and 'old man X' name people whose names are in no list."""
    anonymiser = Anonymiser()
    text = anonymiser.anonymise("Alle nennen mich Bubi, eigentlich heiße ich Hans Voss.", "de").text
    assert "Bubi" not in text
    assert "Voss" not in text
    text = anonymiser.anonymise("you'd have to ask old man hargreaves, he owns it", "en").text
    assert "hargreaves" not in text


def test_ordinary_capitalised_words_kept() -> None:
    """Greetings, abstract nouns and counts of staff are no names."""
    anonymiser = Anonymiser()
    for text in (
        "Herzliche Grüße und einen schönen Abend noch!",
        "Ehrlichkeit ist uns wichtig, Pünktlichkeit auch.",
        "Wir haben 4 Gesellen und 3 Lehrlinge, dazu eine Bürokraft.",
    ):
        assert anonymiser.anonymise(text, "de").text == text


def test_surname_in_noun_position_kept_but_removed_as_a_name() -> None:
    """'einen Weber', 'frischem Fang' are nouns; 'mit Weber gesprochen' is a person."""
    anonymiser = Anonymiser()
    for text in ("Einen Weber findet man heute kaum noch.", "Der Fischer bringt frischen Fang."):
        assert anonymiser.anonymise(text, "de").text == text
    assert "Weber" not in anonymiser.anonymise("Ich habe mit Weber gesprochen.", "de").text
    assert "Weber" not in anonymiser.anonymise("Beste Grüße\nAnna Weber", "de").text


def test_nickname_by_its_users_and_asked_for_name() -> None:
    """'Tess to her friends' and 'ask for the Manni' name people; 'open to all customers' not."""
    anonymiser = Anonymiser()
    assert "Tess" not in anonymiser.anonymise("Theresa, Tess to her friends, runs it", "en").text
    assert "Manni" not in anonymiser.anonymise("just ask for the Manni at the bar", "en").text
    for text in ("It is open to all customers.", "ask for the Manager"):
        assert anonymiser.anonymise(text, "en").text == text


def test_greeting_is_not_part_of_the_name() -> None:
    """A dialect greeting before a name stays ('Servus', 'Moin')."""
    anonymiser = Anonymiser()
    assert anonymiser.anonymise("Servus Anna, passt schon.", "de").text == (
        "Servus [PERSON_1], passt schon."
    )


@pytest.mark.parametrize("word", ["zoobedarf", "bewerbungsfotos", "hausärzten", "naturkosmetik"])
def test_compound_head_and_inflection_count_as_frequent(word: str) -> None:
    """A compound or inflected noun not in the table is read through its known head or lemma."""
    assert zipf(word) == 0
    assert noun_zipf(word) >= 3


@pytest.mark.parametrize("word", ["kowalczyk", "zeynep", "okonkwo"])
def test_unknown_names_have_no_noun_reading(word: str) -> None:
    """Rare names have no known head, so they stay unknown."""
    assert noun_zipf(word) == 0


def test_surname_heads_are_no_noun_evidence() -> None:
    """'-mann' and '-berg' form surnames: 'Lüdemann' is not read as a noun through 'mann'."""
    assert noun_zipf("lüdemann") == 0
    assert noun_zipf("quastenberg") == 0


@pytest.mark.parametrize(
    "text",
    [
        "Ich verkaufe Tierbedarf und Aquarienzubehör, dazu ein paar Gartenmöbel.",
        "Meine Hauptlieferanten sind Großhändlern aus der Region.",
        "Grüezi mitenand, wir haben ein kleines Geschäft am See.",
        "Servus beinand, bei uns in der Werkstatt läuft's grad zäh.",
    ],
)
def test_compound_nouns_and_dialect_greetings_are_kept(text: str) -> None:
    """Compound nouns and greeting words are no people."""
    assert "[PERSON" not in Anonymiser().anonymise(text).text
