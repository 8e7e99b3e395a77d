"""Questions, their wording per language, and turning answers into stored values."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from i18n.fallback import Picked, pick

# A typed answer fits a message and a spreadsheet cell comfortably.
DEFAULT_MAX_LENGTH = 500


class Kind(StrEnum):
    TEXT = "text"  # free text
    CHOICE = "choice"  # one of the options, tapped


class Problem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_AN_OPTION = "not_an_option"
    ANSWERED_BY_BUTTONS = "answered_by_buttons"


class InvalidAnswer(ValueError):
    def __init__(self, problem: Problem, limit: int = 0) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.limit = limit


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


def wording(question: Question, reader: str) -> Picked[str]:
    """The question's label as ``reader`` gets it, along the fallback chain."""
    return pick(question.labels, reader, question.main_language, second=question.second_language)


def option_labels(question: Question, reader: str) -> list[str]:
    return [
        pick(option.labels, reader, question.main_language, second=question.second_language).text
        for option in question.options
    ]


def _free_text(question: Question, text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidAnswer(Problem.EMPTY, question.max_length)
    if len(cleaned) > question.max_length:
        raise InvalidAnswer(Problem.TOO_LONG, question.max_length)
    return cleaned


def _by_buttons(_question: Question, _text: str) -> str:
    raise InvalidAnswer(Problem.ANSWERED_BY_BUTTONS)


PARSERS: dict[Kind, Callable[[Question, str], str]] = {
    Kind.TEXT: _free_text,
    Kind.CHOICE: _by_buttons,
}


def answer_typed(question: Question, text: str) -> str:
    """The value to store for what the person typed, or ``InvalidAnswer``."""
    return PARSERS[question.kind](question, text)


def answer_chosen(question: Question, index: int) -> str:
    """The stored value of the option the person tapped (its position in ``options``)."""
    if question.kind != Kind.CHOICE or not 0 <= index < len(question.options):
        raise InvalidAnswer(Problem.NOT_AN_OPTION)
    return question.options[index].value
