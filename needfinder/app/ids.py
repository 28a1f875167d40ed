"""Pseudonymous ids; injected into the service so tests can use predictable ones."""

from __future__ import annotations

import secrets
from dataclasses import dataclass


@dataclass
class IdFactory:
    """Makes ids for participants (``p_…``), dialogues (``d_…``) and button tags."""

    def participant(self) -> str:
        """Return a new participant id."""
        return "p_" + secrets.token_hex(6)

    def dialogue(self) -> str:
        """Return a new dialogue id."""
        return "d_" + secrets.token_hex(6)

    def tag(self) -> str:
        """Return a short tag that marks one dialogue's buttons."""
        return secrets.token_hex(3)


@dataclass
class CountingIds(IdFactory):
    """Predictable ids for tests and examples: ``p_000001``, ``d_000001``, ``t000001``."""

    counter: int = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def participant(self) -> str:
        """Return the next participant id."""
        return f"p_{self._next():06d}"

    def dialogue(self) -> str:
        """Return the next dialogue id."""
        return f"d_{self._next():06d}"

    def tag(self) -> str:
        """Return the next tag."""
        return f"t{self._next():05d}"
