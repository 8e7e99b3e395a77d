"""Taps on a survey question's answer buttons (a choice, a yes/no, a rating point), on
"Answer the survey" and on Submit, written together when many people answer at once.

Taps that arrive while an earlier batch is being written share one transaction
(``db.group_commit``): one read of the surveys' state, one of the people, one of their responses
with their answers, one of the conversation notes, then the new answers and positions in one
flush – about seven statements for the whole batch, where one tap on its own took ten
(bench/survey_answers.py). The surveys' questions are read once per process and kept
(``DefinitionCache``): an open survey's definition cannot change, and every batch reads the
surveys' state and last change, so a closed survey is refused at once and a changed one read
again.

"Answer the survey" (``AnswerDesk.start``) begins or reopens each person's one response the
same way, new responses and their ledger rows inserted together; a batch that meets a row
another process inserted meanwhile fails as a whole and is retried one tap at a time, and a
tap alone goes through ``surveys.responses.start``, which settles that race. Submit
(``AnswerDesk.submit``) hands responses in the same way, with ``surveys.responses.hand_in``.

Each tap follows the rules of ``surveys.responses`` exactly as a tap on its own does, in tap
order: the button must be of the question the person is at (a double tap finds the question
already answered and is refused as stale), the survey must be answerable, and a constraint
failure keeps nothing.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import User
from db.group_commit import GroupCommit
from db.models import ConversationState
from questions import InvalidAnswer, Kind, answer_chosen
from questions.engine import OTHER, rating_points
from surveys import responses
from surveys.definitions import answerable, as_question
from surveys.models import Survey, SurveyParticipant, SurveyQuestion, SurveyResponse, SurveyStatus
from surveys.responses import ConstraintFailed, Refusal, ResponseRefused, Started

# Which survey a person's typed answers are for, per chat and person: kept with the chat's
# conversation states (so /deleteme forgets it with them) and set by every answer.
ANSWERING = "surveys.answering"


class Press(StrEnum):
    CHOOSE = "choose"  # an option of a single choice or yes/no, by its index
    RATE = "rate"  # a point of a rating scale


class TapVerdict(StrEnum):
    NOT_FOUND = "not_found"  # no such survey, or a draft
    NOT_ANSWERABLE = "not_answerable"  # closed, not yet open or past its closing time
    NO_RESPONSE = "no_response"  # the person has no response open to this survey
    SUBMITTED = "submitted"  # ... because it is anonymous and they handed it in
    STALE = "stale"  # a button of a question the person is no longer at, or no such option
    CONSTRAINT_FAILED = "constraint_failed"  # nothing kept; the question is asked again
    OTHER_CHOSEN = "other_chosen"  # "other" is ticked; what it is must be typed
    SAVED = "saved"  # kept; the person is at the next question (or the summary)
    INCOMPLETE = "incomplete"  # Submit with a required question unanswered: back at that one
    HANDED_IN = "handed_in"  # submitted


@dataclass(frozen=True)
class AnswerTap:
    survey_id: int
    question_id: int
    press: Press
    argument: int
    telegram_id: int
    # The person's key beside their conversations (handlers.kit.person_state).
    person_key: str
    now: datetime


@dataclass(frozen=True)
class TapOutcome:
    verdict: TapVerdict
    survey: Survey | None = None
    response: SurveyResponse | None = None
    failed: ConstraintFailed | None = field(default=None, compare=False)
    # For INCOMPLETE: the first required question shown and unanswered.
    missing: SurveyQuestion | None = None


@dataclass(frozen=True)
class SubmitTap:
    survey_id: int
    telegram_id: int
    person_key: str
    now: datetime


@dataclass(frozen=True)
class StartTap:
    survey_id: int
    telegram_id: int
    person_key: str
    # The reader's language: the response is counted under it in the results.
    language: str
    now: datetime


@dataclass(frozen=True)
class StartOutcome:
    """``survey`` None: no such survey (or a draft); else ``refusal`` or ``started``."""

    survey: Survey | None
    refusal: Refusal | None = None
    started: Started | None = None


_Tap = TypeVar("_Tap", AnswerTap, SubmitTap)
# A person's row in the ledger, and the response they can still open (if any).
_Found = tuple[SurveyParticipant, SurveyResponse | None]

_Liveness = tuple[SurveyStatus, datetime | None, datetime | None, datetime]


class DefinitionCache:
    """Surveys with their questions, read once per process, by id with the state they were read
    in: a survey whose state or last change differs from the one stored is read again. The
    objects are detached and only ever read."""

    def __init__(self) -> None:
        self._surveys: dict[int, tuple[_Liveness, Survey]] = {}

    async def surveys(self, session: AsyncSession, survey_ids: set[int]) -> dict[int, Survey]:
        rows = await session.execute(
            select(
                Survey.id, Survey.status, Survey.opens_at, Survey.closes_at, Survey.updated_at
            ).where(Survey.id.in_(survey_ids))
        )
        current = {
            survey_id: (status, opens_at, closes_at, updated_at)
            for survey_id, status, opens_at, closes_at, updated_at in rows
        }
        stale = {
            survey_id
            for survey_id, liveness in current.items()
            if self._surveys.get(survey_id, (None,))[0] != liveness
        }
        if stale:
            for survey in await session.scalars(select(Survey).where(Survey.id.in_(stale))):
                # Detached at once (with its questions): a rollback of this session must not
                # expire what other sessions go on reading.
                session.expunge(survey)
                self._surveys[survey.id] = (current[survey.id], survey)
        return {survey_id: self._surveys[survey_id][1] for survey_id in current}


class AnswerDesk:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], definitions: DefinitionCache
    ) -> None:
        self._sessions = session_factory
        self._definitions = definitions
        self._taps: GroupCommit[AnswerTap, TapOutcome] = GroupCommit(self._write)
        self._starts: GroupCommit[StartTap, StartOutcome] = GroupCommit(self._write_starts)
        self._submits: GroupCommit[SubmitTap, TapOutcome] = GroupCommit(self._write_submits)

    async def tap(self, tap: AnswerTap) -> TapOutcome:
        return await self._taps.submit(tap)

    async def start(self, tap: StartTap) -> StartOutcome:
        return await self._starts.submit(tap)

    async def submit(self, tap: SubmitTap) -> TapOutcome:
        return await self._submits.submit(tap)

    async def _write_submits(self, taps: Sequence[SubmitTap]) -> list[TapOutcome]:
        async with self._sessions() as session, session.begin():
            return await submit_taps(session, self._definitions, taps)

    async def _write_starts(self, taps: Sequence[StartTap]) -> list[StartOutcome]:
        async with self._sessions() as session, session.begin():
            return await start_taps(session, self._definitions, taps)

    async def _write(self, taps: Sequence[AnswerTap]) -> list[TapOutcome]:
        async with self._sessions() as session, session.begin():
            return await answer_taps(session, self._definitions, taps)


async def answer_taps(
    session: AsyncSession, definitions: DefinitionCache, taps: Sequence[AnswerTap]
) -> list[TapOutcome]:
    """One outcome per tap, in order; the caller's transaction commits them together."""
    return await _settle(session, definitions, taps, _answer)


async def submit_taps(
    session: AsyncSession, definitions: DefinitionCache, taps: Sequence[SubmitTap]
) -> list[TapOutcome]:
    """One outcome per tap, in order; the caller's transaction commits them together. A handed
    in response's note of which survey the person is answering goes with it."""
    return await _settle(session, definitions, taps, _hand_in)


async def _settle(
    session: AsyncSession,
    definitions: DefinitionCache,
    taps: Sequence[_Tap],
    decide: Callable[[Survey | None, _Found | None, _Tap], TapOutcome],
) -> list[TapOutcome]:
    """Reads what the batch needs, one statement each (the surveys, the people, their ledger
    rows with the responses they can still open, their answering notes), then ``decide``s
    each tap in order and keeps the note of which survey each person is answering."""
    surveys = await definitions.surveys(session, {tap.survey_id for tap in taps})
    people = await _people(session, {tap.telegram_id for tap in taps})
    found = await _participants(session, set(surveys), set(people.values()))
    notes = await _answering_notes(session, {tap.person_key for tap in taps})
    outcomes = []
    for tap in taps:
        person = people.get(tap.telegram_id)
        outcome = decide(surveys.get(tap.survey_id), found.get((tap.survey_id, person or 0)), tap)
        if outcome.verdict == TapVerdict.HANDED_IN:
            if (note := notes.pop(tap.person_key, None)) is not None:
                await session.delete(note)
        elif outcome.response is not None:
            _note_answering(session, notes, tap.person_key, tap.survey_id)
        outcomes.append(outcome)
    await session.flush()
    return outcomes


async def start_taps(
    session: AsyncSession, definitions: DefinitionCache, taps: Sequence[StartTap]
) -> list[StartOutcome]:
    """One outcome per tap, in order; the caller's transaction commits them together."""
    surveys = await definitions.surveys(session, {tap.survey_id for tap in taps})
    people = await _people(session, {tap.telegram_id for tap in taps})
    if len(taps) == 1:
        return [await _start_alone(session, surveys, people, taps[0])]
    found = await _responses(session, set(surveys), set(people.values()))
    notes = await _answering_notes(session, {tap.person_key for tap in taps})
    outcomes, fresh = [], []
    for tap in taps:
        survey, person = surveys.get(tap.survey_id), people.get(tap.telegram_id)
        refused = _start_refusal(survey, person, tap)
        if refused is not None or survey is None or person is None:
            outcomes.append(refused or StartOutcome(None))
            continue
        response, submitted = found.get((survey.id, person), (None, False))
        if response is None and submitted:
            outcomes.append(StartOutcome(survey, Refusal.ALREADY_SUBMITTED))
            continue
        created = response is None
        if response is None:
            response = responses.new_response(survey, person, language=tap.language, now=tap.now)
            found[(survey.id, person)] = (response, False)
            fresh.append((response, person))
        _note_answering(session, notes, tap.person_key, survey.id)
        outcomes.append(StartOutcome(survey, started=Started(response, created)))
    # Responses first: the ledger's rows point at them.
    session.add_all([response for response, _ in fresh])
    await session.flush()
    session.add_all([responses.participant_of(response, person) for response, person in fresh])
    await session.flush()
    return outcomes


async def _start_alone(
    session: AsyncSession, surveys: dict[int, Survey], people: dict[int, int], tap: StartTap
) -> StartOutcome:
    survey, person = surveys.get(tap.survey_id), people.get(tap.telegram_id)
    refused = _start_refusal(survey, person, tap)
    if refused is not None or survey is None or person is None:
        return refused or StartOutcome(None)
    try:
        started = await responses.start(session, survey, person, language=tap.language, now=tap.now)
    except ResponseRefused as refusal:
        return StartOutcome(survey, refusal.refusal)
    notes = await _answering_notes(session, {tap.person_key})
    _note_answering(session, notes, tap.person_key, survey.id)
    return StartOutcome(survey, started=started)


def _start_refusal(survey: Survey | None, person: int | None, tap: StartTap) -> StartOutcome | None:
    if survey is None or survey.status == SurveyStatus.DRAFT or person is None:
        return StartOutcome(None)
    if not answerable(survey, tap.now):
        return StartOutcome(survey, Refusal.NOT_ANSWERABLE)
    return None


def _answer(
    survey: Survey | None,
    found: _Found | None,
    tap: AnswerTap,
) -> TapOutcome:
    opened = _open_response(survey, found, tap.now)
    if isinstance(opened, TapOutcome):
        return opened
    survey, _, response = opened
    question = responses.current_question(survey, response)
    value = _value(survey, question, tap) if question is not None else None
    if question is None or value is None:
        return TapOutcome(TapVerdict.STALE, survey, response)
    try:
        if value == OTHER:
            responses.keep_selection(survey, response, question, OTHER, now=tap.now)
            return TapOutcome(TapVerdict.OTHER_CHOSEN, survey, response)
        responses.save_answer(survey, response, question, value, now=tap.now)
    except ConstraintFailed as failed:
        return TapOutcome(TapVerdict.CONSTRAINT_FAILED, survey, response, failed)
    except ResponseRefused:
        return TapOutcome(TapVerdict.STALE, survey, response)
    return TapOutcome(TapVerdict.SAVED, survey, response)


def _open_response(
    survey: Survey | None,
    found: _Found | None,
    now: datetime,
) -> TapOutcome | tuple[Survey, SurveyParticipant, SurveyResponse]:
    """The survey, ledger row and response a tap may touch, or why it may not: no such
    survey, not answerable, or no response open to the person."""
    if survey is None or survey.status == SurveyStatus.DRAFT:
        return TapOutcome(TapVerdict.NOT_FOUND)
    if not answerable(survey, now):
        return TapOutcome(TapVerdict.NOT_ANSWERABLE, survey)
    participant, response = found if found is not None else (None, None)
    if participant is None or response is None:
        submitted = participant is not None and participant.submitted
        return TapOutcome(TapVerdict.SUBMITTED if submitted else TapVerdict.NO_RESPONSE, survey)
    return survey, participant, response


def _hand_in(
    survey: Survey | None,
    found: _Found | None,
    tap: SubmitTap,
) -> TapOutcome:
    opened = _open_response(survey, found, tap.now)
    if isinstance(opened, TapOutcome):
        return opened
    survey, participant, response = opened
    if responses.current_question(survey, response) is not None:
        # A summary from before the person went back to a question.
        return TapOutcome(TapVerdict.STALE, survey, response)
    try:
        responses.hand_in(survey, response, participant, now=tap.now)
    except ResponseRefused as refused:
        if refused.refusal != Refusal.INCOMPLETE:
            # A second Submit of an anonymous response in the same batch.
            return TapOutcome(TapVerdict.SUBMITTED, survey)
        missing = refused.questions[0]
        responses.go_to(survey, response, missing.name, now=tap.now)
        return TapOutcome(TapVerdict.INCOMPLETE, survey, response, missing=missing)
    return TapOutcome(TapVerdict.HANDED_IN, survey, response)


def _value(survey: Survey, question: SurveyQuestion, tap: AnswerTap) -> str | None:
    """The stored value the button stands for, if it is a button of this question."""
    if question.id != tap.question_id:
        return None
    asked = as_question(survey, question)
    if tap.press == Press.RATE:
        if question.kind != Kind.RATING or tap.argument not in rating_points(asked):
            return None
        return str(tap.argument)
    try:
        return answer_chosen(asked, tap.argument)
    except (ValueError, InvalidAnswer):
        return None


async def _people(session: AsyncSession, telegram_ids: set[int]) -> dict[int, int]:
    rows = await session.execute(
        select(User.telegram_id, User.id).where(User.telegram_id.in_(telegram_ids))
    )
    return {telegram_id: user_id for telegram_id, user_id in rows if telegram_id is not None}


async def _participants(
    session: AsyncSession, survey_ids: set[int], user_ids: set[int]
) -> dict[tuple[int, int], _Found]:
    """By (survey, person): their row in the ledger and the response they can still open (as
    ``responses.response_of``)."""
    if not survey_ids or not user_ids:
        return {}
    rows = await session.execute(
        select(SurveyParticipant, SurveyResponse)
        .outerjoin(SurveyResponse, SurveyParticipant.response_id == SurveyResponse.id)
        .where(SurveyParticipant.survey_id.in_(survey_ids), SurveyParticipant.user_id.in_(user_ids))
    )
    return {
        (participant.survey_id, participant.user_id): (participant, response)
        for participant, response in rows
    }


async def _responses(
    session: AsyncSession, survey_ids: set[int], user_ids: set[int]
) -> dict[tuple[int, int], tuple[SurveyResponse | None, bool]]:
    """By (survey, person): the response they can still open, and whether they handed one in."""
    found = await _participants(session, survey_ids, user_ids)
    return {
        key: (response, participant.submitted) for key, (participant, response) in found.items()
    }


async def _answering_notes(session: AsyncSession, keys: set[str]) -> dict[str, ConversationState]:
    rows = await session.scalars(
        select(ConversationState).where(
            ConversationState.name == ANSWERING, ConversationState.key.in_(keys)
        )
    )
    return {row.key: row for row in rows}


def _note_answering(
    session: AsyncSession, notes: dict[str, ConversationState], person_key: str, survey_id: int
) -> None:
    """Typed answers (a number, what "other" is) are for the survey the person last answered."""
    note = notes.get(person_key)
    if note is None:
        notes[person_key] = note = ConversationState(
            name=ANSWERING, key=person_key, state=str(survey_id)
        )
        session.add(note)
    else:
        note.state = str(survey_id)
