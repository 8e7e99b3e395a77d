"""Saving a survey's definition, reading it back, and the survey's status."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from questions import Kind, Option, Question
from surveys.forms import Form, FormQuestion, QuestionTexts, SurveyTexts
from surveys.models import Survey, SurveyQuestion, SurveyResponse, SurveyStatus

# Free text in a survey may say more than a registration answer, and still fits one message.
SURVEY_TEXT_MAX_LENGTH = 1000


class DefinitionRefusal(StrEnum):
    # Answers were given to its questions as they are: changing them would change what the
    # answers mean.
    HAS_RESPONSES = "has_responses"
    CLOSED = "closed"


class DefinitionRefused(ValueError):
    def __init__(self, refusal: DefinitionRefusal, survey_id: int) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.survey_id = survey_id


@dataclass(frozen=True)
class Saved:
    survey: Survey
    created: bool


async def survey_for_form(
    session: AsyncSession, form_id: str, event_id: int | None
) -> Survey | None:
    event_matches = Survey.event_id.is_(None) if event_id is None else Survey.event_id == event_id
    return await session.scalar(
        select(Survey).where(Survey.form_id == form_id, event_matches).with_for_update()
    )


async def has_responses(session: AsyncSession, survey_id: int) -> bool:
    return bool(await session.scalar(select(exists().where(SurveyResponse.survey_id == survey_id))))


async def save_form(
    session: AsyncSession,
    form: Form,
    *,
    event_id: int | None,
    now: datetime,
    created_by: int | None = None,
) -> Saved:
    """Creates the survey of ``form`` for ``event_id`` (None: partnership-wide) as a draft, or
    replaces the definition of the one imported before from the same form id, as long as
    nobody has answered it and it is not closed."""
    survey = await survey_for_form(session, form.form_id, event_id)
    created = survey is None
    if survey is None:
        survey = Survey(
            form_id=form.form_id,
            event_id=event_id,
            status=SurveyStatus.DRAFT,
            created_by=created_by,
            created_at=now,
        )
        session.add(survey)
    else:
        if survey.status == SurveyStatus.CLOSED:
            raise DefinitionRefused(DefinitionRefusal.CLOSED, survey.id)
        if await has_responses(session, survey.id):
            raise DefinitionRefused(DefinitionRefusal.HAS_RESPONSES, survey.id)
        survey.questions.clear()
        # The old questions go before the new ones take their positions and names.
        await session.flush()
    survey.version = form.version
    survey.anonymous = form.anonymous
    survey.default_language = form.default_language
    survey.second_language = form.second_language
    survey.texts = {
        language: {
            "title": texts.title,
            "introduction": texts.introduction,
            "thank_you": texts.thank_you,
        }
        for language, texts in form.texts.items()
    }
    survey.updated_at = now
    survey.questions.extend(
        _question_row(position, question) for position, question in enumerate(form.questions)
    )
    await session.flush()
    return Saved(survey, created)


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _question_row(position: int, question: FormQuestion) -> SurveyQuestion:
    return SurveyQuestion(
        position=position,
        name=question.name,
        kind=question.kind,
        required=question.required,
        relevant=question.relevant,
        constraint=question.constraint,
        minimum=_decimal_text(question.minimum),
        maximum=_decimal_text(question.maximum),
        max_length=question.max_length,
        other=question.other,
        texts={
            language: {
                "label": texts.label,
                "hint": texts.hint,
                "constraint_message": texts.constraint_message,
                "required_message": texts.required_message,
            }
            for language, texts in question.texts.items()
        },
        options=[
            {"value": option.value, "labels": dict(option.labels)} for option in question.options
        ],
    )


def _options(row: SurveyQuestion) -> tuple[Option, ...]:
    return tuple(
        Option(value=str(option["value"]), labels=dict(option["labels"])) for option in row.options
    )


def _question_texts(texts: dict[str, Any]) -> QuestionTexts:
    return QuestionTexts(
        label=str(texts.get("label", "")),
        hint=str(texts.get("hint", "")),
        constraint_message=str(texts.get("constraint_message", "")),
        required_message=str(texts.get("required_message", "")),
    )


def form_of(survey: Survey) -> Form:
    """The stored survey as a definition again (for export)."""
    return Form(
        form_id=survey.form_id,
        version=survey.version,
        default_language=survey.default_language,
        second_language=survey.second_language,
        anonymous=survey.anonymous,
        texts={
            language: SurveyTexts(
                title=str(texts.get("title", "")),
                introduction=str(texts.get("introduction", "")),
                thank_you=str(texts.get("thank_you", "")),
            )
            for language, texts in survey.texts.items()
        },
        questions=tuple(
            FormQuestion(
                name=row.name,
                kind=row.kind,
                texts={language: _question_texts(texts) for language, texts in row.texts.items()},
                required=row.required,
                relevant=row.relevant,
                constraint=row.constraint,
                options=_options(row),
                other=row.other,
                minimum=None if row.minimum is None else Decimal(row.minimum),
                maximum=None if row.maximum is None else Decimal(row.maximum),
                max_length=row.max_length,
            )
            for row in survey.questions
        ),
    )


def as_question(survey: Survey, row: SurveyQuestion) -> Question:
    """The survey question as the question engine asks it."""
    return Question(
        name=row.name,
        kind=row.kind,
        labels={language: str(texts.get("label", "")) for language, texts in row.texts.items()},
        main_language=survey.default_language,
        second_language=survey.second_language,
        options=_options(row),
        required=row.required,
        max_length=row.max_length or SURVEY_TEXT_MAX_LENGTH,
        minimum=None if row.minimum is None else Decimal(row.minimum),
        maximum=None if row.maximum is None else Decimal(row.maximum),
        other=row.other,
    )


def missing_languages(survey: Survey, languages: tuple[str, ...]) -> list[str]:
    """Of ``languages``, those the survey's title or some question's label is not written in,
    for the organizer to see before opening it."""
    return [
        language
        for language in languages
        if language not in survey.texts
        or any(language not in row.texts for row in survey.questions)
    ]


class StatusRefusal(StrEnum):
    NOT_A_DRAFT = "not_a_draft"
    NO_QUESTIONS = "no_questions"
    NOT_OPEN = "not_open"
    CLOSES_BEFORE_IT_OPENS = "closes_before_it_opens"


class StatusRefused(ValueError):
    def __init__(self, refusal: StatusRefusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


def open_survey(
    survey: Survey,
    *,
    now: datetime,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> None:
    """A draft becomes answerable from ``opens_at`` (default: now) until ``closes_at``."""
    if survey.status != SurveyStatus.DRAFT:
        raise StatusRefused(StatusRefusal.NOT_A_DRAFT)
    if not any(row.kind != Kind.NOTE for row in survey.questions):
        raise StatusRefused(StatusRefusal.NO_QUESTIONS)
    starts = opens_at or now
    if closes_at is not None and closes_at <= starts:
        raise StatusRefused(StatusRefusal.CLOSES_BEFORE_IT_OPENS)
    survey.status = SurveyStatus.OPEN
    survey.opens_at = starts
    survey.closes_at = closes_at
    survey.updated_at = now


def close_survey(survey: Survey, *, now: datetime) -> None:
    if survey.status != SurveyStatus.OPEN:
        raise StatusRefused(StatusRefusal.NOT_OPEN)
    survey.status = SurveyStatus.CLOSED
    survey.closes_at = min(survey.closes_at or now, now)
    survey.updated_at = now


def answerable(survey: Survey, now: datetime) -> bool:
    """Open, and ``now`` between its opening and closing times."""
    return (
        survey.status == SurveyStatus.OPEN
        and (survey.opens_at is None or survey.opens_at <= now)
        and (survey.closes_at is None or now < survey.closes_at)
    )
