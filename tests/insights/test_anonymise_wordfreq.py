"""The common-word table: ships in the package, loads offline, and keeps frequent nouns."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from needfinder.insights.anonymise import Anonymiser
from needfinder.insights.anonymise.wordfreq import buckets, frequency_table, zipf


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
