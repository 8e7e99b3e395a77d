"""Numbers as people type them, read in the reader's own convention.

"1.500" is fifteen hundred to an Indonesian, Vietnamese, Lao or Portuguese reader and one and a
half to an English, Chinese or Thai one. So a text is read both ways with Babel's strict parser:
the reader's way (their locale's decimal mark; the other of "." and "," groups thousands) and
the other way. When only one reading is valid, that is the number. When both are, the reader's
way wins, except for the reader's own decimal mark followed by exactly three digits and nothing
else ("1.500" to an English reader): nobody writes one and a half that way but half the region
writes fifteen hundred so, and the reader is asked which they meant. A caller may say which
values make sense (whole bags, a limit): when just one of two readings does, it is the number.

Digits of every script count ("๑๒", "၁၂", "១២"), and spaces, underscores and apostrophes
group thousands in every convention.
"""

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum

from babel import Locale, numbers

MAX_LENGTH = 40
_SEPARATORS = re.compile(r"[\s_'’]")
_SIGNS = {"+": 1, "-": -1, "−": -1}
_BODY = re.compile(r"[0-9.,]*[0-9][0-9.,]*")
# Babel's own parser, strict, expects "." as the decimal mark and "," as the grouping here.
_DOT_DECIMAL = Locale.parse("en")


class NumberProblem(StrEnum):
    NOT_A_NUMBER = "not_a_number"
    AMBIGUOUS = "ambiguous"


class UnreadableNumber(ValueError):
    """``readings`` holds, for AMBIGUOUS, the reader's reading first and the other second."""

    def __init__(self, problem: NumberProblem, readings: tuple[Decimal, ...] = ()) -> None:
        super().__init__(problem)
        self.problem = problem
        self.readings = readings


def ascii_digits(text: str) -> str:
    """Every script's decimal digits as 0–9; everything else untouched."""
    return "".join(
        str(unicodedata.decimal(char)) if unicodedata.category(char) == "Nd" else char
        for char in text
    )


def decimal_mark(locale: Locale) -> str:
    """The reader's decimal mark, "." or ","."""
    return "," if numbers.get_decimal_symbol(locale) == "," else "."


def _groupings(locale: Locale) -> tuple[Locale, ...]:
    """Whose grouping sizes a reading in the reader's convention may follow: in threes, and
    the reader's own where they differ (Tamil also groups lakhs: "12,34,567")."""
    symbols = (numbers.get_decimal_symbol(locale), numbers.get_group_symbol(locale))
    return (_DOT_DECIMAL, locale) if symbols == (".", ",") else (_DOT_DECIMAL,)


def _reading(body: str, mark: str, groupings: tuple[Locale, ...]) -> Decimal | None:
    """``body`` read with ``mark`` as the decimal mark and the other one grouping."""
    other = "," if mark == "." else "."
    canonical = body.translate({ord(mark): ".", ord(other): ","})
    for grouping in groupings:
        try:
            return numbers.parse_decimal(canonical, locale=grouping, strict=True)
        except numbers.NumberFormatError:
            continue
    return None


def _could_be_grouping(body: str, mark: str) -> bool:
    """One of the reader's decimal marks and then exactly three digits: "1.500", "12.500"."""
    whole, separator, fraction = body.partition(mark)
    return bool(separator) and whole.isdigit() and len(fraction) == 3 and fraction.isdigit()


def read_decimal(
    text: str, locale: Locale, plausible: Callable[[Decimal], bool] | None = None
) -> Decimal:
    """The number in ``text`` for a reader of ``locale``; UnreadableNumber when there is none,
    or when it could be two numbers that both make sense (``plausible``, default: any)."""
    cleaned = _SEPARATORS.sub("", ascii_digits(text))
    sign = _SIGNS.get(cleaned[:1], 0)
    body = cleaned[1:] if sign else cleaned
    if len(body) > MAX_LENGTH or not _BODY.fullmatch(body):
        raise UnreadableNumber(NumberProblem.NOT_A_NUMBER)
    own_mark = decimal_mark(locale)
    signed = -1 if sign < 0 else 1
    readings = [
        None if reading is None else signed * reading
        for reading in (
            _reading(body, own_mark, _groupings(locale)),
            _reading(body, "," if own_mark == "." else ".", (_DOT_DECIMAL,)),
        )
    ]
    own, other = readings
    if own is None or other is None or own == other:
        if own is not None:
            return own
        if other is not None:
            return other
        raise UnreadableNumber(NumberProblem.NOT_A_NUMBER)
    if not _could_be_grouping(body, own_mark):
        return own
    return _likelier(own, other, plausible or _anything)


def _anything(_: Decimal) -> bool:
    return True


def _likelier(own: Decimal, other: Decimal, plausible: Callable[[Decimal], bool]) -> Decimal:
    """Of two readings, the one that makes sense; asks when both do."""
    if plausible(own) and plausible(other):
        raise UnreadableNumber(NumberProblem.AMBIGUOUS, (own, other))
    # When neither makes sense, the caller explains why about the reader's own reading.
    return other if plausible(other) else own


def plain(value: Decimal, locale: Locale) -> str:
    """``value`` written for typing back: the reader's decimal mark and no grouping."""
    return numbers.format_decimal(value, format="0.######", locale=locale)
