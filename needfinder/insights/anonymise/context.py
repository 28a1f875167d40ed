"""Placeholder bookkeeping for one dialogue: equal values get equal placeholders."""

from __future__ import annotations

from collections.abc import Iterable

from needfinder.insights.anonymise.model import EntityType, KnownIdentities

# Origin marker of the names a context was created with.
_GIVEN = object()


class PlaceholderContext:
    """Holds the known identities and the placeholder numbering of one dialogue (or CLI run).

    Create it with :meth:`Anonymiser.new_context`; reuse it for every text of the dialogue so that
    "Anna" is ``[PERSON_1]`` in all answers. Not thread-safe; one context per dialogue.
    """

    def __init__(self, known: KnownIdentities | None = None) -> None:
        known = known or KnownIdentities()
        self._names: list[str] = []
        # Where each learned name was learned: the dialogue key at the time, or _GIVEN for the
        # identities the context was created with (those are removed everywhere).
        self._origin: dict[str, object] = {}
        self._dialogue: str | None = None
        self._usernames: list[str] = []
        self._assigned: dict[tuple[EntityType, str], str] = {}
        self._counters: dict[EntityType, int] = {}
        # Bumped whenever names change, so the anonymiser rebuilds its matcher for this context.
        self.version = 0
        # (version, matcher) cached by the Anonymiser; opaque here.
        self.matcher_cache: tuple[int, object] | None = None
        self._dialogue_given = True
        self.add_names(known.names)
        self._dialogue_given = False
        self.add_usernames(known.usernames)

    @property
    def dialogue(self) -> str | None:
        """The dialogue the next texts belong to (None: one dialogue for the whole context)."""
        return self._dialogue

    def set_dialogue(self, dialogue: str | None) -> None:
        """Say which dialogue the following texts belong to, for a context shared by many.

        Names learned in one dialogue are removed wherever they recur in it. In other dialogues
        a learned name that is also an ordinary word ("Klein", "Frost", "Grace") is removed only
        where the context makes it a name; other learned names are removed everywhere.
        """
        if dialogue != self._dialogue:
            self._dialogue = dialogue
            self.version += 1

    def names_here(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(names to remove wherever they recur, names learned in other dialogues)."""
        strict = []
        elsewhere = []
        for name in self._names:
            origin = self._origin.get(name.casefold(), _GIVEN)
            if origin is _GIVEN or origin == self._dialogue:
                strict.append(name)
            else:
                elsewhere.append(name)
        return tuple(strict), tuple(elsewhere)

    @property
    def known(self) -> KnownIdentities:
        """The identities known so far (given at creation plus learned ones)."""
        return KnownIdentities(names=tuple(self._names), usernames=tuple(self._usernames))

    def add_names(self, names: Iterable[str]) -> tuple[str, ...]:
        """Remember more names of this participant; returns the ones that were new."""
        added = []
        present = {n.casefold() for n in self._names}
        for name in names:
            cleaned = " ".join(name.split())
            if cleaned and cleaned.casefold() not in present:
                self._names.append(cleaned)
                present.add(cleaned.casefold())
                self._origin[cleaned.casefold()] = (
                    _GIVEN if self._dialogue_given else self._dialogue
                )
                added.append(cleaned)
        if added:
            self.version += 1
        return tuple(added)

    def add_usernames(self, usernames: Iterable[str]) -> tuple[str, ...]:
        """Remember more Telegram usernames; returns the ones that were new."""
        added = []
        present = {u.casefold() for u in self._usernames}
        for username in usernames:
            cleaned = username.strip().lstrip("@")
            if cleaned and cleaned.casefold() not in present:
                self._usernames.append(cleaned)
                present.add(cleaned.casefold())
                added.append(cleaned)
        if added:
            self.version += 1
        return tuple(added)

    def placeholder_for(self, entity: EntityType, key: str) -> str:
        """The placeholder for a normalised value, assigning the next number on first sight.

        For people a lone first or last name shares the placeholder of a full name it is part
        of ("Anna" and "Anna Berger" are both ``[PERSON_1]``), whichever was seen first.
        """
        slot = (entity, key)
        existing = self._assigned.get(slot)
        if existing is not None:
            return existing
        if entity is EntityType.PERSON:
            words = key.split()
            for (other_type, other_key), placeholder in self._assigned.items():
                if other_type is not EntityType.PERSON:
                    continue
                other_words = other_key.split()
                if (len(words) == 1 and words[0] in other_words) or (
                    len(other_words) == 1 and other_words[0] in words
                ):
                    self._assigned[slot] = placeholder
                    return placeholder
        number = self._counters.get(entity, 0) + 1
        self._counters[entity] = number
        placeholder = f"[{entity.value}_{number}]"
        self._assigned[slot] = placeholder
        return placeholder
