"""Measure the anonymiser on a labelled set: recall, precision, leak rate, over-redaction.

The shipped set (``data/eval_set.jsonl``) has one JSON object per customer answer::

    {"id": "de-001", "language": "de", "split": "dev", "text": "...",
     "spans": [{"type": "PERSON", "start": 31, "end": 36, "value": "Klein"}],
     "known": {"names": [...], "usernames": [...]}, "staff": [...], "dialogue": "d1",
     "tags": ["control"]}

Answers with the same ``dialogue`` share one placeholder context and are processed in file
order, each first passed to :meth:`Anonymiser.learn_names_from`.

Labelling conventions: a person span is the name only (not "Herr"/"Dr."), without an English
"'s"; a shop is its proper name without the shop noun ("Bäckerei [Hansen]", "[Smith]'s
Hardware") unless a legal form makes the whole name ("[Wagner Logistik GmbH]", "[kestrel
logistics llc]"); an invented word with a trade word is the whole name ("[Nordlicht Medien]");
an identifier is the value without its keyword; a street address and its town form one span,
and a postcode with its town alone is an address. Brands used as tools (SAP, Excel, DHL) and
towns on their own are not personal data.

Scores: recall counts labelled values whose letters and digits are all inside findings; leak
rate counts labelled values still present verbatim in the output; precision counts findings
that overlap a labelled value of their type; over-redaction is the share of word tokens outside
labelled values that end up inside a finding (over all answers, and over answers without any
labelled value, the "controls").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from needfinder.insights.anonymise.anonymiser import Anonymiser
from needfinder.insights.anonymise.context import PlaceholderContext
from needfinder.insights.anonymise.model import EntityType, Finding, KnownIdentities

# Targets (issue 10), met on every reported set: leak rate overall and per type, and
# over-redaction overall and on answers without personal data.
MAX_OVERALL_LEAK = 0.02
MAX_TYPE_LEAK: dict[EntityType, float] = {
    EntityType.PERSON: 0.03,
    EntityType.ORG: 0.05,
    EntityType.ADDRESS: 0.05,
    EntityType.ID: 0.02,
    EntityType.DATE_OF_BIRTH: 0.02,
    # Contact data and payment numbers: nothing may leak.
    EntityType.EMAIL: 0.0,
    EntityType.PHONE: 0.0,
    EntityType.URL: 0.0,
    EntityType.HANDLE: 0.0,
    EntityType.IBAN: 0.0,
    EntityType.CARD: 0.0,
}
MAX_OVER_REDACTION = 0.01
MAX_CONTROL_OVER_REDACTION = 0.02

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class LabelledSpan:
    """One labelled piece of personal data in an evaluation case."""

    type: EntityType
    start: int
    end: int
    value: str


@dataclass(frozen=True, slots=True)
class EvalCase:
    """One customer answer of the evaluation set."""

    id: str
    language: str
    text: str
    spans: tuple[LabelledSpan, ...]
    known: KnownIdentities = field(default_factory=KnownIdentities)
    staff: tuple[str, ...] = ()
    dialogue: str | None = None
    split: str = "dev"
    tags: tuple[str, ...] = ()


@dataclass
class TypeScore:
    """Counts for one entity type."""

    labelled: int = 0
    removed: int = 0  # labelled spans whose letters and digits are all inside findings
    typed_right: int = 0  # ... of those, covered by a finding of the same type
    leaked: int = 0  # labelled values still present verbatim in the output
    findings: int = 0
    findings_on_pii: int = 0  # findings of this type overlapping a labelled span of this type

    @property
    def recall(self) -> float:
        """Share of labelled spans removed entirely."""
        return self.removed / self.labelled if self.labelled else 1.0

    @property
    def precision(self) -> float:
        """Share of findings of this type that hit a labelled span of this type."""
        return self.findings_on_pii / self.findings if self.findings else 1.0

    @property
    def leak_rate(self) -> float:
        """Share of labelled values still present verbatim in the output."""
        return self.leaked / self.labelled if self.labelled else 0.0


@dataclass
class EvalReport:
    """Figures for a whole evaluation run."""

    cases: int = 0
    per_type: dict[EntityType, TypeScore] = field(default_factory=dict)
    words: int = 0  # words outside labelled spans
    words_removed: int = 0
    capitalised_words: int = 0  # the at-risk kind: nouns, products, names of things
    capitalised_removed: int = 0
    control_answers: int = 0  # answers without any personal data
    controls_changed: int = 0
    control_words: int = 0  # words of those answers
    control_words_removed: int = 0
    by_language: dict[str, EvalReport] = field(default_factory=dict)
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)
    leaks: list[tuple[str, str, str]] = field(default_factory=list)

    def score(self, entity: EntityType) -> TypeScore:
        """The (possibly empty) score of one type."""
        return self.per_type.setdefault(entity, TypeScore())

    @property
    def labelled(self) -> int:
        """All labelled spans."""
        return sum(s.labelled for s in self.per_type.values())

    @property
    def leak_rate(self) -> float:
        """Overall share of labelled values left verbatim in the output."""
        leaked = sum(s.leaked for s in self.per_type.values())
        return leaked / self.labelled if self.labelled else 0.0

    @property
    def recall(self) -> float:
        """Overall share of labelled spans removed entirely."""
        removed = sum(s.removed for s in self.per_type.values())
        return removed / self.labelled if self.labelled else 1.0

    @property
    def precision(self) -> float:
        """Overall share of findings that hit personal data of the same type."""
        findings = sum(s.findings for s in self.per_type.values())
        hits = sum(s.findings_on_pii for s in self.per_type.values())
        return hits / findings if findings else 1.0

    @property
    def over_redaction(self) -> float:
        """Share of word tokens outside labelled spans that end up inside a finding."""
        return self.words_removed / self.words if self.words else 0.0

    @property
    def control_over_redaction(self) -> float:
        """The same share on answers without any personal data."""
        return self.control_words_removed / self.control_words if self.control_words else 0.0

    @property
    def capitalised_over_redaction(self) -> float:
        """Share of capitalised non-personal words removed (nouns, products: the at-risk kind)."""
        return self.capitalised_removed / self.capitalised_words if self.capitalised_words else 0.0

    @property
    def word_over_redaction(self) -> float:
        """Alias of :attr:`over_redaction` (kept for callers of the earlier name)."""
        return self.over_redaction

    def failures(self) -> list[str]:
        """Targets that were missed, as readable sentences; empty when all are met."""
        problems = []
        if self.leak_rate > MAX_OVERALL_LEAK:
            problems.append(f"overall leak rate {self.leak_rate:.1%} > {MAX_OVERALL_LEAK:.0%}")
        for entity, limit in MAX_TYPE_LEAK.items():
            score = self.per_type.get(entity)
            if score and score.leak_rate > limit:
                problems.append(f"{entity.value} leak rate {score.leak_rate:.1%} > {limit:.0%}")
        if self.over_redaction > MAX_OVER_REDACTION:
            problems.append(f"over-redaction {self.over_redaction:.1%} > {MAX_OVER_REDACTION:.0%}")
        if self.control_over_redaction > MAX_CONTROL_OVER_REDACTION:
            problems.append(
                f"over-redaction on answers without personal data "
                f"{self.control_over_redaction:.1%} > {MAX_CONTROL_OVER_REDACTION:.0%}"
            )
        return problems

    def overall_dict(self) -> dict[str, object]:
        """The overall figures as a JSON-friendly dict."""
        return {
            "cases": self.cases,
            "labelled": self.labelled,
            "recall": round(self.recall, 4),
            "precision": round(self.precision, 4),
            "leak_rate": round(self.leak_rate, 4),
            "over_redaction": round(self.over_redaction, 4),
            "over_redaction_controls": round(self.control_over_redaction, 4),
            "over_redaction_capitalised": round(self.capitalised_over_redaction, 4),
            "controls_changed": self.controls_changed,
            "control_answers": self.control_answers,
        }

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly figures (no text of the cases)."""
        return {
            "cases": self.cases,
            "labelled": self.labelled,
            "overall": self.overall_dict(),
            "per_type": {
                entity.value: {
                    "labelled": score.labelled,
                    "recall": round(score.recall, 4),
                    "typed_right": score.typed_right,
                    "precision": round(score.precision, 4),
                    "findings": score.findings,
                    "leak_rate": round(score.leak_rate, 4),
                }
                for entity, score in sorted(self.per_type.items(), key=lambda kv: kv[0].value)
            },
            "per_language": {
                language: report.overall_dict()
                for language, report in sorted(self.by_language.items())
            },
            "targets_met": not self.failures(),
            "failures": self.failures(),
        }


def data_path(name: str) -> Path:
    """Location of a file under the package's ``data/`` folder."""
    return Path(
        str(resources.files("needfinder.insights.anonymise").joinpath("data").joinpath(name))
    )


def default_set_path() -> Path:
    """Location of the hand-labelled set shipped with the package."""
    return data_path("eval_set.jsonl")


# The sets ``needfinder anonymise evaluate`` reports, by name, with their files under data/.
# "train/dev" was tuned and (its "train" split) trained on; "dev-hand" was written by hand to
# probe the failure classes and tuned on; "dev-contact" probes contact data and numbers in
# every format (written from the markup brief, tuned on); "dev-traps" (round 8, from the
# brief) is mostly answers without personal data full of ordinary words that are also names,
# dishes named after places and capitalised nouns, to tune over-redaction on; "dev-firms"
# (round 8, from the brief) names businesses in every kind of context. "blind2" was
# written by someone who never saw this code, scored blind once at the end of round 2 and has
# been a development set since (its failures were read); so has "blind8" (round 7), whose
# text was seen after its round-7 scores. "blind4" (round 4), "blind6" (round 6) and
# "blind10" (round 8) are blind sets: written apart from the code, scored only at the end of a
# piece of work, never tuned on. The first blind set is trained on now
# (scripts/anonymiser_contexts/), so it is no longer a measure of anything; see the README.
NAMED_SETS: dict[str, tuple[str, ...]] = {
    "train/dev": ("train_set.jsonl", "eval_set.jsonl"),
    "dev-hand": ("dev_hand_set.jsonl",),
    "dev-contact": ("dev_contact_set.jsonl",),
    "dev-traps": ("dev_traps_set.jsonl",),
    "dev-firms": ("dev_firms_set.jsonl",),
    "blind2": ("blind2_set.jsonl",),
    "blind4": ("blind4_set.jsonl",),
    "blind6": ("blind6_set.jsonl",),
    "blind8": ("blind8_set.jsonl",),
    "blind10": ("blind10_set.jsonl",),
}


def load_named_set(name: str) -> list[EvalCase] | None:
    """The cases of a named set, or None when one of its files is not there."""
    cases: list[EvalCase] = []
    for filename in NAMED_SETS[name]:
        path = data_path(filename)
        if not path.is_file():
            return None
        cases.extend(load_eval_set(path))
    return cases


def load_eval_set(path: Path | None = None) -> list[EvalCase]:
    """Read an evaluation set (JSONL); raises ValueError naming the line of a malformed entry."""
    source = path or default_set_path()
    cases = []
    with open(source, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                known = raw.get("known") or {}
                case = EvalCase(
                    id=str(raw.get("id", number)),
                    language=raw.get("language", "auto"),
                    text=raw["text"],
                    spans=tuple(
                        LabelledSpan(
                            EntityType(s["type"]),
                            s["start"],
                            s["end"],
                            s.get("value") or raw["text"][s["start"] : s["end"]],
                        )
                        for s in raw.get("spans", ())
                    ),
                    known=KnownIdentities(
                        names=tuple(known.get("names", ())),
                        usernames=tuple(known.get("usernames", ())),
                    ),
                    staff=tuple(raw.get("staff", ())),
                    dialogue=raw.get("dialogue"),
                    split=raw.get("split", "dev"),
                    tags=tuple(raw.get("tags", ())),
                )
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(
                    f"{source}:{number}: malformed evaluation case ({error})"
                ) from error
            for span in case.spans:
                if case.text[span.start : span.end] != span.value:
                    raise ValueError(f"{source}:{number}: span {span} does not match the text")
            cases.append(case)
    return cases


# A system under test: (case, context) -> (output text, findings). The default wraps the
# Anonymiser; the benchmark passes other systems (plain Presidio) through the same scoring.
Redactor = Callable[[EvalCase, PlaceholderContext], tuple[str, Sequence[Finding]]]


def anonymiser_redactor() -> tuple[Redactor, Callable[[EvalCase], PlaceholderContext]]:
    """The default system: one Anonymiser per staff list, learning names before anonymising."""
    anonymisers: dict[tuple[str, ...], Anonymiser] = {}

    def get(case: EvalCase) -> Anonymiser:
        if case.staff not in anonymisers:
            anonymisers[case.staff] = Anonymiser(staff_names=case.staff)
        return anonymisers[case.staff]

    def redact(case: EvalCase, context: PlaceholderContext) -> tuple[str, Sequence[Finding]]:
        anonymiser = get(case)
        language = case.language if case.language in ("de", "en") else "auto"
        anonymiser.learn_names_from(case.text, context, language)  # type: ignore[arg-type]
        result = anonymiser.anonymise(case.text, language, context)  # type: ignore[arg-type]
        return result.text, result.findings

    def new_context(case: EvalCase) -> PlaceholderContext:
        return get(case).new_context(case.known)

    return redact, new_context


def _covered(
    findings: Sequence[Finding], start: int, end: int, text: str
) -> tuple[bool, bool, set[EntityType]]:
    """(all alphanumerics covered?, any overlap?, types of overlapping findings)."""
    types = {f.type for f in findings if f.start < end and start < f.end}
    for index in range(start, end):
        if text[index].isalnum() and not any(f.start <= index < f.end for f in findings):
            return False, bool(types), types
    return True, bool(types), types


def _leaked(value: str, output: str) -> bool:
    pattern = r"(?<![\w])" + re.escape(value) + r"(?![\w])"
    return re.search(pattern, output) is not None


def evaluate(
    cases: Iterable[EvalCase],
    redactor: Redactor | None = None,
    new_context: Callable[[EvalCase], PlaceholderContext] | None = None,
) -> EvalReport:
    """Run a system over the cases and score it (see the module docstring for the rules)."""
    if redactor is None or new_context is None:
        redactor, new_context = anonymiser_redactor()
    report = EvalReport()
    contexts: dict[str, PlaceholderContext] = {}
    for case in cases:
        report.cases += 1
        if case.dialogue is not None:
            context = contexts.get(case.dialogue)
            if context is None:
                context = contexts[case.dialogue] = new_context(case)
        else:
            context = new_context(case)
        output, findings = redactor(case, context)
        _score_case(report, case, output, findings)
        language = report.by_language.get(case.language)
        if language is None:
            language = report.by_language[case.language] = EvalReport()
        language.cases += 1
        _score_case(language, case, output, findings)
    return report


def _score_case(
    report: EvalReport, case: EvalCase, output: str, findings: Sequence[Finding]
) -> None:
    text = case.text
    for span in case.spans:
        score = report.score(span.type)
        score.labelled += 1
        complete, _, types = _covered(findings, span.start, span.end, text)
        if complete:
            score.removed += 1
            if span.type in types:
                score.typed_right += 1
        if _leaked(span.value, output):
            score.leaked += 1
            report.leaks.append((case.id, span.type.value, span.value))
    for finding in findings:
        score = report.score(finding.type)
        score.findings += 1
        if any(
            s.type is finding.type and finding.start < s.end and s.start < finding.end
            for s in case.spans
        ):
            score.findings_on_pii += 1
        elif not any(finding.start < s.end and s.start < finding.end for s in case.spans):
            report.false_positives.append(
                (case.id, finding.type.value, text[finding.start : finding.end])
            )
    for word in _WORD.finditer(text):
        if any(word.start() < s.end and s.start < word.end() for s in case.spans):
            continue
        removed = any(word.start() < f.end and f.start < word.end() for f in findings)
        report.words += 1
        report.words_removed += removed
        if not case.spans:
            report.control_words += 1
            report.control_words_removed += removed
        if word.group()[0].isupper():
            report.capitalised_words += 1
            report.capitalised_removed += removed
    if not case.spans:
        report.control_answers += 1
        report.controls_changed += bool(findings)
