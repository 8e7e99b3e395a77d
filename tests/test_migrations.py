"""Migrations upgrade and downgrade cleanly and match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from db.engine import create_engine
from db.migrate import downgrade, upgrade
from db.schema import metadata


async def _tables(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def _differences(database_url: str) -> list[object]:
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    await engine.dispose()
    return diff


async def test_upgrade_matches_models_and_downgrade_removes_everything(database_url: str) -> None:
    assert await _tables(database_url) == set(metadata.tables)
    assert await _differences(database_url) == []
    await downgrade(database_url, "base")
    assert await _tables(database_url) == set()
    await upgrade(database_url)
    assert await _tables(database_url) == set(metadata.tables)


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'wal.db'}")
    async with engine.connect() as connection:
        journal = await connection.scalar(text("PRAGMA journal_mode"))
        timeout = await connection.scalar(text("PRAGMA busy_timeout"))
    await engine.dispose()
    assert (journal, timeout) == ("wal", 5000)
