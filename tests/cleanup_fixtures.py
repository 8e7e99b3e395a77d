"""Cleanups, organizers and registrations written straight to the database, so data card tests
do not depend on the registration flow."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from accounts.models import User
from demo.runner import BotRunner
from events.models import (
    CleanupReport,
    Event,
    EventKind,
    EventOrganizer,
    EventStatus,
    EventText,
    Registration,
    RegistrationStatus,
)


async def user_id_of(bot: BotRunner, telegram_id: int) -> int:
    async with bot.session_factory() as session:
        user_id = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
    assert user_id is not None, f"{telegram_id} has no account yet"
    return user_id


async def make_cleanup(
    bot: BotRunner,
    *,
    titles: dict[str, str] | None = None,
    starts_at: datetime | None = None,
    hours: float = 3,
    country: str = "TH",
    city: str = "Chonburi",
    timezone: str = "Asia/Bangkok",
    kind: EventKind = EventKind.CLEANUP,
    status: EventStatus = EventStatus.PUBLISHED,
    organizers: tuple[int, ...] = (),
) -> int:
    """A cleanup that started an hour ago (by default), organized by the given Telegram ids."""
    now = bot.clock.now
    start = starts_at or now - timedelta(hours=1)
    titles = titles or {"en": "Bang Saen beach cleanup"}
    async with bot.session_factory() as session, session.begin():
        event = Event(
            kind=kind,
            status=status,
            fallback_language=next(iter(titles)),
            venue_name="Bang Saen Beach",
            address="Bang Saen Sai 1 Rd",
            latitude=13.2843,
            longitude=100.9150,
            country=country,
            city=city,
            timezone=timezone,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            capacity=50,
            created_at=now,
            updated_at=now,
            texts=[EventText(language=code, title=title) for code, title in titles.items()],
        )
        session.add(event)
        await session.flush()
        for telegram_id in organizers:
            user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
            assert user is not None
            session.add(EventOrganizer(event_id=event.id, user_id=user.id))
        return event.id


async def register(
    bot: BotRunner,
    event_id: int,
    telegram_id: int,
    status: RegistrationStatus = RegistrationStatus.CONFIRMED,
) -> None:
    user_id = await user_id_of(bot, telegram_id)
    now = bot.clock.now
    async with bot.session_factory() as session, session.begin():
        session.add(
            Registration(
                event_id=event_id,
                user_id=user_id,
                status=status,
                queued_at=now,
                created_at=now,
                updated_at=now,
                checkin_token=secrets.token_urlsafe(16),
                answers={},
            )
        )


async def set_status(bot: BotRunner, event_id: int, status: EventStatus) -> None:
    async with bot.session_factory() as session, session.begin():
        event = await session.get(Event, event_id)
        assert event is not None
        event.status = status


async def reports_of(bot: BotRunner, event_id: int) -> list[CleanupReport]:
    async with bot.session_factory() as session:
        rows = await session.scalars(
            select(CleanupReport)
            .where(CleanupReport.event_id == event_id)
            .order_by(CleanupReport.id)
        )
        return list(rows)


async def remove_organizer(bot: BotRunner, event_id: int, telegram_id: int) -> None:
    user_id = await user_id_of(bot, telegram_id)
    async with bot.session_factory() as session, session.begin():
        link = await session.scalar(
            select(EventOrganizer).where(
                EventOrganizer.event_id == event_id, EventOrganizer.user_id == user_id
            )
        )
        assert link is not None
        await session.delete(link)
