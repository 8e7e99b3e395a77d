"""The question engine: wording along the fallback chain, typed and tapped answers."""

import pytest

from questions import InvalidAnswer, Kind, Option, Problem, Question, answer_chosen, answer_typed
from questions.engine import option_labels, wording

GROUP = Question(
    name="group",
    kind=Kind.TEXT,
    labels={"zh": "你的团队？", "en": "Your group?"},
    main_language="zh",
    max_length=20,
)
SIZE = Question(
    name="size",
    kind=Kind.CHOICE,
    labels={"zh": "尺码", "en": "T-shirt size"},
    main_language="zh",
    options=[Option("小", {"zh": "小", "en": "S"}), Option("大", {"zh": "大", "en": "L"})],
)


def test_wording_follows_the_fallback_chain() -> None:
    assert wording(GROUP, "th").text == "Your group?"
    assert wording(GROUP, "th").language == "en"
    assert wording(GROUP, "zh").text == "你的团队？"
    assert option_labels(SIZE, "vi") == ["S", "L"]


def test_typed_answers_are_cleaned_and_checked() -> None:
    assert answer_typed(GROUP, "  Ocean   Friends ") == "Ocean Friends"
    with pytest.raises(InvalidAnswer) as empty:
        answer_typed(GROUP, "   ")
    assert empty.value.problem == Problem.EMPTY
    with pytest.raises(InvalidAnswer) as long:
        answer_typed(GROUP, "x" * 21)
    assert (long.value.problem, long.value.limit) == (Problem.TOO_LONG, 20)


def test_choices_store_the_option_value_whatever_language_was_shown() -> None:
    assert answer_chosen(SIZE, 1) == "大"
    with pytest.raises(InvalidAnswer) as typed:
        answer_typed(SIZE, "L")
    assert typed.value.problem == Problem.ANSWERED_BY_BUTTONS
    with pytest.raises(InvalidAnswer):
        answer_chosen(SIZE, 2)
    with pytest.raises(InvalidAnswer):
        answer_chosen(GROUP, 0)
