"""``needfinder digest evaluate``: measure theme grouping on the labelled synthetic set.

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
    MIN_PURITY,
    MIN_RECALL,
    TARGET_MIXED,
    TARGET_RECOVERED,
    ThemeEvalReport,
    evaluate,
    load_eval_set,
)


@click.command("evaluate", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--set",
    "set_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled JSONL set to score (default: the synthetic set shipped with Needfinder).",
)
@click.option(
    "--split",
    type=click.Choice(["all", "dev", "holdout", "holdout2", "holdout3", "holdout4"]),
    default="all",
    show_default=True,
    help=(
        "Score one part on its own: dev was tuned on; holdout to holdout3 were each written "
        "after the tuning before them and then read for the next; holdout4 was written blind "
        "(without seeing the method) and never tuned on."
    ),
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--check",
    is_flag=True,
    help="Exit with status 1 when a target (themes recovered, language mixing) is missed.",
)
def evaluate_command(set_path: Path | None, split: str, as_json: bool, check: bool) -> None:
    """Build a digest over a labelled set and score its themes against the true ones.

    A digest theme recovers a true theme when at least 60 % of its dialogues have that theme
    (purity) and it holds at least 50 % of them (recall).
    """
    try:
        dialogues = load_eval_set(set_path)
    except ValueError as error:
        raise Failure(str(error)) from None
    if split != "all":
        dialogues = [d for d in dialogues if d.split == split]
    if not dialogues:
        raise Failure(f"no dialogues in split {split!r}")
    report = evaluate(dialogues)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_report(report))
    if check and report.failures():
        sys.exit(1)


def format_report(report: ThemeEvalReport) -> str:
    """The evaluation as a plain-text table with the targets."""
    lines = [
        f"{report.dialogues} dialogues, {report.digest_themes} digest themes, "
        f"built in {report.seconds:.2f} s",
        "",
        f"{'TRUE THEME':<15} {'N':>4} {'PURITY':>7} {'RECALL':>7}  {'FOUND':<5} BEST MATCH",
    ]
    for score in report.scores:
        lines.append(
            f"{score.theme:<15} {score.dialogues:>4} {score.purity:>7.0%} {score.recall:>7.0%}  "
            f"{'yes' if score.recovered else 'no':<5} {score.match or '–'}"
        )
    lines += [
        "",
        f"recovered: {report.recovered_share:.0%} of true themes "
        f"(purity ≥{MIN_PURITY:.0%} and recall ≥{MIN_RECALL:.0%}; target ≥{TARGET_RECOVERED:.0%})",
        f"language mixing: {report.mixed_share:.0%} of digest themes hold German and English "
        f"dialogues (target ≥{TARGET_MIXED:.0%})",
        f"unthemed: {report.unthemed} dialogues ({report.unthemed_without_theme} of them have "
        "no true theme)",
        f"quotes: {report.quotes}, not verbatim or not allowed: {report.bad_quotes}",
    ]
    failures = report.failures()
    lines.append("targets: met" if not failures else "targets missed: " + "; ".join(failures))
    return "\n".join(lines)
