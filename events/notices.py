"""What events put in the outbox: reminders and notices, each under a dedupe key that names the
event, the person and the occasion, so repeating an action never sends anything twice.

Reminder keys share the prefix ``reminder:event:<id>:user:<id>:`` so cancelling a registration
drops them all; notices about a change carry the event's sequence, so each change is announced
once."""

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from delivery import outbox
from delivery.models import OutboxMessage, OutboxStatus
from delivery.outbox import OutboxItem
from events.models import (
    CleanupReport,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
)

DAY_BEFORE = timedelta(hours=24)
# Impact summaries go out a day after a cleanup ends, once data cards had time to come in, for
# cleanups that ended up to two weeks ago (so a long outage still catches up).
IMPACT_AFTER = timedelta(hours=24)
IMPACT_UNTIL = timedelta(days=14)


class Kind:
    """Outbox kinds owned by events; handlers/events/notices.py renders each."""

    DAY_BEFORE = "event.day_before"
    SAME_DAY = "event.same_day"
    SEAT_OFFER = "event.seat_offer"
    OFFER_EXPIRED = "event.offer_expired"
    DECISION = "event.decision"
    APPROVAL_REQUEST = "event.approval_request"
    CHANGED = "event.changed"
    CANCELLED = "event.cancelled"
    IMPACT = "event.impact"
    CHECKED_IN = "event.checked_in"
    LOGISTICS = "event.logistics"


class Change(StrEnum):
    """What an ``event.changed`` notice says has changed: the things registrants act on."""

    TIME = "time"
    VENUE = "venue"
    CANCELLATION_DEADLINE = "cancellation_deadline"


def days_until(event: Event, now: datetime) -> int:
    """Calendar days from ``now`` to the event's start, both on the event's local calendar: 1
    when it starts tomorrow there, 0 on its own day. A day-before reminder is worded from it
    when it goes out, which may be late (after quiet hours, after a restart) or, across a
    clock change, two days ahead."""
    zone = ZoneInfo(event.timezone)
    return (event.starts_at.astimezone(zone).date() - now.astimezone(zone).date()).days


def _reminder_prefix(event: Event, registration: Registration) -> str:
    return f"reminder:event:{event.id}:user:{registration.user_id}:"


def _payload(registration: Registration, **extra: object) -> dict[str, object]:
    return {"registration_id": registration.id, "event_id": registration.event_id, **extra}


async def schedule_reminders(
    session: AsyncSession, event: Event, registration: Registration, *, now: datetime
) -> None:
    reminders = reminder_items(event, registration, now=now)
    if reminders:
        await outbox.enqueue_many(session, reminders, now=now)


def reminder_items(event: Event, registration: Registration, *, now: datetime) -> list[OutboxItem]:
    """The day-before "still coming?" and the same-day reminder; one whose time has already
    passed is not scheduled at all."""
    prefix = _reminder_prefix(event, registration)
    reminders = []
    day_before = event.starts_at - DAY_BEFORE
    if event.day_before_reminder and day_before > now:
        reminders.append(
            OutboxItem(
                registration.user_id,
                Kind.DAY_BEFORE,
                prefix + "day-before",
                day_before,
                _payload(registration),
                urgent=False,
            )
        )
    same_day = event.starts_at - timedelta(minutes=event.reminder_minutes_before)
    if same_day > now:
        # Urgent: it is useless after quiet hours end when the event starts early.
        reminders.append(
            OutboxItem(
                registration.user_id,
                Kind.SAME_DAY,
                prefix + "same-day",
                same_day,
                _payload(registration),
                urgent=True,
            )
        )
    return reminders


async def refresh_reminders(session: AsyncSession, event: Event, *, now: datetime) -> None:
    """Every confirmed person's reminders at the event's current reminder settings."""
    confirmed = await session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    for registration in confirmed:
        # Dropping first takes away a reminder that was switched off or whose new time passed.
        await drop_reminders(session, event, registration, now=now)
        await schedule_reminders(session, event, registration, now=now)


async def drop_reminders(
    session: AsyncSession, event: Event, registration: Registration, *, now: datetime
) -> None:
    await outbox.cancel(
        session,
        key_prefix=_reminder_prefix(event, registration),
        reason="registration cancelled",
        now=now,
    )


async def _notice(
    session: AsyncSession,
    registration: Registration,
    kind: str,
    occasion: str,
    *,
    now: datetime,
    **extra: object,
) -> None:
    await outbox.enqueue(
        session,
        user_id=registration.user_id,
        kind=kind,
        dedupe_key=f"notice:event:{registration.event_id}:user:{registration.user_id}:{occasion}",
        due_at=now,
        payload=_payload(registration, **extra),
        urgent=True,
    )


async def seat_offered(
    session: AsyncSession, event: Event, registration: Registration, *, now: datetime
) -> None:
    assert registration.offer_expires_at is not None
    stamp = int(registration.offer_expires_at.timestamp())
    await _notice(session, registration, Kind.SEAT_OFFER, f"offer:{stamp}", now=now)


async def offer_expired(
    session: AsyncSession, event: Event, registration: Registration, *, now: datetime
) -> None:
    stamp = int(now.timestamp())
    await _notice(session, registration, Kind.OFFER_EXPIRED, f"offer-expired:{stamp}", now=now)


async def decision_made(
    session: AsyncSession,
    event: Event,
    registration: Registration,
    *,
    now: datetime,
    reason: str | None = None,
) -> None:
    """``reason``: what the organizer wrote when declining, for the person to read."""
    extra = {"reason": reason} if reason else {}
    await _notice(
        session,
        registration,
        Kind.DECISION,
        f"decision:{registration.status}",
        now=now,
        outcome=str(registration.status),
        **extra,
    )


def approval_request_items(
    event: Event, registration: Registration, *, now: datetime
) -> list[OutboxItem]:
    """Every organizer of the event is asked; the first answer decides."""
    return [
        OutboxItem(
            link.user_id,
            Kind.APPROVAL_REQUEST,
            f"notice:approval:{registration.id}:organizer:{link.user_id}",
            now,
            _payload(registration),
            urgent=True,
        )
        for link in event.organizers
    ]


async def checked_in(
    session: AsyncSession, event: Event, registration: Registration, *, now: datetime
) -> None:
    """An organizer scanned the person's code: they hear it on their own phone."""
    await _notice(
        session, registration, Kind.CHECKED_IN, f"checked-in:{int(now.timestamp())}", now=now
    )


async def event_changed(
    session: AsyncSession,
    event: Event,
    registrations: Sequence[Registration],
    changes: Collection[Change],
    *,
    now: datetime,
) -> None:
    """One notice per registrant for the event's new sequence. A notice of an earlier change
    that has not gone out yet is superseded by this one, so this one names its changes too."""
    unsent = await _unsent_changes(session, event)
    for registration in registrations:
        named = set(changes) | unsent.get(registration.user_id, set())
        await _notice(
            session,
            registration,
            Kind.CHANGED,
            f"changed:{event.sequence}",
            now=now,
            sequence=event.sequence,
            changes=sorted(named),
        )


async def _unsent_changes(session: AsyncSession, event: Event) -> dict[int, set[Change]]:
    rows = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == Kind.CHANGED,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.dedupe_key.startswith(f"notice:event:{event.id}:user:"),
        )
    )
    unsent: dict[int, set[Change]] = {}
    for row in rows:
        named = {Change(change) for change in (row.payload or {}).get("changes", [])}
        unsent.setdefault(row.user_id, set()).update(named)
    return unsent


async def event_cancelled(
    session: AsyncSession, event: Event, registration: Registration, *, now: datetime
) -> None:
    await drop_reminders(session, event, registration, now=now)
    await _notice(session, registration, Kind.CANCELLED, "cancelled", now=now)


async def impact_summaries(session: AsyncSession, *, now: datetime) -> int:
    """Every confirmed participant of a cleanup with data cards hears what it achieved, once;
    returns how many summaries were queued now."""
    ended = select(Event).where(
        Event.kind == EventKind.CLEANUP,
        Event.status != EventStatus.CANCELLED,
        Event.ends_at <= now - IMPACT_AFTER,
        Event.ends_at > now - IMPACT_UNTIL,
        select(CleanupReport.id).where(CleanupReport.event_id == Event.id).exists(),
    )
    queued = 0
    for event in await session.scalars(ended):
        prefix = f"notice:event:{event.id}:user:"
        already = await session.scalar(
            select(func.count()).where(
                OutboxMessage.kind == Kind.IMPACT, OutboxMessage.dedupe_key.startswith(prefix)
            )
        )
        participants = list(
            await session.scalars(
                select(Registration).where(
                    Registration.event_id == event.id,
                    Registration.status == RegistrationStatus.CONFIRMED,
                )
            )
        )
        if already == len(participants):
            continue
        for registration in participants:
            await outbox.enqueue(
                session,
                user_id=registration.user_id,
                kind=Kind.IMPACT,
                dedupe_key=f"{prefix}{registration.user_id}:impact",
                due_at=now,
                payload=_payload(registration),
            )
            queued += 1
    return queued
