"""Events and registrations: creating and changing events, browsing, registering with capacity and
a waitlist, approvals, seat offers and check-in. Functions take the session and ``now`` and never
commit: the caller's transaction does, so a failure leaves nothing half-done."""

import math
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from accounts.cities import Place, same_city
from accounts.gazetteer import fold
from accounts.models import User
from accounts.service import Permission, has_permission, place_of
from delivery import outbox
from events import notices
from events.checkin_code import new_checkin_token
from events.models import (
    ACTIVE,
    SEAT_HOLDING,
    CheckInMethod,
    Event,
    EventKind,
    EventOrganizer,
    EventStatus,
    EventText,
    QuestionKind,
    Registration,
    RegistrationMode,
    RegistrationQuestion,
    RegistrationStatus,
)
from events.notices import Change
from events.rules import (
    OFFER_HOURS_DEFAULT,
    REMINDER_MINUTES_DEFAULT,
    EventRefused,
    Refusal,
    refuse_unless_changeable,
)

# How long after the end a person may still self check in or be ticked off.
ATTENDANCE_GRACE = timedelta(hours=6)
# Self check-in by live location opens this long before the start.
SELF_CHECKIN_EARLY = timedelta(minutes=30)


@dataclass(frozen=True)
class QuestionDraft:
    kind: QuestionKind
    # language → {"prompt": str, "choices": [str, ...]}
    texts: Mapping[str, Mapping[str, object]]


@dataclass
class EventDraft:
    """Everything the wizard and the YAML import ask; datetimes are aware."""

    kind: EventKind
    texts: dict[str, tuple[str, str]]  # language → (title, description)
    fallback_language: str
    venue_name: str
    address: str
    latitude: float
    longitude: float
    country: str
    city: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    registration_mode: RegistrationMode = RegistrationMode.OPEN
    # Read before the main language by people whose own was not written (i18n.fallback).
    second_language: str | None = None
    invite_code: str | None = None
    registration_deadline: datetime | None = None
    cancellation_deadline: datetime | None = None
    offer_hours: int = OFFER_HOURS_DEFAULT
    reminder_minutes_before: int = REMINDER_MINUTES_DEFAULT
    day_before_reminder: bool = True
    self_checkin_radius_m: int | None = None
    questions: Sequence[QuestionDraft] = field(default_factory=tuple)
    co_organizer_ids: Sequence[int] = field(default_factory=tuple)
    # The gazetteer's place the organizer chose for the city (accounts.cities).
    city_geoname_id: int | None = None


# ---- events ---------------------------------------------------------------------------------


async def create_event(
    session: AsyncSession, draft: EventDraft, *, creator: User, now: datetime, publish: bool
) -> Event:
    event = Event(
        kind=draft.kind,
        status=EventStatus.PUBLISHED if publish else EventStatus.DRAFT,
        created_by=creator.id,
        created_at=now,
        updated_at=now,
        seats_taken=0,
        sequence=0,
    )
    _apply_draft(event, draft)
    event.texts = [
        EventText(language=language, title=title, description=description)
        for language, (title, description) in draft.texts.items()
    ]
    event.questions = [
        RegistrationQuestion(position=index, kind=question.kind, texts=dict(question.texts))
        for index, question in enumerate(draft.questions)
    ]
    organizer_ids = dict.fromkeys([creator.id, *draft.co_organizer_ids])
    event.organizers = [EventOrganizer(user_id=user_id) for user_id in organizer_ids]
    session.add(event)
    await session.flush()
    return event


def _apply_draft(event: Event, draft: EventDraft) -> None:
    event.fallback_language = draft.fallback_language
    event.second_language = draft.second_language
    event.venue_name = draft.venue_name
    event.address = draft.address
    event.latitude = draft.latitude
    event.longitude = draft.longitude
    event.country = draft.country
    event.city = draft.city
    event.city_geoname_id = draft.city_geoname_id
    event.timezone = draft.timezone
    event.starts_at = draft.starts_at
    event.ends_at = draft.ends_at
    event.capacity = draft.capacity
    event.registration_mode = draft.registration_mode
    event.invite_code = draft.invite_code
    event.registration_deadline = draft.registration_deadline
    event.cancellation_deadline = draft.cancellation_deadline
    event.offer_hours = draft.offer_hours
    event.reminder_minutes_before = draft.reminder_minutes_before
    event.day_before_reminder = draft.day_before_reminder
    event.self_checkin_radius_m = draft.self_checkin_radius_m


async def find_event(session: AsyncSession, event_id: int) -> Event | None:
    return await session.get(Event, event_id)


def is_organizer_of(event: Event, user: User, admin_ids: frozenset[int]) -> bool:
    """Organizers of this event (creator and co-organizers) and administrators."""
    if user.telegram_id is not None and user.telegram_id in admin_ids:
        return True
    return any(link.user_id == user.id for link in event.organizers) and user.erased_at is None


def can_create_events(user: User, admin_ids: frozenset[int]) -> bool:
    return has_permission(user, Permission.ORGANIZE, admin_ids)


async def organized_by(
    session: AsyncSession, user: User, admin_ids: frozenset[int], *, now: datetime
) -> list[Event]:
    """Events this person may manage, soonest first; finished ones drop off after a month."""
    query = select(Event).where(Event.ends_at >= now - timedelta(days=30))
    if not (user.telegram_id is not None and user.telegram_id in admin_ids):
        query = query.join(EventOrganizer).where(EventOrganizer.user_id == user.id)
    return list((await session.scalars(query.order_by(Event.starts_at))).unique())


async def publish_event(session: AsyncSession, event: Event, *, now: datetime) -> None:
    refuse_unless_changeable(event, now)
    event.status = EventStatus.PUBLISHED
    event.updated_at = now


async def reschedule_event(
    session: AsyncSession,
    event: Event,
    *,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    changes: Collection[Change] = (Change.TIME,),
) -> None:
    """Moves the event; everyone registered hears about it (``changes`` says what the notice
    names: the importer moves the venue this way too) and their reminders move along."""
    refuse_unless_changeable(event, now)
    event.starts_at, event.ends_at = starts_at, ends_at
    await announce_change(session, event, changes, now=now)


async def move_venue(
    session: AsyncSession,
    event: Event,
    *,
    venue_name: str,
    address: str,
    latitude: float,
    longitude: float,
    now: datetime,
) -> None:
    refuse_unless_changeable(event, now)
    event.venue_name, event.address = venue_name, address
    event.latitude, event.longitude = latitude, longitude
    await announce_change(session, event, (Change.VENUE,), now=now)


async def change_capacity(
    session: AsyncSession, event: Event, capacity: int, *, now: datetime
) -> None:
    """Raising capacity offers the new seats to the waitlist; lowering never removes anyone
    already holding a seat."""
    refuse_unless_changeable(event, now)
    event.capacity = max(capacity, 1)
    event.updated_at = now
    await session.flush()
    await _offer_free_seats(session, event, now)


async def cancel_event(session: AsyncSession, event: Event, *, now: datetime) -> None:
    """Everyone registered is told; an event that is over stays as it happened."""
    if event.status == EventStatus.CANCELLED:
        return
    refuse_unless_changeable(event, now)
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    event.updated_at = now
    for registration in await _active_registrations(session, event):
        await notices.event_cancelled(session, event, registration, now=now)


async def announce_change(
    session: AsyncSession, event: Event, changes: Collection[Change], *, now: datetime
) -> None:
    """A change registrants act on: one notice each naming what changed (a draft has nobody
    to tell), and reminders that follow the event's new time."""
    event.sequence += 1
    event.updated_at = now
    registrations = await _active_registrations(session, event)
    await notices.event_changed(session, event, registrations, changes, now=now)
    for registration in registrations:
        if registration.status == RegistrationStatus.CONFIRMED:
            await notices.schedule_reminders(session, event, registration, now=now)


async def _active_registrations(session: AsyncSession, event: Event) -> list[Registration]:
    query = select(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(ACTIVE)
    )
    return list(await session.scalars(query))


# ---- browsing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    kind: EventKind | None = None
    country: str | None = None
    city: Place | None = None


def _in_city(place: Place) -> ColumnElement[bool]:
    return same_city(Event.city, Event.city_geoname_id, place)


async def upcoming_events(
    session: AsyncSession,
    *,
    reader: User,
    filters: EventFilter,
    now: datetime,
    offset: int,
    limit: int,
) -> tuple[list[Event], int]:
    """Published events that have not ended: the reader's city first, then their country, then
    the rest, each soonest first. Returns one page and the total."""
    conditions = [Event.status == EventStatus.PUBLISHED, Event.ends_at > now]
    if filters.kind:
        conditions.append(Event.kind == filters.kind)
    if filters.country:
        conditions.append(Event.country == filters.country)
    if filters.city:
        conditions.append(_in_city(filters.city))
    home = place_of(reader)
    in_country = Event.country == (reader.country or "")
    nearness = case(
        (in_country & (_in_city(home) if home else false()), 0),
        (in_country, 1),
        else_=2,
    )
    total = await session.scalar(select(func.count()).select_from(Event).where(*conditions))
    page = await session.scalars(
        select(Event)
        .where(*conditions)
        .order_by(nearness, Event.starts_at, Event.id)
        .offset(offset)
        .limit(limit)
    )
    return list(page), int(total or 0)


async def countries_with_events(session: AsyncSession, *, now: datetime) -> list[str]:
    query = (
        select(Event.country)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at > now)
        .distinct()
        .order_by(Event.country)
    )
    return list(await session.scalars(query))


async def cities_with_events(
    session: AsyncSession, *, country: str | None, now: datetime
) -> list[Place]:
    """Cities with upcoming published events (in one country, or all), each once: by its
    gazetteer place when the organizer chose one, else by its name however it is spelled."""
    query = (
        select(Event.city, Event.city_geoname_id)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at > now)
        .order_by(Event.id)
    )
    if country:
        query = query.where(Event.country == country)
    places: dict[int | str, Place] = {}
    for name, geoname_id in await session.execute(query):
        places.setdefault(geoname_id or fold(name), Place(name, geoname_id))
    return sorted(places.values(), key=lambda place: place.name.casefold())


def seats_left(event: Event) -> int:
    return max(event.capacity - event.seats_taken, 0)


# ---- registration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    # False when the person was already registered (a double tap, or Telegram re-sending it).
    created: bool


def refusal_to_register(event: Event | None, *, now: datetime) -> Refusal | None:
    """Whether registration is open at all, before asking anyone any questions."""
    if event is None:
        return Refusal.NOT_FOUND
    if event.status == EventStatus.CANCELLED:
        return Refusal.CANCELLED
    if event.status != EventStatus.PUBLISHED:
        return Refusal.NOT_OPEN if event.status == EventStatus.DRAFT else Refusal.STARTED
    if now >= event.starts_at:
        return Refusal.STARTED
    if event.registration_deadline is not None and now >= event.registration_deadline:
        return Refusal.DEADLINE_PASSED
    return None


def asks_before_registering(event: Event) -> bool:
    """An invite code or questions: the person registers step by step, from a draft."""
    return bool(event.questions) or event.registration_mode == RegistrationMode.INVITE_CODE


def invite_code_matches(event: Event, code: str | None) -> bool:
    if event.registration_mode != RegistrationMode.INVITE_CODE:
        return True
    expected = (event.invite_code or "").strip().casefold()
    return bool(expected) and secrets.compare_digest(
        expected.encode(), (code or "").strip().casefold().encode()
    )


async def registration_of(session: AsyncSession, event_id: int, user: User) -> Registration | None:
    query = select(Registration).where(
        Registration.event_id == event_id, Registration.user_id == user.id
    )
    return await session.scalar(query)


async def register(
    session: AsyncSession,
    event: Event,
    user: User,
    *,
    answers: Mapping[str, str] | None = None,
    invite_code: str | None = None,
    now: datetime,
) -> RegistrationResult:
    """One registration per person per event, however often and concurrently they tap: the
    unique constraint decides (:func:`enter`), and the seat is taken by :func:`place`, as for a
    batch of taps at the registration desk."""
    result = await enter(session, event, user, answers=answers, invite_code=invite_code, now=now)
    if result.created:
        await place(session, event, [result.registration], now=now)
    return result


async def enter(
    session: AsyncSession,
    event: Event,
    user: User,
    *,
    answers: Mapping[str, str] | None = None,
    invite_code: str | None = None,
    now: datetime,
) -> RegistrationResult:
    """The person's registration, new ones entered as :func:`entry_status` has it and not yet
    placed: the caller passes them to :func:`place` (``register`` does both)."""
    refusal = refusal_to_register(event, now=now)
    if refusal is not None:
        raise EventRefused(refusal)
    answers = dict(answers or {})
    existing = await registration_of(session, event.id, user)
    if existing is not None and existing.status in ACTIVE:
        return RegistrationResult(existing, created=False)
    if existing is not None and existing.status == RegistrationStatus.DRAFT:
        answers = {**(existing.answers or {}), **answers}
        invite_code = invite_code or answers.get(INVITE_CODE_ANSWER)
    if not invite_code_matches(event, invite_code):
        raise EventRefused(Refusal.WRONG_CODE)
    try:
        async with session.begin_nested():
            registration = existing or Registration(
                event_id=event.id,
                user_id=user.id,
                checkin_token=new_checkin_token(),
            )
            if existing is not None and existing.status != RegistrationStatus.DRAFT:
                _register_again(existing)
            # Registered now, also when a draft started earlier or an old registration ended.
            registration.created_at = now
            registration.answers = answers
            registration.updated_at = now
            registration.queued_at = now
            registration.offer_expires_at = None
            registration.status = entry_status(event)
            session.add(registration)
            await session.flush()
    except IntegrityError:
        # A concurrent tap by the same person won the insert; theirs is the registration.
        winner = await registration_of(session, event.id, user)
        if winner is None:
            raise
        return RegistrationResult(winner, created=False)
    return RegistrationResult(registration, created=True)


def entry_status(event: Event) -> RegistrationStatus:
    """What a new registration is until :func:`place` has seen it: a request for the organizers'
    approval, or a place in the queue for a seat."""
    if event.registration_mode == RegistrationMode.APPROVAL:
        return RegistrationStatus.PENDING
    return RegistrationStatus.WAITLISTED


async def place(
    session: AsyncSession, event: Event, registrations: Sequence[Registration], *, now: datetime
) -> None:
    """Seats for people who just registered or were just approved, in the order given: the free
    seats go to those queued for one while they last, the rest stay on the waitlist; requests
    for approval take none until an organizer decides. Each then hears what comes next:
    reminders for a seat, a request to the organizers for approval.

    This is the only place a registration takes a seat, one person at a time (:func:`register`,
    :func:`decide`) or a batch of taps (events.registration_desk). The event row is locked
    before the free seats are counted, so concurrent writers never confirm more people than
    seats; it is locked after the registrations are written, so that it stays locked only for
    the few statements before commit while a burst of people register at once."""
    queued = [r for r in registrations if r.status == RegistrationStatus.WAITLISTED]
    if queued:
        await lock_event(session, event)
        seated = queued[: seats_left(event)]
        for registration in seated:
            registration.status = RegistrationStatus.CONFIRMED
        if seated:
            event.seats_taken += len(seated)
            await session.flush()
    await outbox.enqueue_many(session, _what_comes_next(event, registrations, now), now=now)


def _what_comes_next(
    event: Event, registrations: Sequence[Registration], now: datetime
) -> list[outbox.OutboxItem]:
    items: list[outbox.OutboxItem] = []
    for registration in registrations:
        if registration.status == RegistrationStatus.CONFIRMED:
            items += notices.reminder_items(event, registration, now=now)
        elif registration.status == RegistrationStatus.PENDING:
            items += notices.approval_request_items(event, registration, now=now)
    return items


INVITE_CODE_ANSWER = "invite_code"


async def start_registration(
    session: AsyncSession, event: Event, user: User, *, now: datetime
) -> Registration:
    """For events with an invite code or questions: a draft registration (no seat) that keeps
    each answer as it is given, so a restart mid-way loses nothing. An existing registration
    (or draft) is returned as it is."""
    refusal = refusal_to_register(event, now=now)
    if refusal is not None:
        raise EventRefused(refusal)
    existing = await registration_of(session, event.id, user)
    if existing is not None and existing.status in (*ACTIVE, RegistrationStatus.DRAFT):
        return existing
    try:
        async with session.begin_nested():
            draft = existing or Registration(
                event_id=event.id,
                user_id=user.id,
                checkin_token=new_checkin_token(),
            )
            if existing is not None:
                _register_again(existing)
            draft.created_at = now
            draft.status = RegistrationStatus.DRAFT
            draft.answers = {}
            draft.queued_at = draft.updated_at = now
            session.add(draft)
            await session.flush()
    except IntegrityError:
        winner = await registration_of(session, event.id, user)
        if winner is None:
            raise
        return winner
    return draft


def _register_again(registration: Registration) -> None:
    """A cancelled or rejected registration starts over: the person's next calendar file must
    supersede the withdrawal they received."""
    registration.calendar_revision += 1


async def current_draft(session: AsyncSession, user: User) -> tuple[Registration, Event] | None:
    """The registration this person is in the middle of, if any."""
    query = (
        select(Registration, Event)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user.id, Registration.status == RegistrationStatus.DRAFT)
        .order_by(Registration.updated_at.desc())
        .limit(1)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


def needs_invite_code(event: Event, registration: Registration) -> bool:
    given = (registration.answers or {}).get(INVITE_CODE_ANSWER)
    return not invite_code_matches(event, given)


def give_invite_code(event: Event, registration: Registration, code: str, *, now: datetime) -> None:
    if not invite_code_matches(event, code):
        raise EventRefused(Refusal.WRONG_CODE)
    registration.answers = {**(registration.answers or {}), INVITE_CODE_ANSWER: code.strip()}
    registration.updated_at = now


def next_question(event: Event, registration: Registration) -> RegistrationQuestion | None:
    answered = registration.answers or {}
    return next((q for q in event.questions if str(q.id) not in answered), None)


def save_answer(
    registration: Registration, question: RegistrationQuestion, value: str, *, now: datetime
) -> None:
    registration.answers = {**(registration.answers or {}), str(question.id): value}
    registration.updated_at = now


async def abandon_draft(session: AsyncSession, registration: Registration) -> None:
    """A draft goes; one that restarted an earlier registration is cancelled instead, so its
    calendar revision is kept for the next attempt."""
    if registration.status != RegistrationStatus.DRAFT:
        return
    if registration.calendar_revision:
        registration.status = RegistrationStatus.CANCELLED
    else:
        await session.delete(registration)


async def lock_event(session: AsyncSession, event: Event) -> None:
    """Serialize seat hand-overs of one event: a no-op UPDATE takes the row lock on PostgreSQL
    and the write lock on SQLite before the seats are read (into ``event``)."""
    row = (
        await session.execute(
            update(Event)
            .where(Event.id == event.id)
            .values(seats_taken=Event.seats_taken)
            .returning(Event.seats_taken, Event.capacity)
            .execution_options(synchronize_session=False)
        )
    ).one()
    set_committed_value(event, "seats_taken", row.seats_taken)
    set_committed_value(event, "capacity", row.capacity)


async def _release_seat(session: AsyncSession, event: Event, now: datetime) -> None:
    """A freed seat goes to the first person waiting as an offer, else back to the pool."""
    await lock_event(session, event)
    waiting = await _first_waiting(session, event)
    if waiting is None or event.status != EventStatus.PUBLISHED or now >= event.starts_at:
        event.seats_taken = max(event.seats_taken - 1, 0)
        await session.flush()
        return
    await _offer_seat(session, event, waiting, now)


async def _offer_free_seats(session: AsyncSession, event: Event, now: datetime) -> None:
    await lock_event(session, event)
    while seats_left(event) > 0 and now < event.starts_at:
        waiting = await _first_waiting(session, event)
        if waiting is None:
            return
        event.seats_taken += 1
        await _offer_seat(session, event, waiting, now)


async def _first_waiting(session: AsyncSession, event: Event) -> Registration | None:
    query = (
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.queued_at, Registration.id)
        .limit(1)
    )
    return await session.scalar(query)


async def waitlist_place(session: AsyncSession, registration: Registration) -> int | None:
    """Where the person stands on the waitlist (1: offered the next free seat), or None when
    they are not on it; the queue's order is the one seats are offered in."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = await session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            or_(
                Registration.queued_at < registration.queued_at,
                (Registration.queued_at == registration.queued_at)
                & (Registration.id < registration.id),
            ),
        )
    )
    return int(ahead or 0) + 1


async def _offer_seat(
    session: AsyncSession, event: Event, registration: Registration, now: datetime
) -> None:
    expires = min(now + timedelta(hours=event.offer_hours), event.starts_at)
    registration.status = RegistrationStatus.OFFERED
    registration.offer_expires_at = expires
    registration.updated_at = now
    await session.flush()
    await notices.seat_offered(session, event, registration, now=now)


async def accept_offer(
    session: AsyncSession, registration: Registration, *, now: datetime
) -> Registration:
    event = await _event_of(session, registration)
    if registration.status == RegistrationStatus.CONFIRMED:
        return registration
    if registration.status != RegistrationStatus.OFFERED:
        raise EventRefused(Refusal.OFFER_EXPIRED)
    if event.status == EventStatus.CANCELLED:
        raise EventRefused(Refusal.CANCELLED)
    if registration.offer_expires_at is None or now >= registration.offer_expires_at:
        await _expire_offer(session, event, registration, now)
        raise EventRefused(Refusal.OFFER_EXPIRED)
    registration.status = RegistrationStatus.CONFIRMED
    registration.offer_expires_at = None
    registration.updated_at = now
    await notices.schedule_reminders(session, event, registration, now=now)
    return registration


async def expire_offers(session: AsyncSession, *, now: datetime) -> int:
    """Lapsed seat offers pass to the next person waiting. Run by the periodic sweep."""
    query = select(Registration).where(
        Registration.status == RegistrationStatus.OFFERED, Registration.offer_expires_at <= now
    )
    lapsed = list(await session.scalars(query))
    for registration in lapsed:
        await _expire_offer(session, await _event_of(session, registration), registration, now)
    return len(lapsed)


async def _expire_offer(
    session: AsyncSession, event: Event, registration: Registration, now: datetime
) -> None:
    registration.status = RegistrationStatus.CANCELLED
    registration.offer_expires_at = None
    registration.updated_at = now
    await session.flush()
    await notices.offer_expired(session, event, registration, now=now)
    await _release_seat(session, event, now)


async def cancel_registration(
    session: AsyncSession, registration: Registration, *, now: datetime
) -> Registration:
    """The person withdraws: their seat (if any) goes to the waitlist, their reminders go."""
    event = await _event_of(session, registration)
    if registration.status not in ACTIVE:
        return registration
    if event.status == EventStatus.CANCELLED:
        raise EventRefused(Refusal.CANCELLED)
    if now >= event.starts_at:
        raise EventRefused(Refusal.STARTED)
    held_seat = registration.status in SEAT_HOLDING
    if held_seat and event.cancellation_deadline is not None and now >= event.cancellation_deadline:
        raise EventRefused(Refusal.CANCELLATION_CLOSED)
    registration.status = RegistrationStatus.CANCELLED
    registration.offer_expires_at = None
    registration.updated_at = now
    # The file withdrawing the entry from their calendar supersedes the one that added it.
    registration.calendar_revision += 1
    await session.flush()
    await notices.drop_reminders(session, event, registration, now=now)
    if held_seat:
        await _release_seat(session, event, now)
    return registration


async def withdraw_for_erasure(
    session: AsyncSession, registration: Registration, *, now: datetime
) -> None:
    """The person deleted their data: the registration ends whatever the deadlines say, and a
    seat they held passes to the waitlist while the event is still ahead. A confirmed place at
    an event that has begun stays, anonymous, in the counts."""
    event = await _event_of(session, registration)
    started = now >= event.starts_at
    if started and registration.status == RegistrationStatus.CONFIRMED:
        return
    held_seat = registration.status in SEAT_HOLDING
    registration.status = RegistrationStatus.CANCELLED
    registration.offer_expires_at = None
    registration.updated_at = now
    await session.flush()
    await notices.drop_reminders(session, event, registration, now=now)
    if held_seat and event.status == EventStatus.PUBLISHED and not started:
        await _release_seat(session, event, now)


async def decide(
    session: AsyncSession,
    registration: Registration,
    *,
    approve: bool,
    now: datetime,
    reason: str | None = None,
) -> Registration:
    """An organizer's answer to a pending request: approved people get a seat if one is free,
    else a place on the waitlist; either way they are told, with the organizer's ``reason``
    for declining when one was given."""
    event = await _event_of(session, registration)
    if registration.status != RegistrationStatus.PENDING:
        raise EventRefused(Refusal.ALREADY_DECIDED)
    if event.status == EventStatus.CANCELLED:
        raise EventRefused(Refusal.CANCELLED)
    registration.updated_at = now
    if not approve:
        registration.status = RegistrationStatus.REJECTED
    else:
        registration.status = RegistrationStatus.WAITLISTED
        await place(session, event, [registration], now=now)
    if registration.status == RegistrationStatus.WAITLISTED:
        # The waitlist queues approved people from the decision, not from their request.
        registration.queued_at = now
    await session.flush()
    await notices.decision_made(
        session, event, registration, now=now, reason=None if approve else reason
    )
    return registration


async def _event_of(session: AsyncSession, registration: Registration) -> Event:
    event = await session.get(Event, registration.event_id)
    assert event is not None, "registrations cascade with their event"
    return event


async def registrations_of(
    session: AsyncSession, user: User, *, now: datetime
) -> list[tuple[Registration, Event]]:
    """The person's current and recent registrations, soonest first."""
    query = (
        select(Registration, Event)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.user_id == user.id,
            Registration.status.in_(ACTIVE),
            Event.ends_at >= now - timedelta(days=14),
        )
        .order_by(Event.starts_at, Event.id)
    )
    return [(registration, event) for registration, event in (await session.execute(query))]


async def find_registration(session: AsyncSession, registration_id: int) -> Registration | None:
    return await session.get(Registration, registration_id)


async def event_registrations(
    session: AsyncSession,
    event: Event,
    statuses: Sequence[RegistrationStatus],
    *,
    offset: int,
    limit: int,
) -> tuple[list[tuple[Registration, User]], int]:
    """One page of an organizer's list: waitlist in queue order, the rest by name."""
    conditions = [Registration.event_id == event.id, Registration.status.in_(statuses)]
    total = await session.scalar(select(func.count()).select_from(Registration).where(*conditions))
    query = (
        select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .where(*conditions)
        .order_by(Registration.queued_at, Registration.id)
        .offset(offset)
        .limit(limit)
    )
    rows = [(registration, user) for registration, user in await session.execute(query)]
    return rows, int(total or 0)


async def status_counts(session: AsyncSession, event: Event) -> dict[RegistrationStatus, int]:
    query = (
        select(Registration.status, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    )
    counts = {status: 0 for status in RegistrationStatus}
    for status, count in await session.execute(query):
        counts[RegistrationStatus(status)] = count
    return counts


async def attended_count(session: AsyncSession, event: Event) -> int:
    query = select(func.count()).where(
        Registration.event_id == event.id, Registration.attended_at.is_not(None)
    )
    return int(await session.scalar(query) or 0)


# ---- check-in -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    registration: Registration
    event: Event
    person: User
    # False when this person had already been checked in (the time is kept from the first).
    recorded: bool


async def registration_by_token(session: AsyncSession, token: str) -> Registration | None:
    return await session.scalar(select(Registration).where(Registration.checkin_token == token))


async def check_in_by_token(
    session: AsyncSession,
    token: str,
    *,
    organizer: User,
    admin_ids: frozenset[int],
    now: datetime,
) -> CheckIn:
    """An organizer scanned someone's code: record attendance, only at their own events."""
    registration = await registration_by_token(session, token)
    if registration is None:
        raise EventRefused(Refusal.NOT_FOUND)
    check_in = await _organizer_checks_in(
        session, registration, CheckInMethod.QR, organizer, admin_ids, now
    )
    if check_in.recorded:
        # The person holding up the phone sees nothing change on their own screen.
        await notices.checked_in(session, check_in.event, registration, now=now)
    return check_in


async def _organizer_checks_in(
    session: AsyncSession,
    registration: Registration,
    method: CheckInMethod,
    organizer: User,
    admin_ids: frozenset[int],
    now: datetime,
) -> CheckIn:
    event = await _event_of(session, registration)
    if not is_organizer_of(event, organizer, admin_ids):
        raise EventRefused(Refusal.NOT_ALLOWED)
    return await _record_attendance(session, event, registration, method, by=organizer, now=now)


async def self_check_in(
    session: AsyncSession,
    registration: Registration,
    *,
    latitude: float,
    longitude: float,
    now: datetime,
) -> CheckIn:
    """Check-in by sharing a live location near the venue while the event runs."""
    event = await _event_of(session, registration)
    if event.self_checkin_radius_m is None:
        raise EventRefused(Refusal.NO_SELF_CHECKIN)
    if not (event.starts_at - SELF_CHECKIN_EARLY <= now <= event.ends_at):
        raise EventRefused(Refusal.OUTSIDE_WINDOW)
    distance = distance_m(event.latitude, event.longitude, latitude, longitude)
    if distance > event.self_checkin_radius_m:
        raise EventRefused(Refusal.TOO_FAR)
    return await _record_attendance(
        session, event, registration, CheckInMethod.LOCATION, by=None, now=now
    )


async def _record_attendance(
    session: AsyncSession,
    event: Event,
    registration: Registration,
    method: CheckInMethod,
    *,
    by: User | None,
    now: datetime,
) -> CheckIn:
    person = await session.get(User, registration.user_id)
    assert person is not None
    if event.status == EventStatus.CANCELLED:
        raise EventRefused(Refusal.CANCELLED)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise EventRefused(Refusal.NOT_CONFIRMED)
    if now > event.ends_at + ATTENDANCE_GRACE or now < event.starts_at - timedelta(days=1):
        raise EventRefused(Refusal.OUTSIDE_WINDOW)
    if registration.attended_at is not None:
        return CheckIn(registration, event, person, recorded=False)
    registration.attended_at = now
    registration.checkin_method = method
    registration.checked_in_by = by.id if by else None
    registration.updated_at = now
    await session.flush()
    return CheckIn(registration, event, person, recorded=True)


async def mark_attendance(
    session: AsyncSession,
    registration: Registration,
    attended: bool,
    *,
    organizer: User,
    admin_ids: frozenset[int],
    now: datetime,
) -> bool:
    """An organizer ticks someone off the list (``attended``) or takes the tick back. The press
    says which, so a tap on an older list never does the opposite of what it showed; False when
    the registration already stood that way."""
    event = await _event_of(session, registration)
    if not is_organizer_of(event, organizer, admin_ids):
        raise EventRefused(Refusal.NOT_ALLOWED)
    if (registration.attended_at is not None) == attended:
        return False
    if attended:
        await _record_attendance(
            session, event, registration, CheckInMethod.LIST, by=organizer, now=now
        )
        return True
    registration.attended_at = None
    registration.checkin_method = None
    registration.checked_in_by = None
    registration.updated_at = now
    return True


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    earth_radius_m = 6_371_000
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * earth_radius_m * math.asin(math.sqrt(a))


async def complete_finished_events(session: AsyncSession, *, now: datetime) -> int:
    """Published events that ended become completed (the periodic sweep runs this)."""
    result = await session.execute(
        update(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at <= now)
        .values(status=EventStatus.COMPLETED, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
