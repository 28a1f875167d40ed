"""``needfinder anonymise``: anonymise text from stdin, and measure the anonymiser.

Exports :data:`anonymise_group` (register it with ``main.add_command(anonymise_group)``).
``needfinder anonymise`` alone reads stdin; ``needfinder anonymise evaluate`` scores the
labelled set. Both work offline and touch no database.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import click

from needfinder.cli.common import Failure
from needfinder.insights.anonymise import Anonymiser, KnownIdentities, PlaceholderContext
from needfinder.insights.anonymise.evaluation import (
    MAX_CONTROL_OVER_REDACTION,
    MAX_OVER_REDACTION,
    MAX_OVERALL_LEAK,
    MAX_TYPE_LEAK,
    NAMED_SETS,
    EvalReport,
    evaluate,
    load_eval_set,
    load_named_set,
)

Lang = Literal["de", "en", "auto"]


@dataclass(frozen=True, slots=True)
class _Line:
    """One input record: its id and text."""

    id: Any
    text: str
    dialogue: str | None = None


def _parse_lines(lines: Iterable[str]) -> list[_Line]:
    """Parse JSONL or plain text lines; raise Failure naming the first malformed line."""
    records: list[_Line] = []
    sequence = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        sequence += 1
        if not line.lstrip().startswith("{"):
            records.append(_Line(sequence, line))
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise Failure(f"stdin line {number}: malformed JSON ({error.msg})") from None
        if not isinstance(value, dict) or not isinstance(value.get("text"), str):
            raise Failure(f'stdin line {number}: expected an object with a string "text"')
        dialogue = value.get("dialogue")
        records.append(
            _Line(
                value.get("id", sequence),
                value["text"],
                None if dialogue is None else str(dialogue),
            )
        )
    return records


@click.group(
    "anonymise",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--lang",
    type=click.Choice(["de", "en", "auto"]),
    default="auto",
    show_default=True,
    help="Language of the input; auto guesses per line from stop words.",
)
@click.option(
    "--staff",
    "staff_names",
    multiple=True,
    metavar="NAME",
    help="A staff name to remove wherever it occurs (repeatable).",
)
@click.option(
    "--known",
    "known_names",
    multiple=True,
    metavar="NAME",
    help="A participant name to remove wherever it occurs (repeatable).",
)
@click.option(
    "--per-line",
    is_flag=True,
    help="Number placeholders afresh for every line instead of once for the whole run.",
)
@click.pass_context
def anonymise_group(
    ctx: click.Context,
    lang: str,
    staff_names: tuple[str, ...],
    known_names: tuple[str, ...],
    per_line: bool,
) -> None:
    """Anonymise text from stdin: JSONL {"id", "text"} or plain lines in, JSONL out.

    Personal data becomes typed placeholders ([PERSON_1], [EMAIL_1], ...), consistent for the
    whole run: the same name gets the same placeholder on every line. Names a line introduces
    ("ich heiße ...", "my name is ...") are removed from later lines too; a name that is also an
    ordinary word only on lines of the same "dialogue" (a JSONL field) or in name context.
    Runs offline.
    """
    if ctx.invoked_subcommand is not None:
        return
    records = _parse_lines(sys.stdin)
    anonymiser = Anonymiser(staff_names=staff_names)
    known = KnownIdentities(names=known_names)
    shared: PlaceholderContext = anonymiser.new_context(known)
    language = cast(Lang, lang)
    for number, record in enumerate(records):
        context = anonymiser.new_context(known) if per_line else shared
        # Names learned on one line are removed from the lines of the same dialogue (JSONL
        # "dialogue"; without it each line is its own); elsewhere a learned name that is also
        # a word ("Klein", "Frost") only where the context makes it a name.
        context.set_dialogue(record.dialogue if record.dialogue is not None else f"#{number}")
        anonymiser.learn_names_from(record.text, context, language)
        result = anonymiser.anonymise(record.text, language, context)
        click.echo(json.dumps({"id": record.id, "text": result.text}, ensure_ascii=False))


@anonymise_group.command("evaluate")
@click.option(
    "--set",
    "set_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Score this labelled JSONL file instead of the shipped sets.",
)
@click.option(
    "--only",
    type=click.Choice(list(NAMED_SETS)),
    help="Score one shipped set only (default: all that are present).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--check",
    is_flag=True,
    help="Exit with status 1 when a target is missed on any reported set.",
)
def evaluate_command(set_path: Path | None, only: str | None, as_json: bool, check: bool) -> None:
    """Measure recall, precision, leak rate and over-redaction per set, type and language.

    The shipped sets are "train/dev" (generated and hand-labelled answers, tuned and trained
    on), "dev-hand" (hand-written, tuned on), "dev-contact" (contact data and numbers in every
    format, hand-written, tuned on), "dev-traps" (mostly answers without personal data full of
    words that are also names, tuned on), "dev-firms" (firm names in every kind of context,
    tuned on), "blind2" (written by someone who never saw the
    code; blind once, a development set since), "blind8" (blind in round 7, a development set
    since), "blind4", "blind6" and "blind10" (blind sets, written apart from the code and never
    tuned on; blind10 is the newest). A set whose file is absent is reported as such.
    """
    reports: dict[str, EvalReport] = {}
    missing: list[str] = []
    try:
        if set_path is not None:
            reports[set_path.name] = evaluate(load_eval_set(set_path))
        else:
            for name in [only] if only else list(NAMED_SETS):
                cases = load_named_set(name)
                if cases is None:
                    missing.append(name)
                else:
                    reports[name] = evaluate(cases)
    except ValueError as error:
        raise Failure(str(error)) from None
    if as_json:
        figures: dict[str, object] = {name: r.as_dict() for name, r in reports.items()}
        figures["missing_sets"] = missing
        figures["targets_met"] = all(not r.failures() for r in reports.values())
        click.echo(json.dumps(figures, indent=2))
    else:
        blocks = [f"== {name} ==\n{format_report(report)}" for name, report in reports.items()]
        blocks += [
            f"== {name} ==\nnot installed ({', '.join(NAMED_SETS[name])} is absent): not scored"
            for name in missing
        ]
        click.echo("\n\n".join(blocks))
    if check and any(report.failures() for report in reports.values()):
        sys.exit(1)


def _target(limit: float | None) -> str:
    return f"≤{limit:.0%}" if limit is not None else ""


def format_report(report: EvalReport) -> str:
    """One set's evaluation as a plain-text table with the targets."""
    lines = [
        f"{report.cases} answers, {report.labelled} labelled values, "
        f"{report.control_answers} answers without personal data",
        "",
        f"{'TYPE':<14} {'N':>5} {'RECALL':>7} {'PRECISION':>9} {'LEAK':>6} {'TARGET':>7}",
    ]
    for entity, score in sorted(report.per_type.items(), key=lambda kv: kv[0].value):
        if not score.labelled and not score.findings:
            continue
        lines.append(
            f"{entity.value:<14} {score.labelled:>5} {score.recall:>7.1%} "
            f"{score.precision:>9.1%} {score.leak_rate:>6.1%} "
            f"{_target(MAX_TYPE_LEAK.get(entity)):>7}"
        )
    lines.append(
        f"{'overall':<14} {report.labelled:>5} {report.recall:>7.1%} {report.precision:>9.1%} "
        f"{report.leak_rate:>6.1%} {_target(MAX_OVERALL_LEAK):>7}"
    )
    lines += [
        "",
        f"{'LANGUAGE':<14} {'N':>5} {'RECALL':>7} {'PRECISION':>9} {'LEAK':>6} {'OVER-RED.':>9}",
    ]
    for language, part in sorted(report.by_language.items()):
        lines.append(
            f"{language:<14} {part.labelled:>5} {part.recall:>7.1%} {part.precision:>9.1%} "
            f"{part.leak_rate:>6.1%} {part.over_redaction:>9.1%}"
        )
    lines += [
        "",
        f"over-redaction: {report.over_redaction:.2%} of words outside labelled values "
        f"(target {_target(MAX_OVER_REDACTION)}); {report.control_over_redaction:.2%} on answers "
        f"without personal data (target {_target(MAX_CONTROL_OVER_REDACTION)}), "
        f"{report.controls_changed} of {report.control_answers} of them changed",
    ]
    failures = report.failures()
    lines.append("targets: met" if not failures else "targets missed: " + "; ".join(failures))
    return "\n".join(lines)
