"""Configuration as design.md section 2 names it; bad settings stop start-up with one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from settings import ConfigurationError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
NAMES = (
    "BOT_TOKEN",
    "BOT_API_BASE_URL",
    "DATABASE_URL",
    "ADMIN_IDS",
    "DEFAULT_LANGUAGE",
    "DEFAULT_TIMEZONE",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_LISTEN",
    "WEBHOOK_PORT",
    "BROADCAST_RATE",
    "LOG_LEVEL",
    "HEARTBEAT_FILE",
)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.mark.usefixtures("clean_environment")
def test_defaults_match_the_design() -> None:
    settings = load_settings()
    assert settings.BOT_API_BASE_URL == "https://api.telegram.org"
    assert settings.DATABASE_URL == "sqlite+aiosqlite:///tideline.db"
    assert frozenset() == settings.ADMIN_IDS
    assert (settings.DEFAULT_LANGUAGE, settings.DEFAULT_TIMEZONE) == ("en", "Asia/Singapore")
    assert settings.WEBHOOK_URL == ""
    assert settings.BROADCAST_RATE == 25


@pytest.mark.usefixtures("clean_environment")
def test_values_come_from_the_environment_and_dotenv(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("ADMIN_IDS=12, 34\nDEFAULT_LANGUAGE=th\n")
    monkeypatch.setenv("BROADCAST_RATE", "30")
    settings = load_settings()
    assert frozenset({12, 34}) == settings.ADMIN_IDS
    assert settings.DEFAULT_LANGUAGE == "th"
    assert settings.BROADCAST_RATE == 30


@pytest.mark.usefixtures("clean_environment")
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ADMIN_IDS", "12,abc"),
        ("DEFAULT_LANGUAGE", "fr"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("WEBHOOK_PORT", "http"),
        ("BROADCAST_RATE", "0"),
        ("BOT_API_BASE_URL", "api.telegram.org"),
        ("DATABASE_URL", "mysql://tideline@db/tideline"),
        ("DATABASE_URL", "postgresql+psycopg2://tideline@db/tideline"),
        ("DATABASE_URL", "not a url"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_malformed_setting_is_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=f"^Configuration error: {name}: "):
        load_settings()


@pytest.mark.usefixtures("clean_environment")
@pytest.mark.parametrize(
    ("given", "used"),
    [
        # What hosting platforms hand out, run on the async drivers the bot needs.
        ("postgres://u:p@db:5432/tideline", "postgresql+asyncpg://u:p@db:5432/tideline"),
        (
            "postgresql://u@db/tideline?sslmode=require",
            "postgresql+asyncpg://u@db/tideline?ssl=require",
        ),
        ("sqlite:///tideline.db", "sqlite+aiosqlite:///tideline.db"),
        ("postgresql+asyncpg://u:p%40ss@db/tideline", "postgresql+asyncpg://u:p%40ss@db/tideline"),
    ],
)
def test_database_urls_are_normalised_to_the_async_drivers(
    monkeypatch: pytest.MonkeyPatch, given: str, used: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    assert used == load_settings().DATABASE_URL


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "Configuration error: BOT_TOKEN: required to run the bot"),
        (
            {"BOT_TOKEN": "1:x", "DEFAULT_LANGUAGE": "xx"},
            "Configuration error: DEFAULT_LANGUAGE: must be one of",
        ),
    ],
)
def test_run_stops_with_one_clear_line(
    tmp_path: Path, environment: dict[str, str], expected: str
) -> None:
    env = {key: value for key, value in os.environ.items() if key not in NAMES}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "run"],
        cwd=tmp_path,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith(expected)
    assert len(result.stderr.strip().splitlines()) == 1


def test_every_setting_is_in_the_example_file_and_the_readme() -> None:
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"{name}=" in example, name
        assert f"| `{name}` |" in readme, name
