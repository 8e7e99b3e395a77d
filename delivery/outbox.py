"""Enqueue, cancel, reschedule, pause and inspect sends. Every function takes the caller's
session and never commits: the send is queued in the same transaction as the change that
caused it, so a rolled-back registration leaves no reminder behind."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from delivery.models import OutboxMessage, OutboxStatus

# Rows per INSERT statement in enqueue_many: well under SQLite's 32,766 bound parameters.
INSERT_CHUNK = 500


@dataclass(frozen=True)
class OutboxItem:
    """One send to queue with :func:`enqueue_many` (the arguments of :func:`enqueue`)."""

    user_id: int
    kind: str
    dedupe_key: str
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    urgent: bool = False


@dataclass(frozen=True)
class Failure:
    """A send that ended without reaching its recipient, for reports and CSV exports."""

    dedupe_key: str
    user_id: int
    kind: str
    status: OutboxStatus
    reason: str | None
    attempts: int
    finished_at: datetime | None


async def enqueue(
    session: AsyncSession,
    *,
    user_id: int,
    kind: str,
    dedupe_key: str,
    due_at: datetime,
    payload: dict[str, Any] | None = None,
    urgent: bool = False,
    now: datetime | None = None,
) -> None:
    """Queue a send, idempotently per ``dedupe_key``.

    A pending row with the same key takes the new due time, payload and urgency; a cancelled
    (skipped) one is revived; one that is sending or already finished is left alone, so
    enqueueing again never sends twice. ``now`` stamps ``created_at`` (default: ``due_at``).
    """
    item = OutboxItem(user_id, kind, dedupe_key, due_at, payload or {}, urgent)
    await enqueue_many(session, [item], now=now)


async def enqueue_many(
    session: AsyncSession, items: Iterable[OutboxItem], *, now: datetime | None = None
) -> None:
    """:func:`enqueue` for many sends at once (a broadcast), in a few statements.

    ``now`` stamps ``created_at``; it defaults to each item's due time.
    """
    batch: list[OutboxItem] = []
    for item in items:
        batch.append(item)
        if len(batch) == INSERT_CHUNK:
            await _enqueue_chunk(session, batch, now)
            batch = []
    if batch:
        await _enqueue_chunk(session, batch, now)


async def _enqueue_chunk(
    session: AsyncSession, items: Sequence[OutboxItem], now: datetime | None
) -> None:
    rows = [
        {
            "dedupe_key": item.dedupe_key,
            "user_id": item.user_id,
            "kind": item.kind,
            "payload": item.payload,
            "due_at": item.due_at,
            "urgent": item.urgent,
            "held": False,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "created_at": now or item.due_at,
        }
        for item in items
    ]
    # ON CONFLICT DO NOTHING keeps concurrent enqueues of one key from failing the caller's
    # transaction; the keys that already existed are then updated by the rules above.
    dialect = session.get_bind().dialect.name
    table: Table = OutboxMessage.__table__  # type: ignore[assignment]
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table).on_conflict_do_nothing(
            index_elements=["dedupe_key"]
        )
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
    else:
        statement = insert(table)
    inserted: set[str] = set(
        (await session.execute(statement.values(rows).returning(table.c.dedupe_key))).scalars()
    )
    for item in items:
        if item.dedupe_key not in inserted:
            await _refresh_existing(session, item)


async def _refresh_existing(session: AsyncSession, item: OutboxItem) -> None:
    changes = {"due_at": item.due_at, "payload": item.payload, "urgent": item.urgent}
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key == item.dedupe_key,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key == item.dedupe_key,
            OutboxMessage.status == OutboxStatus.SKIPPED,
        )
        .values(
            **changes,
            status=OutboxStatus.PENDING,
            held=False,
            attempts=0,
            reason=None,
            last_error=None,
            finished_at=None,
        )
        .execution_options(synchronize_session=False)
    )


def _with_prefix(key_prefix: str) -> ColumnElement[bool]:
    if not key_prefix:
        raise ValueError("a key prefix is required: an empty one would match every send")
    return OutboxMessage.dedupe_key.startswith(key_prefix, autoescape=True)


async def cancel(session: AsyncSession, *, key_prefix: str, reason: str, now: datetime) -> int:
    """Skip every pending (or held) send whose key starts with ``key_prefix``; returns how
    many. Sends already in flight are not recalled."""
    result = await session.execute(
        update(OutboxMessage)
        .where(_with_prefix(key_prefix), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SKIPPED, reason=reason, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def reschedule(session: AsyncSession, *, dedupe_key: str, due_at: datetime) -> bool:
    """Move a pending send; returns False if there is none under that key."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key == dedupe_key,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(due_at=due_at)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _set_held(session: AsyncSession, key_prefix: str, held: bool) -> int:
    result = await session.execute(
        update(OutboxMessage)
        .where(
            _with_prefix(key_prefix),
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.held.is_(not held),
        )
        .values(held=held)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def hold(session: AsyncSession, *, key_prefix: str) -> int:
    """Pause pending sends under a prefix (they stay pending but are not claimed)."""
    return await _set_held(session, key_prefix, True)


async def release(session: AsyncSession, *, key_prefix: str) -> int:
    """Resume sends paused by :func:`hold`."""
    return await _set_held(session, key_prefix, False)


async def counts(session: AsyncSession, *, key_prefix: str) -> dict[OutboxStatus, int]:
    """How many sends under a prefix are in each status (every status present, maybe 0)."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(_with_prefix(key_prefix))
        .group_by(OutboxMessage.status)
    )
    tally = {status: 0 for status in OutboxStatus}
    for status, count in rows:
        tally[OutboxStatus(status)] = count
    return tally


async def held_count(session: AsyncSession, *, key_prefix: str) -> int:
    """Pending sends under a prefix that are paused."""
    count = await session.scalar(
        select(func.count()).where(
            _with_prefix(key_prefix),
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.held.is_(True),
        )
    )
    return int(count or 0)


FAILURE_STATUSES = (OutboxStatus.FAILED, OutboxStatus.BLOCKED, OutboxStatus.SKIPPED)


async def failures(session: AsyncSession, *, key_prefix: str) -> list[Failure]:
    """Sends under a prefix that ended failed, blocked or skipped, with their reasons."""
    rows = await session.scalars(
        select(OutboxMessage)
        .where(_with_prefix(key_prefix), OutboxMessage.status.in_(FAILURE_STATUSES))
        .order_by(OutboxMessage.id)
    )
    return [
        Failure(
            dedupe_key=row.dedupe_key,
            user_id=row.user_id,
            kind=row.kind,
            status=OutboxStatus(row.status),
            reason=row.reason,
            attempts=row.attempts,
            finished_at=row.finished_at,
        )
        for row in rows
    ]


async def next_due(session: AsyncSession) -> datetime | None:
    """When the dispatcher next has something to do: the earliest pending, unheld due time or
    the earliest lease to expire."""
    pending = await session.scalar(
        select(func.min(OutboxMessage.due_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.held.is_(False)
        )
    )
    leases = await session.scalar(
        select(func.min(OutboxMessage.lease_expires_at)).where(
            OutboxMessage.status == OutboxStatus.SENDING
        )
    )
    moments = [_aware(moment) for moment in (pending, leases) if moment is not None]
    return min(moments, default=None)


async def lease_expired(session: AsyncSession, now: datetime) -> bool:
    """Whether a claimed row's lease ran out: the process that claimed it died."""
    row_id = await session.scalar(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_expires_at <= now)
        .limit(1)
    )
    return row_id is not None


def _aware(moment: datetime) -> datetime:
    """Aggregates may bypass the column type: SQLite can hand back naive UTC or a string."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
