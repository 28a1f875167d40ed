"""The statistical tagger: shipped model loads offline, the training script's output loads the
same way, and the training data is what the README says it is."""

from __future__ import annotations

import importlib.util
import socket
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from needfinder.insights.anonymise import Anonymiser, EntityType
from needfinder.insights.anonymise.evaluation import data_path, load_eval_set
from needfinder.insights.anonymise.lexicon import lexicon
from needfinder.insights.anonymise.tagger import (
    LABELS,
    Tagger,
    _frequent_words_only,
    _with_possessive_noun,
    bio_labels,
    shipped_model_path,
    shipped_tagger,
    spans_from_labels,
    tokenize,
    train,
)

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_LABELS = {"O"} | {f"{p}-{stem}" for stem in LABELS for p in ("B", "I")}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_model_is_small_and_loads_offline(no_network: None) -> None:
    path = shipped_model_path()
    assert path.is_file() and path.stat().st_size < 3_000_000
    tagger = Tagger(path)
    assert set(tagger.labels) == EXPECTED_LABELS
    spans = tagger.spans("wir sind Kiebitzhof Logistik und fahren Möbel.")
    assert spans and spans[0][0] is EntityType.ORG


def test_training_output_has_the_shipped_format(tmp_path: Path) -> None:
    # A tiny model from the training function the script uses, loaded by the same loader.
    cases = [c for c in load_eval_set(data_path("train_set.jsonl")) if c.split == "train"][:80]
    examples = [(c.text, [(s.type, s.start, s.end) for s in c.spans]) for c in cases]
    path = train(examples, tmp_path / "tiny.crfsuite", {"max_iterations": 30})
    tiny = Tagger(path)
    assert set(tiny.labels) <= EXPECTED_LABELS and "O" in tiny.labels
    assert set(shipped_tagger().labels) == EXPECTED_LABELS
    # It learned something: most labelled values of its own training texts come back.
    found = sum(
        any(start <= s.start and s.end <= end for _, start, end in tiny.spans(c.text))
        for c in cases
        for s in c.spans
        if s.type in (EntityType.PERSON, EntityType.ORG)
    )
    wanted = sum(1 for c in cases for s in c.spans if s.type in (EntityType.PERSON, EntityType.ORG))
    assert found >= 0.5 * wanted


def test_labels_round_trip() -> None:
    text = "I run Donnelly's garage, ask Flo."
    tokens = tokenize(text)
    spans = [(EntityType.ORG, 6, 14), (EntityType.PERSON, 29, 32)]
    assert spans_from_labels(tokens, bio_labels(tokens, spans)) == spans


def test_training_never_sees_the_held_out_sets() -> None:
    cases = _script("train_anonymiser").training_cases()
    assert {c.split for c in cases} <= {"train", "dev", "test", "holdout", "holdout2", "train-ctx"}
    assert any(c.split == "train-ctx" for c in cases)  # the refilled hand-written answers
    texts = {c.text for c in cases}
    held_out_files = _script("refill_anonymiser_contexts").HELD_OUT
    assert set(held_out_files) >= {
        "dev_hand_set.jsonl",
        "dev_contact_set.jsonl",
        "dev_traps_set.jsonl",
        "dev_firms_set.jsonl",
        "blind4_set.jsonl",
        "blind6_set.jsonl",
        "blind8_set.jsonl",
        "blind10_set.jsonl",
    }
    for name in held_out_files:
        if not data_path(name).is_file():
            continue  # a blind set is only installed where its writer put it
        held_out = load_eval_set(data_path(name))
        assert not texts & {c.text for c in held_out}, name


def test_generated_set_is_large_varied_and_bilingual() -> None:
    cases = load_eval_set(data_path("train_set.jsonl"))
    assert len(cases) >= 3000
    languages = Counter(c.language for c in cases)
    assert min(languages["de"], languages["en"]) >= 0.4 * len(cases)
    assert sum(1 for c in cases if not c.spans) >= 0.15 * len(cases)
    assert len({c.text for c in cases}) >= 0.95 * len(cases)
    lower = sum(1 for c in cases for s in c.spans if s.value.islower())
    assert lower >= 0.2 * sum(len(c.spans) for c in cases)


def test_tagger_fills_gaps_but_rules_keep_their_spans() -> None:
    anonymiser = Anonymiser()
    assert anonymiser.anonymise("Ich habe mit Herrn Klein gesprochen", "de").text == (
        "Ich habe mit Herrn [PERSON_1] gesprochen"
    )
    rules_only = Anonymiser(tagger=None)
    text = "Geliefert hat Pfauenhof, pünktlich."
    assert "Pfauenhof" in rules_only.anonymise(text, "de").text  # no rule knows the firm
    assert anonymiser.anonymise(text, "de").text == "Geliefert hat [ORG_1], pünktlich."


def test_tagged_values_get_their_own_placeholders() -> None:
    # Two different firms only the tagger finds are two placeholders, the same one twice is one.
    anonymiser = Anonymiser()
    ctx = anonymiser.new_context()
    first = anonymiser.anonymise("wir sind Kiebitzhof Logistik und fahren Möbel.", "de", ctx)
    second = anonymiser.anonymise(
        "Die Firma Sturmwerk Medien hilft Kiebitzhof Logistik.", "de", ctx
    )
    assert first.text == "wir sind [ORG_1] und fahren Möbel."
    assert second.text == "Die Firma [ORG_2] hilft [ORG_1]."


def test_a_lower_case_surname_after_a_found_first_name_is_kept_with_it() -> None:
    out = Anonymiser().anonymise("Hallo, ich bin Mark schwab.", "de").text
    assert out == "Hallo, ich bin [PERSON_1]."


def test_refilled_training_answers_match_their_sources() -> None:
    # The committed training file is what the refill script makes of the hand-written answers.
    refill = _script("refill_anonymiser_contexts")
    data, rows, sources = refill.build()
    assert data == refill.OUTPUT.read_bytes(), "rerun scripts/refill_anonymiser_contexts.py"
    assert rows > 4 * sources * 0.6


def test_refilled_copies_never_invent_a_scored_firm_or_full_name() -> None:
    # Fresh values come from word lists a scored set's writer may also have thought of.
    refill = _script("refill_anonymiser_contexts")
    held_out = refill.held_out_values()
    assert held_out  # the development sets are always installed
    cases = _script("train_anonymiser").training_cases()
    copies = [c for c in cases if c.split == "train-ctx"]
    assert copies
    for case in copies:
        spans = [{"type": s.type.value, "start": s.start, "end": s.end} for s in case.spans]
        row = {"text": case.text, "spans": spans}
        assert not refill.shares_held_out_value(row, held_out, lone_surnames=False), case.id
    firm = {"text": "Wir sind Moorfeld Studios", "spans": [{"type": "ORG", "start": 9, "end": 25}]}
    assert refill.shares_held_out_value(firm, frozenset({"moorfeld studios"}), lone_surnames=False)


def test_refilled_copies_keep_type_shape_and_case() -> None:
    refill = _script("refill_anonymiser_contexts")
    text = "ich bin jana weiß von Kiebitz Logistik, Kundennr V-050178"
    labelled = [("PERSON", "jana weiß"), ("ORG", "Kiebitz Logistik"), ("ID", "V-050178")]
    spans = [
        {"type": kind, "start": text.index(value), "end": text.index(value) + len(value)}
        for kind, value in labelled
    ]
    case = {"language": "de", "text": text, "spans": spans}
    first = refill.refill(case, refill.Refiller(3))
    assert first == refill.refill(case, refill.Refiller(3))  # a fixed seed, the same copy
    values = {s["type"]: first["text"][s["start"] : s["end"]] for s in first["spans"]}
    assert [s["type"] for s in first["spans"]] == ["PERSON", "ORG", "ID"]
    assert values["PERSON"] != "jana weiß" and values["PERSON"].islower()
    assert len(values["PERSON"].split()) == 2
    assert values["ORG"] != "Kiebitz Logistik" and len(values["ORG"].split()) == 2
    assert all(word[0].isupper() for word in values["ORG"].split())
    assert len(values["ID"]) == 8 and values["ID"][1] == "-" and values["ID"] != "V-050178"
    for span in first["spans"]:
        assert span["value"] == first["text"][span["start"] : span["end"]]


def test_a_sure_model_does_not_turn_idioms_into_names() -> None:
    assert Anonymiser().anonymise("Im Ernst, das dauert.", "de").text == "Im Ernst, das dauert."


def test_tokens_glued_to_markup_are_no_names() -> None:
    text = 'Hacker "><img src=x onerror=alert(1)> and <b>bold</b>'
    assert Anonymiser().anonymise(text, "en").text == text


def test_no_training_answer_shares_a_value_with_a_scored_set() -> None:
    refill = _script("refill_anonymiser_contexts")
    held_out = refill.held_out_values()
    blind = load_eval_set(data_path("blind4_set.jsonl"))
    firm = next(s.value for c in blind for s in c.spans if s.type is EntityType.ORG)
    assert firm.casefold() in held_out or any(firm.lower() in v for v in held_out)
    text = f"we are {firm} and we need help"
    case = {"text": text, "spans": [{"type": "ORG", "start": 7, "end": 7 + len(firm)}]}
    assert refill.shares_held_out_value(case, held_out)
    assert not any(refill.shares_held_out_value(c, held_out) for c in refill.sources())
    # Nearly the same text as a scored answer is out too, with or without values.
    texts = refill.held_out_word_sets()
    scored = blind[0].text
    assert refill.near_held_out_text({"text": scored + " thanks", "spans": []}, texts)
    assert not refill.near_held_out_text({"text": "zqx wvy", "spans": []}, texts)
    # A lone listed first name is everywhere and may occur on both sides.
    kerstin = {"text": "bin Kerstin", "spans": [{"type": "PERSON", "start": 4, "end": 11}]}
    assert not refill.shares_held_out_value(kerstin, frozenset({"kerstin"}))


def test_sizes_and_short_digit_pairs_are_no_phone_numbers() -> None:
    anonymiser = Anonymiser()
    for text in ("we stock sizes 8 10 12 14 16", "sort them by size 10 12 14"):
        assert anonymiser.anonymise(text, "en").text == text
    assert anonymiser.anonymise("ring me on 07 12 34 56 78", "en").text == "ring me on [PHONE_1]"


def test_a_possessive_without_apostrophe_is_no_plural_noun() -> None:
    text = "i do the books for sallys salon"
    # "sallys" would pass as the plural of a frequent word; it is Sally's.
    assert not _frequent_words_only(["sallys"], lexicon(), text, 19, 0.8)
    assert _frequent_words_only(["books"], lexicon(), text, 10, 0.8)


def test_a_tagged_firm_keeps_the_noun_after_its_possessive() -> None:
    anonymiser = Anonymiser()
    text = "i do the books for sally's salon"
    assert anonymiser.anonymise(text, "en").text == "i do the books for [ORG_1]"
    # What someone has is no part of a firm's name.
    assert _with_possessive_noun("Efua's email is best", 4, lexicon()) == 4
    assert _with_possessive_noun("Donnelly's is closing", 8, lexicon()) == 8


@pytest.mark.parametrize(
    ("source", "shipped", "split", "prefix"),
    [
        ("dev_hand_source.txt", "dev_hand_set.jsonl", "dev-hand", "hand"),
        ("dev_contact_source.txt", "dev_contact_set.jsonl", "dev-contact", "contact"),
        ("dev_traps_source.txt", "dev_traps_set.jsonl", "dev-traps", "traps"),
        ("dev_firms_source.txt", "dev_firms_set.jsonl", "dev-firms", "firms"),
    ],
)
def test_hand_written_development_sets_match_their_sources(
    source: str, shipped: str, split: str, prefix: str
) -> None:
    # The JSONL files are what scripts/generate_anonymiser_sets.py makes of the source files.
    cases = _script("generate_anonymiser_sets").convert_hand(
        ROOT / "scripts" / source, split, prefix
    )
    loaded = load_eval_set(data_path(shipped))
    assert [(c["id"], c["text"]) for c in cases] == [(c.id, c.text) for c in loaded]
    assert [len(c["spans"]) for c in cases] == [len(c.spans) for c in loaded]  # type: ignore[arg-type]
