"""Choose non-overlapping spans from all candidates and join neighbours of the same kind."""

from __future__ import annotations

import re
from collections.abc import Iterable

from needfinder.insights.anonymise.model import PRIORITY, Candidate, EntityType

# "Anna Berger" found as two names is one person; "Hauptstr. 5, 10115 Berlin" one address.
_PERSON_JOIN = re.compile(r"^[ -]$")
_ADDRESS_JOIN = re.compile(r"^(?:,? ?|\s+in\s+|\n)$")


def resolve(candidates: Iterable[Candidate], text: str) -> list[Candidate]:
    """Keep the best candidate where spans overlap (priority, then length) and merge neighbours."""
    ordered = sorted(
        (c for c in candidates if c.end > c.start),
        key=lambda c: (-PRIORITY[c.type], -(c.end - c.start), c.start),
    )
    chosen: list[Candidate] = []
    taken = bytearray(len(text) + 1)  # 1 where a chosen span already covers the character
    for candidate in ordered:
        if any(taken[candidate.start : candidate.end]):
            continue
        taken[candidate.start : candidate.end] = b"\x01" * (candidate.end - candidate.start)
        chosen.append(candidate)
    chosen.sort(key=lambda c: c.start)
    merged: list[Candidate] = []
    for candidate in chosen:
        if merged:
            previous = merged[-1]
            between = text[previous.end : candidate.start]
            same = previous.type is candidate.type
            if same and (
                (candidate.type is EntityType.PERSON and _PERSON_JOIN.match(between))
                or (candidate.type is EntityType.ADDRESS and _ADDRESS_JOIN.match(between))
            ):
                keys = [k for k in (previous.key, candidate.key) if k]
                merged[-1] = Candidate(
                    candidate.type, previous.start, candidate.end, " ".join(keys) or None
                )
                continue
        merged.append(candidate)
    return merged
