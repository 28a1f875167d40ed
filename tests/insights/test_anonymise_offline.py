"""Anonymising never touches the network (the lexicon is read from package data only)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from needfinder.insights.anonymise import Anonymiser, KnownIdentities
from needfinder.insights.anonymise.evaluation import evaluate, load_eval_set


class NetworkUsed(AssertionError):
    """Raised by the socket guard."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise NetworkUsed(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_guard_works(no_network: None) -> None:
    with pytest.raises(NetworkUsed):
        socket.create_connection(("127.0.0.1", 9))


def test_anonymising_makes_no_connection(no_network: None) -> None:
    # A fresh lexicon load under the guard, then every recogniser on a text that has them all.
    from needfinder.insights.anonymise.lexicon import lexicon

    lexicon.cache_clear()
    anonymiser = Anonymiser(staff_names=("Maria Schulz",))
    ctx = anonymiser.new_context(KnownIdentities(names=("Anna Berger",), usernames=("anna_b",)))
    text = (
        "Ich heiße Anna, Mail anna@web.de, Shop www.anna-wolle.de, t.me/anna_b, "
        "Tel. +49 171 2345678, IBAN DE89 3704 0044 0532 0130 00, Karte 4111 1111 1111 1111, "
        "Kundennummer 48213, geboren am 3.4.1985, Lindenstraße 14, 49074 Osnabrück, "
        "Bäckerei Hansen, Krüger GmbH, Herr Klein, maria."
    )
    anonymiser.learn_names_from(text, ctx, "de")
    result = anonymiser.anonymise(text, "de", ctx)
    assert len(result.findings) >= 14
    assert anonymiser.check(result.text, "de") == []


def test_evaluation_makes_no_connection(no_network: None) -> None:
    report = evaluate(load_eval_set()[:60])
    assert report.cases == 60
