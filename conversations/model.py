"""Typed model of a dialogue script: steps, texts per language, conditions."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Language = Literal["de", "en"]
LANGUAGES: tuple[Language, ...] = ("de", "en")

#: Placeholders a script text may use: the configured organisation profile, and the topic a
#: follow-up dialogue was started on (from a published digest's theme).
SCRIPT_PLACEHOLDERS = frozenset({"org_name", "org_intro", "org_challenges", "topic"})

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_STEP_ID = r"^[a-z][a-z0-9_]{0,31}$"
_OPTION_ID = r"^[a-z0-9][a-z0-9_]{0,23}$"


class _Strict(BaseModel):
    """Base for script models: unknown fields are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(_Strict):
    """A text in each language the product speaks."""

    de: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: Language) -> str:
        """Return the text for ``language``."""
        return self.de if language == "de" else self.en

    @model_validator(mode="after")
    def _known_placeholders(self) -> Localized:
        for text in (self.de, self.en):
            for name in _PLACEHOLDER.findall(text):
                if name not in SCRIPT_PLACEHOLDERS:
                    known = ", ".join(sorted(SCRIPT_PLACEHOLDERS))
                    raise ValueError(f"unknown placeholder {{{name}}}; known: {known}")
        return self


class Condition(_Strict):
    """A declarative condition on an earlier step's answer or choice.

    Exactly one test is given: ``equals``/``in``/``not_in`` compare the option ids chosen at a
    choice step, ``contains`` looks for words in a free-text answer, ``answered`` asks whether
    the step got an answer at all (it was not skipped).
    """

    step: str = Field(pattern=_STEP_ID)
    equals: str | None = None
    in_: tuple[str, ...] | None = Field(default=None, alias="in")
    not_in: tuple[str, ...] | None = None
    contains: tuple[str, ...] | None = None
    answered: bool | None = None

    @model_validator(mode="after")
    def _exactly_one_test(self) -> Condition:
        tests = [self.equals, self.in_, self.not_in, self.contains, self.answered]
        if sum(test is not None for test in tests) != 1:
            raise ValueError("give exactly one of: equals, in, not_in, contains, answered")
        return self

    def option_ids(self) -> tuple[str, ...]:
        """Return the option ids this condition refers to (for validation)."""
        if self.equals is not None:
            return (self.equals,)
        return self.in_ or self.not_in or ()


class _StepBase(_Strict):
    id: str = Field(pattern=_STEP_ID)
    when: Condition | None = None


class SayStep(_StepBase):
    """The organisation shares something; the dialogue continues at once."""

    kind: Literal["say"]
    text: Localized


ConsentTopic = Literal["storage", "quotes", "updates"]


class ConsentStep(_StepBase):
    """A yes/no consent question.

    ``storage`` gates everything: before "yes" no content is kept, "no" ends the dialogue.
    ``quotes`` (anonymised quotes may be published) and ``updates`` (receive digests) are
    recorded and the dialogue goes on either way.
    """

    kind: Literal["consent"]
    topic: ConsentTopic
    text: Localized
    yes: Localized | None = None
    no: Localized | None = None


class AskStep(_StepBase):
    """An open question with optional follow-up probes for short or vague answers."""

    kind: Literal["ask"]
    text: Localized
    label: Localized | None = None
    probes: tuple[Localized, ...] = ()
    max_probes: int = Field(default=1, ge=0, le=5)
    min_words: int = Field(default=4, ge=0, le=200)
    vague: tuple[str, ...] = ()


class Option(_Strict):
    """One button of a choice step."""

    id: str = Field(pattern=_OPTION_ID)
    label: Localized


class ChoiceStep(_StepBase):
    """A question answered with buttons (one, or several with ``multiple``)."""

    kind: Literal["choice"]
    text: Localized
    label: Localized | None = None
    options: tuple[Option, ...] = Field(min_length=2, max_length=12)
    multiple: bool = False

    @field_validator("options")
    @classmethod
    def _unique_option_ids(cls, options: tuple[Option, ...]) -> tuple[Option, ...]:
        ids = [option.id for option in options]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate option id: {', '.join(duplicates)}")
        return options

    def option(self, option_id: str) -> Option | None:
        """Return the option with ``option_id``, if any."""
        return next((o for o in self.options if o.id == option_id), None)


class MirrorStep(_StepBase):
    """Reflect back the key points of earlier answers and let the customer confirm or correct."""

    kind: Literal["mirror"]
    text: Localized
    points: tuple[str, ...] = Field(min_length=1)


class EndStep(_StepBase):
    """The closing message; the dialogue is finished."""

    kind: Literal["end"]
    text: Localized


Step = Annotated[
    SayStep | ConsentStep | AskStep | ChoiceStep | MirrorStep | EndStep,
    Field(discriminator="kind"),
]
AnswerStep = AskStep | ChoiceStep


class Script(_Strict):
    """A versioned dialogue script."""

    id: str = Field(pattern=_STEP_ID)
    version: int = Field(ge=1)
    title: Localized
    description: Localized | None = None
    languages: tuple[Language, ...] = LANGUAGES
    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _coherent(self) -> Script:
        seen: dict[str, Step] = {}
        for index, step in enumerate(self.steps):
            if step.id in seen:
                raise ValueError(f"steps[{index}].id: duplicate step id {step.id!r}")
            if step.when is not None:
                _check_condition(step.when, seen, f"steps[{index}].when")
            if isinstance(step, MirrorStep):
                for point in step.points:
                    if not isinstance(seen.get(point), AskStep | ChoiceStep):
                        raise ValueError(
                            f"steps[{index}].points: {point!r} is not an earlier ask or choice step"
                        )
            seen[step.id] = step
        if not isinstance(self.steps[-1], EndStep):
            last = len(self.steps) - 1
            raise ValueError(f"steps[{last}].kind: the last step must be of kind 'end'")
        storage = [s for s in self.steps if isinstance(s, ConsentStep) and s.topic == "storage"]
        if len(storage) != 1:
            raise ValueError("steps: a script needs exactly one consent step with topic 'storage'")
        first_answer = next(
            (i for i, s in enumerate(self.steps) if isinstance(s, AskStep | ChoiceStep)), None
        )
        consent_index = self.steps.index(storage[0])
        if first_answer is not None and consent_index > first_answer:
            raise ValueError(
                f"steps[{consent_index}].topic: the 'storage' consent must come before the first"
                " question"
            )
        return self

    def step(self, step_id: str) -> Step:
        """Return the step with ``step_id`` (KeyError if there is none)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def index(self, step_id: str) -> int:
        """Return the position of ``step_id`` in the script."""
        return next(i for i, s in enumerate(self.steps) if s.id == step_id)


def _check_condition(condition: Condition, seen: dict[str, Step], where: str) -> None:
    target = seen.get(condition.step)
    if target is None:
        raise ValueError(f"{where}: step {condition.step!r} is not an earlier step")
    option_ids = condition.option_ids()
    if option_ids:
        if not isinstance(target, ChoiceStep):
            raise ValueError(f"{where}: step {condition.step!r} is not a choice step")
        unknown = [o for o in option_ids if target.option(o) is None]
        if unknown:
            raise ValueError(f"{where}: unknown option {unknown[0]!r} of step {condition.step!r}")
    if condition.contains is not None and not isinstance(target, AskStep):
        raise ValueError(f"{where}: 'contains' needs an ask step, {condition.step!r} is not one")


class Organisation(_Strict):
    """Who the organisation is: filled into scripts' ``{org_*}`` placeholders."""

    name: str = Field(min_length=1, max_length=200)
    intro: Localized
    challenges: Localized

    def placeholders(self, language: Language) -> dict[str, str]:
        """Return the placeholder values for ``language``."""
        return {
            "org_name": self.name,
            "org_intro": self.intro.get(language).strip(),
            "org_challenges": self.challenges.get(language).strip(),
        }


def fill(text: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` placeholders in ``text`` (unknown ones were rejected at load time)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
