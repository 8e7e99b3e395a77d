"""The survey kinds of the question engine: numbers in the reader's convention and any digits,
bounds, ratings, dates, multiple choice with "other"."""

from decimal import Decimal

import pytest

from questions import (
    OTHER,
    InvalidAnswer,
    Kind,
    Option,
    Problem,
    Question,
    answer_chosen,
    answer_chosen_many,
    answer_typed,
    rating_points,
)

AGE = Question("age", Kind.INTEGER, {"en": "Age"}, "en", minimum=Decimal(0), maximum=Decimal(120))
WEIGHT = Question("kg", Kind.DECIMAL, {"en": "Kg"}, "en")
RATING = Question("overall", Kind.RATING, {"en": "?"}, "en", minimum=Decimal(1), maximum=Decimal(5))
WHEN = Question("when", Kind.DATE, {"en": "When?"}, "en")
LITTER = Question(
    "litter",
    Kind.MULTIPLE,
    {"en": "Litter?"},
    "en",
    options=(Option("bottles", {"en": "Bottles"}), Option("bags", {"en": "Bags"})),
    other=True,
)


def test_numbers_in_any_digits_and_the_readers_convention() -> None:
    assert answer_typed(AGE, "๓๔", "th") == "34"
    assert answer_typed(WEIGHT, "12,5", "en") == "12.5"
    assert answer_typed(WEIGHT, "1.500", "id") == "1500"
    assert answer_typed(WEIGHT, "12.50", "en") == "12.5"
    with pytest.raises(InvalidAnswer) as ambiguous:
        answer_typed(WEIGHT, "1.500", "en")
    assert ambiguous.value.problem == Problem.AMBIGUOUS_NUMBER
    assert ambiguous.value.readings == (Decimal("1.5"), Decimal(1500))


def test_bounds_and_whole_numbers() -> None:
    with pytest.raises(InvalidAnswer) as large:
        answer_typed(AGE, "121", "en")
    assert (large.value.problem, large.value.bound) == (Problem.TOO_LARGE, Decimal(120))
    with pytest.raises(InvalidAnswer) as small:
        answer_typed(AGE, "-1", "en")
    assert small.value.problem == Problem.TOO_SMALL
    with pytest.raises(InvalidAnswer) as fraction:
        answer_typed(AGE, "3.5", "en")
    assert fraction.value.problem == Problem.NOT_WHOLE
    with pytest.raises(InvalidAnswer) as words:
        answer_typed(AGE, "thirty", "en")
    assert words.value.problem == Problem.NOT_A_NUMBER


def test_ratings_dates_and_notes() -> None:
    assert rating_points(RATING) == [1, 2, 3, 4, 5]
    assert answer_typed(RATING, "၄", "my") == "4"
    with pytest.raises(InvalidAnswer) as typed:
        answer_typed(RATING, "great", "en")
    assert typed.value.problem == Problem.ANSWERED_BY_BUTTONS
    assert answer_typed(WHEN, "2026-12-05") == "2026-12-05"
    with pytest.raises(InvalidAnswer) as no_such:
        answer_typed(WHEN, "2026-02-31")
    assert no_such.value.problem == Problem.NO_SUCH_DATE
    note = Question("hi", Kind.NOTE, {"en": "Hello"}, "en")
    with pytest.raises(InvalidAnswer) as nothing:
        answer_typed(note, "x")
    assert nothing.value.problem == Problem.NOTHING_TO_ANSWER


def test_multiple_choice_keeps_the_options_order_and_offers_other() -> None:
    assert answer_chosen_many(LITTER, [2, 0]) == f"bottles {OTHER}"
    with pytest.raises(InvalidAnswer):
        answer_chosen_many(LITTER, [3])
    with pytest.raises(InvalidAnswer):
        answer_chosen_many(LITTER, [])
    yes_no = Question("again", Kind.YES_NO, {"en": "Again?"}, "en")
    assert [answer_chosen(yes_no, 0), answer_chosen(yes_no, 1)] == ["yes", "no"]
