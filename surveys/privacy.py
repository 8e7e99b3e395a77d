"""A person's survey answers for /mydata, and what /deleteme does to them.

Named responses carry the person: /mydata lists them with every answer, and erasure cuts the
link (the response's person and the ledger's pointer at it), so the answers stay in the results
as an anonymous one's would. Anonymous responses were never linked: nothing of them is the
person's to export, and the ledger keeps only that they answered."""

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from surveys.models import Survey, SurveyParticipant, SurveyResponse
from surveys.wording import survey_title


async def personal_data(session: AsyncSession, user: User) -> dict[str, Any]:
    rows = await session.execute(
        select(SurveyResponse, Survey)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(SurveyResponse.user_id == user.id)
        .order_by(SurveyResponse.started_at)
    )
    responses = []
    for response, survey in rows:
        names = {question.id: question.name for question in survey.questions}
        responses.append(
            {
                "survey_id": survey.id,
                "survey": survey_title(survey, user.language),
                "event_id": survey.event_id,
                "submitted": response.submitted,
                "started_at": response.started_at.isoformat() if response.started_at else None,
                "submitted_at": (
                    response.submitted_at.isoformat() if response.submitted_at else None
                ),
                "answers": {
                    names[answer.question_id]: (
                        {"value": answer.value, "other": answer.other_text}
                        if answer.other_text
                        else answer.value
                    )
                    for answer in response.answers
                },
            }
        )
    return {"survey_responses": responses}


async def forget_person(session: AsyncSession, user: User) -> None:
    """Runs in the same transaction as accounts.service.erase_account."""
    # The ledger's pointer links the person to a named response, and to an anonymous one
    # not handed in yet.
    await session.execute(
        update(SurveyParticipant)
        .where(SurveyParticipant.user_id == user.id)
        .values(response_id=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.user_id == user.id)
        .values(user_id=None, started_at=None, updated_at=None, submitted_at=None)
        .execution_options(synchronize_session=False)
    )
