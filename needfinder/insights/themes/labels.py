"""Name a theme after its strongest concepts, in German and English."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from needfinder.insights.themes.lexicon import Lexicon
from needfinder.insights.themes.model import ThemeLabel


def theme_label(
    ranked: Sequence[str], lexicon: Lexicon, weights: Mapping[str, float]
) -> ThemeLabel:
    """Join the labels of the two strongest concepts ("Personal und Personalsuche").

    Generic concepts (weight below 1, like "people" or "time") name a theme only when nothing
    more specific is there. A label that already joins two words ("Anträge und
    Genehmigungen") goes last after a comma, and two such labels are not joined at all.
    """
    specific = [c for c in ranked if weights.get(c, 1.0) >= 1.0]
    names = (specific or list(ranked))[:2]
    concepts = [lexicon.concepts[c] for c in names]
    if len(concepts) == 1:
        return ThemeLabel(concepts[0].label_de, concepts[0].label_en)
    first, second = concepts
    return ThemeLabel(
        _join(first.label_de, second.label_de, "und", lower=False),
        _join(first.label_en, second.label_en, "and", lower=True),
    )


def _join(first: str, second: str, word: str, *, lower: bool) -> str:
    """Join two concept labels in one language without stacking "and"s."""
    first_joined = f" {word} " in first
    second_joined = f" {word} " in second
    if first_joined and second_joined:
        return first
    if first_joined:
        first, second = second, first
    if lower:
        second = _lower_first(second)
    if first_joined or second_joined:
        return f"{first}, {second}"
    return f"{first} {word} {second}"


def _lower_first(label: str) -> str:
    """Lower-case an English label's first letter unless it starts an acronym ("IT security")."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]
