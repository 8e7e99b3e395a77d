"""The subset of the XLSForm expression language that ``relevant`` and ``constraint`` accept.

Parsed by a lark grammar into a small tree and evaluated by walking it: nothing a form says is
ever run as code, and anything outside the subset is refused when the form is imported, with
what was expected at which character.

    ${q} = 'x'   ${q} != 'x'   ${age} >= 18   . < 100      comparisons (numbers compared as
                                                           numbers, anything else as text)
    selected(${q}, 'x')   count-selected(.)   string-length(.)
    a and b   a or b   not(a)   ( … )
    .            the answer being checked (constraints only)

Answers are the stored values (text; several options of a multiple choice joined by spaces; a
question not answered is ''), as ODK Collect sees them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache

from lark import Lark, Token, Transformer, UnexpectedInput
from lark.exceptions import VisitError

MAX_LENGTH = 1000

_GRAMMAR = r"""
?start: disjunction
?disjunction: conjunction (_OR conjunction)*
?conjunction: comparison (_AND comparison)*
?comparison: operand (COMPARATOR operand)?
?operand: reference | current | string | number | call | "(" disjunction ")"
call: FUNCTION "(" [disjunction ("," disjunction)*] ")"
reference: "${" NAME "}"
current: "."
string: SINGLE_QUOTED | DOUBLE_QUOTED
number: NUMBER

_OR.2: /or\b/
_AND.2: /and\b/
COMPARATOR: "<=" | ">=" | "!=" | "=" | "<" | ">"
FUNCTION: /[a-z][a-z-]*(?=\s*\()/
NAME: /[A-Za-z_][A-Za-z0-9_.-]*/
SINGLE_QUOTED: /'[^']*'/
DOUBLE_QUOTED: /"[^"]*"/
NUMBER: /-?[0-9]+(\.[0-9]+)?/

%import common.WS
%ignore WS
"""


class ExpressionProblem(StrEnum):
    SYNTAX = "syntax"  # ``detail`` says at which character and what was expected
    TOO_LONG = "too_long"
    UNKNOWN_FUNCTION = "unknown_function"  # ``detail`` names it
    WRONG_ARGUMENTS = "wrong_arguments"  # ``detail`` names the function
    CURRENT_IN_RELEVANT = "current_in_relevant"  # "." only means something in a constraint


class InvalidExpression(ValueError):
    def __init__(self, problem: ExpressionProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class Reference:
    name: str


@dataclass(frozen=True)
class Current:
    pass


@dataclass(frozen=True)
class Literal:
    value: str
    numeric: bool


@dataclass(frozen=True)
class Call:
    function: str
    arguments: tuple["Node", ...]


@dataclass(frozen=True)
class Comparison:
    left: "Node"
    operator: str
    right: "Node"


@dataclass(frozen=True)
class Logical:
    operator: str  # "and" or "or"
    operands: tuple["Node", ...]


Node = Reference | Current | Literal | Call | Comparison | Logical

# Each function: how many arguments, and what it does to their values.
_ARITY = {"selected": 2, "count-selected": 1, "string-length": 1, "not": 1}


class _ToTree(Transformer[Token, Node]):
    def disjunction(self, operands: list[Node]) -> Node:
        return Logical("or", tuple(operands))

    def conjunction(self, operands: list[Node]) -> Node:
        return Logical("and", tuple(operands))

    def comparison(self, parts: list[Node | Token]) -> Node:
        left, operator, right = parts
        assert not isinstance(left, Token) and not isinstance(right, Token)
        return Comparison(left, str(operator), right)

    def call(self, parts: list[Node | Token | None]) -> Node:
        function, *arguments = parts
        name = str(function)
        given = tuple(argument for argument in arguments if isinstance(argument, Node))
        if name not in _ARITY:
            raise InvalidExpression(ExpressionProblem.UNKNOWN_FUNCTION, name)
        if len(given) != _ARITY[name]:
            raise InvalidExpression(ExpressionProblem.WRONG_ARGUMENTS, name)
        return Call(name, given)

    def reference(self, parts: list[Token]) -> Node:
        return Reference(str(parts[0]))

    def current(self, _parts: list[Token]) -> Node:
        return Current()

    def string(self, parts: list[Token]) -> Node:
        return Literal(str(parts[0])[1:-1], numeric=False)

    def number(self, parts: list[Token]) -> Node:
        return Literal(str(parts[0]), numeric=True)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr")


@lru_cache(maxsize=512)
def parse(text: str, *, constraint: bool = False) -> Node:
    """The tree of ``text``; ``InvalidExpression`` when it is outside the subset."""
    if len(text) > MAX_LENGTH:
        raise InvalidExpression(ExpressionProblem.TOO_LONG, str(MAX_LENGTH))
    try:
        tree = _parser().parse(text)
        node = _ToTree().transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, InvalidExpression):
            raise error.orig_exc from None
        raise
    except UnexpectedInput as error:
        raise InvalidExpression(ExpressionProblem.SYNTAX, _where(text, error)) from None
    if not constraint and any(isinstance(part, Current) for part in _walk(node)):
        raise InvalidExpression(ExpressionProblem.CURRENT_IN_RELEVANT)
    return node


def _where(text: str, error: UnexpectedInput) -> str:
    position = getattr(error, "pos_in_stream", None)
    if position is None:
        position = len(text)
    return f"character {position + 1}: {text[position : position + 10]!r}"


def _walk(node: Node) -> list[Node]:
    if isinstance(node, Call):
        return [node, *(part for argument in node.arguments for part in _walk(argument))]
    if isinstance(node, Comparison):
        return [node, *_walk(node.left), *_walk(node.right)]
    if isinstance(node, Logical):
        return [node, *(part for operand in node.operands for part in _walk(operand))]
    return [node]


def references(text: str, *, constraint: bool = False) -> list[str]:
    """The question names ``text`` refers to, in order."""
    return [
        part.name
        for part in _walk(parse(text, constraint=constraint))
        if isinstance(part, Reference)
    ]


def _number(value: str) -> Decimal | None:
    try:
        return Decimal(value.strip()) if value.strip() else None
    except InvalidOperation:
        return None


def _value(node: Node, answers: Mapping[str, str], current: str) -> str:
    if isinstance(node, Reference):
        return answers.get(node.name, "")
    if isinstance(node, Current):
        return current
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Call) and node.function in ("count-selected", "string-length"):
        argument = _value(node.arguments[0], answers, current)
        size = len(argument.split()) if node.function == "count-selected" else len(argument)
        return str(size)
    return "true" if _truth(node, answers, current) else ""


_ORDERINGS: Mapping[str, Callable[[Decimal, Decimal], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(node: Comparison, answers: Mapping[str, str], current: str) -> bool:
    left = _value(node.left, answers, current)
    right = _value(node.right, answers, current)
    left_number, right_number = _number(left), _number(right)
    if node.operator in _ORDERINGS:
        # XPath compares as numbers; an empty or non-numeric side makes the comparison false.
        if left_number is None or right_number is None:
            return False
        return _ORDERINGS[node.operator](left_number, right_number)
    if left_number is not None and right_number is not None:
        equal = left_number == right_number
    else:
        equal = left == right
    return equal if node.operator == "=" else not equal


def _truth(node: Node, answers: Mapping[str, str], current: str) -> bool:
    if isinstance(node, Logical):
        results = (_truth(operand, answers, current) for operand in node.operands)
        return all(results) if node.operator == "and" else any(results)
    if isinstance(node, Comparison):
        return _compare(node, answers, current)
    if isinstance(node, Call) and node.function == "selected":
        chosen = _value(node.arguments[0], answers, current).split()
        return _value(node.arguments[1], answers, current) in chosen
    if isinstance(node, Call) and node.function == "not":
        return not _truth(node.arguments[0], answers, current)
    return _value(node, answers, current) != ""


def holds(
    text: str, answers: Mapping[str, str], current: str = "", *, constraint: bool = False
) -> bool:
    """Whether the expression is true for these answers (``current``: the answer checked)."""
    return _truth(parse(text, constraint=constraint), answers, current)


def bounds(text: str) -> tuple[Decimal | None, Decimal | None]:
    """The inclusive bounds a constraint sets on the answer itself when it is a conjunction of
    ``. >= n`` / ``. <= n`` (either way round): the chat can name them and numbers typed are
    read with them in mind. Anything else in the constraint is checked as a whole, not here."""
    node = parse(text, constraint=True)
    parts = node.operands if isinstance(node, Logical) and node.operator == "and" else (node,)
    low: Decimal | None = None
    high: Decimal | None = None
    flipped = {">=": "<=", "<=": ">="}
    for part in parts:
        if not isinstance(part, Comparison):
            continue
        operator, other = part.operator, part.right
        if isinstance(part.right, Current):
            operator, other = flipped.get(part.operator, ""), part.left
        elif not isinstance(part.left, Current):
            continue
        if not isinstance(other, Literal) or not other.numeric:
            continue
        if operator == ">=":
            low = Decimal(other.value)
        elif operator == "<=":
            high = Decimal(other.value)
    return low, high


def length_limit(text: str) -> int | None:
    """The longest answer a constraint allows when it says ``string-length(.) <= n`` (alone or
    in a conjunction), for the chat to name it."""
    node = parse(text, constraint=True)
    parts = node.operands if isinstance(node, Logical) and node.operator == "and" else (node,)
    for part in parts:
        if (
            isinstance(part, Comparison)
            and part.operator == "<="
            and isinstance(part.left, Call)
            and part.left.function == "string-length"
            and isinstance(part.left.arguments[0], Current)
            and isinstance(part.right, Literal)
            and part.right.numeric
            and part.right.value.isdigit()
        ):
            return int(part.right.value)
    return None
