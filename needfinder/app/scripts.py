"""The scripts a deployment offers, and the exact versions running dialogues pinned."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from conversations.loader import (
    LoadedScript,
    ScriptError,
    builtin_script_paths,
    default_organisation,
    load_organisation,
    load_script,
    parse_script,
)
from conversations.model import Organisation, Script

_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CAMPAIGN_SEPARATOR = "--"


class ScriptLibrary:
    """Current scripts by id (built-in, overridden by a configured folder)."""

    def __init__(self, scripts: dict[str, LoadedScript], default_id: str) -> None:
        if default_id not in scripts:
            known = ", ".join(sorted(scripts))
            raise ScriptError(
                "NEEDFINDER_DEFAULT_SCRIPT", None, None, f"no script {default_id!r}; known: {known}"
            )
        self._scripts = scripts
        self.default_id = default_id

    @classmethod
    def load(cls, extra_dir: Path | None = None, default_id: str = "discovery") -> ScriptLibrary:
        """Load the built-in scripts and those in ``extra_dir`` (raises ScriptError)."""
        paths = builtin_script_paths()
        if extra_dir is not None:
            if not extra_dir.is_dir():
                raise ScriptError(str(extra_dir), None, None, "not a folder")
            paths += sorted([*extra_dir.glob("*.yaml"), *extra_dir.glob("*.yml")])
        scripts: dict[str, LoadedScript] = {}
        for path in paths:
            loaded = load_script(path)
            scripts[loaded.script.id] = loaded
        return cls(scripts, default_id)

    def ids(self) -> list[str]:
        """Return the ids of all scripts."""
        return sorted(self._scripts)

    def current(self, script_id: str) -> LoadedScript:
        """Return the current version of a script (KeyError if unknown)."""
        return self._scripts[script_id]

    def get(self, script_id: str) -> LoadedScript | None:
        """Return the current version of a script, or None."""
        return self._scripts.get(script_id)

    def by_checksum(self, checksum: str) -> LoadedScript | None:
        """Return the current script whose text has ``checksum``, if it is still current."""
        return next((s for s in self._scripts.values() if s.checksum == checksum), None)

    def resolve_start(self, payload: str | None) -> tuple[LoadedScript, str | None]:
        """Map a ``/start`` payload to (script, campaign).

        Forms: ``<script>``, ``<script>--<campaign>`` or ``<campaign>``. Anything unknown or
        malformed starts the default script; a malformed campaign is dropped, never an error.
        """
        if not payload or not _PAYLOAD.match(payload):
            return self.current(self.default_id), None
        script_id, separator, campaign = payload.partition(_CAMPAIGN_SEPARATOR)
        if script_id in self._scripts:
            return self._scripts[script_id], (campaign or None) if separator else None
        return self.current(self.default_id), payload


@lru_cache(maxsize=64)
def parse_pinned(source: str, checksum: str) -> Script:
    """Parse a stored script text (cached: pinned versions never change)."""
    return parse_script(source, f"pinned script {checksum}").script


def load_organisation_profile(profile: Path | None, name: str | None) -> Organisation:
    """Return the configured organisation (profile file, name override) or the example."""
    organisation = load_organisation(profile) if profile else default_organisation()
    if name:
        organisation = organisation.model_copy(update={"name": name})
    return organisation
