"""Taps on an event card's Register button, written together when many people tap at once.

Taps that arrive while an earlier batch is being written share one transaction
(``db.group_commit``): one read of the people, one of the event, one of their registrations, one
INSERT for the new ones, then :func:`events.service.place` for the whole batch (one lock of the
event row, one UPDATE for the seats and one INSERT for their reminders), where registering one
by one costs about a dozen statements per person (bench/registration_burst.py).

Seats, the waitlist and approval follow the rules of :func:`events.service.register`, because
both go through ``service.place``: one registration per person per event (the unique
constraint, met here with ON CONFLICT DO NOTHING) and never more people confirmed than seats,
given in tap order. Whatever is out of the ordinary – an earlier cancelled registration or a
draft, the same person twice in a batch, a row another process inserted meanwhile – is entered
by ``service.enter`` in the same transaction and placed in its turn with the others.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import User
from db.group_commit import GroupCommit
from events import service
from events.checkin_code import new_checkin_token
from events.models import ACTIVE, Event, Registration, RegistrationStatus
from events.service import Refusal, RegistrationResult


class TapVerdict(StrEnum):
    SET_UP_FIRST = "set_up_first"
    REFUSED = "refused"
    # Invite code or questions: the person registers step by step instead.
    ANSWER_FIRST = "answer_first"
    REGISTERED = "registered"


@dataclass(frozen=True)
class Tap:
    event_id: int
    telegram_id: int
    now: datetime


@dataclass(frozen=True)
class TapOutcome:
    verdict: TapVerdict
    event: Event | None = None
    refusal: Refusal | None = None
    result: RegistrationResult | None = None


class RegistrationDesk:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory
        self._taps: GroupCommit[Tap, TapOutcome] = GroupCommit(self._write)

    async def tap(self, event_id: int, telegram_id: int, *, now: datetime) -> TapOutcome:
        return await self._taps.submit(Tap(event_id, telegram_id, now))

    async def _write(self, taps: Sequence[Tap]) -> list[TapOutcome]:
        async with self._sessions() as session, session.begin():
            return await register_taps(session, taps)


@dataclass(frozen=True)
class _Waiting:
    index: int
    tap: Tap
    user_id: int


async def register_taps(session: AsyncSession, taps: Sequence[Tap]) -> list[TapOutcome]:
    """One outcome per tap, in order; the caller's transaction commits them together."""
    accounts = await _accounts(session, {tap.telegram_id for tap in taps})
    outcomes: dict[int, TapOutcome] = {}
    by_event: dict[int, list[_Waiting]] = {}
    for index, tap in enumerate(taps):
        account = accounts.get(tap.telegram_id)
        if account is None:
            outcomes[index] = TapOutcome(TapVerdict.SET_UP_FIRST)
        else:
            by_event.setdefault(tap.event_id, []).append(_Waiting(index, tap, account))
    for event_id, waiting in by_event.items():
        event = await service.find_event(session, event_id)
        outcomes.update(await _register_for(session, event, waiting))
    return [outcomes[index] for index in range(len(taps))]


async def _accounts(session: AsyncSession, telegram_ids: set[int]) -> dict[int, int]:
    """Account ids of the people who finished setting up."""
    rows = await session.execute(
        select(User.telegram_id, User.id).where(
            User.telegram_id.in_(telegram_ids), User.onboarded_at.is_not(None)
        )
    )
    return {telegram_id: user_id for telegram_id, user_id in rows if telegram_id is not None}


async def _register_for(
    session: AsyncSession, event: Event | None, waiting: list[_Waiting]
) -> dict[int, TapOutcome]:
    outcomes: dict[int, TapOutcome] = {}
    admitted: list[_Waiting] = []
    for one in waiting:
        refusal = service.refusal_to_register(event, now=one.tap.now)
        if refusal is not None or event is None:
            outcomes[one.index] = TapOutcome(
                TapVerdict.REFUSED, event, refusal or Refusal.NOT_FOUND
            )
        elif service.asks_before_registering(event):
            outcomes[one.index] = TapOutcome(TapVerdict.ANSWER_FIRST, event)
        else:
            admitted.append(one)
    if event is None or not admitted:
        return outcomes
    entered = await _enter(session, event, admitted)
    in_tap_order = [entered[index] for index in sorted(entered)]
    latest = max(one.tap.now for one in admitted)
    await service.place(
        session, event, [r.registration for r in in_tap_order if r.created], now=latest
    )
    for index, result in entered.items():
        outcomes[index] = TapOutcome(TapVerdict.REGISTERED, event, result=result)
    return outcomes


async def _enter(
    session: AsyncSession, event: Event, admitted: list[_Waiting]
) -> dict[int, RegistrationResult]:
    """Each tap's registration, by tap, new ones not yet placed: people new to the event in one
    INSERT, everyone else through ``service.enter``."""
    existing = await _registrations(session, event, {one.user_id for one in admitted})
    entered: dict[int, RegistrationResult] = {}
    fresh: list[_Waiting] = []
    fresh_people: set[int] = set()
    unusual: list[_Waiting] = []
    for one in admitted:
        registration = existing.get(one.user_id)
        if registration is not None and registration.status in ACTIVE:
            entered[one.index] = RegistrationResult(registration, created=False)
        elif registration is not None or one.user_id in fresh_people:
            unusual.append(one)
        else:
            fresh.append(one)
            fresh_people.add(one.user_id)
    inserted = await _insert(session, event, fresh)
    for one in fresh:
        if one.user_id in inserted:
            entered[one.index] = RegistrationResult(inserted[one.user_id], created=True)
        else:
            unusual.append(one)
    for one in sorted(unusual, key=lambda one: one.index):
        person = await session.get(User, one.user_id)
        assert person is not None
        entered[one.index] = await service.enter(session, event, person, now=one.tap.now)
    return entered


async def _registrations(
    session: AsyncSession, event: Event, user_ids: set[int]
) -> dict[int, Registration]:
    rows = await session.scalars(
        select(Registration).where(
            Registration.event_id == event.id, Registration.user_id.in_(user_ids)
        )
    )
    return {registration.user_id: registration for registration in rows}


async def _insert(
    session: AsyncSession, event: Event, fresh: list[_Waiting]
) -> dict[int, Registration]:
    """New registrations, by person; someone missing was registered meanwhile elsewhere."""
    if not fresh:
        return {}
    status = service.entry_status(event)
    statement = _insert_statement(session).on_conflict_do_nothing(
        index_elements=[Registration.event_id, Registration.user_id]
    )
    rows = [_row(event, one, status) for one in fresh]
    return {
        registration.user_id: registration
        for registration in await session.scalars(statement.returning(Registration), rows)
    }


def _row(event: Event, one: _Waiting, status: RegistrationStatus) -> dict[str, object]:
    now = one.tap.now
    return {
        "event_id": event.id,
        "user_id": one.user_id,
        "status": status,
        "queued_at": now,
        "created_at": now,
        "updated_at": now,
        "checkin_token": new_checkin_token(),
        "answers": {},
    }


def _insert_statement(session: AsyncSession) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    return (
        postgresql.insert(Registration) if dialect == "postgresql" else sqlite.insert(Registration)
    )
