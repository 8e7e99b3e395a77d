"""Fixtures: a migrated database (SQLite by default, PostgreSQL via TEST_DATABASE_URL), the
sandbox Bot API, and the real bot polling it."""

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.engine import create_engine
from db.migrate import upgrade
from db.schema import metadata
from demo.runner import BotRunner, SimulatedClock, interactive_flood_policy, sandbox_settings
from sandbox import SandboxServer

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ADMIN_ID = 9000


def uses_postgresql() -> bool:
    return (
        bool(TEST_DATABASE_URL) and make_url(TEST_DATABASE_URL).get_backend_name() == "postgresql"
    )


_postgresql_problem: list[str] = []


async def _prepare_postgresql() -> None:
    engine = create_engine(TEST_DATABASE_URL)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (OSError, Exception) as error:  # noqa: BLE001 - any failure means "unreachable"
        _postgresql_problem.append(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {error}")
        return
    finally:
        await engine.dispose()
    await upgrade(TEST_DATABASE_URL)


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "tideline.db"
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgresql_ready() -> None:
    if uses_postgresql():
        asyncio.run(_prepare_postgresql())


async def _empty_postgresql() -> None:
    engine = create_engine(TEST_DATABASE_URL)
    tables = ", ".join(table.name for table in metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
async def database_url(
    tmp_path: Path, migrated_sqlite_template: Path, postgresql_ready: None
) -> str:
    if uses_postgresql():
        if _postgresql_problem:
            pytest.skip(_postgresql_problem[0])
        await _empty_postgresql()
        return TEST_DATABASE_URL
    path = tmp_path / "tideline.db"
    shutil.copy(migrated_sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    server = SandboxServer(flood=interactive_flood_policy())
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock()


@pytest.fixture
async def bot(
    sandbox: SandboxServer, database_url: str, clock: SimulatedClock
) -> AsyncIterator[BotRunner]:
    harness = BotRunner(
        sandbox, sandbox_settings(sandbox, database_url, ADMIN_IDS=str(ADMIN_ID)), clock
    )
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


def pytest_report_header() -> str:
    backend = make_url(TEST_DATABASE_URL).get_backend_name() if TEST_DATABASE_URL else "sqlite"
    return f"database under test: {backend}"
