"""What every request handler needs: settings, database, clock, templates, script step order."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from starlette.requests import Request

from needfinder.app.settings import Settings
from needfinder.app.staff import StaffUser, secret_key
from storage.database import Database


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class WebContext:
    """The dashboard's dependencies, built once by the composition root (or a test)."""

    settings: Settings
    database: Database
    #: Step ids of each script in script order, so drop-offs read like the dialogue goes.
    step_order: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    clock: Callable[[], datetime] = _utc_now

    @property
    def secret(self) -> str:
        """Return the key that signs cookies and derives CSRF tokens."""
        return secret_key(self.settings)

    @property
    def secure_cookies(self) -> bool:
        """Return whether cookies get the Secure flag (the public URL is https)."""
        return self.settings.web_base_url.lower().startswith("https://")


def web_context(request: Request) -> WebContext:
    """Return the context the application was built with."""
    context = request.app.state.web
    assert isinstance(context, WebContext)
    return context


def current_staff(request: Request) -> StaffUser:
    """Return the staff member the guard let in (only inside guarded routes)."""
    staff = request.state.staff
    assert isinstance(staff, StaffUser)
    return staff
