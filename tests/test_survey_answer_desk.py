"""The answer desk (surveys.answer_desk): many people's button answers, starts and Submit taps
written in one batch end exactly as they would one by one – a double tap counts once, a stale
or forged button keeps nothing, a constraint failure keeps nothing, "other" waits for its text –
and a survey closed or changed between batches is seen at once although its questions are kept
between batches."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import AccessRole, User
from db.conversations import load_state
from db.engine import create_engine, create_session_factory
from questions import Kind, Option
from surveys import responses
from surveys.answer_desk import (
    ANSWERING,
    AnswerDesk,
    AnswerTap,
    DefinitionCache,
    Press,
    StartTap,
    SubmitTap,
    TapVerdict,
    answer_taps,
    start_taps,
    submit_taps,
)
from surveys.definitions import close_survey, open_survey
from surveys.forms import Form, FormQuestion, QuestionTexts, SurveyTexts
from surveys.models import Survey, SurveyAnswer, SurveyParticipant, SurveyResponse
from surveys.responses import Refusal
from surveys.xlsform import import_form, write_form

NOW = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
FIRST_PERSON = 5000

FORM = Form(
    form_id="desk",
    default_language="en",
    texts={"en": SurveyTexts(title="Beach day")},
    questions=(
        FormQuestion(
            name="overall",
            kind=Kind.RATING,
            texts={"en": QuestionTexts(label="How was it?")},
            required=True,
            minimum=Decimal(1),
            maximum=Decimal(5),
        ),
        FormQuestion(
            name="heard",
            kind=Kind.CHOICE,
            texts={"en": QuestionTexts(label="How did you hear?", constraint_message="Not that")},
            required=True,
            constraint=". != '2'",
            options=(Option("1", {"en": "Friends"}), Option("2", {"en": "Radio"})),
            other=True,
        ),
    ),
)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def _survey_with_people(
    sessions: async_sessionmaker[AsyncSession], people: int, *, started: int
) -> tuple[int, int, int]:
    """The survey, its two questions' ids; ``started`` of the people have begun it."""
    async with sessions() as session, session.begin():
        survey = (await import_form(session, write_form(FORM), event_id=None, now=NOW)).survey
        open_survey(survey, now=NOW, closes_at=NOW + timedelta(days=7))
        users = [
            User(
                telegram_id=FIRST_PERSON + n,
                language="en",
                access_role=AccessRole.PARTICIPANT,
                created_at=NOW,
            )
            for n in range(people)
        ]
        session.add_all(users)
        await session.flush()
        for user in users[:started]:
            await responses.start(session, survey, user.id, language="en", now=NOW)
        first, second = (question.id for question in survey.questions)
        return survey.id, first, second


def _tap(
    survey_id: int, question_id: int, press: Press, argument: int, person: int, **at: datetime
) -> AnswerTap:
    telegram_id = FIRST_PERSON + person
    key = f"[{telegram_id}, {telegram_id}]"
    return AnswerTap(survey_id, question_id, press, argument, telegram_id, key, at.get("now", NOW))


async def _answers(sessions: async_sessionmaker[AsyncSession], survey_id: int) -> list[str]:
    async with sessions() as session:
        rows = await session.scalars(
            select(SurveyAnswer.value)
            .join(SurveyResponse)
            .where(SurveyResponse.survey_id == survey_id)
            .order_by(SurveyAnswer.value)
        )
        return list(rows)


async def test_a_batch_ends_as_answering_one_by_one(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, rating, choice = await _survey_with_people(sessions, 4, started=3)
    taps = [
        _tap(survey_id, rating, Press.RATE, 4, 0),
        _tap(survey_id, rating, Press.RATE, 5, 0),  # a double tap: the question moved on
        _tap(survey_id, choice, Press.CHOOSE, 0, 1),  # a button of a question not yet reached
        _tap(survey_id, rating, Press.RATE, 9, 2),  # a point the scale does not have
        _tap(survey_id, rating, Press.RATE, 3, 3),  # never started
        _tap(survey_id + 99, rating, Press.RATE, 3, 1),  # a forged survey
    ]
    async with sessions() as session, session.begin():
        outcomes = await answer_taps(session, DefinitionCache(), taps)
    assert [outcome.verdict for outcome in outcomes] == [
        TapVerdict.SAVED,
        TapVerdict.STALE,
        TapVerdict.STALE,
        TapVerdict.STALE,
        TapVerdict.NO_RESPONSE,
        TapVerdict.NOT_FOUND,
    ]
    saved = outcomes[0]
    assert saved.survey is not None and saved.response is not None
    assert responses.current_question(saved.survey, saved.response).id == choice  # type: ignore[union-attr]
    assert await _answers(sessions, survey_id) == ["4"]
    async with sessions() as session:
        assert await load_state(session, ANSWERING, taps[0].person_key) == str(survey_id)
        assert await load_state(session, ANSWERING, taps[4].person_key) is None


async def test_a_constraint_or_other_keeps_nothing_but_the_tick(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, rating, choice = await _survey_with_people(sessions, 2, started=2)
    desk = AnswerDesk(sessions, DefinitionCache())
    await asyncio.gather(*(desk.tap(_tap(survey_id, rating, Press.RATE, 5, n)) for n in (0, 1)))
    refused, other = await asyncio.gather(
        desk.tap(_tap(survey_id, choice, Press.CHOOSE, 1, 0)),
        desk.tap(_tap(survey_id, choice, Press.CHOOSE, 2, 1)),
    )
    assert refused.verdict == TapVerdict.CONSTRAINT_FAILED
    assert refused.failed is not None and refused.failed.messages == {"en": "Not that"}
    assert other.verdict == TapVerdict.OTHER_CHOSEN
    assert other.survey is not None and other.response is not None
    # Still at the choice, "other" ticked until its text is typed.
    assert responses.current_question(other.survey, other.response).id == choice  # type: ignore[union-attr]
    assert await _answers(sessions, survey_id) == ["5", "5", "other"]


async def test_closing_or_changing_the_survey_is_seen_by_the_next_batch(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, rating, _ = await _survey_with_people(sessions, 2, started=2)
    desk = AnswerDesk(sessions, DefinitionCache())
    first = await desk.tap(_tap(survey_id, rating, Press.RATE, 2, 0))
    assert first.verdict == TapVerdict.SAVED
    async with sessions() as session, session.begin():
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        survey.questions[0].maximum = "3"  # read again: the scale now ends at 3
        survey.updated_at = NOW + timedelta(minutes=1)
    assert (await desk.tap(_tap(survey_id, rating, Press.RATE, 5, 1))).verdict == TapVerdict.STALE
    async with sessions() as session, session.begin():
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        close_survey(survey, now=NOW + timedelta(minutes=2))
    later = NOW + timedelta(minutes=3)
    closed = await desk.tap(_tap(survey_id, rating, Press.RATE, 3, 1, now=later))
    assert closed.verdict == TapVerdict.NOT_ANSWERABLE
    assert await _answers(sessions, survey_id) == ["2"]


def _start(survey_id: int, person: int, **at: datetime) -> StartTap:
    telegram_id = FIRST_PERSON + person
    key = f"[{telegram_id}, {telegram_id}]"
    return StartTap(survey_id, telegram_id, key, "th", at.get("now", NOW))


async def _ledger(sessions: async_sessionmaker[AsyncSession], survey_id: int) -> int:
    async with sessions() as session:
        rows = await session.scalars(
            select(SurveyParticipant.user_id).where(SurveyParticipant.survey_id == survey_id)
        )
        return len(list(rows))


async def test_starts_together_make_one_response_each(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, rating, _ = await _survey_with_people(sessions, 4, started=1)
    taps = [
        _start(survey_id, 0),  # began before: reopened
        _start(survey_id, 1),
        _start(survey_id, 1),  # a double tap meets the response the first tap began
        _start(survey_id, 2),
        _start(survey_id + 99, 3),
    ]
    async with sessions() as session, session.begin():
        outcomes = await start_taps(session, DefinitionCache(), taps)
    started = [outcome.started for outcome in outcomes]
    assert [s.created if s else None for s in started] == [False, True, False, True, None]
    assert started[1] is not None and started[2] is not None
    assert started[1].response.id == started[2].response.id
    assert started[1].response.language == "th"
    assert outcomes[4].survey is None
    assert await _ledger(sessions, survey_id) == 3
    async with sessions() as session:
        assert await load_state(session, ANSWERING, taps[3].person_key) == str(survey_id)
    # The new responses are answered through the desk like any other.
    desk = AnswerDesk(sessions, DefinitionCache())
    answered = await desk.tap(_tap(survey_id, rating, Press.RATE, 3, 2))
    assert answered.verdict == TapVerdict.SAVED


async def test_a_start_alone_and_starts_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, _, _ = await _survey_with_people(sessions, 2, started=0)
    desk = AnswerDesk(sessions, DefinitionCache())
    alone = await desk.start(_start(survey_id, 0))
    assert alone.started is not None and alone.started.created
    again = await desk.start(_start(survey_id, 0))
    assert again.started is not None and not again.started.created
    assert again.started.response.id == alone.started.response.id
    later = NOW + timedelta(days=8)  # past its closing time
    refused = await asyncio.gather(
        desk.start(_start(survey_id, 1, now=later)), desk.start(_start(survey_id, 0, now=later))
    )
    assert [outcome.refusal for outcome in refused] == [Refusal.NOT_ANSWERABLE] * 2
    assert await _ledger(sessions, survey_id) == 1


async def _make_anonymous(sessions: async_sessionmaker[AsyncSession], survey_id: int) -> None:
    async with sessions() as session, session.begin():
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        survey.anonymous = True
        survey.updated_at = NOW + timedelta(minutes=1)


async def test_starts_together_refuse_a_second_anonymous_response(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, _, _ = await _survey_with_people(sessions, 3, started=0)
    await _make_anonymous(sessions, survey_id)
    desk = AnswerDesk(sessions, DefinitionCache())
    first = await desk.start(_start(survey_id, 0))
    assert first.started is not None and first.started.response.user_id is None
    async with sessions() as session, session.begin():
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        response = await session.get(SurveyResponse, first.started.response.id)
        assert response is not None and response.user_id is None  # it names nobody
        ledger = await session.scalar(
            select(SurveyParticipant).where(SurveyParticipant.response_id == response.id)
        )
        assert ledger is not None
        ledger.response_id, ledger.submitted = None, True  # handed in
    async with sessions() as session, session.begin():
        outcomes = await start_taps(
            session, DefinitionCache(), [_start(survey_id, 0), _start(survey_id, 1)]
        )
    assert outcomes[0].refusal == Refusal.ALREADY_SUBMITTED
    assert outcomes[1].started is not None and outcomes[1].started.created
    assert outcomes[1].started.response.user_id is None


def _submit(survey_id: int, person: int) -> SubmitTap:
    telegram_id = FIRST_PERSON + person
    return SubmitTap(survey_id, telegram_id, f"[{telegram_id}, {telegram_id}]", NOW)


async def _answer_all(
    desk: AnswerDesk, survey_id: int, rating: int, heard: int, person: int
) -> None:
    for tap in (
        _tap(survey_id, rating, Press.RATE, 4, person),
        _tap(survey_id, heard, Press.CHOOSE, 0, person),
    ):
        assert (await desk.tap(tap)).verdict == TapVerdict.SAVED


async def test_submits_together_hand_in_once_each_and_stop_at_what_is_missing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, rating, heard = await _survey_with_people(sessions, 4, started=3)
    desk = AnswerDesk(sessions, DefinitionCache())
    await _answer_all(desk, survey_id, rating, heard, 0)
    await _answer_all(desk, survey_id, rating, heard, 1)
    async with sessions() as session, session.begin():
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        went_back, skipped_ahead = [
            await session.scalar(
                select(SurveyResponse).join(User).where(User.telegram_id == FIRST_PERSON + n)
            )
            for n in (1, 2)
        ]
        assert went_back is not None and skipped_ahead is not None
        # Person 1 went back to a question: the Submit of their summary is from before.
        responses.back(survey, went_back, now=NOW)
        # Person 2 is at the summary without an answer (as when a question became required).
        skipped_ahead.position = len(survey.questions)
    taps = [
        _submit(survey_id, 0),
        _submit(survey_id, 0),  # a double tap: a named response is handed in again, unchanged
        _submit(survey_id, 1),
        _submit(survey_id, 2),
        _submit(survey_id, 3),  # never began
        _submit(survey_id + 99, 0),
    ]
    async with sessions() as session, session.begin():
        outcomes = await submit_taps(session, DefinitionCache(), taps)
    assert [outcome.verdict for outcome in outcomes] == [
        TapVerdict.HANDED_IN,
        TapVerdict.HANDED_IN,
        TapVerdict.STALE,
        TapVerdict.INCOMPLETE,
        TapVerdict.NO_RESPONSE,
        TapVerdict.NOT_FOUND,
    ]
    assert outcomes[3].missing is not None and outcomes[3].missing.name == "overall"
    async with sessions() as session:
        submitted = await session.scalars(
            select(User.telegram_id)
            .join(SurveyParticipant, SurveyParticipant.user_id == User.id)
            .where(SurveyParticipant.submitted.is_(True))
        )
        assert list(submitted) == [FIRST_PERSON]
        # Typed answers are no longer for this survey once it is handed in.
        assert await load_state(session, ANSWERING, taps[0].person_key) is None
        assert await load_state(session, ANSWERING, taps[3].person_key) == str(survey_id)


async def test_a_second_submit_of_an_anonymous_response_is_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    survey_id, rating, heard = await _survey_with_people(sessions, 1, started=0)
    await _make_anonymous(sessions, survey_id)
    desk = AnswerDesk(sessions, DefinitionCache())
    assert (await desk.start(_start(survey_id, 0))).started is not None
    await _answer_all(desk, survey_id, rating, heard, 0)
    async with sessions() as session, session.begin():
        outcomes = await submit_taps(
            session, DefinitionCache(), [_submit(survey_id, 0), _submit(survey_id, 0)]
        )
    assert [outcome.verdict for outcome in outcomes] == [
        TapVerdict.HANDED_IN,
        TapVerdict.SUBMITTED,
    ]
    later = await desk.submit(_submit(survey_id, 0))
    assert later.verdict == TapVerdict.SUBMITTED
    async with sessions() as session:
        ledger = await session.scalar(
            select(SurveyParticipant).where(SurveyParticipant.survey_id == survey_id)
        )
        assert ledger is not None and ledger.submitted and ledger.response_id is None
