"""Cheap language guess for German vs English answers."""

from __future__ import annotations

import re
from typing import Literal

from needfinder.insights.anonymise.lexicon import folded_set

# Frequent function words that exist in one language only ("in", "so", "will" are left out).
_GERMAN = folded_set(
    """
    und ich nicht der die das ist wir mit auch bei für sie es ein eine zu auf den dem hab
    habe bin mein meine uns sehr aber oder wie noch schon wenn dass kann gibt man mal war
    nur sind haben einen einem vom zum zur im ja nein gerne bitte danke
    """
)
_ENGLISH = folded_set(
    """
    and the is i we not with for you it my our a to of have was are this that but be at on
    me can would from they just i'm it's don't very would please thanks yes no
    """
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def detect_language(text: str, default: Literal["de", "en"] = "de") -> Literal["de", "en"]:
    """Return "de" or "en" by counting language-specific stop words; ``default`` on a tie."""
    german = english = 0
    for word in _WORD.findall(text.lower()):
        if word in _GERMAN:
            german += 1
        elif word in _ENGLISH:
            english += 1
    if german == english:
        return default
    return "de" if german > english else "en"
