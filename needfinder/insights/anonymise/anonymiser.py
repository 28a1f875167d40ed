"""The Anonymiser: runs the recognisers, resolves overlaps and writes typed placeholders."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Literal

from needfinder.insights.anonymise.context import PlaceholderContext
from needfinder.insights.anonymise.language import detect_language
from needfinder.insights.anonymise.lexicon import fold, lexicon
from needfinder.insights.anonymise.model import (
    AnonymisedText,
    Candidate,
    EntityType,
    Finding,
    KnownIdentities,
)
from needfinder.insights.anonymise.recognisers.address import find_addresses
from needfinder.insights.anonymise.recognisers.contact import (
    find_emails,
    find_handles,
    find_phones,
    find_urls,
)
from needfinder.insights.anonymise.recognisers.finance import (
    find_bank_accounts,
    find_cards,
    find_ibans,
)
from needfinder.insights.anonymise.recognisers.firm_context import find_firms_in_context
from needfinder.insights.anonymise.recognisers.identifiers import find_dates_of_birth, find_ids
from needfinder.insights.anonymise.recognisers.known import KnownMatcher
from needfinder.insights.anonymise.recognisers.lists import (
    list_companions,
    without_list_strangers,
)
from needfinder.insights.anonymise.recognisers.organisation import find_organisations
from needfinder.insights.anonymise.recognisers.person import (
    find_introduced_people,
    find_listed_names,
    find_people,
)
from needfinder.insights.anonymise.resolve import resolve
from needfinder.insights.anonymise.scan import Language, Recogniser, Scan
from needfinder.insights.anonymise.tagger import (
    TAGGER_LIKELY_CONFIDENCE,
    TAGGER_OVERRIDE_CONFIDENCE,
    TITLE_WORDS,
    find_tagged,
    vouched_listed_names,
)
from needfinder.insights.anonymise.tokens import PLACEHOLDER

LanguageOption = Literal["de", "en", "auto"]

DEFAULT_RECOGNISERS: tuple[Recogniser, ...] = (
    find_ibans,
    find_cards,
    find_bank_accounts,
    find_emails,
    find_urls,
    find_handles,
    find_phones,
    find_ids,
    find_dates_of_birth,
    find_addresses,
    find_organisations,
    find_firms_in_context,
    find_people,
    find_listed_names,
)


class Anonymiser:
    """Replaces personal data in German and English text with typed placeholders, offline.

    ``staff_names`` are removed from every text like a participant's own names. ``recognisers``
    replaces the default set; ``extra_recognisers`` adds to it (for example an NER model that
    happens to be installed). ``tagger`` adds the shipped statistical tagger, whose spans fill
    the gaps the rules leave (see :meth:`_candidates`). The object holds no per-dialogue state
    and may be shared.
    """

    def __init__(
        self,
        staff_names: Iterable[str] = (),
        *,
        recognisers: Sequence[Recogniser] | None = None,
        extra_recognisers: Sequence[Recogniser] = (),
        tagger: Recogniser | None = find_tagged,
    ) -> None:
        self.staff_names: tuple[str, ...] = tuple(staff_names)
        self._recognisers = tuple(recognisers if recognisers is not None else DEFAULT_RECOGNISERS)
        self._recognisers += tuple(extra_recognisers)
        self._tagger = tagger
        self._staff_matcher: KnownMatcher | None = None

    def new_context(self, known: KnownIdentities | None = None) -> PlaceholderContext:
        """A fresh placeholder context for one dialogue, seeded with the participant's names."""
        return PlaceholderContext(known)

    # ------------------------------------------------------------------ public API
    def find(
        self,
        text: str,
        language: LanguageOption = "auto",
        context: PlaceholderContext | None = None,
    ) -> list[Finding]:
        """Personal data in ``text`` (offsets into ``text``), without assigning placeholders."""
        return [
            Finding(c.type, c.start, c.end, None, text[c.start : c.end])
            for c in self._candidates(text, language, context)
        ]

    def anonymise(
        self,
        text: str,
        language: LanguageOption = "auto",
        context: PlaceholderContext | None = None,
    ) -> AnonymisedText:
        """Replace personal data with placeholders that are consistent within ``context``.

        Without a context the numbering starts afresh for this text.
        """
        context = context if context is not None else self.new_context()
        findings: list[Finding] = []
        pieces: list[str] = []
        position = 0
        for candidate in self._candidates(text, language, context):
            original = text[candidate.start : candidate.end]
            placeholder = context.placeholder_for(candidate.type, _key(candidate, original))
            findings.append(
                Finding(candidate.type, candidate.start, candidate.end, placeholder, original)
            )
            pieces.append(text[position : candidate.start])
            pieces.append(placeholder)
            position = candidate.end
        pieces.append(text[position:])
        return AnonymisedText("".join(pieces), tuple(findings))

    def learn_names_from(
        self,
        text: str,
        context: PlaceholderContext,
        language: LanguageOption = "auto",
    ) -> tuple[str, ...]:
        """Remember names the customer typed ("ich heiße …", "my name is …") in ``context``.

        Later texts anonymised with the same context then remove those names wherever they
        recur, even without the introducing phrase. Returns the newly learned names.
        """
        scan = Scan(text, self._language(text, language))
        names = [_surface(text, candidate) for candidate in find_introduced_people(scan)]
        return context.add_names(names)

    def check(
        self,
        text: str,
        language: LanguageOption = "auto",
        context: PlaceholderContext | None = None,
    ) -> list[Finding]:
        """Residual personal data in an already anonymised text (placeholders are ignored).

        Use it as the last gate before publishing: an empty list means nothing was found.
        """
        return self.find(text, language, context)

    # ------------------------------------------------------------------ internals
    def _language(self, text: str, language: LanguageOption) -> Language:
        return detect_language(text) if language == "auto" else language

    def _known_matchers(self, context: PlaceholderContext | None) -> list[KnownMatcher]:
        matchers = []
        if self.staff_names:
            if self._staff_matcher is None:
                self._staff_matcher = KnownMatcher(self.staff_names, (), lexicon())
            matchers.append(self._staff_matcher)
        if context is not None:
            cached = context.matcher_cache
            if cached is None or cached[0] != context.version or not isinstance(cached[1], tuple):
                strict, elsewhere = context.names_here()
                built: list[KnownMatcher] = [
                    KnownMatcher(strict, context.known.usernames, lexicon())
                ]
                if elsewhere:
                    built.append(KnownMatcher(elsewhere, (), lexicon(), unambiguous_only=True))
                cached = (context.version, tuple(built))
                context.matcher_cache = cached
            matchers.extend(cached[1])  # type: ignore[arg-type]
        return matchers

    def _candidates(
        self, text: str, language: LanguageOption, context: PlaceholderContext | None
    ) -> list[Candidate]:
        scan = Scan(text, self._language(text, language))
        candidates: list[Candidate] = []
        # With the shipped model, names known only from the word lists need its consent.
        gated = self._tagger is find_tagged
        listed: list[Candidate] = []
        for recogniser in self._recognisers:
            if gated and recogniser is find_listed_names:
                listed.extend(recogniser(scan))
            else:
                candidates.extend(recogniser(scan))
        for matcher in self._known_matchers(context):
            candidates.extend(matcher.find(scan))
        # A title on its own ("Mr", "Frau") is not a name; it stays next to the placeholder.
        candidates = [
            c
            for c in candidates
            if c.type is not EntityType.PERSON or fold(text[c.start : c.end]) not in TITLE_WORDS
        ]
        if self._tagger is not None:
            tagged = without_list_strangers(scan, list(self._tagger(scan)), candidates)
            if listed:
                listed = without_list_strangers(scan, listed, candidates)
                candidates.extend(vouched_listed_names(scan, listed, tagged))
            candidates.extend(_fill_gaps(candidates, tagged, text))
        if "," in text:
            candidates.extend(list_companions(scan, candidates))
        if "[" in text:
            # Placeholders from an earlier pass are not personal data; nothing may overlap them.
            blocked = [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text)]
            candidates = [
                c for c in candidates if not any(c.start < e and s < c.end for s, e in blocked)
            ]
        return resolve(candidates, text)


def _adds_postcode(candidate: Candidate, rules: Sequence[Candidate], text: str) -> bool:
    """Does the tagged address add digits (a postcode) to the rule's spans inside it?"""
    covered = bytearray(candidate.end - candidate.start)
    for rule in rules:
        for index in range(max(rule.start, candidate.start), min(rule.end, candidate.end)):
            covered[index - candidate.start] = 1
    return any(not covered[i] and text[candidate.start + i].isdigit() for i in range(len(covered)))


def _fill_gaps(
    rules: Sequence[Candidate], tagged: Iterable[Candidate], text: str
) -> Iterator[Candidate]:
    """The tagger's spans where no rule fired, or where it is sure of a longer span.

    Rules are precise where they fire ("Herr [Klein]", a known name); the tagger adds what they
    miss. Where both fire, the tagger's span is kept only if it covers the rule's spans and the
    model is confident (``key`` carries the confidence mark, see tagger.tagged_candidates).
    """
    for candidate in tagged:
        plain = Candidate(candidate.type, candidate.start, candidate.end)  # marker off the key
        overlapping = [r for r in rules if r.start < candidate.end and candidate.start < r.end]
        if not overlapping:
            yield plain
            continue
        if not all(candidate.start <= r.start and r.end <= candidate.end for r in overlapping):
            continue
        same_type = all(r.type is candidate.type for r in overlapping)
        sure = candidate.key == TAGGER_OVERRIDE_CONFIDENCE and (
            same_type or any(r.type is EntityType.PERSON for r in overlapping)
        )
        # A likely longer span of the same kind: "[Carolyn] ray" -> "[Carolyn ray]".
        likely = (
            candidate.key == TAGGER_LIKELY_CONFIDENCE
            and same_type
            and candidate.type is not EntityType.ADDRESS
        )
        # An address may grow over a postcode and town ("Kirchgasse 7, 6020 Innsbruck").
        town = (
            candidate.type is EntityType.ADDRESS
            and same_type
            and _adds_postcode(candidate, rules, text)
        )
        # ... and over the street before a bare postcode rule ("chloe ridges manchester ex7e 5ft").
        street = (
            candidate.type is EntityType.ADDRESS
            and same_type
            and candidate.key == TAGGER_LIKELY_CONFIDENCE
            and all(r.end - r.start <= 8 for r in overlapping)
        )
        if sure or likely or town or street:
            yield plain


def _key(candidate: Candidate, original: str) -> str:
    if candidate.key:
        return candidate.key
    return " ".join(fold(original).split())


def _surface(text: str, candidate: Candidate) -> str:
    """The name as typed, without an English possessive ("Anna's" -> "Anna")."""
    value = text[candidate.start : candidate.end]
    if candidate.type is EntityType.PERSON and value[-2:] in ("'s", "’s"):
        return value[:-2]
    return value
