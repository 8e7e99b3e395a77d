"""What an organizer changes on an event, before publishing it and after, one answer at a time:
texts in more languages, custom questions, deadlines, self check-in, reminders, the registration
mode and co-organizers; and copying an event for the next one at the same place.

Like events.service, functions take the session and ``now`` where they need them and never
commit. Changes that registrants must hear about (time, venue, capacity, cancellation) stay in
events.service, which announces them; a new cancellation deadline is announced through it too.
Each change is refused (EventRefused) when the event may no longer be changed
(events.rules.may_change)."""

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from events import notices
from events.models import (
    Event,
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
from events.rules import EventRefused, Refusal, may_add_question, refuse_unless_changeable
from events.service import announce_change, decide


def set_event_text(
    event: Event, language: str, title: str, description: str, *, now: datetime
) -> None:
    """Adds the title and description in ``language``, or replaces what was written in it."""
    refuse_unless_changeable(event, now)
    for text in event.texts:
        if text.language == language:
            text.title, text.description = title, description
            break
    else:
        event.texts.append(EventText(language=language, title=title, description=description))
    event.updated_at = now


def add_question(
    event: Event,
    kind: QuestionKind,
    language: str,
    prompt: str,
    choices: Sequence[str],
    *,
    now: datetime,
) -> RegistrationQuestion:
    """A new custom question after the existing ones, written in one language so far."""
    refuse_unless_changeable(event, now)
    if not may_add_question(event):
        raise EventRefused(Refusal.TOO_MANY_QUESTIONS)
    position = max((question.position for question in event.questions), default=-1) + 1
    question = RegistrationQuestion(
        position=position,
        kind=kind,
        texts={language: {"prompt": prompt, "choices": list(choices)}},
    )
    event.questions.append(question)
    event.updated_at = now
    return question


def remove_last_question(event: Event, *, now: datetime) -> bool:
    """Drafts only (nobody has answered yet); returns whether there was a question to remove."""
    if event.status != EventStatus.DRAFT or not event.questions:
        return False
    last = max(event.questions, key=lambda question: question.position)
    event.questions.remove(last)
    event.updated_at = now
    return True


def question_at(event: Event, position: int) -> RegistrationQuestion | None:
    return next((q for q in event.questions if q.position == position), None)


def set_question_text(
    event: Event,
    question: RegistrationQuestion,
    language: str,
    prompt: str,
    choices: Sequence[str],
    *,
    now: datetime,
) -> None:
    """The question in one more language; a choice question keeps the same number of choices in
    every language, since answers are stored as the choice's index."""
    refuse_unless_changeable(event, now)
    if question.kind == QuestionKind.CHOICE:
        expected = len(next(iter(question.texts.values())).get("choices", []))
        if len(choices) != expected:
            raise ValueError(f"a translation needs {expected} choices, got {len(choices)}")
    # A new dict, so the JSON column sees the change.
    question.texts = {**question.texts, language: {"prompt": prompt, "choices": list(choices)}}
    event.updated_at = now


def set_registration_deadline(event: Event, deadline: datetime | None, *, now: datetime) -> None:
    refuse_unless_changeable(event, now)
    event.registration_deadline = deadline
    event.updated_at = now


async def set_cancellation_deadline(
    session: AsyncSession, event: Event, deadline: datetime | None, *, now: datetime
) -> None:
    """People registered for a published event are told: it decides until when they can free
    their seat."""
    refuse_unless_changeable(event, now)
    if event.cancellation_deadline == deadline:
        return
    event.cancellation_deadline = deadline
    event.updated_at = now
    if event.status == EventStatus.PUBLISHED:
        await announce_change(session, event, (Change.CANCELLATION_DEADLINE,), now=now)


def set_self_checkin_radius(event: Event, radius_m: int | None, *, now: datetime) -> None:
    refuse_unless_changeable(event, now)
    event.self_checkin_radius_m = radius_m
    event.updated_at = now


async def set_reminder_minutes(
    session: AsyncSession, event: Event, minutes: int, *, now: datetime
) -> None:
    """The reminders of everyone confirmed move along (nobody is told: the reminder says it)."""
    refuse_unless_changeable(event, now)
    event.reminder_minutes_before = minutes
    event.updated_at = now
    await session.flush()
    await notices.refresh_reminders(session, event, now=now)


async def set_registration_mode(
    session: AsyncSession,
    event: Event,
    mode: RegistrationMode,
    invite_code: str | None,
    *,
    now: datetime,
) -> int:
    """How people register from now on. Nobody already registered loses their place: switching
    to approval or to an invite code asks only people who register later. Requests waiting
    for approval when approval is switched off are accepted as if approved (a seat while seats
    last, else the waitlist), in the order they came, and each person is told. Returns how many
    requests were accepted."""
    refuse_unless_changeable(event, now)
    event.registration_mode = mode
    event.invite_code = invite_code if mode == RegistrationMode.INVITE_CODE else None
    event.updated_at = now
    if mode == RegistrationMode.APPROVAL:
        return 0
    waiting = list(
        await session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.PENDING,
            )
            .order_by(Registration.queued_at, Registration.id)
        )
    )
    for registration in waiting:
        await decide(session, registration, approve=True, now=now)
    return len(waiting)


def add_co_organizer(event: Event, person: User, *, now: datetime) -> bool:
    """Returns False when the person already organizes this event."""
    refuse_unless_changeable(event, now)
    if any(link.user_id == person.id for link in event.organizers):
        return False
    event.organizers.append(EventOrganizer(user_id=person.id))
    event.updated_at = now
    return True


def remove_co_organizer(event: Event, user_id: int, *, now: datetime) -> bool:
    """The event's creator always stays; returns False when the person was no co-organizer."""
    refuse_unless_changeable(event, now)
    if user_id == event.created_by:
        raise EventRefused(Refusal.NOT_ALLOWED)
    link = next((link for link in event.organizers if link.user_id == user_id), None)
    if link is None:
        return False
    event.organizers.remove(link)
    event.updated_at = now
    return True


# Copies keep the weekday and the local time, the next week that is still ahead.
COPY_STEP = timedelta(weeks=1)


async def duplicate_event(
    session: AsyncSession, event: Event, creator: User, *, now: datetime
) -> Event:
    """A new draft with everything the event had (texts, venue, capacity, how people register,
    questions, reminders, co-organizers) but nobody registered, a week after it or the first
    such date still ahead; deadlines are left for the organizer to set, as they belong to the
    new date."""
    weeks = max(1, math.floor((now - event.starts_at) / COPY_STEP) + 1)
    zone = ZoneInfo(event.timezone)

    def later(moment: datetime) -> datetime:
        # Whole weeks on the local wall clock, so a change of UTC offset keeps the local time.
        return (moment.astimezone(zone) + COPY_STEP * weeks).astimezone(UTC)

    copy = Event(
        kind=event.kind,
        status=EventStatus.DRAFT,
        created_by=creator.id,
        created_at=now,
        updated_at=now,
        seats_taken=0,
        sequence=0,
        fallback_language=event.fallback_language,
        second_language=event.second_language,
        venue_name=event.venue_name,
        address=event.address,
        latitude=event.latitude,
        longitude=event.longitude,
        country=event.country,
        city=event.city,
        timezone=event.timezone,
        starts_at=later(event.starts_at),
        ends_at=later(event.ends_at),
        capacity=event.capacity,
        registration_mode=event.registration_mode,
        invite_code=event.invite_code,
        offer_hours=event.offer_hours,
        reminder_minutes_before=event.reminder_minutes_before,
        day_before_reminder=event.day_before_reminder,
        self_checkin_radius_m=event.self_checkin_radius_m,
    )
    copy.texts = [
        EventText(language=text.language, title=text.title, description=text.description)
        for text in event.texts
    ]
    copy.questions = [
        RegistrationQuestion(position=question.position, kind=question.kind, texts=question.texts)
        for question in event.questions
    ]
    organizer_ids = dict.fromkeys([creator.id, *(link.user_id for link in event.organizers)])
    copy.organizers = [EventOrganizer(user_id=user_id) for user_id in organizer_ids]
    session.add(copy)
    await session.flush()
    return copy


async def discard_draft(session: AsyncSession, event: Event) -> None:
    """A draft nobody has seen goes away entirely; a published event is cancelled instead."""
    if event.status != EventStatus.DRAFT:
        raise EventRefused(Refusal.NOT_ALLOWED)
    await session.delete(event)
    await session.flush()
