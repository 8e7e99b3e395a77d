"""What a pledge says, checked: the wizard's answers (kept as typed, restart-safe) become a
:class:`PledgeContent` only when every answer is valid, and each invalid one is a typed
:class:`Problem` naming the field, so the chat can explain it in the reader's language and the
importer can point at a row and column.

The answers are a JSON document::

    {"baseline_year": 2022, "baseline_tonnes": 1250.5,
     "commitments": [{"metric": "recycled_content", "baseline_value": 5, "target_value": 30,
                      "target_year": 2030}, ...],
     "statements": {"en": "...", "th": "..."}}

Problematic items give ``items`` (ProblematicItem values; "other" needs ``other_item``) and a
target year, their target value being how many items; reuse models and free commitments give
``labels`` per language, and free ones a ``unit``.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from i18n.languages import LANGUAGE_CODES
from pledges.models import PERCENT_METRICS, Metric, ProblematicItem

YEAR_MIN = 1990
YEAR_MAX = 2100
TONNES_MAX = 100_000_000.0  # more than a year of the world's plastic packaging
COUNT_MAX = 1000
FREE_VALUE_MAX = 1e12
STATEMENT_MAX_LENGTH = 1000
LABEL_MAX_LENGTH = 200
UNIT_MAX_LENGTH = 40
OTHER_ITEM_MAX_LENGTH = 200
FREE_COMMITMENTS_MAX = 5
# Metrics measured from zero in the baseline year: the reduction so far, items, models.
FROM_ZERO = frozenset({Metric.VIRGIN_REDUCTION, Metric.PROBLEMATIC_ITEMS, Metric.REUSE_MODELS})
COUNT_METRICS = frozenset({Metric.PROBLEMATIC_ITEMS, Metric.REUSE_MODELS})


class ProblemKind(StrEnum):
    MISSING = "missing"
    NOT_A_NUMBER = "not_a_number"
    NOT_A_WHOLE_NUMBER = "not_a_whole_number"
    PERCENT_OUT_OF_RANGE = "percent_out_of_range"  # limit: 100
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"  # limit
    YEAR_OUT_OF_RANGE = "year_out_of_range"  # limit: the latest year allowed
    BASELINE_IN_FUTURE = "baseline_in_future"  # limit: the current year
    TARGET_YEAR_NOT_AFTER_BASELINE = "target_year_not_after_baseline"  # limit: the baseline year
    TARGET_NOT_BEYOND_BASELINE = "target_not_beyond_baseline"
    UNKNOWN_METRIC = "unknown_metric"
    DUPLICATE_METRIC = "duplicate_metric"
    TOO_MANY = "too_many"  # limit
    UNKNOWN_ITEM = "unknown_item"
    DUPLICATE_ITEM = "duplicate_item"
    OTHER_ITEM_MISSING = "other_item_missing"
    NO_COMMITMENT = "no_commitment"
    NO_STATEMENT = "no_statement"
    UNKNOWN_LANGUAGE = "unknown_language"
    EMPTY = "empty"
    TOO_LONG = "too_long"  # limit
    NOT_A_LIST = "not_a_list"
    UNKNOWN_CHOICE = "unknown_choice"  # a country, sector or size band not on the list
    FILE_TOO_LARGE = "file_too_large"  # limit: bytes
    NOT_OF_THIS_PLEDGE = "not_of_this_pledge"


@dataclass(frozen=True)
class Problem:
    field: str  # "baseline_year", "commitments[2].target_year", "statements.th"
    kind: ProblemKind
    limit: float | None = None

    def __str__(self) -> str:
        suffix = "" if self.limit is None else f" ({_plain(self.limit)})"
        return f"{self.field}: {self.kind.value.replace('_', ' ')}{suffix}"


class InvalidContent(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class CommitmentSpec:
    metric: Metric
    target_value: float
    target_year: int
    baseline_value: float = 0.0
    items: tuple[str, ...] = ()
    other_item: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    unit: str | None = None


@dataclass(frozen=True)
class PledgeContent:
    baseline_year: int
    baseline_tonnes: float
    commitments: tuple[CommitmentSpec, ...]
    statements: Mapping[str, str]


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# The checks the chat wizard runs on each answer before keeping it: None means fine.


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def check_percentage(value: Any, name: str = "value") -> Problem | None:
    number = _number(value)
    if number is None:
        return Problem(name, ProblemKind.NOT_A_NUMBER)
    if not 0 <= number <= 100:
        return Problem(name, ProblemKind.PERCENT_OUT_OF_RANGE, 100)
    return None


def check_tonnes(value: Any, name: str = "baseline_tonnes") -> Problem | None:
    number = _number(value)
    if number is None:
        return Problem(name, ProblemKind.NOT_A_NUMBER)
    if number < 0:
        return Problem(name, ProblemKind.NEGATIVE)
    if number > TONNES_MAX:
        return Problem(name, ProblemKind.TOO_LARGE, TONNES_MAX)
    return None


def check_count(value: Any, name: str = "value") -> Problem | None:
    number = _number(value)
    if number is None:
        return Problem(name, ProblemKind.NOT_A_NUMBER)
    if not number.is_integer():
        return Problem(name, ProblemKind.NOT_A_WHOLE_NUMBER)
    if number < 0:
        return Problem(name, ProblemKind.NEGATIVE)
    if number > COUNT_MAX:
        return Problem(name, ProblemKind.TOO_LARGE, COUNT_MAX)
    return None


def check_free_value(value: Any, name: str = "value") -> Problem | None:
    number = _number(value)
    if number is None:
        return Problem(name, ProblemKind.NOT_A_NUMBER)
    if number < 0:
        return Problem(name, ProblemKind.NEGATIVE)
    if number > FREE_VALUE_MAX:
        return Problem(name, ProblemKind.TOO_LARGE, FREE_VALUE_MAX)
    return None


def check_metric_value(metric: Metric, value: Any, name: str = "value") -> Problem | None:
    """A baseline, target or reported value of one metric."""
    if metric in PERCENT_METRICS:
        return check_percentage(value, name)
    if metric in COUNT_METRICS:
        return check_count(value, name)
    return check_free_value(value, name)


def check_year(value: Any, name: str = "year") -> Problem | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return Problem(name, ProblemKind.NOT_A_WHOLE_NUMBER)
    if not YEAR_MIN <= value <= YEAR_MAX:
        return Problem(name, ProblemKind.YEAR_OUT_OF_RANGE, YEAR_MAX)
    return None


def check_baseline_year(value: Any, now: datetime) -> Problem | None:
    problem = check_year(value, "baseline_year")
    if problem is None and value > now.year:
        return Problem("baseline_year", ProblemKind.BASELINE_IN_FUTURE, now.year)
    return problem


def check_target_year(
    baseline_year: int | None, value: Any, name: str = "target_year"
) -> Problem | None:
    problem = check_year(value, name)
    if problem is None and baseline_year is not None and value <= baseline_year:
        return Problem(name, ProblemKind.TARGET_YEAR_NOT_AFTER_BASELINE, baseline_year)
    return problem


def check_text(value: Any, limit: int, name: str) -> Problem | None:
    if not isinstance(value, str) or not " ".join(value.split()):
        return Problem(name, ProblemKind.EMPTY)
    if len(" ".join(value.split())) > limit:
        return Problem(name, ProblemKind.TOO_LONG, limit)
    return None


def clean_text(value: str) -> str:
    return " ".join(value.split())


def check_statement(value: Any, name: str = "statement") -> Problem | None:
    if not isinstance(value, str) or not value.strip():
        return Problem(name, ProblemKind.EMPTY)
    if len(value.strip()) > STATEMENT_MAX_LENGTH:
        return Problem(name, ProblemKind.TOO_LONG, STATEMENT_MAX_LENGTH)
    return None


# The whole document.


class _Checker:
    def __init__(self, answers: Mapping[str, Any], now: datetime, complete: bool) -> None:
        self.answers = answers
        self.now = now
        self.complete = complete
        self.problems: list[Problem] = []

    def add(self, problem: Problem | None) -> bool:
        if problem is not None:
            self.problems.append(problem)
        return problem is None

    def required(self, mapping: Mapping[str, Any], key: str, name: str) -> bool:
        """Whether the answer is there; a missing one is a problem only in a complete pledge."""
        if mapping.get(key) is not None:
            return True
        if self.complete:
            self.problems.append(Problem(name, ProblemKind.MISSING))
        return False


def check_answers(
    answers: Mapping[str, Any], *, now: datetime, complete: bool
) -> PledgeContent | list[Problem]:
    """The content of a complete, valid pledge, or every problem found. With ``complete=False``
    (a draft being written) only the answers given so far are checked."""
    checker = _Checker(answers, now, complete)
    baseline_year = _baseline_year(checker)
    tonnes = answers.get("baseline_tonnes")
    if checker.required(answers, "baseline_tonnes", "baseline_tonnes"):
        checker.add(check_tonnes(tonnes))
    commitments = _commitments(checker, baseline_year)
    statements = _texts(checker, answers.get("statements"), "statements", STATEMENT_MAX_LENGTH)
    if (
        complete
        and not statements
        and not any(problem.field.startswith("statements") for problem in checker.problems)
    ):
        checker.problems.append(Problem("statements", ProblemKind.NO_STATEMENT))
    if checker.problems or not complete:
        return checker.problems
    assert baseline_year is not None and isinstance(tonnes, int | float)
    return PledgeContent(baseline_year, float(tonnes), tuple(commitments), statements)


def _baseline_year(checker: _Checker) -> int | None:
    if not checker.required(checker.answers, "baseline_year", "baseline_year"):
        return None
    value = checker.answers["baseline_year"]
    return int(value) if checker.add(check_baseline_year(value, checker.now)) else None


def _commitments(checker: _Checker, baseline_year: int | None) -> list[CommitmentSpec]:
    raw = checker.answers.get("commitments")
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        checker.add(Problem("commitments", ProblemKind.NOT_A_LIST))
        return []
    specs: list[CommitmentSpec] = []
    seen: set[Metric] = set()
    free = 0
    for index, entry in enumerate(raw):
        name = f"commitments[{index}]"
        spec = _commitment(checker, entry, name, baseline_year)
        if spec is None:
            continue
        if spec.metric == Metric.FREE:
            free += 1
            if free > FREE_COMMITMENTS_MAX:
                checker.add(Problem(name, ProblemKind.TOO_MANY, FREE_COMMITMENTS_MAX))
                continue
        elif spec.metric in seen:
            checker.add(Problem(f"{name}.metric", ProblemKind.DUPLICATE_METRIC))
            continue
        seen.add(spec.metric)
        specs.append(spec)
    if checker.complete and not raw:
        checker.add(Problem("commitments", ProblemKind.NO_COMMITMENT))
    return specs


def _commitment(
    checker: _Checker, entry: Any, name: str, baseline_year: int | None
) -> CommitmentSpec | None:
    if not isinstance(entry, Mapping):
        checker.add(Problem(name, ProblemKind.MISSING))
        return None
    try:
        metric = Metric(str(entry.get("metric")))
    except ValueError:
        checker.add(Problem(f"{name}.metric", ProblemKind.UNKNOWN_METRIC))
        return None
    before = len(checker.problems)
    target_year = entry.get("target_year")
    if checker.required(entry, "target_year", f"{name}.target_year"):
        checker.add(check_target_year(baseline_year, target_year, f"{name}.target_year"))
    items, other = (
        _items(checker, entry, name) if metric == Metric.PROBLEMATIC_ITEMS else ((), None)
    )
    baseline = (
        0.0 if metric in FROM_ZERO else _value(checker, entry, metric, name, "baseline_value")
    )
    if metric == Metric.PROBLEMATIC_ITEMS:
        target: float | None = float(len(items)) if items else None
    else:
        target = _value(checker, entry, metric, name, "target_value")
    if target is not None and baseline is not None and target == baseline:
        checker.add(Problem(f"{name}.target_value", ProblemKind.TARGET_NOT_BEYOND_BASELINE))
    if (
        metric in PERCENT_METRICS - FROM_ZERO
        and target is not None
        and baseline is not None
        and target < baseline
    ):
        checker.add(Problem(f"{name}.target_value", ProblemKind.TARGET_NOT_BEYOND_BASELINE))
    labels: dict[str, str] = {}
    unit: str | None = None
    if metric in (Metric.REUSE_MODELS, Metric.FREE):
        labels = _texts(checker, entry.get("labels"), f"{name}.labels", LABEL_MAX_LENGTH)
        if checker.complete and not labels and entry.get("labels") is None:
            checker.add(Problem(f"{name}.labels", ProblemKind.MISSING))
    if (
        metric == Metric.FREE
        and checker.required(entry, "unit", f"{name}.unit")
        and checker.add(check_text(entry["unit"], UNIT_MAX_LENGTH, f"{name}.unit"))
    ):
        unit = clean_text(entry["unit"])
    if len(checker.problems) > before or target is None or baseline is None:
        return None
    if not isinstance(target_year, int) or (metric == Metric.FREE and unit is None):
        return None
    return CommitmentSpec(metric, target, target_year, baseline, items, other, labels, unit)


def _value(
    checker: _Checker, entry: Mapping[str, Any], metric: Metric, name: str, key: str
) -> float | None:
    if not checker.required(entry, key, f"{name}.{key}"):
        return None
    value = entry[key]
    if not checker.add(check_metric_value(metric, value, f"{name}.{key}")):
        return None
    return float(value)


def _items(
    checker: _Checker, entry: Mapping[str, Any], name: str
) -> tuple[tuple[str, ...], str | None]:
    raw = entry.get("items")
    if raw is None:
        if checker.complete:
            checker.add(Problem(f"{name}.items", ProblemKind.MISSING))
        return (), None
    if not isinstance(raw, list) or not raw:
        checker.add(Problem(f"{name}.items", ProblemKind.NOT_A_LIST))
        return (), None
    items: list[str] = []
    for index, item in enumerate(raw):
        try:
            known = ProblematicItem(item)
        except ValueError:
            checker.add(Problem(f"{name}.items[{index}]", ProblemKind.UNKNOWN_ITEM))
            continue
        if known in items:
            checker.add(Problem(f"{name}.items[{index}]", ProblemKind.DUPLICATE_ITEM))
            continue
        items.append(known)
    other: str | None = None
    if ProblematicItem.OTHER in items:
        text = entry.get("other_item")
        if text is None or not str(text).strip():
            checker.add(Problem(f"{name}.other_item", ProblemKind.OTHER_ITEM_MISSING))
        elif checker.add(check_text(text, OTHER_ITEM_MAX_LENGTH, f"{name}.other_item")):
            other = clean_text(text)
    return tuple(items), other


def _texts(checker: _Checker, raw: Any, name: str, limit: int) -> dict[str, str]:
    """Texts per language: statements keep their line breaks, short labels are one line."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        checker.add(Problem(name, ProblemKind.EMPTY))
        return {}
    multiline = limit == STATEMENT_MAX_LENGTH
    texts: dict[str, str] = {}
    for language, text in raw.items():
        where = f"{name}.{language}"
        if language not in LANGUAGE_CODES:
            checker.add(Problem(where, ProblemKind.UNKNOWN_LANGUAGE))
            continue
        problem = check_statement(text, where) if multiline else check_text(text, limit, where)
        if checker.add(problem):
            texts[language] = text.strip() if multiline else clean_text(text)
    return texts


def answers_of(content: PledgeContent) -> dict[str, Any]:
    """The wizard's answers that give this content: a new pledge starts from the current one."""
    return {
        "baseline_year": content.baseline_year,
        "baseline_tonnes": content.baseline_tonnes,
        "commitments": [_answer_of(spec) for spec in content.commitments],
        "statements": dict(content.statements),
    }


def _answer_of(spec: CommitmentSpec) -> dict[str, Any]:
    answer: dict[str, Any] = {"metric": str(spec.metric), "target_year": spec.target_year}
    if spec.metric == Metric.PROBLEMATIC_ITEMS:
        answer["items"] = list(spec.items)
        if spec.other_item:
            answer["other_item"] = spec.other_item
        return answer
    answer["target_value"] = spec.target_value
    if spec.metric not in FROM_ZERO:
        answer["baseline_value"] = spec.baseline_value
    if spec.labels:
        answer["labels"] = dict(spec.labels)
    if spec.unit:
        answer["unit"] = spec.unit
    return answer
