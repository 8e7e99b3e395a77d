"""The expression subset of relevant and constraint: parsed by a grammar, evaluated by walking
the tree, never run as code."""

import inspect
from decimal import Decimal

import pytest

from surveys import expressions
from surveys.expressions import ExpressionProblem, InvalidExpression, bounds, holds, length_limit


def test_comparisons_choices_and_logic() -> None:
    answers = {"again": "no", "age": "34", "litter": "bottles foam", "improve": ""}
    assert holds("${again} = 'no'", answers)
    assert not holds("${again} != 'no'", answers)
    assert holds("${age} >= 18 and ${age} < 40", answers)
    assert holds("selected(${litter}, 'foam') or ${again} = 'yes'", answers)
    assert holds("not(selected(${litter}, 'bags'))", answers)
    assert holds("${improve} = ''", answers)
    assert holds("${unanswered} = ''", answers)
    # Numbers compare as numbers; an empty answer compares as nothing.
    assert holds("${age} = 34.0", answers)
    assert not holds("${improve} > 3", answers)


def test_constraints_check_the_current_answer() -> None:
    assert holds(". >= 0 and . <= 120", {}, "42", constraint=True)
    assert not holds(". >= 0 and . <= 120", {}, "121", constraint=True)
    assert holds("count-selected(.) <= 2", {}, "a b", constraint=True)
    assert not holds("string-length(.) <= 3", {}, "four", constraint=True)
    assert bounds(". >= 1 and 10 >= .") == (Decimal(1), Decimal(10))
    assert bounds("string-length(.) <= 3") == (None, None)
    assert length_limit("string-length(.) <= 300 and . != 'x'") == 300


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("${q} = ", ExpressionProblem.SYNTAX),
        ("${q} + 1 = 2", ExpressionProblem.SYNTAX),
        ("__import__('os').system('touch /tmp/x')", ExpressionProblem.SYNTAX),
        ("eval('1')", ExpressionProblem.UNKNOWN_FUNCTION),
        ("open('/etc/passwd')", ExpressionProblem.UNKNOWN_FUNCTION),
        ("selected(${q})", ExpressionProblem.WRONG_ARGUMENTS),
        (". = 'x'", ExpressionProblem.CURRENT_IN_RELEVANT),
        ("${q} = '" + "x" * 2000 + "'", ExpressionProblem.TOO_LONG),
    ],
)
def test_anything_outside_the_subset_is_refused(text: str, problem: ExpressionProblem) -> None:
    with pytest.raises(InvalidExpression) as refused:
        expressions.parse(text)
    assert refused.value.problem == problem


def test_the_evaluator_never_runs_code() -> None:
    source = inspect.getsource(expressions)
    for builtin in ("eval(", "exec(", "compile(", "__import__"):
        assert builtin not in source.replace("eval('1')", "")


def test_references_are_listed_in_order() -> None:
    assert expressions.references("${a} = 'x' and (selected(${b}, 'y') or ${a} != '')") == [
        "a",
        "b",
        "a",
    ]
