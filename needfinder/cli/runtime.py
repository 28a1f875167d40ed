"""The composition root: settings → database, scripts, organisation, services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from conversations.model import Organisation
from needfinder.app.dialogues import DialogueService, EngineSettings
from needfinder.app.scripts import ScriptLibrary, load_organisation_profile
from needfinder.app.settings import Settings
from storage.database import Database


@dataclass
class Runtime:
    """Everything a command needs, built once from the settings."""

    settings: Settings
    database: Database
    library: ScriptLibrary
    organisation: Organisation

    def dialogue_service(self, *, settle_after: timedelta | None = None) -> DialogueService:
        """Return a dialogue service; channels that deliver whole answers pass settle 0."""
        settings = self.settings
        engine_settings = EngineSettings(
            settle_after=(
                settle_after
                if settle_after is not None
                else timedelta(seconds=settings.answer_settle_seconds)
            ),
            nudge_after=(
                timedelta(hours=settings.reminder_after_hours)
                if settings.reminder_after_hours > 0
                else None
            ),
            retention_days=settings.retention_days,
            retention_action=settings.retention_action,
        )
        return DialogueService(self.library, self.organisation, engine_settings)


def load_content(settings: Settings) -> tuple[ScriptLibrary, Organisation]:
    """Load scripts and the organisation profile (raises ScriptError with file and line)."""
    library = ScriptLibrary.load(settings.scripts_dir, settings.default_script)
    organisation = load_organisation_profile(settings.org_profile, settings.org_name)
    return library, organisation


@asynccontextmanager
async def open_runtime(
    settings: Settings, *, migrate: bool = True, inline_sqlite: bool = False
) -> AsyncIterator[Runtime]:
    """Build the runtime, bring the database schema up to date, and clean up afterwards."""
    library, organisation = load_content(settings)
    database = Database(settings.effective_database_url, inline_sqlite=inline_sqlite)
    try:
        if migrate:
            await database.upgrade()
        yield Runtime(settings, database, library, organisation)
    finally:
        await database.dispose()
