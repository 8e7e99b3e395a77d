"""Answering a survey: one response per person, each answer saved as it is given, the next and
previous question along the skip logic, what is left, and submitting.

A named response carries the person's id and can be changed until the survey closes. An
anonymous one carries neither the person nor any time; the ledger (``SurveyParticipant``)
records that the person answered and, only until they submit, which response is theirs so that
they can continue it. The ledger's primary key (survey, person) and the responses' unique
(survey, person) make double taps, re-sent updates and two devices meet one response.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from questions import Kind
from surveys import expressions
from surveys.definitions import answerable
from surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyParticipant,
    SurveyQuestion,
    SurveyResponse,
)

# Response ids are random (see SurveyResponse.id), positive and within a signed 64-bit column.
_ID_BITS = 62


class Refusal(StrEnum):
    NOT_ANSWERABLE = "not_answerable"  # a draft, closed, not yet open or past its closing
    ALREADY_SUBMITTED = "already_submitted"  # anonymous and submitted: it cannot be reopened
    NOT_THIS_SURVEY = "not_this_survey"  # a question of another survey (a stale button)
    NOT_SHOWN = "not_shown"  # a question the skip logic hides
    REQUIRED = "required"  # skipping a required question
    INCOMPLETE = "incomplete"  # submitting with required questions unanswered


class ResponseRefused(ValueError):
    def __init__(self, refusal: Refusal, questions: tuple[SurveyQuestion, ...] = ()) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        # For REQUIRED and INCOMPLETE: which, to show their required_message.
        self.questions = questions


class ConstraintFailed(ValueError):
    """The answer breaks the question's constraint; ``messages`` (language → text) say why."""

    def __init__(self, question: SurveyQuestion) -> None:
        super().__init__(question.name)
        self.question = question
        self.messages = {
            language: str(texts["constraint_message"])
            for language, texts in question.texts.items()
            if texts.get("constraint_message")
        }


@dataclass(frozen=True)
class Started:
    response: SurveyResponse
    created: bool


def _new_id() -> int:
    return secrets.randbits(_ID_BITS) or 1


async def _participant(
    session: AsyncSession, survey: Survey, user_id: int
) -> SurveyParticipant | None:
    return await session.scalar(
        select(SurveyParticipant)
        .where(SurveyParticipant.survey_id == survey.id, SurveyParticipant.user_id == user_id)
        .execution_options(populate_existing=True)
    )


async def response_of(session: AsyncSession, survey: Survey, user_id: int) -> SurveyResponse | None:
    """The person's response they can still open: named ones always, anonymous ones until
    they are submitted."""
    # One statement rather than the participant and then its response: it runs on every tap.
    return await session.scalar(
        select(SurveyResponse)
        .join(SurveyParticipant, SurveyParticipant.response_id == SurveyResponse.id)
        .where(SurveyParticipant.survey_id == survey.id, SurveyParticipant.user_id == user_id)
        .execution_options(populate_existing=True)
    )


async def has_submitted(session: AsyncSession, survey: Survey, user_id: int) -> bool:
    participant = await _participant(session, survey, user_id)
    return participant is not None and participant.submitted


async def start(
    session: AsyncSession, survey: Survey, user_id: int, *, language: str, now: datetime
) -> Started:
    """The person's response, new or the one they began; it opens at the first question they
    have not seen (or the summary when they have seen them all)."""
    if not answerable(survey, now):
        raise ResponseRefused(Refusal.NOT_ANSWERABLE)
    participant = await _participant(session, survey, user_id)
    if participant is not None:
        return Started(await _existing(session, survey, participant), created=False)
    try:
        async with session.begin_nested():
            response = new_response(survey, user_id, language=language, now=now)
            session.add(response)
            await session.flush()
            session.add(participant_of(response, user_id))
            await session.flush()
    except IntegrityError:
        # A concurrent tap or another device won; theirs is the response.
        winner = await _participant(session, survey, user_id)
        if winner is None:
            raise
        return Started(await _existing(session, survey, winner), created=False)
    return Started(response, created=True)


def new_response(survey: Survey, user_id: int, *, language: str, now: datetime) -> SurveyResponse:
    """A response not yet begun, at the first question shown; anonymous ones carry neither the
    person nor any time."""
    return SurveyResponse(
        id=_new_id(),
        survey_id=survey.id,
        user_id=None if survey.anonymous else user_id,
        language=language,
        position=_first_shown(survey, {}, 0),
        submitted=False,
        started_at=None if survey.anonymous else now,
        updated_at=None if survey.anonymous else now,
        answers=[],
    )


def participant_of(response: SurveyResponse, user_id: int) -> SurveyParticipant:
    """The ledger's row of a new response (it points at the response until it is submitted)."""
    return SurveyParticipant(
        survey_id=response.survey_id, user_id=user_id, response_id=response.id, submitted=False
    )


async def _existing(
    session: AsyncSession, survey: Survey, participant: SurveyParticipant
) -> SurveyResponse:
    if participant.response_id is None:
        raise ResponseRefused(Refusal.ALREADY_SUBMITTED)
    response = await session.get(SurveyResponse, participant.response_id, populate_existing=True)
    assert response is not None
    return response


def answers_by_name(survey: Survey, response: SurveyResponse) -> dict[str, str]:
    names = {question.id: question.name for question in survey.questions}
    return {names[answer.question_id]: answer.value for answer in response.answers}


def is_shown(question: SurveyQuestion, answers: Mapping[str, str]) -> bool:
    """The skip logic: whether the question is asked given the answers so far."""
    return question.relevant is None or expressions.holds(question.relevant, answers)


def _first_shown(survey: Survey, answers: Mapping[str, str], position: int) -> int:
    """The position of the first question from ``position`` on that is shown; one past the
    last question when none is."""
    for question in survey.questions:
        if question.position >= position and is_shown(question, answers):
            return question.position
    return len(survey.questions)


def current_question(survey: Survey, response: SurveyResponse) -> SurveyQuestion | None:
    """The question the person is at; None when they have seen them all (the summary)."""
    position = _first_shown(survey, answers_by_name(survey, response), response.position)
    return next((q for q in survey.questions if q.position == position), None)


def question_number(survey: Survey, response: SurveyResponse) -> tuple[int, int]:
    """ "Question 3 of 8": the current question's number among those shown, and how many are
    shown given the answers so far (notes count: they are a step too)."""
    answers = answers_by_name(survey, response)
    shown = [question for question in survey.questions if is_shown(question, answers)]
    current = current_question(survey, response)
    number = next(
        (index for index, q in enumerate(shown, start=1) if current and q.id == current.id),
        len(shown),
    )
    return number, len(shown)


def questions_left(survey: Survey, response: SurveyResponse) -> int:
    """Questions shown, not notes, and not answered yet (reminders say how many)."""
    answers = answers_by_name(survey, response)
    return sum(
        1
        for question in survey.questions
        if question.kind != Kind.NOTE
        and question.name not in answers
        and is_shown(question, answers)
    )


def _check_answering(
    survey: Survey, response: SurveyResponse, question: SurveyQuestion, now: datetime
) -> None:
    if not answerable(survey, now):
        raise ResponseRefused(Refusal.NOT_ANSWERABLE)
    if response.submitted and survey.anonymous:
        raise ResponseRefused(Refusal.ALREADY_SUBMITTED)
    if question.survey_id != survey.id or response.survey_id != survey.id:
        raise ResponseRefused(Refusal.NOT_THIS_SURVEY)
    if not is_shown(question, answers_by_name(survey, response)):
        raise ResponseRefused(Refusal.NOT_SHOWN)


def _touch(survey: Survey, response: SurveyResponse, now: datetime) -> None:
    if not survey.anonymous:
        response.updated_at = now


def save_answer(
    survey: Survey,
    response: SurveyResponse,
    question: SurveyQuestion,
    value: str,
    *,
    now: datetime,
    other_text: str | None = None,
) -> SurveyQuestion | None:
    """Keeps ``value`` (from the question engine: ``questions.answer_typed`` and friends) as the
    answer to ``question`` after its constraint, and moves on; returns the next question shown
    (None: the summary). ``ConstraintFailed`` keeps nothing."""
    _check_answering(survey, response, question, now)
    if question.kind == Kind.NOTE:
        return advance(survey, response, question, now=now)
    check_constraint(survey, response, question, value)
    existing = next((a for a in response.answers if a.question_id == question.id), None)
    if existing is None:
        response.answers.append(
            SurveyAnswer(question_id=question.id, value=value, other_text=other_text)
        )
    else:
        existing.value = value
        existing.other_text = other_text
    return advance(survey, response, question, now=now)


def check_constraint(
    survey: Survey, response: SurveyResponse, question: SurveyQuestion, value: str
) -> None:
    """``ConstraintFailed`` when ``value`` breaks the question's constraint (before asking
    for more, such as what "other" is)."""
    answers = answers_by_name(survey, response)
    if question.constraint and not expressions.holds(
        question.constraint, answers, value, constraint=True
    ):
        raise ConstraintFailed(question)


def skip(
    survey: Survey, response: SurveyResponse, question: SurveyQuestion, *, now: datetime
) -> SurveyQuestion | None:
    """Leaves an optional question unanswered (forgetting an earlier answer) and moves on."""
    _check_answering(survey, response, question, now)
    if question.required:
        raise ResponseRefused(Refusal.REQUIRED, (question,))
    response.answers[:] = [a for a in response.answers if a.question_id != question.id]
    return advance(survey, response, question, now=now)


def advance(
    survey: Survey, response: SurveyResponse, question: SurveyQuestion, *, now: datetime
) -> SurveyQuestion | None:
    response.position = _first_shown(
        survey, answers_by_name(survey, response), question.position + 1
    )
    _touch(survey, response, now)
    return current_question(survey, response)


def back(survey: Survey, response: SurveyResponse, *, now: datetime) -> SurveyQuestion | None:
    """The question shown before the current one (from the summary: the last one shown); the
    person stays where they are at the first."""
    answers = answers_by_name(survey, response)
    earlier = [
        question
        for question in survey.questions
        if question.position < response.position and is_shown(question, answers)
    ]
    if earlier:
        response.position = earlier[-1].position
        _touch(survey, response, now)
    return current_question(survey, response)


def go_to(survey: Survey, response: SurveyResponse, name: str, *, now: datetime) -> SurveyQuestion:
    """Opens one question again (from the summary, to change its answer)."""
    question = next((q for q in survey.questions if q.name == name), None)
    if question is None:
        raise ResponseRefused(Refusal.NOT_THIS_SURVEY)
    _check_answering(survey, response, question, now)
    response.position = question.position
    _touch(survey, response, now)
    return question


def summary(
    survey: Survey, response: SurveyResponse
) -> list[tuple[SurveyQuestion, SurveyAnswer | None]]:
    """The questions shown (notes aside) with their answers, for the summary before Submit."""
    answers = answers_by_name(survey, response)
    by_question = {answer.question_id: answer for answer in response.answers}
    return [
        (question, by_question.get(question.id))
        for question in survey.questions
        if question.kind != Kind.NOTE and is_shown(question, answers)
    ]


async def submit(
    session: AsyncSession, survey: Survey, response: SurveyResponse, user_id: int, *, now: datetime
) -> None:
    """Hands the response in (``hand_in``) for the person's row in the ledger."""
    participant = await _participant(session, survey, user_id)
    hand_in(survey, response, participant, now=now)
    await session.flush()


def hand_in(
    survey: Survey,
    response: SurveyResponse,
    participant: SurveyParticipant | None,
    *,
    now: datetime,
) -> None:
    """Every required question shown must be answered; answers to questions the skip logic now
    hides are dropped, as ODK does. An anonymous response loses its link to the person here for
    good."""
    if not answerable(survey, now):
        raise ResponseRefused(Refusal.NOT_ANSWERABLE)
    if participant is None or participant.response_id != response.id:
        raise ResponseRefused(Refusal.ALREADY_SUBMITTED if participant else Refusal.NOT_THIS_SURVEY)
    _drop_hidden_answers(survey, response)
    answers = answers_by_name(survey, response)
    missing = tuple(
        question
        for question in survey.questions
        if question.required and question.name not in answers and is_shown(question, answers)
    )
    if missing:
        raise ResponseRefused(Refusal.INCOMPLETE, missing)
    response.submitted = True
    response.position = len(survey.questions)
    participant.submitted = True
    if survey.anonymous:
        participant.response_id = None
    else:
        response.submitted_at = now
        response.updated_at = now


def _drop_hidden_answers(survey: Survey, response: SurveyResponse) -> None:
    """Until nothing changes: an answer dropped may hide a question that depended on it."""
    while True:
        answers = answers_by_name(survey, response)
        hidden = {q.id for q in survey.questions if not is_shown(q, answers)}
        kept = [answer for answer in response.answers if answer.question_id not in hidden]
        if len(kept) == len(response.answers):
            return
        response.answers[:] = kept


def keep_selection(
    survey: Survey,
    response: SurveyResponse,
    question: SurveyQuestion,
    value: str,
    *,
    now: datetime,
) -> None:
    """Keeps the options ticked so far in a multiple choice (values as ``save_answer`` takes
    them; empty: none) without moving on: a tick is saved as it is given, and Done checks the
    constraint and moves on (``save_answer``)."""
    _check_answering(survey, response, question, now)
    existing = next((a for a in response.answers if a.question_id == question.id), None)
    if not value:
        response.answers[:] = [a for a in response.answers if a.question_id != question.id]
    elif existing is None:
        response.answers.append(SurveyAnswer(question_id=question.id, value=value))
    else:
        existing.value = value
    _touch(survey, response, now)
