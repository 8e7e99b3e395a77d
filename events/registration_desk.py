"""Taps on an event card's Register button, written together when many people tap at once.

Taps that arrive while an earlier batch is being written share one transaction
(``db.group_commit``): one read of the people, one of the event, one of their registrations, one
INSERT for the new ones, one UPDATE for the seats and one INSERT for their reminders, where
registering one by one costs about a dozen statements per person (bench/registration_burst.py).

The guarantees are those of :func:`events.service.register`: one registration per person per
event (the unique constraint, met here with ON CONFLICT DO NOTHING) and never more people
confirmed than seats (the event row is locked before the free seats are counted). Whatever is
out of the ordinary – an earlier cancelled registration or a draft, the same person twice in a
batch, a row another process inserted meanwhile – goes through ``service.register`` in the same
transaction.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from accounts.models import User
from db.group_commit import GroupCommit
from delivery import outbox
from events import notices, service
from events.checkin_code import new_checkin_token
from events.models import ACTIVE, Event, Registration, RegistrationMode, RegistrationStatus
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
    existing = await _registrations(session, event, {one.user_id for one in admitted})
    fresh: list[_Waiting] = []
    fresh_people: set[int] = set()
    unusual: list[_Waiting] = []
    for one in admitted:
        registration = existing.get(one.user_id)
        if registration is not None and registration.status in ACTIVE:
            outcomes[one.index] = _registered(event, registration, created=False)
        elif registration is not None or one.user_id in fresh_people:
            unusual.append(one)
        else:
            fresh.append(one)
            fresh_people.add(one.user_id)
    inserted = await _insert(session, event, fresh)
    for one in fresh:
        if one.user_id in inserted:
            outcomes[one.index] = _registered(event, inserted[one.user_id], created=True)
        else:
            unusual.append(one)
    for one in sorted(unusual, key=lambda one: one.index):
        person = await session.get(User, one.user_id)
        assert person is not None
        result = await service.register(session, event, person, now=one.tap.now)
        outcomes[one.index] = TapOutcome(TapVerdict.REGISTERED, event, result=result)
    return outcomes


def _registered(event: Event, registration: Registration, *, created: bool) -> TapOutcome:
    return TapOutcome(
        TapVerdict.REGISTERED, event, result=RegistrationResult(registration, created)
    )


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
    """New registrations in tap order: seats while they last, then the waitlist (or all pending
    approval). Returns them by person; someone missing was registered meanwhile elsewhere."""
    if not fresh:
        return {}
    approval = event.registration_mode == RegistrationMode.APPROVAL
    if not approval:
        # Concurrent writers (other batches, other processes) count free seats one at a time.
        await service.lock_event(session, event)
    free = 0 if approval else service.seats_left(event)
    rows = [
        _row(event, one, _first_status(approval, seat=position < free))
        for position, one in enumerate(fresh)
    ]
    statement = _insert_statement(session).on_conflict_do_nothing(
        index_elements=[Registration.event_id, Registration.user_id]
    )
    created = {
        registration.user_id: registration
        for registration in await session.scalars(statement.returning(Registration), rows)
    }
    in_order = [created[one.user_id] for one in fresh if one.user_id in created]
    if not approval:
        await _seat(session, event, in_order, free)
    latest = max(one.tap.now for one in fresh)
    await outbox.enqueue_many(session, _notices(event, in_order), now=latest)
    return created


def _first_status(approval: bool, *, seat: bool) -> RegistrationStatus:
    if approval:
        return RegistrationStatus.PENDING
    return RegistrationStatus.CONFIRMED if seat else RegistrationStatus.WAITLISTED


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


async def _seat(
    session: AsyncSession, event: Event, in_order: list[Registration], free: int
) -> None:
    """Seats go to the first ``free`` people inserted. Someone planned a seat but inserted
    meanwhile elsewhere leaves it to the next person in this batch."""
    for position, registration in enumerate(in_order):
        if position < free and registration.status == RegistrationStatus.WAITLISTED:
            registration.status = RegistrationStatus.CONFIRMED
    seated = sum(1 for r in in_order if r.status == RegistrationStatus.CONFIRMED)
    if not seated:
        return
    await session.flush()
    taken = await session.scalar(
        update(Event)
        .where(Event.id == event.id)
        .values(seats_taken=Event.seats_taken + seated)
        .returning(Event.seats_taken)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(event, "seats_taken", taken)


def _notices(event: Event, registrations: Iterable[Registration]) -> list[outbox.OutboxItem]:
    items: list[outbox.OutboxItem] = []
    for registration in registrations:
        if registration.status == RegistrationStatus.CONFIRMED:
            items += notices.reminder_items(event, registration, now=registration.created_at)
        elif registration.status == RegistrationStatus.PENDING:
            items += notices.approval_request_items(
                event, registration, now=registration.created_at
            )
    return items
