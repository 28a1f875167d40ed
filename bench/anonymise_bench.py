"""Benchmark: Needfinder's anonymiser vs plain Presidio on the same answers, one core, offline.

Run: ``python bench/anonymise_bench.py [--seconds 5]``. Always prints Needfinder's answers per
second (with its tagger) and its leak rate on the labelled set. The comparison with plain
Presidio (answers/s, ratio, leak rate) is printed only where ``presidio_analyzer``,
``presidio_anonymizer`` and spaCy import (``pip install -e '.[bench]'``); otherwise it says so.

Plain Presidio needs an NLP engine, and its default one downloads a spaCy model. We subclass
``SpacyNlpEngine`` and load ``spacy.blank("en")`` instead (tokeniser only, nothing to download),
so Presidio runs its default pattern recognizers (e-mail, phone, IBAN, card, URL, ...) without
NER. Presidio's e-mail recognizer calls ``tldextract.extract``, whose default instance fetches
the public-suffix list over the network on first use; we replace it with an instance built with
``suffix_list_urls=()`` and no cache dir, which reads the snapshot bundled in the wheel. A socket
guard makes any connection attempt fail the benchmark.
"""

from __future__ import annotations

import argparse
import os
import socket
import time
from collections.abc import Callable, Sequence
from typing import Any

from needfinder.insights.anonymise import Anonymiser, EntityType, Finding
from needfinder.insights.anonymise.context import PlaceholderContext
from needfinder.insights.anonymise.evaluation import EvalCase, EvalReport, evaluate, load_eval_set


def guard_network() -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"benchmark attempted a network connection: {args!r}")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def rate(function: Callable[[str], object], texts: Sequence[str], seconds: float) -> float:
    """Answers per second: whole passes over ``texts`` until ``seconds`` have passed."""
    done = 0
    start = time.perf_counter()
    while True:
        for text in texts:
            function(text)
        done += len(texts)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def build_presidio() -> tuple[Callable[[str], tuple[str, list[Any]]], Callable[[], None]]:
    import spacy
    import tldextract
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_anonymizer import AnonymizerEngine

    offline_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    tldextract.extract = offline_extract  # type: ignore[assignment]

    class BlankSpacyEngine(SpacyNlpEngine):
        """Presidio's spaCy engine with a blank English pipeline (no model download)."""

        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "en", "model_name": "blank"}])

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]  # typed as None

    analyzer = AnalyzerEngine(nlp_engine=BlankSpacyEngine(), supported_languages=["en"])
    anonymizer = AnonymizerEngine()

    def run(text: str) -> tuple[str, list[Any]]:
        # The default registry has English recognizers only; German texts go through them too.
        results = analyzer.analyze(text=text, language="en")
        # presidio-analyzer and presidio-anonymizer each declare a RecognizerResult class; the
        # anonymizer accepts the analyzer's at run time (Presidio's documented usage).
        output = anonymizer.anonymize(text=text, analyzer_results=results)  # type: ignore[arg-type]
        return output.text, results

    def warm_up() -> None:
        run("Mail anna@example.com, call +49 171 2345678.")

    return run, warm_up


_PRESIDIO_TYPES = {
    "EMAIL_ADDRESS": EntityType.EMAIL,
    "PHONE_NUMBER": EntityType.PHONE,
    "IBAN_CODE": EntityType.IBAN,
    "CREDIT_CARD": EntityType.CARD,
    "URL": EntityType.URL,
    "PERSON": EntityType.PERSON,
    "LOCATION": EntityType.ADDRESS,
    "DATE_TIME": EntityType.DATE_OF_BIRTH,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time per system")
    args = parser.parse_args()
    guard_network()
    pin_to_one_core()

    cases = load_eval_set()
    texts = [case.text for case in cases]
    chars = sum(len(t) for t in texts) / len(texts)

    load_start = time.perf_counter()
    anonymiser = Anonymiser(staff_names=("Maria Schulz",))
    anonymiser.anonymise("Herr Klein")  # loads the lexicon and the tagger once
    load_seconds = time.perf_counter() - load_start

    def ours(text: str) -> object:
        return anonymiser.anonymise(text, "auto", anonymiser.new_context())

    ours_rate = rate(ours, texts, args.seconds)
    # Longer answers: five labelled answers joined, about 250 characters each.
    long_texts = [" ".join(texts[i : i + 5]) for i in range(0, len(texts), 5)]
    long_chars = sum(len(t) for t in long_texts) / len(long_texts)
    ours_long = rate(ours, long_texts, args.seconds / 2)
    ours_report = evaluate(cases)

    print(f"answers: {len(texts)} (mean {chars:.0f} characters), one core, network guarded")
    print(f"lexicon and tagger load: {load_seconds * 1000:.0f} ms (once per process)")
    print(f"needfinder anonymiser: {ours_rate:8.0f} answers/s")
    print(f"long answers (mean {long_chars:.0f} characters): needfinder {ours_long:.0f}/s")
    _print_report("needfinder", ours_report)

    try:
        presidio, warm_up = build_presidio()
        warm_up()
    except ImportError as error:
        print(
            f"plain presidio: not compared ({error.name or error} is not importable; "
            "pip install -e '.[bench]' for the comparison)"
        )
        return

    presidio_rate = rate(presidio, texts, args.seconds)
    presidio_long = rate(presidio, long_texts, args.seconds / 2)

    def presidio_redactor(case: EvalCase, context: PlaceholderContext) -> tuple[str, list[Finding]]:
        output, results = presidio(case.text)
        findings = [
            Finding(_PRESIDIO_TYPES.get(r.entity_type, EntityType.ID), r.start, r.end)
            for r in results
        ]
        return output, findings

    presidio_report = evaluate(cases, presidio_redactor, lambda case: PlaceholderContext())
    print(
        f"plain presidio:        {presidio_rate:8.0f} answers/s (default recognizers, blank spaCy)"
    )
    print(f"ratio:                 {ours_rate / presidio_rate:8.1f}x")
    print(f"long answers: presidio {presidio_long:.0f}/s, ratio {ours_long / presidio_long:.1f}x")
    _print_report("presidio", presidio_report)


def _print_report(name: str, report: EvalReport) -> None:
    person = report.score(EntityType.PERSON)
    print(
        f"{name:<11} leak {report.leak_rate:6.1%}  recall {report.recall:6.1%}  "
        f"PERSON leak {person.leak_rate:6.1%}  over-redaction {report.over_redaction:5.2%}"
    )
    print(
        "            leak by type: "
        + ", ".join(
            f"{entity.value} {score.leak_rate:.1%}"
            for entity, score in sorted(report.per_type.items(), key=lambda kv: kv[0].value)
            if score.labelled
        )
    )


if __name__ == "__main__":
    main()
