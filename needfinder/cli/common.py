"""What every command shares: settings loading, one-line failures, running async bodies."""

from __future__ import annotations

import sys
from collections.abc import Callable, Coroutine
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from needfinder.app.logs import configure_logging

if TYPE_CHECKING:
    # Only for annotations: pydantic-settings, YAML and SQLAlchemy load when a command runs,
    # so ``needfinder --help`` and ``needfinder anonymise`` (which import this module) stay fast.
    from needfinder.app.settings import Settings

P = ParamSpec("P")

#: Long-running commands whose INFO logs operators want by default.
SERVICES = frozenset({"run", "web"})
T = TypeVar("T")


class Failure(click.ClickException):
    """An expected failure: printed as one line, exit code 2, no traceback."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        """Print ``needfinder: error: …`` to stderr."""
        click.echo(f"needfinder: error: {self.format_message()}", err=True)


def settings_from(ctx: click.Context) -> Settings:
    """Return the settings loaded once per invocation."""
    from needfinder.app.settings import Settings, SettingsError, load_settings

    settings = ctx.ensure_object(dict).get("settings")
    if settings is None:
        try:
            settings = load_settings()
        except SettingsError as error:
            raise Failure(str(error)) from None
        ctx.obj["settings"] = settings
        # Services log at the configured level; one-off commands stay quiet unless asked to.
        service = ctx.find_root().invoked_subcommand in SERVICES
        explicit = "log_level" in settings.model_fields_set
        configure_logging(settings.log_level if service or explicit else "WARNING")
    assert isinstance(settings, Settings)
    return settings


def run_async(function: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """Run an async command body, turning known failures into one readable line."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        # Here rather than at the top: see the TYPE_CHECKING note above (asyncio alone, with
        # ssl and sockets, is a fifth of ``needfinder anonymise --help``).
        import asyncio

        from conversations.loader import ScriptError
        from needfinder.app.settings import SettingsError
        from storage.database import DatabaseUnavailable

        try:
            return asyncio.run(function(*args, **kwargs))
        except (ScriptError, DatabaseUnavailable, SettingsError) as error:
            raise Failure(str(error)) from None
        except PermissionError as error:
            raise Failure(f"{error.filename or 'file'}: permission denied") from None
        except KeyboardInterrupt:
            sys.exit(130)

    return wrapper
