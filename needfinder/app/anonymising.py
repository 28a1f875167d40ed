"""Anonymise whole transcripts: one placeholder numbering per dialogue, known names removed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

from conversations.transcript import Identity, StoredEntry
from needfinder.insights.anonymise import Anonymiser, KnownIdentities


@lru_cache(maxsize=8)
def anonymiser_for(staff_names: tuple[str, ...] = ()) -> Anonymiser:
    """Return a shared anonymiser (it loads its word lists once)."""
    return Anonymiser(staff_names=staff_names)


def known_identities(identities: Iterable[Identity]) -> KnownIdentities:
    """Return the names a participant is known by on their channels."""
    names: list[str] = []
    usernames: list[str] = []
    for identity in identities:
        full = " ".join(n for n in (identity.first_name, identity.last_name) if n)
        names.extend(n for n in (full, identity.first_name, identity.last_name) if n)
        if identity.username:
            usernames.append(identity.username)
    return KnownIdentities(names=tuple(dict.fromkeys(names)), usernames=tuple(usernames))


def anonymise_entries(
    entries: Sequence[StoredEntry],
    identities: Iterable[Identity],
    staff_names: Sequence[str] = (),
    language: str = "auto",
) -> list[StoredEntry]:
    """Return the entries with personal data replaced, consistently across the dialogue.

    Customer answers teach the context the names they mention ("ich heiße …"), so later
    answers lose those names too; bot texts are the organisation's own and stay as they are.
    Edit history is dropped: earlier versions are raw text by definition.
    """
    return anonymise_dialogue(entries, {}, identities, staff_names, language)[0]


def anonymise_dialogue(
    entries: Sequence[StoredEntry],
    notes: Mapping[int, str],
    identities: Iterable[Identity],
    staff_names: Sequence[str] = (),
    language: str = "auto",
) -> tuple[list[StoredEntry], dict[int, str]]:
    """Anonymise a dialogue's entries and the staff notes on them (by note id), together.

    Notes are staff text but often repeat what the customer said ("called Anna back"); they
    share the dialogue's placeholders, so "[PERSON_1]" in a note is "[PERSON_1]" in the answers.
    """
    anonymiser = anonymiser_for(tuple(staff_names))
    context = anonymiser.new_context(known_identities(identities))
    option = language if language in ("de", "en") else "auto"
    result: list[StoredEntry] = []
    for entry in entries:
        if entry.speaker != "customer" or not entry.text:
            result.append(replace(entry, edits=()))
            continue
        anonymiser.learn_names_from(entry.text, context)
        text = anonymiser.anonymise(entry.text, language=option, context=context).text  # type: ignore[arg-type]
        result.append(replace(entry, text=text, edits=(), attachment=None))
    anonymised_notes = {
        note_id: anonymiser.anonymise(text, language=option, context=context).text  # type: ignore[arg-type]
        for note_id, text in notes.items()
    }
    return result, anonymised_notes
