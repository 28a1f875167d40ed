"""The one settings object: environment variables with a ``NEEDFINDER_`` prefix and ``.env``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "NEEDFINDER_"


class SettingsError(Exception):
    """A setting has an unusable value; the message names the variable."""


class Settings(BaseSettings):
    """Every setting of Needfinder. Each field is documented in the README (a test checks)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    data_dir: Path = Field(
        default=Path("data"),
        description="Folder for the SQLite database and other files.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database; default a SQLite file in the data folder. "
            "PostgreSQL: postgresql+asyncpg://user@host/db."
        ),
    )
    telegram_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "NEEDFINDER_TELEGRAM_BOT_TOKEN"),
        description="The bot token from @BotFather (variable TELEGRAM_BOT_TOKEN).",
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Bot API base URL in python-telegram-bot's base_url form (ending in /bot).",
    )
    telegram_poll_timeout: int = Field(
        default=30, ge=1, le=50, description="Seconds one long-polling getUpdates call waits."
    )
    telegram_messages_per_second: float = Field(
        default=29.0,
        gt=0,
        description="Overall sending rate; Telegram allows about 30 messages per second.",
    )
    org_name: str | None = Field(
        default=None, description="Organisation name shown in dialogues (overrides the profile)."
    )
    org_profile: Path | None = Field(
        default=None,
        description="YAML file with the organisation's name, intro and current challenges.",
    )
    scripts_dir: Path | None = Field(
        default=None,
        description="Folder with extra or changed dialogue scripts (*.yaml); same id replaces.",
    )
    default_script: str = Field(
        default="discovery", description="Script a plain /start (no campaign link) begins."
    )
    answer_settle_seconds: float = Field(
        default=3.0,
        ge=0,
        le=120,
        description=(
            "How long to wait for further messages before an answer counts as complete "
            "(several messages in a row are one answer)."
        ),
    )
    reminder_after_hours: float = Field(
        default=24.0,
        ge=0,
        description="Send one gentle reminder after this much silence mid-dialogue; 0 = never.",
    )
    retention_days: int | None = Field(
        default=None,
        ge=1,
        description="Days after a dialogue ends until its transcript is anonymised or deleted.",
    )
    retention_action: Literal["anonymise", "delete"] = Field(
        default="anonymise", description="What happens when retention_days have passed."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level; message text is never logged at INFO."
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def effective_database_url(self) -> str:
        """Return the database URL, defaulting to a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'needfinder.db').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and ``.env``; errors name the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "?"
            variable = (
                "TELEGRAM_BOT_TOKEN"
                if field in {"telegram_bot_token", "TELEGRAM_BOT_TOKEN"}
                else ENV_PREFIX + field.upper().removeprefix(ENV_PREFIX)
            )
            problems.append(f"{variable}: {item['msg']} (got {item.get('input')!r})")
        raise SettingsError(
            "invalid setting (environment or .env): " + "; ".join(problems)
        ) from None
