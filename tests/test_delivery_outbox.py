"""The outbox API: idempotent enqueue, cancel, reschedule, hold/release and the counts that
broadcast progress reads."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import create_engine, create_session_factory
from delivery.models import OutboxMessage, OutboxStatus
from delivery.outbox import (
    cancel,
    counts,
    enqueue,
    failures,
    held_count,
    hold,
    next_due,
    release,
    reschedule,
)
from delivery.quiet_hours import QuietHours
from tests.delivery_helpers import add_people

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def _row(sessions: async_sessionmaker[AsyncSession], key: str) -> OutboxMessage:
    async with sessions() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == key))
        assert row is not None
        return row


async def _set_status(
    sessions: async_sessionmaker[AsyncSession], key: str, status: OutboxStatus
) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.dedupe_key == key).values(status=status)
        )


async def test_enqueue_is_idempotent_per_key(sessions: async_sessionmaker[AsyncSession]) -> None:
    people = await add_people(sessions, [11], NOW)
    key = "reminder:event:1:user:11:day-before"
    for hours in (1, 2):
        async with sessions.begin() as session:
            await enqueue(
                session,
                user_id=people[11],
                kind="plain",
                dedupe_key=key,
                due_at=NOW + timedelta(hours=hours),
                payload={"text": f"v{hours}"},
            )
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert len(rows) == 1
    assert rows[0].due_at == NOW + timedelta(hours=2)
    assert rows[0].payload == {"text": "v2"}
    assert rows[0].status == OutboxStatus.PENDING

    # Once sent, enqueueing the same key again changes nothing: no second send.
    await _set_status(sessions, key, OutboxStatus.SENT)
    async with sessions.begin() as session:
        await enqueue(
            session, user_id=people[11], kind="plain", dedupe_key=key, due_at=NOW, payload={}
        )
    row = await _row(sessions, key)
    assert (row.status, row.payload) == (OutboxStatus.SENT, {"text": "v2"})


async def test_cancel_then_enqueue_revives(sessions: async_sessionmaker[AsyncSession]) -> None:
    people = await add_people(sessions, [21, 22], NOW)
    async with sessions.begin() as session:
        for telegram_id, user_id in people.items():
            for slot in ("day-before", "on-the-day"):
                await enqueue(
                    session,
                    user_id=user_id,
                    kind="plain",
                    dedupe_key=f"reminder:event:5:user:{telegram_id}:{slot}",
                    due_at=NOW,
                )
        # A key prefix is literal: "_" and "%" match only themselves.
        await enqueue(
            session, user_id=people[21], kind="plain", dedupe_key="reminder:event:5_x", due_at=NOW
        )
    async with sessions.begin() as session:
        dropped = await cancel(
            session,
            key_prefix="reminder:event:5:user:21:",
            reason="registration cancelled",
            now=NOW,
        )
    assert dropped == 2
    row = await _row(sessions, "reminder:event:5:user:21:day-before")
    assert (row.status, row.reason, row.finished_at) == (
        OutboxStatus.SKIPPED,
        "registration cancelled",
        NOW,
    )
    assert (await _row(sessions, "reminder:event:5:user:22:day-before")).status == "pending"

    async with sessions.begin() as session:
        await enqueue(
            session,
            user_id=people[21],
            kind="plain",
            dedupe_key="reminder:event:5:user:21:day-before",
            due_at=NOW + timedelta(days=1),
        )
    row = await _row(sessions, "reminder:event:5:user:21:day-before")
    assert (row.status, row.reason, row.due_at) == (
        OutboxStatus.PENDING,
        None,
        NOW + timedelta(days=1),
    )
    with pytest.raises(ValueError):
        async with sessions.begin() as session:
            await cancel(session, key_prefix="", reason="everything", now=NOW)


async def test_reschedule_hold_release_counts_failures(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    people = await add_people(sessions, [31, 32, 33], NOW)
    async with sessions.begin() as session:
        for telegram_id, user_id in people.items():
            await enqueue(
                session,
                user_id=user_id,
                kind="plain",
                dedupe_key=f"broadcast:7:user:{telegram_id}",
                due_at=NOW,
                payload={"text": "News"},
            )
        assert await reschedule(session, dedupe_key="broadcast:7:user:31", due_at=NOW)
        assert not await reschedule(session, dedupe_key="broadcast:8:user:31", due_at=NOW)
        assert await hold(session, key_prefix="broadcast:7:") == 3
        assert await held_count(session, key_prefix="broadcast:7:") == 3
        assert await next_due(session) is None  # held rows are nobody's work
        assert await release(session, key_prefix="broadcast:7:user:3") == 3
        assert await next_due(session) == NOW
    await _set_status(sessions, "broadcast:7:user:32", OutboxStatus.FAILED)
    async with sessions.begin() as session:
        tally = await counts(session, key_prefix="broadcast:7:")
        broken = await failures(session, key_prefix="broadcast:7:")
    assert tally[OutboxStatus.PENDING] == 2
    assert tally[OutboxStatus.FAILED] == 1
    assert tally[OutboxStatus.SENT] == 0
    assert [failure.dedupe_key for failure in broken] == ["broadcast:7:user:32"]


async def test_concurrent_enqueues_of_one_key_make_one_row(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    people = await add_people(sessions, [41], NOW)

    async def one(due: datetime) -> None:
        async with sessions.begin() as session:
            await enqueue(
                session, user_id=people[41], kind="plain", dedupe_key="notice:41", due_at=due
            )

    await asyncio.gather(*(one(NOW + timedelta(minutes=n)) for n in range(8)))
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert len(rows) == 1


@pytest.mark.parametrize(
    ("utc", "zone", "resume"),
    [
        # 13:00 UTC is 19:30 in Yangon (+6:30): not quiet yet.
        (datetime(2026, 11, 25, 13, 0, tzinfo=UTC), "Asia/Yangon", None),
        # 15:00 UTC is 21:30 in Yangon: waits for 08:00 there, 01:30 UTC next day.
        (
            datetime(2026, 11, 25, 15, 0, tzinfo=UTC),
            "Asia/Yangon",
            datetime(2026, 11, 26, 1, 30, tzinfo=UTC),
        ),
        # 13:00 UTC is 22:00 in Jayapura (+9): waits for 08:00 there, 23:00 UTC.
        (
            datetime(2026, 11, 25, 13, 0, tzinfo=UTC),
            "Asia/Jayapura",
            datetime(2026, 11, 25, 23, 0, tzinfo=UTC),
        ),
        # 22:30 UTC is 07:30 in Jayapura: half an hour more.
        (
            datetime(2026, 11, 25, 22, 30, tzinfo=UTC),
            "Asia/Jayapura",
            datetime(2026, 11, 25, 23, 0, tzinfo=UTC),
        ),
        (datetime(2026, 11, 25, 23, 0, tzinfo=UTC), "Asia/Jayapura", None),
    ],
)
def test_quiet_hours_follow_the_recipient_zone(
    utc: datetime, zone: str, resume: datetime | None
) -> None:
    assert QuietHours().resume_at(utc, zone) == resume
