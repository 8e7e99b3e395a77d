"""The surveys waiting for a person to answer, as /my lists them: open now, about an event they
registered for or attended, and not handed in yet (named ones they handed in are changed from
the survey itself, not listed as waiting)."""

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.models import Registration, RegistrationStatus
from surveys.models import Survey, SurveyParticipant, SurveyStatus

# A registration that was taken up: the person held a seat (or was still confirmed) or came.
_TAKEN_UP = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)


async def waiting_surveys(session: AsyncSession, user_id: int, *, now: datetime) -> list[Survey]:
    """Oldest closing first, so the one that closes soonest is at the top."""
    handed_in = select(SurveyParticipant.survey_id).where(
        SurveyParticipant.user_id == user_id, SurveyParticipant.submitted.is_(True)
    )
    registered = select(Registration.event_id).where(
        Registration.user_id == user_id,
        or_(Registration.status.in_(_TAKEN_UP), Registration.attended_at.is_not(None)),
    )
    query = (
        select(Survey)
        .where(
            Survey.status == SurveyStatus.OPEN,
            Survey.event_id.in_(registered),
            Survey.id.not_in(handed_in),
            or_(Survey.opens_at.is_(None), Survey.opens_at <= now),
            or_(Survey.closes_at.is_(None), Survey.closes_at > now),
        )
        .order_by(Survey.closes_at.is_(None), Survey.closes_at, Survey.id)
    )
    return list(await session.scalars(query))
