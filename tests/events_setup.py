"""Events created straight through the domain (as the wizard or the YAML import would), for tests
that are about what participants do with them."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from accounts.models import AccessRole, User
from delivery.models import OutboxMessage
from demo.runner import BotRunner
from events import service
from events.models import Event, EventKind, QuestionKind, Registration, RegistrationMode
from events.service import EventDraft, QuestionDraft

ORGANIZER_ID = 8000


async def organizer(bot: BotRunner, telegram_id: int = ORGANIZER_ID) -> User:
    async with bot.session_factory() as session, session.begin():
        user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
        if user is None:
            user = User(
                telegram_id=telegram_id,
                first_name="Organizer",
                language="en",
                country="TH",
                city="Chonburi",
                timezone="Asia/Bangkok",
                access_role=AccessRole.ORGANIZER,
                created_at=bot.clock(),
                onboarded_at=bot.clock(),
            )
            session.add(user)
            await session.flush()
    return user


def draft(**overrides: Any) -> EventDraft:
    values: dict[str, Any] = {
        "kind": EventKind.CLEANUP,
        "texts": {
            "en": ("Bang Saen beach cleanup", "Gloves and bags provided."),
            "th": ("เก็บขยะชายหาดบางแสน", "มีถุงมือและถุงให้"),
        },
        "fallback_language": "en",
        "venue_name": "Bang Saen Beach",
        "address": "Beach Road, Saen Suk",
        "latitude": 13.2830,
        "longitude": 100.9150,
        "country": "TH",
        "city": "Chonburi",
        "timezone": "Asia/Bangkok",
        # The test clock starts at 2026-11-25 02:00 UTC; this is ten days later, 08:00 local.
        "starts_at": datetime(2026, 12, 5, 1, 0, tzinfo=UTC),
        "ends_at": datetime(2026, 12, 5, 4, 0, tzinfo=UTC),
        "capacity": 20,
    }
    values.update(overrides)
    return EventDraft(**values)


async def make_event(bot: BotRunner, *, publish: bool = True, **overrides: Any) -> int:
    creator = await organizer(bot)
    async with bot.session_factory() as session, session.begin():
        event = await service.create_event(
            session, draft(**overrides), creator=creator, now=bot.clock(), publish=publish
        )
        return event.id


async def load_event(bot: BotRunner, event_id: int) -> Event:
    async with bot.session_factory() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        return event


async def registrations(bot: BotRunner, event_id: int) -> list[Registration]:
    async with bot.session_factory() as session:
        query = select(Registration).where(Registration.event_id == event_id)
        return list(await session.scalars(query.order_by(Registration.id)))


async def registration_of(bot: BotRunner, event_id: int, telegram_id: int) -> Registration | None:
    async with bot.session_factory() as session:
        query = (
            select(Registration)
            .join(User, User.id == Registration.user_id)
            .where(Registration.event_id == event_id, User.telegram_id == telegram_id)
        )
        return await session.scalar(query)


async def outbox_keys(bot: BotRunner) -> dict[str, OutboxMessage]:
    async with bot.session_factory() as session:
        rows = await session.scalars(select(OutboxMessage))
        return {row.dedupe_key: row for row in rows}


def questions() -> list[QuestionDraft]:
    return [
        QuestionDraft(
            kind=QuestionKind.CHOICE,
            texts={
                "en": {"prompt": "T-shirt size?", "choices": ["S", "M", "L"]},
                "th": {"prompt": "ขนาดเสื้อ?", "choices": ["S", "M", "L"]},
            },
        ),
        QuestionDraft(
            kind=QuestionKind.TEXT,
            texts={"en": {"prompt": "Any dietary needs?"}},
        ),
    ]


APPROVAL = RegistrationMode.APPROVAL
INVITE = RegistrationMode.INVITE_CODE
DAY = timedelta(days=1)
