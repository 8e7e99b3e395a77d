"""Questions, their wording per language, and turning answers into stored values."""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from i18n.fallback import Picked, pick
from i18n.languages import LANGUAGES, babel_locale
from i18n.numbers import NumberProblem, UnreadableNumber, ascii_digits, read_decimal

# A typed answer fits a message and a spreadsheet cell comfortably.
DEFAULT_MAX_LENGTH = 500
# The stored value of the "other, please say" option of a choice that offers one.
OTHER = "other"
# Several options of a multiple choice are stored as XLSForm stores them: values joined by
# spaces (so option values never contain one).
MULTIPLE_SEPARATOR = " "

_TYPED_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class Kind(StrEnum):
    TEXT = "text"  # free text
    CHOICE = "choice"  # one of the options, tapped
    MULTIPLE = "multiple"  # any of the options, toggled, then done
    RATING = "rating"  # a whole number from ``minimum`` to ``maximum`` (1–5, 0–10), tapped
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"  # stored as YYYY-MM-DD
    YES_NO = "yes_no"  # stored as "yes" or "no"
    NOTE = "note"  # text shown, nothing answered


YES, NO = "yes", "no"


class Problem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_AN_OPTION = "not_an_option"
    ANSWERED_BY_BUTTONS = "answered_by_buttons"
    NOT_A_NUMBER = "not_a_number"
    # Two numbers could be meant ("1.500"): ``readings`` has the reader's one first.
    AMBIGUOUS_NUMBER = "ambiguous_number"
    NOT_WHOLE = "not_whole"
    TOO_SMALL = "too_small"  # ``bound`` is the minimum
    TOO_LARGE = "too_large"  # ``bound`` is the maximum
    NOT_A_DATE = "not_a_date"
    NO_SUCH_DATE = "no_such_date"
    NOTHING_TO_ANSWER = "nothing_to_answer"  # a note


class InvalidAnswer(ValueError):
    def __init__(
        self,
        problem: Problem,
        limit: int = 0,
        *,
        bound: Decimal | None = None,
        readings: tuple[Decimal, ...] = (),
    ) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.limit = limit
        self.bound = bound
        self.readings = readings


@dataclass(frozen=True)
class Option:
    """A choice: ``value`` is stored, ``labels`` (language → text) are shown."""

    value: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class Question:
    name: str
    kind: Kind
    labels: Mapping[str, str]
    main_language: str
    second_language: str | None = None
    options: Sequence[Option] = field(default_factory=tuple)
    required: bool = True
    max_length: int = DEFAULT_MAX_LENGTH
    # Bounds of numbers and ratings, inclusive.
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    # A choice that also offers "other, please say" (stored as OTHER; the text said separately).
    other: bool = False


def wording(question: Question, reader: str) -> Picked[str]:
    """The question's label as ``reader`` gets it, along the fallback chain."""
    return pick(question.labels, reader, question.main_language, second=question.second_language)


def option_labels(question: Question, reader: str) -> list[str]:
    return [
        pick(option.labels, reader, question.main_language, second=question.second_language).text
        for option in question.options
    ]


def _free_text(question: Question, text: str, _reader: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidAnswer(Problem.EMPTY, question.max_length)
    if len(cleaned) > question.max_length:
        raise InvalidAnswer(Problem.TOO_LONG, question.max_length)
    return cleaned


def _by_buttons(_question: Question, _text: str, _reader: str) -> str:
    raise InvalidAnswer(Problem.ANSWERED_BY_BUTTONS)


def _nothing(_question: Question, _text: str, _reader: str) -> str:
    raise InvalidAnswer(Problem.NOTHING_TO_ANSWER)


def _within_bounds(question: Question, value: Decimal) -> bool:
    return (question.minimum is None or value >= question.minimum) and (
        question.maximum is None or value <= question.maximum
    )


def _number(question: Question, text: str, reader: str, *, whole: bool) -> Decimal:
    def plausible(value: Decimal) -> bool:
        return (not whole or value == value.to_integral_value()) and _within_bounds(question, value)

    try:
        value = read_decimal(text, babel_locale(reader), plausible)
    except UnreadableNumber as unreadable:
        if unreadable.problem == NumberProblem.AMBIGUOUS:
            raise InvalidAnswer(Problem.AMBIGUOUS_NUMBER, readings=unreadable.readings) from None
        raise InvalidAnswer(Problem.NOT_A_NUMBER) from None
    if whole and value != value.to_integral_value():
        raise InvalidAnswer(Problem.NOT_WHOLE)
    if question.minimum is not None and value < question.minimum:
        raise InvalidAnswer(Problem.TOO_SMALL, bound=question.minimum)
    if question.maximum is not None and value > question.maximum:
        raise InvalidAnswer(Problem.TOO_LARGE, bound=question.maximum)
    return value


def _integer(question: Question, text: str, reader: str) -> str:
    return str(int(_number(question, text, reader, whole=True)))


def _decimal(question: Question, text: str, reader: str) -> str:
    # Normalized so that 12.50 and 12.5 are one value in results.
    value = _number(question, text, reader, whole=False).normalize()
    return format(value, "f")


def _rating(question: Question, text: str, reader: str) -> str:
    """Ratings are tapped, but a typed "4" (in any digits) is as good."""
    try:
        return _integer(question, text, reader)
    except InvalidAnswer as problem:
        if problem.problem in (Problem.TOO_SMALL, Problem.TOO_LARGE):
            raise
        raise InvalidAnswer(Problem.ANSWERED_BY_BUTTONS) from None


def _date(_question: Question, text: str, _reader: str) -> str:
    match = _TYPED_DATE.fullmatch(ascii_digits(text).strip())
    if match is None:
        raise InvalidAnswer(Problem.NOT_A_DATE)
    year, month, day = (int(group) for group in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise InvalidAnswer(Problem.NO_SUCH_DATE) from None


PARSERS: dict[Kind, Callable[[Question, str, str], str]] = {
    Kind.TEXT: _free_text,
    Kind.CHOICE: _by_buttons,
    Kind.MULTIPLE: _by_buttons,
    Kind.YES_NO: _by_buttons,
    Kind.RATING: _rating,
    Kind.INTEGER: _integer,
    Kind.DECIMAL: _decimal,
    Kind.DATE: _date,
    Kind.NOTE: _nothing,
}


def answer_typed(question: Question, text: str, reader: str | None = None) -> str:
    """The value to store for what the person typed, or ``InvalidAnswer``. Numbers are read in
    the convention of ``reader``'s language (default: the question's main language)."""
    language = reader if reader in LANGUAGES else question.main_language
    return PARSERS[question.kind](question, text, language)


def _choosable(question: Question) -> list[str]:
    values = [option.value for option in question.options]
    if question.kind == Kind.YES_NO and not values:
        values = [YES, NO]
    return [*values, OTHER] if question.other else values


def answer_chosen(question: Question, index: int) -> str:
    """The stored value of the option the person tapped (its position in ``options``; the one
    after the last is "other" where the question offers it)."""
    values = _choosable(question)
    if question.kind not in (Kind.CHOICE, Kind.YES_NO) or not 0 <= index < len(values):
        raise InvalidAnswer(Problem.NOT_AN_OPTION)
    return values[index]


def answer_chosen_many(question: Question, indexes: Iterable[int]) -> str:
    """The stored value of the options ticked in a multiple choice, in the options' order."""
    values = _choosable(question)
    chosen = set(indexes)
    if question.kind != Kind.MULTIPLE or not chosen <= set(range(len(values))):
        raise InvalidAnswer(Problem.NOT_AN_OPTION)
    if not chosen:
        raise InvalidAnswer(Problem.EMPTY)
    return MULTIPLE_SEPARATOR.join(value for index, value in enumerate(values) if index in chosen)


def rating_points(question: Question) -> list[int]:
    """The buttons of a rating, low to high."""
    if question.minimum is None or question.maximum is None:
        return []
    return list(range(int(question.minimum), int(question.maximum) + 1))
