"""A survey's submitted responses as CSV (UTF-8 with a byte-order mark) and XLSX: one row per
response, one column per question, headed and answered in the organizer's language (along the
fallback chain to the survey's default); a multiple choice is one 0/1 column per option.

Files are written with the participant exports' writers (``events.export``): text that a
spreadsheet app would run as a formula (``=``, ``+``, ``-``, ``@`` …) stays text in both.
Responses are read a batch at a time, never all at once. Callers translate through ``labels``:
``number``, ``language`` and ``name`` head the fixed columns, ``other`` names "other, please
say", ``sheet_title`` the sheet.
"""

from collections.abc import AsyncIterator, Mapping
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from events.export import Cell, ParticipantTable, table_csv, table_xlsx
from i18n.fallback import pick
from questions import OTHER, Kind
from surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

BATCH = 1000


def export_filename(survey: Survey, extension: str) -> str:
    return f"tideline-survey-{survey.id}-responses.{extension}"


def question_label(survey: Survey, question: SurveyQuestion, language: str) -> str:
    if not question.texts:
        return question.name
    texts = pick(question.texts, language, survey.default_language, second=survey.second_language)
    return str(texts.text.get("label", "")) or question.name


def _option_text(survey: Survey, labels: Mapping[str, object], language: str) -> str:
    if not labels:
        return ""
    return str(pick(labels, language, survey.default_language, second=survey.second_language).text)


def _header(survey: Survey, language: str, labels: Mapping[str, str]) -> list[str]:
    header = [labels.get("number", "#"), labels.get("language", "language")]
    if not survey.anonymous:
        header.append(labels.get("name", "name"))
    for question in _exported(survey):
        label = question_label(survey, question, language)
        if question.kind == Kind.MULTIPLE:
            header += [
                f"{label}: {_option_text(survey, option['labels'], language)}"
                for option in question.options
            ]
            if question.other:
                header += [f"{label}: {labels.get('other', OTHER)}"]
        else:
            header.append(label)
        if question.other:
            header.append(f"{label}: {labels.get('other', OTHER)} (…)")
    return header


def _exported(survey: Survey) -> list[SurveyQuestion]:
    return [question for question in survey.questions if question.kind != Kind.NOTE]


def _number(value: str) -> Cell:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    return int(number) if number == number.to_integral_value() else float(number)


def _cells(
    survey: Survey,
    question: SurveyQuestion,
    answer: SurveyAnswer | None,
    language: str,
    labels: Mapping[str, str],
) -> list[Cell]:
    value = None if answer is None else answer.value
    kind = question.kind
    cells: list[Cell]
    if kind == Kind.MULTIPLE:
        ticked = set(value.split()) if value else set()
        values = [str(option["value"]) for option in question.options]
        if question.other:
            values.append(OTHER)
        # Unanswered stays empty rather than 0: skipping is not ticking nothing.
        cells = [None if value is None else int(v in ticked) for v in values]
    elif value is None:
        cells = [None]
    elif kind == Kind.CHOICE:
        shown = labels.get("other", OTHER) if value == OTHER and question.other else None
        cells = [shown or _option_label(survey, question, value, language)]
    elif kind == Kind.YES_NO:
        cells = [_option_label(survey, question, value, language) or labels.get(value, value)]
    elif kind in (Kind.RATING, Kind.INTEGER, Kind.DECIMAL):
        cells = [_number(value)]
    else:
        cells = [value]
    if question.other:
        cells.append(None if answer is None else answer.other_text)
    return cells


def _option_label(survey: Survey, question: SurveyQuestion, value: str, language: str) -> str:
    for option in question.options:
        if str(option["value"]) == value:
            return _option_text(survey, option["labels"], language) or value
    return value


async def _responses(
    session: AsyncSession, survey: Survey
) -> AsyncIterator[tuple[SurveyResponse, str | None, dict[int, SurveyAnswer]]]:
    """Submitted responses in id order, a batch at a time, with the person's name (named) and
    their answers by question id."""
    after = 0
    while True:
        batch = (
            await session.execute(
                select(SurveyResponse, User.first_name)
                .outerjoin(User, User.id == SurveyResponse.user_id)
                .where(
                    SurveyResponse.survey_id == survey.id,
                    SurveyResponse.submitted.is_(True),
                    SurveyResponse.id > after,
                )
                .order_by(SurveyResponse.id)
                .limit(BATCH)
            )
        ).all()
        if not batch:
            return
        for response, name in batch:
            yield response, name, {answer.question_id: answer for answer in response.answers}
        after = batch[-1][0].id
        # The batch's rows are done with: keep the session's identity map small.
        for response, _ in batch:
            for answer in response.answers:
                session.expunge(answer)
            session.expunge(response)


async def response_table(
    session: AsyncSession, survey: Survey, *, language: str, labels: Mapping[str, str]
) -> ParticipantTable:
    header = _header(survey, language, labels)
    questions = _exported(survey)
    rows: list[list[Cell]] = []
    async for response, name, answers in _responses(session, survey):
        row: list[Cell] = [len(rows) + 1, response.language]
        if not survey.anonymous:
            row.append(name or "")
        for question in questions:
            row += _cells(survey, question, answers.get(question.id), language, labels)
        rows.append(row)
    return ParticipantTable(header=header, rows=rows)


async def responses_csv(
    session: AsyncSession, survey: Survey, *, language: str, labels: Mapping[str, str]
) -> bytes:
    return table_csv(await response_table(session, survey, language=language, labels=labels))


async def responses_xlsx(
    session: AsyncSession, survey: Survey, *, language: str, labels: Mapping[str, str]
) -> bytes:
    table = await response_table(session, survey, language=language, labels=labels)
    return table_xlsx(table, labels.get("sheet_title", "Responses"))
