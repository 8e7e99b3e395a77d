"""Dates and times as people type them: "YYYY-MM-DD HH:MM", in any script's digits.

What is wrong with a text is said precisely so the reader can put it right: a date that is not
in the calendar (2026-02-31), a time that is not on the clock (24:30), a year of the Buddhist era
(Thai, Lao and Khmer readers write 2570 for 2027) or a year too far ahead to be meant.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from i18n.numbers import ascii_digits

BUDDHIST_ERA_OFFSET = 543
# Nobody plans a cleanup or a roundtable further ahead; a later year is a slip of the finger.
MAX_YEARS_AHEAD = 5

# Indonesian and Malay readers write 09.00 as often as 09:00.
_CLOCK = r"(\d{1,2})[:.](\d{2})"
_DATE_AND_CLOCK = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:\s*T\s*|\s+)" + _CLOCK)
_CLOCK_ONLY = re.compile(_CLOCK)


class DateProblem(StrEnum):
    UNREADABLE = "unreadable"
    NO_SUCH_DATE = "no_such_date"
    NO_SUCH_TIME = "no_such_time"
    BUDDHIST_ERA = "buddhist_era"
    TOO_FAR_AHEAD = "too_far_ahead"


@dataclass(frozen=True)
class TypedParts:
    """The fields as typed, so a message can quote them and suggest a correction."""

    year: int = 0
    month: int = 0
    day: int = 0
    hour: int = 0
    minute: int = 0

    @property
    def date_text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def time_text(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


class UnreadableDate(ValueError):
    def __init__(self, problem: DateProblem, typed: TypedParts | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.typed = typed or TypedParts()

    @property
    def western_year(self) -> int:
        return self.typed.year - BUDDHIST_ERA_OFFSET


def _clock(hour: int, minute: int, typed: TypedParts) -> time:
    try:
        return time(hour, minute)
    except ValueError:
        raise UnreadableDate(DateProblem.NO_SUCH_TIME, typed) from None


def read_clock(text: str) -> time:
    """ "HH:MM" alone."""
    match = _CLOCK_ONLY.fullmatch(ascii_digits(text).strip())
    if match is None:
        raise UnreadableDate(DateProblem.UNREADABLE)
    hour, minute = int(match.group(1)), int(match.group(2))
    return _clock(hour, minute, TypedParts(hour=hour, minute=minute))


def read_date_and_clock(text: str, today: date) -> datetime:
    """ "YYYY-MM-DD HH:MM" as a naive local date and time; ``today`` is the local date the
    year is judged by."""
    match = _DATE_AND_CLOCK.fullmatch(ascii_digits(text).strip())
    if match is None:
        raise UnreadableDate(DateProblem.UNREADABLE)
    typed = TypedParts(*(int(group) for group in match.groups()))
    if typed.year > today.year + MAX_YEARS_AHEAD:
        western = typed.year - BUDDHIST_ERA_OFFSET
        plausible = today.year - 1 <= western <= today.year + MAX_YEARS_AHEAD
        problem = DateProblem.BUDDHIST_ERA if plausible else DateProblem.TOO_FAR_AHEAD
        raise UnreadableDate(problem, typed)
    try:
        day = date(typed.year, typed.month, typed.day)
    except ValueError:
        raise UnreadableDate(DateProblem.NO_SUCH_DATE, typed) from None
    return datetime.combine(day, _clock(typed.hour, typed.minute, typed))
