"""Messages organizers write to the people registered for their event: where to meet, what to
bring, a change of plan. They are about the event the person registered for, so they need the
event-logistics consent that registering requires, not the consent to news; people who blocked
the bot or erased their data are left out, and the outbox checks both again at send time.

Each message is one outbox row per person (kind ``event.logistics``, urgent: it is about an
event close ahead, and waiting for the end of quiet hours could make it late), under a key that
names the event, the person and the message, so sending the same message again queues
nothing twice."""

import hashlib
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from delivery import outbox
from delivery.outbox import OutboxItem
from events.models import ACTIVE, Event, Registration, RegistrationStatus
from events.notices import Kind


class Audience(StrEnum):
    CONFIRMED = "confirmed"  # people with a seat
    REGISTERED = "registered"  # also those offered a seat, waiting, or pending approval


AUDIENCE_STATUSES: dict[Audience, tuple[RegistrationStatus, ...]] = {
    Audience.CONFIRMED: (RegistrationStatus.CONFIRMED,),
    Audience.REGISTERED: ACTIVE,
}


def _recipients(event: Event, audience: Audience) -> Select[Registration]:
    return (
        select(Registration)
        .join(User, User.id == Registration.user_id)
        .where(
            Registration.event_id == event.id,
            Registration.status.in_(AUDIENCE_STATUSES[audience]),
            User.telegram_id.is_not(None),
            User.erased_at.is_(None),
            User.blocked_at.is_(None),
        )
    )


async def audience_size(session: AsyncSession, event: Event, audience: Audience) -> int:
    query = select(func.count()).select_from(_recipients(event, audience).subquery())
    return int(await session.scalar(query) or 0)


def _message_key(event: Event, user_id: int, digest: str) -> str:
    return f"notice:event:{event.id}:user:{user_id}:logistics:{digest}"


async def send_message(
    session: AsyncSession, event: Event, audience: Audience, html: str, *, now: datetime
) -> int:
    """Queues ``html`` (the organizer's text, formatting kept) for the audience now; returns
    how many people it goes to."""
    digest = hashlib.sha256(f"{now.isoformat()}\n{html}".encode()).hexdigest()[:16]
    registrations: list[Registration] = list(await session.scalars(_recipients(event, audience)))
    await outbox.enqueue_many(
        session,
        [
            OutboxItem(
                registration.user_id,
                Kind.LOGISTICS,
                _message_key(event, registration.user_id, digest),
                now,
                {
                    "registration_id": registration.id,
                    "event_id": event.id,
                    "audience": str(audience),
                    "html": html,
                },
                urgent=True,
            )
            for registration in registrations
        ],
        now=now,
    )
    return len(registrations)
