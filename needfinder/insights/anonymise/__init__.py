"""Offline anonymisation of customer answers (German and English).

>>> from insights.anonymise import Anonymiser, KnownIdentities
>>> anonymiser = Anonymiser(staff_names=("Maria Schulz",))
>>> ctx = anonymiser.new_context(KnownIdentities(names=("Anna Berger",), usernames=("anna_b",)))
>>> anonymiser.anonymise("Ich bin Anna, mail: anna@x.de", language="de", context=ctx).text
'Ich bin [PERSON_1], mail: [EMAIL_1]'
"""

from needfinder.insights.anonymise.anonymiser import DEFAULT_RECOGNISERS, Anonymiser, LanguageOption
from needfinder.insights.anonymise.context import PlaceholderContext
from needfinder.insights.anonymise.language import detect_language
from needfinder.insights.anonymise.model import (
    AnonymisedText,
    Candidate,
    EntityType,
    Finding,
    KnownIdentities,
)
from needfinder.insights.anonymise.scan import Recogniser, Scan

__all__ = [
    "DEFAULT_RECOGNISERS",
    "AnonymisedText",
    "Anonymiser",
    "Candidate",
    "EntityType",
    "Finding",
    "KnownIdentities",
    "LanguageOption",
    "PlaceholderContext",
    "Recogniser",
    "Scan",
    "detect_language",
]
