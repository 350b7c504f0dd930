"""Settings: config/settings.toml, overridden by environment variables.

One `Settings` object is built in the entry point and passed down; tests build their own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .resources import CONFIG_DIR, SEEDS_DIR

CONFIG_FILE = CONFIG_DIR / "settings.toml"
DEFAULT_SEEDS_DIR = SEEDS_DIR


class Settings(BaseSettings):
    """Everything the application can be told from outside."""

    model_config = SettingsConfigDict(
        toml_file=CONFIG_FILE,
        extra="ignore",
        populate_by_name=True,
        frozen=True,
    )

    data_dir: Path = Field(
        default=Path("./data"), validation_alias=AliasChoices("UNIONBOT_DATA_DIR", "data_dir")
    )
    seeds_dir: Path | None = Field(
        default=DEFAULT_SEEDS_DIR,
        validation_alias=AliasChoices("UNIONBOT_SEEDS_DIR", "seeds_dir"),
    )
    inbox_dir: Path | None = Field(
        default=None, validation_alias=AliasChoices("UNIONBOT_INBOX_DIR", "inbox_dir")
    )
    poll_seconds: float = Field(
        default=30.0, gt=0, validation_alias=AliasChoices("UNIONBOT_POLL_SECONDS", "poll_seconds")
    )
    index_check_seconds: float = Field(
        default=2.0, gt=0, validation_alias=AliasChoices("UNIONBOT_INDEX_CHECK_SECONDS", "index_check_seconds")
    )
    feed_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("UNIONBOT_FEED_URLS", "feed_urls")
    )
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("UNIONBOT_DATABASE_URL", "database_url")
    )
    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "telegram_bot_token")
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org/bot",
        validation_alias=AliasChoices("UNIONBOT_TELEGRAM_API_URL", "telegram_api_url"),
    )
    telegram_timeout_seconds: float = Field(
        default=20.0,
        gt=0,
        validation_alias=AliasChoices("UNIONBOT_TELEGRAM_TIMEOUT_SECONDS", "telegram_timeout_seconds"),
    )
    webhook_url: str | None = Field(
        default=None, validation_alias=AliasChoices("UNIONBOT_WEBHOOK_URL", "webhook_url")
    )
    webhook_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("UNIONBOT_WEBHOOK_SECRET", "webhook_secret")
    )
    webhook_listen: str = Field(
        default="127.0.0.1", validation_alias=AliasChoices("UNIONBOT_WEBHOOK_LISTEN", "webhook_listen")
    )
    webhook_port: int = Field(
        default=8443, gt=0, lt=65536, validation_alias=AliasChoices("UNIONBOT_WEBHOOK_PORT", "webhook_port")
    )
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("UNIONBOT_ADMIN_IDS", "admin_ids")
    )
    delivery_workers: int = Field(
        default=8, gt=0, le=64, validation_alias=AliasChoices("UNIONBOT_DELIVERY_WORKERS", "delivery_workers")
    )
    answer_workers: int = Field(
        default=2, gt=0, le=64, validation_alias=AliasChoices("UNIONBOT_ANSWER_WORKERS", "answer_workers")
    )
    max_concurrent_updates: int = Field(
        default=64, gt=0, le=1024,
        validation_alias=AliasChoices("UNIONBOT_MAX_CONCURRENT_UPDATES", "max_concurrent_updates"),
    )
    delivery_rate: float = Field(
        default=20.0, gt=0, le=30, validation_alias=AliasChoices("UNIONBOT_DELIVERY_RATE", "delivery_rate")
    )
    delivery_give_up_seconds: float = Field(
        default=6 * 3600.0,
        gt=0,
        validation_alias=AliasChoices("UNIONBOT_DELIVERY_GIVE_UP_SECONDS", "delivery_give_up_seconds"),
    )
    lease_seconds: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        validation_alias=AliasChoices("UNIONBOT_LEASE_SECONDS", "lease_seconds"),
    )
    followup_seconds: float = Field(
        default=300.0,
        gt=0,
        validation_alias=AliasChoices("UNIONBOT_FOLLOWUP_SECONDS", "followup_seconds"),
    )
    max_issue_bytes: int = Field(
        default=10_000_000,
        gt=0,
        validation_alias=AliasChoices("UNIONBOT_MAX_ISSUE_BYTES", "max_issue_bytes"),
    )
    index_lock_timeout_seconds: float = Field(
        default=300.0,
        gt=0,
        validation_alias=AliasChoices("UNIONBOT_INDEX_LOCK_TIMEOUT_SECONDS", "index_lock_timeout_seconds"),
    )
    index_workers: int | None = Field(
        default=None, gt=0, le=64, validation_alias=AliasChoices("UNIONBOT_INDEX_WORKERS", "index_workers")
    )
    index_parallel_paragraphs: int = Field(
        default=20_000,
        gt=0,
        validation_alias=AliasChoices("UNIONBOT_INDEX_PARALLEL_PARAGRAPHS", "index_parallel_paragraphs"),
    )
    fetch_timeout_seconds: float = Field(
        default=20.0,
        gt=0,
        validation_alias=AliasChoices("UNIONBOT_FETCH_TIMEOUT_SECONDS", "fetch_timeout_seconds"),
    )
    fetch_deadline_seconds: float = Field(
        default=60.0,
        gt=0,
        validation_alias=AliasChoices("UNIONBOT_FETCH_DEADLINE_SECONDS", "fetch_deadline_seconds"),
    )
    contact: str | None = Field(
        default=None, validation_alias=AliasChoices("UNIONBOT_CONTACT", "contact")
    )
    fetch_delay_seconds: float = Field(
        default=1.0,
        ge=0,
        validation_alias=AliasChoices("UNIONBOT_FETCH_DELAY_SECONDS", "fetch_delay_seconds"),
    )
    max_pages_per_poll: int = Field(
        default=200,
        gt=0,
        validation_alias=AliasChoices("UNIONBOT_MAX_PAGES_PER_POLL", "max_pages_per_poll"),
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @field_validator("seeds_dir", "inbox_dir", mode="before")
    @classmethod
    def _empty_path_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("database_url", "webhook_url", "contact", mode="before")
    @classmethod
    def _empty_str_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_bot_token", "webhook_secret", mode="before")
    @classmethod
    def _empty_secret_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("UNIONBOT_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("feed_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            try:
                return [int(part) for part in parts if part]
            except ValueError:
                raise ValueError(
                    "UNIONBOT_ADMIN_IDS must be comma-separated Telegram user ids"
                ) from None
        return value

    @field_validator("contact")
    @classmethod
    def _check_contact(cls, value: str | None) -> str | None:
        if value is not None and (len(value) > 200 or not value.isprintable() or any(c in value for c in "()")):
            raise ValueError("UNIONBOT_CONTACT must be an email address or URL on one line, without parentheses")
        return value.strip() if value is not None else None

    @field_validator("feed_urls")
    @classmethod
    def _check_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"feed URL must be http(s): {url!r}")
        return value

    @model_validator(mode="after")
    def _check_database_url(self) -> Settings:
        url = self.database_url
        if url is not None and not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("UNIONBOT_DATABASE_URL must start with sqlite:/// or postgresql://")
        return self

    @property
    def inbox(self) -> Path:
        """The folder a running bot watches for new issue files."""
        return self.inbox_dir if self.inbox_dir is not None else self.data_dir / "inbox"

    @property
    def sqlite_path(self) -> Path:
        """The SQLite database file (the embedded default)."""
        url = self.database_url
        if url is None:
            return self.data_dir / "unionbot.sqlite3"
        if not url.startswith("sqlite:///"):
            raise ValueError("not an SQLite database URL: " + url.split("@")[-1])
        return Path(url.removeprefix("sqlite:///"))

    @property
    def index_dir(self) -> Path:
        """Where the search index is saved."""
        return self.data_dir / "index"
