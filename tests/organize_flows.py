"""Steps organizers take in /organize, and events set up straight in the database for tests that
are about managing them rather than creating them."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from accounts.models import User
from demo.runner import BotRunner
from events import organizing
from events.models import Event, EventKind, RegistrationMode
from events.service import EventDraft, create_event, publish_event, register
from tests.conftest import ADMIN_ID
from tests.flows import onboard, settle_city


async def make_organizer(
    bot: BotRunner, telegram_id: int, name: str, *, username: str | None = None
) -> Any:
    person = bot.server.user(telegram_id, first_name=name, username=username, language_code="en")
    await onboard(bot, person)
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await bot.do(admin.send_command("grant", str(telegram_id)))
    return person


async def make_participant(bot: BotRunner, telegram_id: int, name: str) -> Any:
    person = bot.server.user(telegram_id, first_name=name, language_code="en")
    await onboard(bot, person)
    return person


async def user_id(bot: BotRunner, telegram_id: int) -> int:
    async with bot.session_factory() as session:
        found = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
    assert found is not None
    return found


async def stored_event(
    bot: BotRunner,
    organizer_telegram_id: int,
    *,
    title: str = "Mangrove roundtable",
    starts_in: timedelta = timedelta(days=10),
    capacity: int = 20,
    mode: RegistrationMode = RegistrationMode.OPEN,
    publish: bool = True,
) -> int:
    """An event created through the domain, as the wizard would leave it."""
    now = bot.clock()
    starts_at = (now + starts_in).replace(minute=0, second=0, microsecond=0)
    draft = EventDraft(
        kind=EventKind.ROUNDTABLE,
        texts={"en": (title, "Science, business and community on mangroves.")},
        fallback_language="en",
        venue_name="City Hall",
        address="1 Beach Road",
        latitude=13.36,
        longitude=100.98,
        country="TH",
        city="Chonburi",
        timezone="Asia/Bangkok",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        capacity=capacity,
        registration_mode=mode,
    )
    async with bot.session_factory() as session, session.begin():
        creator = await session.scalar(
            select(User).where(User.telegram_id == organizer_telegram_id)
        )
        assert creator is not None
        event = await create_event(session, draft, creator=creator, now=now, publish=False)
        if publish:
            await publish_event(session, event, now=now)
        return event.id


async def register_person(bot: BotRunner, event_id: int, telegram_id: int) -> int:
    async with bot.session_factory() as session, session.begin():
        event = await session.get(Event, event_id)
        person = await session.scalar(select(User).where(User.telegram_id == telegram_id))
        assert event is not None and person is not None
        result = await register(
            session, event, person, answers={}, invite_code=None, now=bot.clock()
        )
        return result.registration.id


async def add_co_organizer(bot: BotRunner, event_id: int, telegram_id: int) -> None:
    async with bot.session_factory() as session, session.begin():
        event = await session.get(Event, event_id)
        person = await session.scalar(select(User).where(User.telegram_id == telegram_id))
        assert event is not None and person is not None
        organizing.add_co_organizer(event, person, now=bot.clock())


async def load_event(bot: BotRunner, event_id: int) -> Event:
    async with bot.session_factory() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        return event


async def newest_event(bot: BotRunner) -> Event:
    async with bot.session_factory() as session:
        event = await session.scalar(select(Event).order_by(Event.id.desc()).limit(1))
        assert event is not None
        return event


def local(text: str) -> datetime:
    """A naive "YYYY-MM-DD HH:MM" as typed, for comparing in tests."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


def utc(text: str) -> datetime:
    return local(text).replace(tzinfo=UTC)


async def answer_wizard(
    bot: BotRunner,
    person: Any,
    *,
    title: str = "Yangon river cleanup",
    country_label: str = "Myanmar (Burma)",
    city: str = "Yangon",
    place: str | None = None,
    start: str = "2026-12-05 09:00",
    end: str = "12:30",
    capacity: str = "40",
    mode_label: str = "Anyone can register",
) -> None:
    """/organize → New event → every question up to the summary."""
    await bot.do(person.send_command("organize"))
    await bot.do(person.press("➕ New event"))
    await bot.do(person.press("Cleanup"))
    await bot.do(person.send_text(title))
    await bot.do(person.send_text("Bring gloves and water.\nWe provide bags."))
    await bot.do(person.send_text("Botataung Jetty"))
    await bot.do(person.send_text("Strand Road, Botataung"))
    await bot.do(person.send_location(16.7690, 96.1720))
    await bot.do(person.press(country_label))
    await bot.do(person.send_text(city))
    await settle_city(bot, person, "en", place)
    await bot.do(person.send_text(start))
    await bot.do(person.send_text(end))
    await bot.do(person.send_text(capacity))
    await bot.do(person.press(mode_label))
