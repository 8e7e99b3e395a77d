"""What surveys put in the outbox: for a post-event survey an invitation some hours after the
event ends (the survey's ``invite_delay_hours``, one by default), for a partnership-wide one an
invitation to its broadcast-filtered audience as soon as it opens; then reminders to those who
have not answered, each under a dedupe key naming the survey, the person
and the occasion (``survey:<id>:user:<id>:invitation``, ``…:reminder:<n>``).

The sweep decides from the database alone: who was invited is the outbox's invitation rows,
how many reminders went out is its reminder rows, and when is their ``sent_at``. A restart, or
a sweep run twice, therefore never drops or duplicates a send. Whether a send still makes sense
when it falls due (closed, answered, erased, consent withdrawn) is the renderer's cut-off.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import true as sa_true
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Consent, ConsentPurpose, User
from broadcasts.service import AudienceFilters, recipients_query
from delivery import outbox
from delivery.models import OutboxMessage, OutboxStatus
from delivery.outbox import OutboxItem
from events.models import Event, EventStatus, Registration, RegistrationStatus
from surveys.definitions import answerable
from surveys.models import Survey, SurveyAudience, SurveyParticipant, SurveyStatus

# The choices offered to organizers; the shortest is also the earliest any survey can fall due.
INVITE_DELAY_CHOICES = (1, 3, 24)
REMINDER_MAX_CHOICES = (0, 1, 2, 3)
REMINDER_GAP_CHOICES = (24, 48, 72)


class Kind:
    """Outbox kinds owned by surveys; handlers/surveys/notices.py renders each."""

    INVITATION = "survey.invitation"
    REMINDER = "survey.reminder"


def person_prefix(survey_id: int, user_id: int) -> str:
    return f"survey:{survey_id}:user:{user_id}:"


def survey_prefix(survey_id: int) -> str:
    return f"survey:{survey_id}:user:"


def invitation_key(survey_id: int, user_id: int) -> str:
    return f"{person_prefix(survey_id, user_id)}invitation"


def reminder_key(survey_id: int, user_id: int, number: int) -> str:
    return f"{person_prefix(survey_id, user_id)}reminder:{number}"


def invited_at(event: Event, survey: Survey) -> datetime:
    """When a post-event survey's invitations fall due."""
    return event.ends_at + timedelta(hours=survey.invite_delay_hours)


async def consenting_registrants(
    session: AsyncSession, event_id: int, audience: SurveyAudience = SurveyAudience.CONFIRMED
) -> list[int]:
    """Accounts confirmed for the event (only those who checked in, for that audience) who agree
    to event logistics and are still reachable."""
    attended = (
        Registration.attended_at.is_not(None)
        if audience == SurveyAudience.CHECKED_IN
        else sa_true()
    )
    rows = await session.scalars(
        select(Registration.user_id)
        .join(User, User.id == Registration.user_id)
        .join(
            Consent,
            (Consent.user_id == User.id)
            & (Consent.purpose == ConsentPurpose.EVENT_LOGISTICS)
            & Consent.granted.is_(True),
        )
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            attended,
            User.erased_at.is_(None),
            User.blocked_at.is_(None),
        )
        .order_by(Registration.user_id)
    )
    return list(rows)


async def _surveys_to_send(session: AsyncSession, now: datetime) -> list[tuple[Survey, Event]]:
    rows = await session.execute(
        select(Survey, Event)
        .join(Event, Event.id == Survey.event_id)
        .where(
            Survey.status == SurveyStatus.OPEN,
            Event.status != EventStatus.CANCELLED,
            Event.ends_at <= now - timedelta(hours=min(INVITE_DELAY_CHOICES)),
        )
        .order_by(Survey.id)
    )
    return [
        (survey, event)
        for survey, event in rows.all()
        if answerable(survey, now) and invited_at(event, survey) <= now
    ]


async def _partnership_surveys(session: AsyncSession, now: datetime) -> list[Survey]:
    rows = await session.scalars(
        select(Survey)
        .where(Survey.status == SurveyStatus.OPEN, Survey.event_id.is_(None))
        .order_by(Survey.id)
    )
    return [survey for survey in rows if answerable(survey, now)]


async def _sends_so_far(session: AsyncSession, survey_id: int) -> dict[int, list[OutboxMessage]]:
    """Each person's invitation and reminders for the survey, in the order they were queued."""
    rows = await session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key.startswith(survey_prefix(survey_id), autoescape=True),
            OutboxMessage.kind.in_((Kind.INVITATION, Kind.REMINDER)),
        )
        .order_by(OutboxMessage.id)
    )
    sends: dict[int, list[OutboxMessage]] = {}
    for row in rows:
        sends.setdefault(row.user_id, []).append(row)
    return sends


async def _answered(session: AsyncSession, survey_id: int) -> set[int]:
    rows = await session.scalars(
        select(SurveyParticipant.user_id).where(
            SurveyParticipant.survey_id == survey_id, SurveyParticipant.submitted.is_(True)
        )
    )
    return set(rows)


def _next_reminder(survey: Survey, sends: list[OutboxMessage], now: datetime) -> int | None:
    """The number of the reminder due now, if one is: the latest send went out, at least the
    survey's gap ago, and fewer reminders than its maximum were sent."""
    latest = sends[-1]
    if latest.status != OutboxStatus.SENT or latest.sent_at is None:
        # Still waiting (quiet hours, a retry), or ended without reaching the person (blocked,
        # skipped for a cut-off): nothing follows it.
        return None
    reminders = sum(1 for row in sends if row.kind == Kind.REMINDER)
    if reminders >= survey.reminder_max:
        return None
    if now < latest.sent_at + timedelta(hours=survey.reminder_gap_hours):
        return None
    return reminders + 1


def _reminder_item(
    survey: Survey,
    user_id: int,
    earlier: list[OutboxMessage],
    payload: dict[str, Any],
    now: datetime,
) -> OutboxItem | None:
    number = _next_reminder(survey, earlier, now)
    if number is None:
        return None
    return OutboxItem(
        user_id=user_id,
        kind=Kind.REMINDER,
        dedupe_key=reminder_key(survey.id, user_id, number),
        due_at=now,
        payload={**payload, "number": number},
    )


def _invitation_item(
    survey: Survey, user_id: int, payload: dict[str, Any], now: datetime
) -> OutboxItem:
    return OutboxItem(
        user_id=user_id,
        kind=Kind.INVITATION,
        dedupe_key=invitation_key(survey.id, user_id),
        due_at=now,
        payload=payload,
    )


async def queue_survey_sends(session: AsyncSession, *, now: datetime) -> int:
    """Invitations to the registrants of events whose survey delay after the end has passed,
    for each open survey of theirs, and reminders to those invited who have not submitted
    (post-event and partnership-wide); returns how many sends were queued now."""
    items: list[OutboxItem] = []
    for survey, event in await _surveys_to_send(session, now):
        sends = await _sends_so_far(session, survey.id)
        answered = await _answered(session, survey.id)
        audience = SurveyAudience(survey.audience)
        payload: dict[str, Any] = {"survey_id": survey.id, "event_id": event.id}
        for user_id in await consenting_registrants(session, event.id, audience):
            if user_id in answered:
                continue
            earlier = sends.get(user_id)
            item = (
                _reminder_item(survey, user_id, earlier, payload, now)
                if earlier
                else _invitation_item(survey, user_id, payload, now)
            )
            if item is not None:
                items.append(item)
    for survey in await _partnership_surveys(session, now):
        # The audience was fixed when it opened (invite_audience): only reminders follow.
        answered = await _answered(session, survey.id)
        for user_id, earlier in (await _sends_so_far(session, survey.id)).items():
            if user_id not in answered:
                item = _reminder_item(survey, user_id, earlier, {"survey_id": survey.id}, now)
                if item is not None:
                    items.append(item)
    if items:
        await outbox.enqueue_many(session, items, now=now)
    return len(items)


def audience_filters(survey: Survey) -> AudienceFilters:
    return AudienceFilters.from_dict(survey.audience_filters)


def set_audience_filters(survey: Survey, filters: AudienceFilters, *, now: datetime) -> None:
    """The broadcast filters a partnership-wide draft's invitations will go to."""
    survey.audience_filters = filters.to_dict()
    survey.updated_at = now


async def audience_count(session: AsyncSession, survey: Survey, *, now: datetime) -> int:
    """How many people a partnership-wide survey would invite if it opened now."""
    query = recipients_query(audience_filters(survey), now)
    return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def invite_audience(session: AsyncSession, survey: Survey, *, now: datetime) -> int:
    """A partnership-wide survey just opened: an invitation, due now, to everyone its broadcast
    filters choose (consent to news included); returns how many were queued."""
    recipients = list(await session.scalars(recipients_query(audience_filters(survey), now)))
    payload: dict[str, Any] = {"survey_id": survey.id}
    await outbox.enqueue_many(
        session,
        [_invitation_item(survey, user_id, payload, now) for user_id in recipients],
        now=now,
    )
    return len(recipients)


async def stop_survey_sends(session: AsyncSession, survey: Survey, *, now: datetime) -> int:
    """Closing a survey drops the sends still waiting for it."""
    return await outbox.cancel(
        session, key_prefix=survey_prefix(survey.id), reason="survey closed", now=now
    )
