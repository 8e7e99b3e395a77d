"""What to tell a reader whose typed number or date could not be used, in their language."""

from i18n.catalogs import Translator
from i18n.numbers import UnreadableNumber, plain
from i18n.typed_dates import MAX_YEARS_AHEAD, DateProblem, UnreadableDate


def ambiguous_number(t: Translator, problem: UnreadableNumber) -> str:
    """Both readings of e.g. "1.500", and how to type each so that it is read one way only."""
    own, other = problem.readings
    return t._(
        "Did you mean {first} or {second}? Please type it again as {first_plain} or {second_plain}."
    ).format(
        first=t.number(own),
        second=t.number(other),
        first_plain=plain(own, t.locale),
        second_plain=plain(other, t.locale),
    )


def date_problem(t: Translator, problem: UnreadableDate, unreadable: str) -> str:
    """``unreadable`` says how to write the answer, for text that is not a date at all."""
    typed = problem.typed
    if problem.problem == DateProblem.NO_SUCH_DATE:
        return t._("There is no such date as {date}. Please check the day and the month.").format(
            date=typed.date_text
        )
    if problem.problem == DateProblem.NO_SUCH_TIME:
        return t._(
            "There is no such time as {time}. Please type the time as HH:MM, from 00:00 to 23:59."
        ).format(time=typed.time_text)
    if problem.problem == DateProblem.BUDDHIST_ERA:
        western = problem.western_year
        corrected = f"{western:04d}-{typed.month:02d}-{typed.day:02d} {typed.time_text}"
        return t._(
            "{year} looks like a Buddhist-era year: that is {western_year}. Please type the "
            "Western year, for example {example}."
        ).format(year=typed.year, western_year=western, example=corrected)
    if problem.problem == DateProblem.TOO_FAR_AHEAD:
        return t.ngettext(
            "{year} is more than {count} year from now. Please check the year.",
            "{year} is more than {count} years from now. Please check the year.",
            MAX_YEARS_AHEAD,
        ).format(year=typed.year, count=t.number(MAX_YEARS_AHEAD))
    return unreadable
