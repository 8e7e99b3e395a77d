"""Tideline's configuration: environment variables (or ``.env``), as listed in design.md."""

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from i18n.languages import LANGUAGE_CODES

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///tideline.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Hosting platforms hand out driverless URLs (postgres://…); the bot runs on the async drivers.
ASYNC_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}
DATABASE_URL_HINT = "use postgresql+asyncpg://user:password@host/db or sqlite+aiosqlite:///file.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    BOT_TOKEN: str = ""
    BOT_API_BASE_URL: str = "https://api.telegram.org"
    DATABASE_URL: str = DEFAULT_DATABASE_URL
    ADMIN_IDS: Annotated[frozenset[int], NoDecode] = frozenset()
    DEFAULT_LANGUAGE: str = "en"
    DEFAULT_TIMEZONE: str = "Asia/Singapore"
    WEBHOOK_URL: str = ""
    WEBHOOK_SECRET: str = ""
    WEBHOOK_LISTEN: str = "0.0.0.0"
    WEBHOOK_PORT: int = Field(default=8443, ge=1, le=65535)
    BROADCAST_RATE: float = Field(default=25, gt=0, le=1000)
    LOG_LEVEL: str = ""
    HEARTBEAT_FILE: str = ""

    @field_validator("DATABASE_URL")
    @classmethod
    def _async_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(DATABASE_URL_HINT) from None
        driver = ASYNC_DRIVERS.get(url.drivername, url.drivername)
        if driver not in ASYNC_DRIVERS.values():
            raise ValueError(DATABASE_URL_HINT)
        return _with_asyncpg_ssl(url.set(drivername=driver)).render_as_string(hide_password=False)

    @field_validator("LOG_LEVEL")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value and value.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @field_validator("ADMIN_IDS", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not all(part.lstrip("-").isdigit() for part in parts):
            raise ValueError("expected comma-separated Telegram user ids, e.g. 12345,67890")
        return frozenset(int(part) for part in parts)

    @field_validator("DEFAULT_LANGUAGE")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGE_CODES:
            raise ValueError(f"must be one of {', '.join(LANGUAGE_CODES)}")
        return value

    @field_validator("DEFAULT_TIMEZONE")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as Asia/Singapore") from None
        return value

    @field_validator("BOT_API_BASE_URL", "WEBHOOK_URL")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("WEBHOOK_SECRET")
    @classmethod
    def _telegram_secret(cls, value: str) -> str:
        # Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and -.
        allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        if len(value) > 256 or not set(value) <= allowed:
            raise ValueError("use up to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value


def _with_asyncpg_ssl(url: URL) -> URL:
    """libpq's ``sslmode=require`` (in Heroku-style URLs) is asyncpg's ``ssl=require``."""
    if url.get_backend_name() != "postgresql" or "sslmode" not in url.query:
        return url
    mode = url.query["sslmode"]
    return url.difference_update_query(["sslmode"]).update_query_dict({"ssl": mode})


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigurationError(f"Configuration error: {name}: {message}") from None
