"""Taps on Register written together (events.registration_desk): tap order decides the seats,
and everything unusual in a batch still ends as service.register would have it."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import AccessRole, User
from db.engine import create_engine, create_session_factory
from delivery.models import OutboxMessage
from events import registration_desk, service
from events.models import Event, QuestionKind, Registration, RegistrationMode, RegistrationStatus
from events.registration_desk import RegistrationDesk, Tap, TapVerdict, register_taps
from events.service import EventDraft, QuestionDraft, Refusal

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
ORGANIZER = 1


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        session.add_all(
            [
                _person(ORGANIZER, role=AccessRole.ORGANIZER),
                *(_person(telegram_id) for telegram_id in range(10, 20)),
                _person(99, onboarded=False),
            ]
        )
    yield sessions
    await engine.dispose()


def _person(
    telegram_id: int, *, onboarded: bool = True, role: AccessRole = AccessRole.PARTICIPANT
) -> User:
    return User(
        telegram_id=telegram_id,
        first_name=f"P{telegram_id}",
        language="en",
        access_role=role,
        created_at=NOW,
        onboarded_at=NOW if onboarded else None,
    )


async def _event(sessions: async_sessionmaker[AsyncSession], **overrides: object) -> int:
    values: dict[str, object] = {
        "kind": "cleanup",
        "texts": {"en": ("Beach cleanup", "")},
        "fallback_language": "en",
        "venue_name": "Beach",
        "address": "Beach Road",
        "latitude": 13.28,
        "longitude": 100.91,
        "country": "TH",
        "city": "Chonburi",
        "timezone": "Asia/Bangkok",
        "starts_at": NOW + timedelta(days=10),
        "ends_at": NOW + timedelta(days=10, hours=3),
        "capacity": 3,
    }
    values.update(overrides)
    async with sessions() as session, session.begin():
        creator = await session.scalar(select(User).where(User.telegram_id == ORGANIZER))
        assert creator is not None
        event = await service.create_event(
            session,
            EventDraft(**values),
            creator=creator,
            now=NOW,
            publish=True,  # type: ignore[arg-type]
        )
        return event.id


async def _taps(
    sessions: async_sessionmaker[AsyncSession], event_id: int, people: list[int]
) -> list[registration_desk.TapOutcome]:
    taps = [
        Tap(event_id, telegram_id, NOW + timedelta(milliseconds=n))
        for n, telegram_id in enumerate(people)
    ]
    async with sessions() as session, session.begin():
        return await register_taps(session, taps)


async def _statuses(
    sessions: async_sessionmaker[AsyncSession], event_id: int
) -> dict[int, RegistrationStatus]:
    async with sessions() as session:
        rows = await session.execute(
            select(User.telegram_id, Registration.status)
            .join(User, User.id == Registration.user_id)
            .where(Registration.event_id == event_id)
        )
        return {telegram_id: status for telegram_id, status in rows if telegram_id is not None}


async def _seats_taken(sessions: async_sessionmaker[AsyncSession], event_id: int) -> int:
    async with sessions() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        return event.seats_taken


async def _outbox_keys(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage.dedupe_key)))


async def test_seats_go_in_tap_order_and_a_double_tap_counts_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    event_id = await _event(sessions, capacity=3)
    outcomes = await _taps(sessions, event_id, [10, 11, 99, 11, 12, 13, 14])
    verdicts = [outcome.verdict for outcome in outcomes]
    assert (
        verdicts
        == [TapVerdict.REGISTERED] * 2 + [TapVerdict.SET_UP_FIRST] + [TapVerdict.REGISTERED] * 4
    )
    created = [outcome.result.created for outcome in outcomes if outcome.result is not None]
    assert created == [True, True, False, True, True, True]
    assert await _statuses(sessions, event_id) == {
        10: RegistrationStatus.CONFIRMED,
        11: RegistrationStatus.CONFIRMED,
        12: RegistrationStatus.CONFIRMED,
        13: RegistrationStatus.WAITLISTED,
        14: RegistrationStatus.WAITLISTED,
    }
    assert await _seats_taken(sessions, event_id) == 3
    reminders = [key for key in await _outbox_keys(sessions) if key.startswith("reminder:")]
    assert len(reminders) == 3 * 2  # the day before and the same day, for the three seated


async def test_earlier_registrations_are_kept_or_renewed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    event_id = await _event(sessions, capacity=5)
    await _taps(sessions, event_id, [10, 11])
    async with sessions() as session, session.begin():
        registration = await session.scalar(
            select(Registration)
            .join(User, User.id == Registration.user_id)
            .where(User.telegram_id == 11)
        )
        assert registration is not None
        await service.cancel_registration(session, registration, now=NOW)
    outcomes = await _taps(sessions, event_id, [10, 11, 12])
    assert [outcome.result.created for outcome in outcomes if outcome.result] == [
        False,
        True,
        True,
    ]
    statuses = await _statuses(sessions, event_id)
    assert set(statuses.values()) == {RegistrationStatus.CONFIRMED}
    assert await _seats_taken(sessions, event_id) == 3


async def test_a_row_written_meanwhile_elsewhere_wins_and_its_seat_goes_on(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process registers person 10 after this batch read the registrations: the insert
    skips them, service.enter finds their row, and the seats go to the people after them."""
    event_id = await _event(sessions, capacity=2)
    async with sessions() as session, session.begin():
        person = await session.scalar(select(User).where(User.telegram_id == 10))
        event = await service.find_event(session, event_id)
        assert person is not None and event is not None
        await service.register(session, event, person, now=NOW)

    async def read_before_the_other_process(*_: object) -> dict[int, Registration]:
        return {}

    monkeypatch.setattr(registration_desk, "_registrations", read_before_the_other_process)
    outcomes = await _taps(sessions, event_id, [10, 11, 12])
    assert [outcome.result.created for outcome in outcomes if outcome.result] == [
        False,
        True,
        True,
    ]
    assert await _statuses(sessions, event_id) == {
        10: RegistrationStatus.CONFIRMED,
        11: RegistrationStatus.CONFIRMED,
        12: RegistrationStatus.WAITLISTED,
    }
    assert await _seats_taken(sessions, event_id) == 2


async def test_someone_registering_again_gets_a_seat_in_their_turn(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Person 11 withdrew earlier, so their tap takes the unusual way (service.enter) while 12
    and 13 are inserted together; the seats still go in tap order."""
    event_id = await _event(sessions, capacity=2)
    await _taps(sessions, event_id, [11])
    async with sessions() as session, session.begin():
        registration = await session.scalar(select(Registration))
        assert registration is not None
        await service.cancel_registration(session, registration, now=NOW)
    outcomes = await _taps(sessions, event_id, [11, 12, 13])
    assert [outcome.result.created for outcome in outcomes if outcome.result] == [True] * 3
    assert await _statuses(sessions, event_id) == {
        11: RegistrationStatus.CONFIRMED,
        12: RegistrationStatus.CONFIRMED,
        13: RegistrationStatus.WAITLISTED,
    }
    assert await _seats_taken(sessions, event_id) == 2


@pytest.mark.parametrize("mode", [RegistrationMode.OPEN, RegistrationMode.APPROVAL])
async def test_a_batch_of_taps_ends_as_registering_one_by_one(
    sessions: async_sessionmaker[AsyncSession], mode: RegistrationMode
) -> None:
    """Both ways of registering take seats through service.place: the same people, in the same
    order, end with the same statuses, seats and messages queued."""
    people = [10, 11, 12, 13, 11]
    batched = await _event(sessions, capacity=3, registration_mode=mode)
    await _taps(sessions, batched, people)
    one_by_one = await _event(sessions, capacity=3, registration_mode=mode)
    for n, telegram_id in enumerate(people):
        async with sessions() as session, session.begin():
            person = await session.scalar(select(User).where(User.telegram_id == telegram_id))
            event = await service.find_event(session, one_by_one)
            assert person is not None and event is not None
            await service.register(session, event, person, now=NOW + timedelta(milliseconds=n))

    assert await _statuses(sessions, batched) == await _statuses(sessions, one_by_one)
    assert await _seats_taken(sessions, batched) == await _seats_taken(sessions, one_by_one)
    assert await _queued_kinds(sessions, batched) == await _queued_kinds(sessions, one_by_one)


async def _queued_kinds(
    sessions: async_sessionmaker[AsyncSession], event_id: int
) -> list[tuple[int, str]]:
    """What the outbox holds about the event: (recipient, kind) pairs."""
    async with sessions() as session:
        rows = await session.execute(
            select(User.telegram_id, OutboxMessage.kind)
            .join(User, User.id == OutboxMessage.user_id)
            .where(OutboxMessage.payload["event_id"].as_integer() == event_id)
        )
        return sorted((int(telegram_id), kind) for telegram_id, kind in rows)


async def test_approval_events_queue_requests_and_take_no_seats(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    event_id = await _event(sessions, registration_mode=RegistrationMode.APPROVAL, capacity=1)
    await _taps(sessions, event_id, [10, 11])
    assert set((await _statuses(sessions, event_id)).values()) == {RegistrationStatus.PENDING}
    assert await _seats_taken(sessions, event_id) == 0
    requests = [key for key in await _outbox_keys(sessions) if key.startswith("notice:approval:")]
    assert len(requests) == 2  # one organizer, two people


async def test_refusals_and_events_that_ask_first(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    asks = await _event(
        sessions,
        questions=[QuestionDraft(QuestionKind.TEXT, {"en": {"prompt": "Shirt size?"}})],
    )
    invite = await _event(sessions, registration_mode=RegistrationMode.INVITE_CODE, invite_code="x")
    late = await _event(sessions, registration_deadline=NOW - timedelta(minutes=1))
    outcomes = [
        (await _taps(sessions, event_id, [10]))[0] for event_id in (asks, invite, late, 424242)
    ]
    assert [outcome.verdict for outcome in outcomes] == [
        TapVerdict.ANSWER_FIRST,
        TapVerdict.ANSWER_FIRST,
        TapVerdict.REFUSED,
        TapVerdict.REFUSED,
    ]
    assert [outcome.refusal for outcome in outcomes[2:]] == [
        Refusal.DEADLINE_PASSED,
        Refusal.NOT_FOUND,
    ]
    for event_id in (asks, invite, late):
        assert await _statuses(sessions, event_id) == {}


async def test_the_desk_answers_each_tap_of_a_concurrent_burst(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    event_id = await _event(sessions, capacity=4)
    desk = RegistrationDesk(sessions)
    outcomes = await asyncio.gather(
        *(desk.tap(event_id, telegram_id, now=NOW) for telegram_id in [*range(10, 20), 10, 11])
    )
    assert [o.result.created for o in outcomes if o.result] == [True] * 10 + [False] * 2
    statuses = list((await _statuses(sessions, event_id)).values())
    assert statuses.count(RegistrationStatus.CONFIRMED) == 4
    assert statuses.count(RegistrationStatus.WAITLISTED) == 6
    assert await _seats_taken(sessions, event_id) == 4
