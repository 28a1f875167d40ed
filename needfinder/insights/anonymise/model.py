"""Value types of the anonymiser: entity types, findings, results and known identities."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EntityType(StrEnum):
    """Kinds of personal data; the value is the placeholder stem (``[PERSON_1]``)."""

    PERSON = "PERSON"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    ADDRESS = "ADDRESS"
    ORG = "ORG"
    URL = "URL"
    IBAN = "IBAN"
    CARD = "CARD"
    HANDLE = "HANDLE"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    ID = "ID"


# When two candidate spans overlap, the higher priority wins (then the longer span). Checksummed
# and strictly shaped values beat context guesses; an organisation beats the person name inside it.
PRIORITY: dict[EntityType, int] = {
    EntityType.IBAN: 100,
    EntityType.CARD: 95,
    EntityType.EMAIL: 90,
    EntityType.URL: 85,
    EntityType.HANDLE: 80,
    EntityType.DATE_OF_BIRTH: 75,
    EntityType.ID: 70,
    EntityType.PHONE: 65,
    EntityType.ADDRESS: 50,
    EntityType.ORG: 40,
    EntityType.PERSON: 30,
}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span proposed by one recogniser, before overlaps are resolved.

    ``key`` is the normalised value used to give equal values equal placeholders; when it is
    None the covered text is normalised instead.
    """

    type: EntityType
    start: int
    end: int
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected piece of personal data, with offsets into the ORIGINAL text."""

    type: EntityType
    start: int
    end: int
    placeholder: str | None = None
    # The original characters; kept out of repr so that logging a finding leaks nothing.
    text: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class AnonymisedText:
    """Result of anonymising one text: the placeholder text and what was replaced."""

    text: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class KnownIdentities:
    """Names and Telegram usernames known to belong to the participant (always removed)."""

    names: tuple[str, ...] = ()
    usernames: tuple[str, ...] = ()
