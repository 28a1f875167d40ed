"""``needfinder digest evaluate``: measure needs-first digests on labelled sets.

Exports :data:`evaluate_command`; mount it on the ``digest`` group with
``digest.add_command(evaluate_command)``. Works offline and touches no database.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from needfinder.cli.common import Failure
from needfinder.insights.theme_eval import (
    BLIND_FILE,
    MIN_PURITY,
    MIN_SHARE,
    TARGET_PURITY,
    TARGET_RECOVERED,
    EvalDialogue,
    SetReport,
    blind_set,
    dev_set,
    evaluate,
    load_set,
)


@click.command("evaluate", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--set",
    "which",
    type=click.Choice(["all", "dev", "tune", "holdout", "blind"]),
    default="all",
    show_default=True,
    help=(
        "all: the development set's tuning and held-out parts and the blind set (when shipped); "
        "tune: the part the classifier was trained on; holdout: written from phrases never "
        "trained on; dev: both parts as one set; blind: written by others who never saw the code "
        "(each round of it reported apart)."
    ),
)
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Score this labelled JSONL set instead (same format as the blind set).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--check",
    is_flag=True,
    help="Exit with status 1 when a target is missed on any set reported.",
)
def evaluate_command(which: str, path: Path | None, as_json: bool, check: bool) -> None:
    """Build a digest over labelled sets and score its need themes against the true needs.

    A need is recovered when one theme holds at least half the dialogues whose primary need it
    is, at a purity of at least 60 % (purity: share of a theme's dialogues labelled with its
    majority need).
    """
    sets: list[tuple[str, list[EvalDialogue]]] = []
    notes: list[str] = []
    if path is not None:
        try:
            sets.append((path.name, load_set(path.read_text("utf-8"), str(path))))
        except ValueError as error:
            raise Failure(str(error)) from None
    else:
        dev = dev_set()
        if which in ("all", "tune"):
            sets.append(("dev: tune", [d for d in dev if d.split == "tune"]))
        if which in ("all", "holdout"):
            sets.append(("dev: holdout", [d for d in dev if d.split == "holdout"]))
        if which == "dev":
            sets.append(("dev", dev))
        if which in ("all", "blind"):
            blind = blind_set()
            if blind is None:
                notes.append(
                    f"blind set: not present (needfinder/insights/data/{BLIND_FILE}); not scored"
                )
                if which == "blind":
                    raise Failure(notes[-1])
            else:
                # One file, one set per round it was written in ("blind", "blind2", …): each
                # round is scored and reported on its own.
                for split in sorted({d.split or "blind" for d in blind}):
                    sets.append((split, [d for d in blind if (d.split or "blind") == split]))
    reports = [evaluate(name, dialogues) for name, dialogues in sets if dialogues]
    if as_json:
        payload = {"sets": [r.as_dict() for r in reports], "notes": notes}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo("\n\n".join([*(format_report(r) for r in reports), *notes]))
    if check and any(r.failures() for r in reports):
        sys.exit(1)


def format_report(report: SetReport) -> str:
    """One set's evaluation as a plain-text table with the targets."""
    lines = [
        f"== {report.name}: {report.dialogues} dialogues, {report.themes} need themes, "
        f"{report.struggles} struggles, built in {report.seconds:.2f} s",
        f"{'NEED':<15} {'N':>4} {'SHARE':>6} {'PURITY':>7}  {'FOUND':<5} THEME",
    ]
    for score in report.scores:
        lines.append(
            f"{score.need:<15} {score.dialogues:>4} {score.share:>6.0%} {score.purity:>7.0%}  "
            f"{'yes' if score.recovered else 'no':<5} {score.match or '–'}"
        )
    lines += [
        f"needs recovered: {report.recovered} of 8 (share ≥{MIN_SHARE:.0%} at purity "
        f"≥{MIN_PURITY:.0%}; target ≥{TARGET_RECOVERED})",
        f"purity (membership-weighted): {report.purity:.2f} (target ≥{TARGET_PURITY:.2f})",
        f"adjusted Rand (primary need vs primary theme): {report.adjusted_rand:.2f}",
        f"memberships per dialogue: {report.memberships_per_dialogue:.2f}",
        f"dialogues in no need theme (struggles only or nothing): {report.without_need_theme:.0%}",
        f"quotes: {report.quotes}, not verbatim or not allowed: {report.bad_quotes} (target 0)",
        f"personal data found in labels or quotes: {len(report.pii)} (target 0)",
    ]
    failures = report.failures()
    lines.append("targets: met" if not failures else "targets missed: " + "; ".join(failures))
    return "\n".join(lines)
