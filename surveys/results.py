"""A survey's results, aggregated by the database: how many were invited, started and completed,
and per question the counts, percentages, mean, median and distribution, the free-text answers
a page at a time, and breakdowns by language, stakeholder role and country.

Every figure is one or a few GROUP BY / aggregate queries over the submitted responses, so the
memory used does not grow with the number of responses (``bench/survey_results.py`` measures it).

Breakdowns never show a group of fewer than ``MIN_GROUP`` responses (``Group.hidden``): a small
group of an anonymous survey, or of a named one shared further, could be told apart. When the
hidden groups together are still fewer than ``MIN_GROUP``, the smallest shown group is hidden too,
so that a hidden group cannot be worked out by subtracting the shown ones from the total.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, String, and_, case, cast, func, literal, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from accounts.models import User
from delivery.models import OutboxMessage
from questions import OTHER, Kind
from surveys.models import Survey, SurveyAnswer, SurveyParticipant, SurveyQuestion, SurveyResponse

# The smallest group a breakdown shows (k-anonymity).
MIN_GROUP = 5
TEXT_PAGE_SIZE = 10
# Numbers with more distinct whole values than this are shown in ranges (bins).
MAX_POINTS = 12
BINS = 10
# The outbox kind of survey invitations (delivery); their payload names the survey.
INVITATION_KIND = "survey.invitation"


class Dimension(StrEnum):
    LANGUAGE = "language"
    ROLE = "role"
    COUNTRY = "country"


# Named surveys only: anonymous responses are linked to nobody, so to no role or country.
PERSONAL_DIMENSIONS = (Dimension.ROLE, Dimension.COUNTRY)


@dataclass(frozen=True)
class Overview:
    # People invited through the outbox, plus those who opened the survey by its link.
    invited: int
    started: int
    completed: int

    @property
    def response_rate(self) -> float | None:
        """Completed ÷ invited, in percent; None before anyone is invited."""
        return None if not self.invited else self.completed * 100 / self.invited


@dataclass(frozen=True)
class Count:
    """One bar: an option's value (or a number, or a range's lower end) and how many chose it."""

    value: str
    count: int
    # For a range of numbers (bins): its upper end, exclusive except for the last range.
    upper: str | None = None


@dataclass(frozen=True)
class QuestionResult:
    question: SurveyQuestion
    # Submitted responses that answered this question.
    answered: int
    # Choices, yes/no, multiple choice (per option), ratings and numbers (per value or range),
    # dates (per month).
    counts: list[Count] = field(default_factory=list)
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    maximum: float | None = None

    def percent(self, count: int) -> float:
        return count * 100 / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class Group:
    """One group of a breakdown; ``hidden`` groups carry no figures."""

    key: str | None  # the language, role or country; None when not known
    size: int
    hidden: bool
    counts: list[Count] = field(default_factory=list)
    mean: float | None = None


@dataclass(frozen=True)
class Breakdown:
    question: SurveyQuestion
    dimension: Dimension
    groups: list[Group]


async def _execute(session: AsyncSession, statement: Any) -> Any:
    """Rows of an aggregate query, whose columns the callers know (counts, values, means)."""
    return await session.execute(statement)


def _submitted(survey_id: int) -> ColumnElement[bool]:
    return and_(SurveyResponse.survey_id == survey_id, SurveyResponse.submitted.is_(True))


async def overview(session: AsyncSession, survey: Survey) -> Overview:
    invited_people = union(
        select(OutboxMessage.user_id).where(
            OutboxMessage.kind == INVITATION_KIND,
            OutboxMessage.payload["survey_id"].as_integer() == survey.id,
        ),
        select(SurveyParticipant.user_id).where(SurveyParticipant.survey_id == survey.id),
    ).subquery()
    invited = await session.scalar(select(func.count()).select_from(invited_people))
    started, completed = (
        await _execute(
            session,
            select(
                func.count(),
                func.count(case((SurveyParticipant.submitted.is_(True), 1))),
            ).where(SurveyParticipant.survey_id == survey.id),
        )
    ).one()
    return Overview(invited=int(invited or 0), started=int(started), completed=int(completed))


def _answers(question: SurveyQuestion) -> Any:
    """The answers to ``question`` of submitted responses."""
    return (
        select()
        .select_from(SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyAnswer.question_id == question.id, _submitted(question.survey_id))
    )


def _number() -> ColumnElement[Any]:
    return cast(SurveyAnswer.value, Float)


def _option_ticked(value: str) -> ColumnElement[bool]:
    # Several options are stored joined by spaces; option values hold none.
    padded = literal(" ") + SurveyAnswer.value + literal(" ")
    return padded.like(f"% {value} %")


def _option_values(question: SurveyQuestion) -> list[str]:
    values = [str(option["value"]) for option in question.options]
    if question.other and OTHER not in values:
        values.append(OTHER)
    return values


async def question_result(session: AsyncSession, question: SurveyQuestion) -> QuestionResult:
    kind = question.kind
    answers = _answers(question)
    if kind in (Kind.CHOICE, Kind.YES_NO):
        rows = await _execute(
            session,
            answers.add_columns(SurveyAnswer.value, func.count()).group_by(SurveyAnswer.value),
        )
        return _choice_result(question, {str(value): int(count) for value, count in rows})
    if kind == Kind.MULTIPLE:
        values = _option_values(question)
        row = (
            await _execute(
                session,
                answers.add_columns(
                    func.count(),
                    *(func.count(case((_option_ticked(value), 1))) for value in values),
                ),
            )
        ).one()
        answered, *ticked = (int(figure) for figure in row)
        return QuestionResult(
            question, answered, [Count(v, n) for v, n in zip(values, ticked, strict=True)]
        )
    if kind in (Kind.RATING, Kind.INTEGER, Kind.DECIMAL):
        return await _numbers(session, question)
    if kind == Kind.DATE:
        month = func.substr(SurveyAnswer.value, 1, 7)
        rows = await _execute(
            session, answers.add_columns(month, func.count()).group_by(month).order_by(month)
        )
        counts = [Count(str(value), int(count)) for value, count in rows]
        return QuestionResult(question, sum(c.count for c in counts), counts)
    answered = await session.scalar(answers.add_columns(func.count()))
    return QuestionResult(question, int(answered or 0))


def _choice_result(question: SurveyQuestion, by_value: dict[str, int]) -> QuestionResult:
    counts = [Count(value, by_value.pop(value, 0)) for value in _option_values(question)]
    # Values no longer among the options (never for a survey with answers: its definition
    # cannot change) are still counted rather than lost.
    counts += [Count(value, count) for value, count in sorted(by_value.items())]
    return QuestionResult(question, sum(c.count for c in counts), counts)


async def _numbers(session: AsyncSession, question: SurveyQuestion) -> QuestionResult:
    """Ratings and numbers. Most have few distinct values (a rating at most eleven): one GROUP BY
    gives the distribution and, from it, the count, mean, median and range. Only numbers with
    more distinct values need the aggregates, a median read in order, and ranges."""
    answers = _answers(question)
    number = _number()
    distinct = [
        (float(value), int(count))
        for value, count in await _execute(
            session,
            answers.add_columns(number, func.count())
            .group_by(number)
            .order_by(number)
            .limit(MAX_POINTS + 1),
        )
    ]
    if not distinct:
        return QuestionResult(question, 0)
    if len(distinct) <= MAX_POINTS:
        return _from_distribution(question, distinct)
    answered, mean, low, high = (
        await _execute(
            session,
            answers.add_columns(func.count(), func.avg(number), func.min(number), func.max(number)),
        )
    ).one()
    answered = int(answered)
    median = await _median(session, answers, answered)
    low, high = float(low), float(high)
    counts = await _bins(session, answers, low, high, whole=question.kind != Kind.DECIMAL)
    return QuestionResult(
        question, answered, counts, mean=float(mean), median=median, minimum=low, maximum=high
    )


def _from_distribution(
    question: SurveyQuestion, distinct: list[tuple[float, int]]
) -> QuestionResult:
    answered = sum(count for _, count in distinct)
    mean = sum(value * count for value, count in distinct) / answered
    low, high = distinct[0][0], distinct[-1][0]
    by_value = dict(distinct)
    if question.kind == Kind.RATING and question.minimum is not None and question.maximum:
        points: list[float] = [
            float(point) for point in range(int(question.minimum), int(question.maximum) + 1)
        ]
    elif question.kind != Kind.DECIMAL and high - low + 1 <= MAX_POINTS:
        points = [float(point) for point in range(int(low), int(high) + 1)]
    else:
        points = [value for value, _ in distinct]
    return QuestionResult(
        question,
        answered,
        [Count(_plain(point), by_value.get(point, 0)) for point in points],
        mean=mean,
        median=_median_of(distinct, answered),
        minimum=low,
        maximum=high,
    )


def _median_of(distinct: list[tuple[float, int]], answered: int) -> float:
    """The median of values given with their counts, in ascending order."""
    wanted = [(answered - 1) // 2, answered // 2]
    found: list[float] = []
    seen = 0
    for value, count in distinct:
        while wanted and wanted[0] < seen + count:
            found.append(value)
            wanted.pop(0)
        seen += count
    return sum(found) / len(found)


async def _median(session: AsyncSession, answers: Any, answered: int) -> float:
    """The middle value (the mean of the two middle ones), read by the database in order."""
    number = _number()
    middle = list(
        await session.scalars(
            answers.add_columns(number)
            .order_by(number)
            .offset((answered - 1) // 2)
            .limit(2 - answered % 2)
        )
    )
    return sum(float(value) for value in middle) / len(middle)


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else format(Decimal(str(value)), "f")


def _bin_width(low: float, high: float, *, whole: bool) -> float:
    """A round width (1, 2, 2.5 or 5 times a power of ten) giving at most ``BINS`` ranges."""
    span = max(high - low, 1.0 if whole else 1e-9)
    raw = span / BINS
    magnitude = 10 ** int(f"{raw:e}".split("e")[1])
    for step in (1, 2, 2.5, 5, 10):
        width = step * magnitude
        if width >= raw and (not whole or float(width).is_integer()):
            return width
    return 10 * magnitude


async def _bins(
    session: AsyncSession, answers: Any, low: float, high: float, *, whole: bool
) -> list[Count]:
    width = _bin_width(low, high, whole=whole)
    start = (low // width) * width
    edges = [start + index * width for index in range(BINS + 2)]
    edges = [edge for edge in edges if edge <= high] + [next(e for e in edges if e > high)]
    number = _number()
    last = len(edges) - 2
    # Each range holds its lower end; the last one its upper end too.
    sums = [
        func.count(
            case((and_(number >= lower, number <= upper if index == last else number < upper), 1))
        )
        for index, (lower, upper) in enumerate(zip(edges, edges[1:], strict=False))
    ]
    row = (await _execute(session, answers.add_columns(*sums))).one()
    return [
        Count(_plain(lower), int(count), upper=_plain(upper))
        for (lower, upper), count in zip(zip(edges, edges[1:], strict=False), row, strict=True)
    ]


# Kinds whose stored values are few (options, a rating's points, a multiple choice's
# combinations of up to 8 options): counted per value in one pass over the survey's answers,
# with free text (only counted) and dates (per month), rather than one pass per question.
VALUED_KINDS = (Kind.CHOICE, Kind.YES_NO, Kind.RATING, Kind.MULTIPLE)
MAX_COMBINED_OPTIONS = 8


def _in_one_pass(question: SurveyQuestion) -> bool:
    if question.kind == Kind.MULTIPLE:
        return len(_option_values(question)) <= MAX_COMBINED_OPTIONS
    return question.kind in (*VALUED_KINDS, Kind.TEXT, Kind.DATE)


async def all_results(session: AsyncSession, survey: Survey) -> list[QuestionResult]:
    """Every question's result (notes aside), in order."""
    combined = {q.id: q for q in survey.questions if _in_one_pass(q)}
    counted: dict[int, dict[str, int]] = {question_id: {} for question_id in combined}
    if combined:
        valued = [i for i, q in combined.items() if q.kind in VALUED_KINDS]
        dated = [i for i, q in combined.items() if q.kind == Kind.DATE]
        key = case(
            (SurveyAnswer.question_id.in_(valued), SurveyAnswer.value),
            (SurveyAnswer.question_id.in_(dated), func.substr(SurveyAnswer.value, 1, 7)),
            else_=literal(""),
        )
        rows = await _execute(
            session,
            select(SurveyAnswer.question_id, key, func.count())
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(_submitted(survey.id), SurveyAnswer.question_id.in_(combined))
            .group_by(SurveyAnswer.question_id, key),
        )
        for question_id, value, count in rows:
            counted[question_id][str(value)] = int(count)
    figures = []
    for question in survey.questions:
        if question.kind == Kind.NOTE:
            continue
        if question.id not in combined:
            figures.append(await question_result(session, question))
            continue
        by_value = counted[question.id]
        if question.kind == Kind.RATING:
            figures.append(_rating_result(question, by_value))
        elif question.kind == Kind.MULTIPLE:
            figures.append(_multiple_result(question, by_value))
        elif question.kind == Kind.DATE:
            counts = [Count(month, count) for month, count in sorted(by_value.items())]
            figures.append(QuestionResult(question, sum(by_value.values()), counts))
        elif question.kind == Kind.TEXT:
            figures.append(QuestionResult(question, sum(by_value.values())))
        else:
            figures.append(_choice_result(question, by_value))
    return figures


def _multiple_result(question: SurveyQuestion, combinations: dict[str, int]) -> QuestionResult:
    ticked: dict[str, int] = {}
    for combination, count in combinations.items():
        for value in set(combination.split()):
            ticked[value] = ticked.get(value, 0) + count
    values = _option_values(question)
    return QuestionResult(
        question, sum(combinations.values()), [Count(v, ticked.get(v, 0)) for v in values]
    )


def _rating_result(question: SurveyQuestion, by_value: dict[str, int]) -> QuestionResult:
    if not by_value:
        return QuestionResult(question, 0)
    merged: dict[float, int] = {}
    for value, count in by_value.items():
        merged[float(value)] = merged.get(float(value), 0) + count
    return _from_distribution(question, sorted(merged.items()))


async def free_text_page(
    session: AsyncSession, question: SurveyQuestion, page: int
) -> tuple[list[str], int]:
    """One page of the free-text answers (and of "other, please say" texts of a choice) and how
    many there are; ordered by response id, which says nothing of when anyone answered."""
    text = SurveyAnswer.other_text if question.kind != Kind.TEXT else SurveyAnswer.value
    answers = _answers(question).where(text.is_not(None), text != "")
    total = int(await session.scalar(answers.add_columns(func.count())) or 0)
    rows = await session.scalars(
        answers.add_columns(text)
        .order_by(SurveyAnswer.response_id)
        .offset(page * TEXT_PAGE_SIZE)
        .limit(TEXT_PAGE_SIZE)
    )
    return [str(row) for row in rows], total


def available_dimensions(survey: Survey) -> tuple[Dimension, ...]:
    if survey.anonymous:
        return (Dimension.LANGUAGE,)
    return (Dimension.LANGUAGE, *PERSONAL_DIMENSIONS)


def _dimension_column(dimension: Dimension) -> ColumnElement[Any]:
    if dimension == Dimension.LANGUAGE:
        return cast(SurveyResponse.language, String)
    if dimension == Dimension.ROLE:
        return cast(User.stakeholder_role, String)
    return cast(User.country, String)


async def breakdown(
    session: AsyncSession, survey: Survey, question: SurveyQuestion, dimension: Dimension
) -> Breakdown:
    """``question``'s results per group of ``dimension``, small groups hidden."""
    if dimension not in available_dimensions(survey):
        raise ValueError(f"{dimension} is not available for this survey")
    group = _dimension_column(dimension).label("group_key")
    answers = _answers(question)
    if dimension in PERSONAL_DIMENSIONS:
        answers = answers.outerjoin(User, User.id == SurveyResponse.user_id)
    kind = question.kind
    figures: dict[str | None, dict[str, Any]] = {}
    if kind in (Kind.CHOICE, Kind.YES_NO):
        rows = await _execute(
            session,
            answers.add_columns(group, SurveyAnswer.value, func.count()).group_by(
                group, SurveyAnswer.value
            ),
        )
        for key, value, count in rows:
            entry = figures.setdefault(key, {"size": 0, "counts": {}})
            entry["size"] += int(count)
            entry["counts"][str(value)] = int(count)
        values = _option_values(question)
    elif kind == Kind.MULTIPLE:
        values = _option_values(question)
        rows = await _execute(
            session,
            answers.add_columns(
                group,
                func.count(),
                *(func.count(case((_option_ticked(value), 1))) for value in values),
            ).group_by(group),
        )
        for key, size, *ticked in rows:
            figures[key] = {
                "size": int(size),
                "counts": {v: int(n) for v, n in zip(values, ticked, strict=True)},
            }
    elif kind in (Kind.RATING, Kind.INTEGER, Kind.DECIMAL):
        values = []
        rows = await _execute(
            session, answers.add_columns(group, func.count(), func.avg(_number())).group_by(group)
        )
        for key, size, mean in rows:
            figures[key] = {"size": int(size), "counts": {}, "mean": float(mean)}
    else:
        values = []
        rows = await _execute(session, answers.add_columns(group, func.count()).group_by(group))
        for key, size in rows:
            figures[key] = {"size": int(size), "counts": {}}
    hidden = _suppressed({key: entry["size"] for key, entry in figures.items()})
    groups = [
        Group(key, entry["size"], hidden=True)
        if key in hidden
        else Group(
            key,
            entry["size"],
            hidden=False,
            counts=[Count(value, entry["counts"].get(value, 0)) for value in values],
            mean=entry.get("mean"),
        )
        for key, entry in sorted(figures.items(), key=lambda item: (-item[1]["size"], str(item[0])))
    ]
    return Breakdown(question, dimension, groups)


def _suppressed(sizes: dict[str | None, int]) -> set[str | None]:
    """Groups below ``MIN_GROUP``, and then the smallest shown ones until what is hidden adds
    up to ``MIN_GROUP`` (or everything is hidden)."""
    hidden = {key for key, size in sizes.items() if size < MIN_GROUP}
    shown = sorted((key for key in sizes if key not in hidden), key=lambda k: (sizes[k], str(k)))
    while hidden and shown and sum(sizes[key] for key in hidden) < MIN_GROUP:
        hidden.add(shown.pop(0))
    return hidden
