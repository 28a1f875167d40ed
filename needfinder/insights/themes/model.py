"""Domain objects of a digest draft: dialogues in, themes and quotes out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Language = Literal["de", "en"]

#: The steps whose answers are grouped into themes, across the shipped scripts: discovery's
#: challenges and needs, contact's digital tasks, future's changes and what tomorrow needs.
THEME_STEPS: tuple[str, ...] = (
    "challenges",
    "needs",
    "digital_tasks",
    "changes",
    "tomorrow",
    "where_we_must_be",
)


@dataclass(frozen=True, slots=True)
class DigestDialogue:
    """One finished dialogue as the digest sees it: anonymised answers only, no participant."""

    id: str
    language: Language
    #: Anonymised answer text by step id (corrections from the mirror step already applied).
    answers: Mapping[str, str]
    #: Whether the customer allowed anonymous quotes.
    quotes_allowed: bool = False


@dataclass(frozen=True, slots=True)
class ThemeLabel:
    """A theme's short name in German and English."""

    de: str
    en: str

    def get(self, language: Language) -> str:
        """The label in ``language``."""
        return self.de if language == "de" else self.en


@dataclass(frozen=True, slots=True)
class Quote:
    """A verbatim piece of one anonymised answer: ``answers[step_id][start:end] == text``."""

    dialogue_id: str
    step_id: str
    language: Language
    text: str
    start: int
    end: int
    #: True when the sentence was cut at a word boundary (show an ellipsis after it).
    shortened: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "dialogue_id": self.dialogue_id,
            "step_id": self.step_id,
            "language": self.language,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "shortened": self.shortened,
        }


@dataclass(frozen=True, slots=True)
class Theme:
    """A topic many customers raised: label, how many, quotes, and every dialogue it draws on."""

    id: str
    label: ThemeLabel
    dialogue_ids: tuple[str, ...]
    quotes: tuple[Quote, ...]
    #: The lexicon concepts that make up the theme, strongest first (for staff to trace it).
    concepts: tuple[str, ...]
    #: Dialogues per language, e.g. {"de": 12, "en": 7}.
    languages: Mapping[str, int] = field(default_factory=dict)
    #: "need" (one of the known needs), "other" (a need found only in these dialogues' own
    #: words) or "struggle" (a challenge that is no need of the organisation).
    kind: str = "need"
    #: Dialogues for which this is the secondary need (their primary one is another theme).
    secondary_ids: tuple[str, ...] = ()

    @property
    def dialogue_count(self) -> int:
        """How many dialogues the theme draws on."""
        return len(self.dialogue_ids)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "id": self.id,
            "kind": self.kind,
            "label": {"de": self.label.de, "en": self.label.en},
            "dialogue_count": self.dialogue_count,
            "dialogue_ids": list(self.dialogue_ids),
            "secondary_dialogue_ids": list(self.secondary_ids),
            "languages": dict(sorted(self.languages.items())),
            "concepts": list(self.concepts),
            "quotes": [quote.to_dict() for quote in self.quotes],
        }


@dataclass(frozen=True, slots=True)
class DigestDraft:
    """Themes found in a set of dialogues, for staff to edit, approve and publish."""

    themes: tuple[Theme, ...]
    dialogue_count: int
    #: Dialogues with answers that fit no need theme (staff may want to read them).
    unthemed_dialogue_ids: tuple[str, ...]
    method: str
    #: What customers are struggling with that is no need of the organisation (staff, rent …),
    #: shown in a section of its own.
    struggles: tuple[Theme, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "method": self.method,
            "dialogue_count": self.dialogue_count,
            "themes": [theme.to_dict() for theme in self.themes],
            "struggles": [theme.to_dict() for theme in self.struggles],
            "unthemed_dialogue_ids": list(self.unthemed_dialogue_ids),
        }
