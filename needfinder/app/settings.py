"""The one settings object: environment variables with a ``NEEDFINDER_`` prefix and ``.env``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

ENV_PREFIX = "NEEDFINDER_"
_SECRETS = frozenset(
    {"telegram_bot_token", "TELEGRAM_BOT_TOKEN", "webhook_secret", "web_secret_key", "llm_api_key"}
)
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


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
    webhook_url: str | None = Field(
        default=None,
        description=(
            "Public HTTPS URL Telegram delivers updates to in webhook mode (needfinder run "
            "--webhook), e.g. https://bot.example.org/telegram; its path is the path served."
        ),
    )
    webhook_listen: str = Field(
        default="127.0.0.1:8443",
        description=(
            "host:port the webhook server listens on (behind the reverse proxy that "
            "terminates HTTPS); it also serves /healthz."
        ),
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description=(
            "Secret token Telegram sends in X-Telegram-Bot-Api-Secret-Token with every "
            "webhook request (1-256 characters A-Z a-z 0-9 _ -); required for --webhook."
        ),
    )
    health_listen: str | None = Field(
        default=None,
        description=(
            "host:port for the bot's /healthz in polling mode (in webhook mode /healthz is "
            "served on NEEDFINDER_WEBHOOK_LISTEN)."
        ),
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description=(
            "Bot worker processes needfinder run starts (same as --workers); more than 1 "
            "needs PostgreSQL."
        ),
    )
    worker_id: str | None = Field(
        default=None,
        description=(
            "Name of this worker in logs and /healthz; default host-pid (the --workers "
            "supervisor numbers its workers)."
        ),
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
    staff_user_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list,
        description="Telegram user ids of staff, comma-separated (e.g. 1234,5678).",
    )
    staff_chat_id: int | None = Field(
        default=None,
        description=(
            "Telegram chat id of the staff group: its members are staff, it gets a note "
            "whenever a dialogue finishes."
        ),
    )
    staff_names: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Staff names to remove from anything anonymised, comma-separated.",
    )
    web_host: str = Field(
        default="127.0.0.1", description="Address the staff dashboard listens on."
    )
    web_port: int = Field(default=8080, ge=1, le=65535, description="Port of the staff dashboard.")
    web_base_url: str = Field(
        default="http://127.0.0.1:8080",
        description="Public URL of the dashboard, used in login links and notifications.",
    )
    web_secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "Key that signs login links and session cookies; default: a random key created "
            "once in the data folder (web-secret.key)."
        ),
    )
    login_link_minutes: int = Field(
        default=15, ge=1, le=1440, description="How long a dashboard login link stays valid."
    )
    session_hours: int = Field(
        default=12, ge=1, le=720, description="How long a dashboard session lasts."
    )
    community_chat_id: int | None = Field(
        default=None,
        description="Telegram channel or group where approved digests are posted (bot is admin).",
    )
    community_language: Literal["de", "en"] = Field(
        default="de", description="Language of digests posted to the community chat."
    )
    llm_base_url: str | None = Field(
        default=None,
        description=(
            "Optional OpenAI-compatible endpoint (e.g. http://127.0.0.1:8000/v1) that polishes "
            "digest theme labels; it only ever receives anonymised text."
        ),
    )
    llm_model: str | None = Field(default=None, description="Model name for that endpoint.")
    llm_api_key: SecretStr | None = Field(default=None, description="API key for that endpoint.")
    llm_timeout_seconds: float = Field(
        default=20.0, gt=0, le=300, description="Give up on the language model after this long."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level; message text is never logged at INFO."
    )

    @field_validator("staff_user_ids", "staff_names", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        # "1,2" in the environment; a JSON list works too.
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram refuses other characters in setWebhook's secret_token.
        if value is not None and not _SECRET_RE.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters, only A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("webhook_listen", "health_listen")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is not None:
            _host, sep, port = value.rpartition(":")
            if not sep or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError("expected host:port, e.g. 127.0.0.1:8443")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        # Telegram delivers to HTTPS URLs only.
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be an https:// URL (Telegram delivers to HTTPS only)")
        return value

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
    except SourceError as error:
        raise SettingsError(f"invalid setting (environment or .env): {error}") from None
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "?"
            variable = (
                "TELEGRAM_BOT_TOKEN"
                if field in {"telegram_bot_token", "TELEGRAM_BOT_TOKEN"}
                else ENV_PREFIX + field.upper().removeprefix(ENV_PREFIX)
            )
            # Never echo a secret back into a terminal or a log.
            got = "(hidden)" if field in _SECRETS else repr(item.get("input"))
            problems.append(f"{variable}: {item['msg']} (got {got})")
        raise SettingsError(
            "invalid setting (environment or .env): " + "; ".join(problems)
        ) from None
