"""What an organizer changes on an event before publishing it, one answer at a time: texts in
more languages, custom questions, deadlines, self check-in, reminders and co-organizers.

Like events.service, functions take the session and ``now`` where they need them and never
commit. Changes that registrants must hear about (time, venue, capacity, cancellation) stay in
events.service, which announces them. Each change is refused (EventRefused) when the event may no
longer be changed (events.rules.may_change)."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from events.models import (
    Event,
    EventOrganizer,
    EventStatus,
    EventText,
    QuestionKind,
    RegistrationQuestion,
)
from events.rules import EventRefused, Refusal, may_add_question, refuse_unless_changeable


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


def set_cancellation_deadline(event: Event, deadline: datetime | None, *, now: datetime) -> None:
    refuse_unless_changeable(event, now)
    event.cancellation_deadline = deadline
    event.updated_at = now


def set_self_checkin_radius(event: Event, radius_m: int | None, *, now: datetime) -> None:
    refuse_unless_changeable(event, now)
    event.self_checkin_radius_m = radius_m
    event.updated_at = now


def set_reminder_minutes(event: Event, minutes: int, *, now: datetime) -> None:
    refuse_unless_changeable(event, now)
    event.reminder_minutes_before = minutes
    event.updated_at = now


def add_co_organizer(event: Event, person: User, *, now: datetime) -> bool:
    """Returns False when the person already organizes this event."""
    refuse_unless_changeable(event, now)
    if any(link.user_id == person.id for link in event.organizers):
        return False
    event.organizers.append(EventOrganizer(user_id=person.id))
    event.updated_at = now
    return True


async def discard_draft(session: AsyncSession, event: Event) -> None:
    """A draft nobody has seen goes away entirely; a published event is cancelled instead."""
    if event.status != EventStatus.DRAFT:
        raise EventRefused(Refusal.NOT_ALLOWED)
    await session.delete(event)
    await session.flush()
