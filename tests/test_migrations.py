"""Migrations upgrade and downgrade cleanly and match the models."""

from datetime import UTC, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from icalendar import Calendar
from sqlalchemy import inspect, text

from accounts.models import AccessRole, User
from db.engine import create_engine, create_session_factory
from db.migrate import downgrade, upgrade
from db.schema import metadata
from events import service
from events.calendar import event_calendar
from events.models import Event, Registration
from tests.events_setup import draft


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


async def _calendar_uid_of_a_new_event(database_url: str) -> tuple[int, str]:
    engine = create_engine(database_url)
    now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    async with create_session_factory(engine)() as session, session.begin():
        creator = User(language="en", access_role=AccessRole.ORGANIZER, created_at=now)
        session.add(creator)
        await session.flush()
        event = await service.create_event(session, draft(), creator=creator, now=now, publish=True)
        result = event.id, str(_vevent(event, now)["uid"])
    await engine.dispose()
    return result


def _vevent(event: Event, now: datetime) -> Any:
    registration = Registration(calendar_revision=0)
    data = event_calendar(
        event, registration, title="Cleanup", description="", organizer_name="Tideline", now=now
    )
    [vevent] = Calendar.from_ical(data).walk("VEVENT")
    return vevent


async def test_a_reset_database_never_reuses_a_calendar_uid(database_url: str) -> None:
    # Calendar apps would take the new event 1 for the old one people still have.
    first_id, first_uid = await _calendar_uid_of_a_new_event(database_url)
    await downgrade(database_url, "base")
    await upgrade(database_url)
    second_id, second_uid = await _calendar_uid_of_a_new_event(database_url)
    assert first_id == second_id
    assert first_uid != second_uid


async def test_events_from_before_the_upgrade_keep_the_calendar_uid_people_have(
    database_url: str,
) -> None:
    await downgrade(database_url, "0004")
    moment = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO events (id, kind, status, fallback_language, venue_name, address,"
                " latitude, longitude, country, city, timezone, starts_at, ends_at, capacity,"
                " seats_taken, registration_mode, offer_hours, reminder_minutes_before,"
                " day_before_reminder, sequence, created_at, updated_at) VALUES (7, 'cleanup',"
                " 'published', 'en', 'Beach', 'Road', 13.3, 100.9, 'TH', 'Chonburi',"
                " 'Asia/Bangkok', :moment, :moment, 20, 0, 'open', 12, 120, true, 2, :moment,"
                " :moment)"
            ),
            {"moment": moment},
        )
    await engine.dispose()
    await upgrade(database_url)
    engine = create_engine(database_url)
    async with create_session_factory(engine)() as session:
        event = await session.get(Event, 7)
        assert event is not None
        assert str(_vevent(event, moment)["uid"]) == "event-7@tideline"
    await engine.dispose()
