"""Answering a survey in the domain: one response per person even under concurrent starts,
answers kept as given, skip logic forwards and back, submitting, changing a named response
until the survey closes, and anonymous responses without a link to the person."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import AccessRole, User
from db.engine import create_engine, create_session_factory
from questions import answer_typed
from surveys import responses
from surveys.definitions import as_question, close_survey, open_survey
from surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyParticipant,
    SurveyQuestion,
    SurveyResponse,
)
from surveys.responses import ConstraintFailed, Refusal, ResponseRefused
from surveys.xlsform import import_form
from tests.survey_files import KOBO_STYLE

NOW = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def _survey_and_people(
    sessions: async_sessionmaker[AsyncSession], *, anonymous: bool = False, people: int = 2
) -> tuple[int, list[int]]:
    async with sessions() as session, session.begin():
        saved = await import_form(session, KOBO_STYLE, event_id=None, now=NOW)
        saved.survey.anonymous = anonymous
        open_survey(saved.survey, now=NOW, closes_at=NOW + timedelta(days=7))
        users = [
            User(language="th", access_role=AccessRole.PARTICIPANT, created_at=NOW)
            for _ in range(people)
        ]
        session.add_all(users)
        await session.flush()
        return saved.survey.id, [user.id for user in users]


async def _load(session: AsyncSession, survey_id: int) -> Survey:
    survey = await session.get(Survey, survey_id)
    assert survey is not None
    return survey


def _question(survey: Survey, name: str) -> SurveyQuestion:
    return next(q for q in survey.questions if q.name == name)


async def test_concurrent_starts_make_one_response(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, [person, _] = await _survey_and_people(sessions)

    async def tap() -> int:
        async with sessions() as session, session.begin():
            survey = await _load(session, survey_id)
            started = await responses.start(session, survey, person, language="th", now=NOW)
            return started.response.id

    ids = await asyncio.gather(*(tap() for _ in range(5)))
    assert len(set(ids)) == 1
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(SurveyResponse))
        ledger = await session.scalar(select(func.count()).select_from(SurveyParticipant))
    assert (count, ledger) == (1, 1)


async def test_skip_logic_forwards_and_back_and_questions_left(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, [person, _] = await _survey_and_people(sessions)
    async with sessions() as session, session.begin():
        survey = await _load(session, survey_id)
        response = (await responses.start(session, survey, person, language="th", now=NOW)).response
        first = responses.current_question(survey, response)
        assert first is not None and first.name == "first_time"
        assert responses.question_number(survey, response) == (1, 5)
        assert responses.questions_left(survey, response) == 4
        # "yes": the question about earlier cleanups is skipped.
        after = responses.save_answer(survey, response, first, "yes", now=NOW)
        assert after is not None and after.name == "litter"
        assert responses.back(survey, response, now=NOW) == first
        # "no": it is asked, and its number moves the others along.
        times = responses.save_answer(survey, response, first, "no", now=NOW)
        assert times is not None and times.name == "times"
        assert responses.question_number(survey, response) == (2, 6)
        value = answer_typed(as_question(survey, times), "๑๒", "th")
        litter = responses.save_answer(survey, response, times, value, now=NOW)
        assert litter is not None and litter.name == "litter"
        assert responses.questions_left(survey, response) == 3
    async with sessions() as session:
        survey = await _load(session, survey_id)
        again = await responses.response_of(session, survey, person)
        assert again is not None
        assert responses.answers_by_name(survey, again) == {"first_time": "no", "times": "12"}
        # Continuing opens where the person stopped.
        current = responses.current_question(survey, again)
        assert current is not None and current.name == "litter"


async def test_constraints_refuse_with_their_messages_and_keep_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, [person, _] = await _survey_and_people(sessions)
    async with sessions() as session, session.begin():
        survey = await _load(session, survey_id)
        response = (await responses.start(session, survey, person, language="th", now=NOW)).response
        first = _question(survey, "first_time")
        litter = _question(survey, "litter")
        responses.save_answer(survey, response, first, "no", now=NOW)
        times = _question(survey, "times")
        with pytest.raises(ConstraintFailed) as failed:
            responses.save_answer(survey, response, times, "600", now=NOW)
        assert failed.value.messages == {"en": "From 1 to 500", "th": "ตั้งแต่ 1 ถึง 500"}
        with pytest.raises(ConstraintFailed):
            responses.save_answer(survey, response, litter, "bottles bags other", now=NOW)
        assert responses.answers_by_name(survey, response) == {"first_time": "no"}
        with pytest.raises(ResponseRefused) as required:
            responses.skip(survey, response, first, now=NOW)
        assert required.value.refusal == Refusal.REQUIRED


async def test_submit_needs_the_required_answers_and_drops_hidden_ones(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, [person, _] = await _survey_and_people(sessions)
    async with sessions() as session, session.begin():
        survey = await _load(session, survey_id)
        response = (await responses.start(session, survey, person, language="th", now=NOW)).response
        first, times, overall = (
            _question(survey, name) for name in ("first_time", "times", "overall")
        )
        responses.save_answer(survey, response, first, "no", now=NOW)
        responses.save_answer(survey, response, times, "3", now=NOW)
        with pytest.raises(ResponseRefused) as incomplete:
            await responses.submit(session, survey, response, person, now=NOW)
        assert incomplete.value.refusal == Refusal.INCOMPLETE
        assert [q.name for q in incomplete.value.questions] == ["overall"]
        responses.save_answer(survey, response, overall, "9", other_text=None, now=NOW)
        # Changing the first answer hides "times": its answer does not go in.
        responses.save_answer(survey, response, first, "yes", now=NOW)
        await responses.submit(session, survey, response, person, now=NOW)
        assert responses.answers_by_name(survey, response) == {"first_time": "yes", "overall": "9"}
        assert (response.user_id, response.submitted_at) == (person, NOW)


async def test_named_responses_change_until_the_survey_closes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, [person, _] = await _survey_and_people(sessions)
    later = NOW + timedelta(days=1)
    async with sessions() as session, session.begin():
        survey = await _load(session, survey_id)
        response = (await responses.start(session, survey, person, language="th", now=NOW)).response
        first, overall = _question(survey, "first_time"), _question(survey, "overall")
        responses.save_answer(survey, response, first, "yes", now=NOW)
        responses.save_answer(survey, response, overall, "4", now=NOW)
        await responses.submit(session, survey, response, person, now=NOW)
    async with sessions() as session, session.begin():
        survey = await _load(session, survey_id)
        started = await responses.start(session, survey, person, language="th", now=later)
        assert not started.created and started.response.submitted
        question = responses.go_to(survey, started.response, "overall", now=later)
        responses.save_answer(survey, started.response, question, "5", now=later)
        assert responses.answers_by_name(survey, started.response)["overall"] == "5"
        close_survey(survey, now=later)
        with pytest.raises(ResponseRefused) as closed:
            responses.save_answer(survey, started.response, question, "1", now=later)
        assert closed.value.refusal == Refusal.NOT_ANSWERABLE


async def test_anonymous_answers_keep_no_link_to_the_person(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, [person, other] = await _survey_and_people(sessions, anonymous=True)
    async with sessions() as session, session.begin():
        survey = await _load(session, survey_id)
        response = (await responses.start(session, survey, person, language="th", now=NOW)).response
        assert response.user_id is None and response.started_at is None
        first, overall = _question(survey, "first_time"), _question(survey, "overall")
        responses.save_answer(survey, response, first, "yes", now=NOW)
    async with sessions() as session, session.begin():
        # Until it is handed in, the ledger lets the person continue it.
        survey = await _load(session, survey_id)
        continued = await responses.response_of(session, survey, person)
        assert continued is not None
        overall = _question(survey, "overall")
        responses.save_answer(survey, continued, overall, "2", now=NOW)
        await responses.submit(session, survey, continued, person, now=NOW)
        response_id = continued.id
    async with sessions() as session, session.begin():
        survey = await _load(session, survey_id)
        stored = await session.get(SurveyResponse, response_id)
        assert stored is not None and stored.submitted
        assert (stored.user_id, stored.started_at, stored.updated_at, stored.submitted_at) == (
            None,
            None,
            None,
            None,
        )
        [ledger] = (await session.scalars(select(SurveyParticipant))).all()
        assert (ledger.user_id, ledger.submitted, ledger.response_id) == (person, True, None)
        answers = (await session.scalars(select(SurveyAnswer))).all()
        assert sorted(answer.value for answer in answers) == ["2", "yes"]
        assert await responses.has_submitted(session, survey, person)
        assert await responses.response_of(session, survey, person) is None
        with pytest.raises(ResponseRefused) as twice:
            await responses.start(session, survey, person, language="th", now=NOW)
        assert twice.value.refusal == Refusal.ALREADY_SUBMITTED
        # Someone else still answers on their own.
        assert (await responses.start(session, survey, other, language="en", now=NOW)).created


async def test_a_draft_cannot_be_answered(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        saved = await import_form(session, KOBO_STYLE, event_id=None, now=NOW)
        user = User(language="en", access_role=AccessRole.PARTICIPANT, created_at=NOW)
        session.add(user)
        await session.flush()
        with pytest.raises(ResponseRefused) as refused:
            await responses.start(session, saved.survey, user.id, language="en", now=NOW)
        assert refused.value.refusal == Refusal.NOT_ANSWERABLE
